import { describe, expect, it } from 'vitest';
import { workerOptions, workerStartOptions } from '../../../src/worker/options.js';

describe('tconnect worker settings', () => {
  it('reads the names `npm run stack -- env` prints', () => {
    const env = { TEMPORAL_ADDRESS: '10.0.0.1:7233', TEMPORAL_NAMESPACE: 'prod', KAFKA_BOOTSTRAP_SERVERS: 'k1:9092, k2:9092', TCONNECT_TASK_QUEUE: 'etl' };
    expect(workerOptions({}, env)).toEqual({ temporalAddress: '10.0.0.1:7233', namespace: 'prod', taskQueue: 'etl', kafkaBrokers: ['k1:9092', 'k2:9092'] });
  });

  it('lets flags override the environment, and the environment the worker properties', () => {
    const env = { TEMPORAL_ADDRESS: 'env:7233', KAFKA_BOOTSTRAP_SERVERS: 'env:9092' };
    const props = 'bootstrap.servers=props:9092\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n';
    expect(workerOptions({ address: 'flag:7233', kafkaBrokers: 'flag:9092' }, env, props)).toMatchObject({
      temporalAddress: 'flag:7233',
      kafkaBrokers: ['flag:9092'],
      workerConfig: { 'bootstrap.servers': 'props:9092', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter' },
    });
    expect(workerOptions({}, {}, props).kafkaBrokers).toEqual(['props:9092']);
  });

  it('falls back to the local defaults', () => {
    expect(workerOptions({}, {})).toEqual({ temporalAddress: 'localhost:7233', namespace: 'default', taskQueue: 'connect', kafkaBrokers: ['localhost:9092'] });
  });
});

describe('worker start options (shared by tconnect worker, distributed and standalone)', () => {
  it('reads the Temporal TLS files named in the settings and passes the API key on', async () => {
    const files: Record<string, string> = { '/tls/c.pem': 'CERT', '/tls/k.pem': 'KEY', '/tls/ca.pem': 'CA' };
    const read = async (p: string) => files[p] ?? Promise.reject(new Error(`no ${p}`));
    const env = { TEMPORAL_TLS_CERT: '/tls/c.pem', TEMPORAL_TLS_KEY: '/tls/k.pem', TEMPORAL_TLS_CA: '/tls/ca.pem', TEMPORAL_TLS_SERVER_NAME: 'tmprl', TEMPORAL_API_KEY: 'k-1' };
    const start = await workerStartOptions(workerOptions({}, env), read);
    expect(start.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      serverRootCACertificate: Buffer.from('CA'),
      serverNameOverride: 'tmprl',
    });
    expect(start.apiKey).toBe('k-1');
    expect(start.temporalAddress).toBe('localhost:7233');
  });

  it('adds no TLS or API key when none is configured, and plain TLS when temporal.tls=true', async () => {
    const read = async (p: string): Promise<string> => { throw new Error(`read ${p}`); };
    const plain = await workerStartOptions(workerOptions({}, {}), read);
    expect('tls' in plain || 'apiKey' in plain).toBe(false);
    expect((await workerStartOptions(workerOptions({}, {}, 'temporal.tls=true\n'), read)).tls).toBe(true);
  });
});
