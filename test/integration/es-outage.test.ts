import { describe, it, expect } from 'vitest';
import { useWorker } from '../helpers/fixture.js';
import { sendJson } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

// Elasticsearch going away mid-stream, played with a TCP proxy in front of the shared server.
describe('Elasticsearch sink when Elasticsearch is unreachable', () => {
  const env = stackEnv();
  const esUrl = new URL(env.ELASTICSEARCH_URL);
  const fx = useWorker({ sdk: true, es: true });

  const produce = (topic: string, from: number, n: number) => sendJson(topic, Array.from({ length: n }, (_, i) => ({ n: from + i })));

  async function count(index: string): Promise<number> {
    await fx.es.indices.refresh({ index });
    return (await fx.es.count({ index })).count;
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
    fx.cleanups.push(() => proxy.cut());
    const topic = uniqueIdent('esout');
    fx.cleanups.push(() => fx.es.indices.delete({ index: topic, ignore_unavailable: true }));
    await produce(topic, 0, 2000);
    const name = `esout-${topic}`;
    await fx.sdk.create({ name, config: config(topic, port) });
    fx.cleanups.push(() => fx.sdk.delete(name));
    await waitFor(async () => (await count(topic).catch(() => 0)) > 0, { what: 'first documents', timeout: 60_000 });

    await proxy.cut();
    await produce(topic, 2000, 1000);
    await new Promise((r) => setTimeout(r, 5000));
    expect((await fx.sdk.status(name)).tasks[0].state).toBe('RUNNING');
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
    await fx.sdk.create({ name, config: config(topic, port, { 'errors.retry.timeout': '4000' }) });
    fx.cleanups.push(() => fx.sdk.delete(name));
    const st = await waitFor(async () => {
      const s = await fx.sdk.status(name);
      return s.tasks[0]?.state === 'FAILED' ? s : undefined;
    }, { what: 'FAILED after errors.retry.timeout', timeout: 60_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(st.tasks[0].trace).toMatch(/errors\.retry\.timeout/);
    expect(st.tasks[0].trace).toMatch(/RetriableError|Connection|ECONNREFUSED/i);
  });
});
