import { describe, expect, it } from 'vitest';
import { workerOptions } from '../../../src/cli/worker.js';

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
