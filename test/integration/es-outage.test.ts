import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { ConnectClient } from '../../src/client/index.js';
import { elastic, kafka } from '../helpers/clients.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { testWorker } from '../helpers/worker.js';

// Elasticsearch going away mid-stream, played with a TCP proxy in front of the shared server.
describe('Elasticsearch sink when Elasticsearch is unreachable', () => {
  const env = stackEnv();
  const esUrl = new URL(env.ELASTICSEARCH_URL);
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let sdk: ConnectClient;
  let es: ElasticClient;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    worker = await testWorker();
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
    es = elastic();
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sdk?.close();
    await worker?.shutdown();
    await es?.close();
  });

  async function produce(topic: string, from: number, n: number) {
    const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    await p.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ n: from + i }) })) });
    await p.disconnect();
  }

  async function count(index: string): Promise<number> {
    await es.indices.refresh({ index });
    return (await es.count({ index })).count;
  }

  function config(topic: string, port: number, extra: Record<string, string> = {}) {
    return {
      'connector.class': 'ElasticsearchSink',
      'connection.url': `http://127.0.0.1:${port}`,
      topics: topic,
      'key.ignore': 'true',
      'schema.ignore': 'true',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'max.retries': '1',
      'retry.backoff.ms': '100',
      'errors.retry.delay.max.ms': '1000',
      'temporal.batch.max.records': '200',
      ...extra,
    };
  }

  it('backs off while Elasticsearch is down, stays RUNNING, then writes everything exactly once', async () => {
    const proxy = new TcpProxy(esUrl.hostname, Number(esUrl.port));
    const port = await proxy.start();
    cleanups.push(() => proxy.cut());
    const topic = uniqueIdent('esout');
    cleanups.push(() => es.indices.delete({ index: topic, ignore_unavailable: true }));
    await produce(topic, 0, 2000);
    const name = `esout-${topic}`;
    await sdk.create({ name, config: config(topic, port) });
    cleanups.push(() => sdk.delete(name));
    await waitFor(async () => (await count(topic).catch(() => 0)) > 0, { what: 'first documents', timeout: 60_000 });

    await proxy.cut();
    await produce(topic, 2000, 1000);
    await new Promise((r) => setTimeout(r, 5000));
    expect((await sdk.status(name)).tasks[0].state).toBe('RUNNING');
    await proxy.start(port);

    await waitFor(async () => (await count(topic)) === 3000, { what: '3000 documents', timeout: 90_000, interval: 500 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count(topic)).toBe(3000);
  });

  it('fails the task once transient failures outlast errors.retry.timeout, with the cause in the trace', async () => {
    const proxy = new TcpProxy(esUrl.hostname, Number(esUrl.port));
    const port = await proxy.start();
    await proxy.cut(); // nothing listens on that port now
    const topic = uniqueIdent('esdead');
    await produce(topic, 0, 10);
    const name = `esdead-${topic}`;
    const started = Date.now();
    await sdk.create({ name, config: config(topic, port, { 'errors.retry.timeout': '4000' }) });
    cleanups.push(() => sdk.delete(name));
    const st = await waitFor(async () => {
      const s = await sdk.status(name);
      return s.tasks[0]?.state === 'FAILED' ? s : undefined;
    }, { what: 'FAILED after errors.retry.timeout', timeout: 60_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(st.tasks[0].trace).toMatch(/errors\.retry\.timeout/);
    expect(st.tasks[0].trace).toMatch(/RetriableError|Connection|ECONNREFUSED/i);
  });
});
