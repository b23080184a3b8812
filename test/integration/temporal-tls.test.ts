// Secured Temporal: a worker (`tconnect distributed`, REST included) reaches Temporal over mTLS, and
// over TLS with an API key as Temporal Cloud takes one, set by the worker properties users write
// (temporal.tls.*, temporal.api.key). The dev server has no TLS: a TLS front (test/helpers/
// tls-grpc-proxy.ts) terminates it and checks the client certificate or the key, then passes gRPC on.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../src/client/index.js';
import { readTopic } from '../helpers/kafka.js';
import { startRestWorker, type RestWorker } from '../helpers/rest-worker.js';
import { stackEnv, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics, spawnTconnect } from '../helpers/tconnect-process.js';
import { makeTlsMaterial, startTlsGrpcProxy, type TlsGrpcProxy, type TlsMaterial } from '../helpers/tls-grpc-proxy.js';

describe('Temporal over TLS', () => {
  let tls: TlsMaterial;
  const topics: string[] = [];
  const proxies: TlsGrpcProxy[] = [];
  const workers: RestWorker[] = [];

  beforeAll(() => {
    tls = makeTlsMaterial();
  });
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    for (const p of proxies) await p.close().catch(() => undefined);
    await deleteTopics(topics).catch(() => undefined);
    tls?.cleanup();
  });

  /** A FileStream source through the worker's REST API: RUNNING, and its lines in Kafka. */
  async function runsAConnector(w: RestWorker, label: string): Promise<void> {
    const topic = uniqueName(`tls-${label}`);
    topics.push(topic);
    const input = path.join(tls.dir, `${label}.txt`);
    writeFileSync(input, `${label}-1\n${label}-2\n`);
    const name = uniqueName(`tls-${label}`);
    const r = await w.http('POST', '/connectors', { name, config: { 'connector.class': 'FileStreamSource', file: input, topic, 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await waitFor(async () => {
      const s = (await w.http('GET', `/connectors/${name}/status`)).body;
      return s?.connector?.state === 'RUNNING' && s.tasks?.length === 1 && s.tasks[0].state === 'RUNNING' ? s : undefined;
    }, { what: `${name} RUNNING over TLS`, timeout: 90_000 });
    expect((await readTopic(topic, 2)).map((m) => m.value)).toEqual([`${label}-1`, `${label}-2`]);
    expect((await w.http('DELETE', `/connectors/${name}`)).status).toBe(204);
  }

  it('mTLS: a worker with temporal.tls.cert.file/key.file/ca.file runs connectors; a certificate from another CA is refused', async () => {
    const proxy = await startTlsGrpcProxy({ upstream: stackEnv().TEMPORAL_ADDRESS, tls, requireClientCert: true });
    proxies.push(proxy);
    const w = await startRestWorker({
      'temporal.address': proxy.address,
      'temporal.tls.cert.file': tls.clientCertFile,
      'temporal.tls.key.file': tls.clientKeyFile,
      'temporal.tls.ca.file': tls.caFile,
      'temporal.tls.server.name': 'localhost',
      'file.connectors.allowed.paths': tls.dir,
    });
    workers.push(w);
    await runsAConnector(w, 'mtls');

    // The same worker settings with a stranger's certificate: the worker cannot start, and says why.
    const stranger = spawnTconnect(['worker'], {
      TEMPORAL_ADDRESS: proxy.address, TEMPORAL_NAMESPACE: stackEnv().TEMPORAL_NAMESPACE, KAFKA_BOOTSTRAP_SERVERS: stackEnv().KAFKA_BOOTSTRAP_SERVERS,
      TEMPORAL_TLS_CERT: tls.strangerCertFile, TEMPORAL_TLS_KEY: tls.strangerKeyFile, TEMPORAL_TLS_CA: tls.caFile, TEMPORAL_TLS_SERVER_NAME: 'localhost',
      TCONNECT_TASK_QUEUE: uniqueName('tls-stranger'),
    });
    const code = await Promise.race([stranger.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 120_000))]);
    if (code === 'running') await stranger.stop(1000);
    expect(code, stranger.output()).not.toBe('running');
    expect(code).not.toBe(0);
    expect(stranger.output()).toMatch(/connect|transport|tls|certificate|handshake/i);
  }, 300_000);

  it('API key: a worker with temporal.api.key runs connectors; a client without the key gets Temporal\'s UNAUTHENTICATED', async () => {
    const apiKey = `key-${uniqueName('tls')}`;
    const proxy = await startTlsGrpcProxy({ upstream: stackEnv().TEMPORAL_ADDRESS, tls, requireClientCert: false, apiKey });
    proxies.push(proxy);
    const w = await startRestWorker({
      'temporal.address': proxy.address,
      'temporal.api.key': apiKey,
      'temporal.tls.ca.file': tls.caFile,
      'temporal.tls.server.name': 'localhost',
      'file.connectors.allowed.paths': tls.dir,
    });
    workers.push(w);
    await runsAConnector(w, 'apikey');
    expect(proxy.refused).toBe(0);
    // The key never shows in what the worker printed.
    expect(w.proc.output()).not.toContain(apiKey);

    const err = await ConnectClient.connect({
      address: proxy.address, namespace: stackEnv().TEMPORAL_NAMESPACE, taskQueue: w.taskQueue,
      tls: { serverRootCACertificate: readFileSync(tls.caFile), serverNameOverride: 'localhost' },
    }).then(async (c) => {
      try {
        await c.list();
        return undefined;
      } finally {
        await c.close();
      }
    }).catch((e: Error) => e);
    expect(err?.message ?? 'no error').toMatch(/unauthorized|UNAUTHENTICATED/i);
    expect(proxy.refused).toBeGreaterThan(0);
  }, 300_000);
});
