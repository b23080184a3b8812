import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { ConnectClient } from '../../src/client/index.js';
import { LoggerLevels } from '../../src/rest/loggers.js';
import { buildRestApp } from '../../src/rest/server.js';
import { jdbcConnection, jdbcIncrementing } from '../helpers/connectors.js';
import { stackEnv, uniqueName } from '../helpers/stack.js';

// Configs that used to be accepted at create and then failed a task or idled (issue 24, issue 13)
// are 400 at POST /connectors and listed under their key by PUT …/config/validate, over real
// HTTP to a REST server whose client talks to the stack's Temporal. Nothing is created.

interface ValidateAnswer {
  error_count: number;
  configs: Array<{ value: { name: string; errors: string[] } }>;
}

describe('configs refused up front (REST)', () => {
  const env = stackEnv();
  let client: ConnectClient;
  let app: FastifyInstance;
  let base: string;

  const source = (extra: Record<string, string>) => ({ 'connector.class': 'JdbcSource', ...jdbcIncrementing('t'), 'topic.prefix': 'x.', ...extra });
  const sink = (extra: Record<string, string | null>) => ({
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', ...jdbcConnection(), topics: 'orders', ...extra,
  });

  async function call(method: string, path: string, body: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  }

  beforeAll(async () => {
    // A worker's REST API: its client knows the worker's exactly.once.source.support (Connect's default).
    client = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: uniqueName('config-validation'), exactlyOnceSourceSupport: 'disabled' });
    app = buildRestApp({ client, ready: () => true, loggers: new LoggerLevels(pino({ level: 'info' }, { write() {} })), kafkaClusterId: async () => 'test-cluster' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await client?.close();
  });

  const cases: Array<[string, Record<string, string | null>, string, RegExp]> = [
    ['temporal.batch.max.records below 1', source({ 'temporal.batch.max.records': '-1' }), 'temporal.batch.max.records', /must be at least 1/],
    ['poll.interval.ms above Long.MAX', source({ 'poll.interval.ms': '9223372036854775808' }), 'poll.interval.ms', /Not a number of type INT/],
    ['temporal.idle.wait.ms not a number', source({ 'temporal.idle.wait.ms': 'soon' }), 'temporal.idle.wait.ms', /Not a number of type LONG/],
    ['errors.log.enable not a boolean', source({ 'errors.log.enable': 'yes' }), 'errors.log.enable', /true or false/],
    ['a sink topic "*"', sink({ topics: '*' }), 'topics', /"\*" is not a valid topic name: a Kafka topic name is 1 to 249 characters/],
    ['a sink topic ".."', sink({ topics: 'orders,..' }), 'topics', /"\.\." is not a valid topic name/],
    ['a sink topic "a b"', sink({ topics: 'a b' }), 'topics', /"a b" is not a valid topic name/],
    ['a sink with neither topics nor topics.regex', sink({ topics: null }), 'topics', /Must configure one of topics or topics\.regex/],
    ['a sink with both', sink({ 'topics.regex': 'orders.*' }), 'topics.regex', /mutually exclusive options, but both are set/],
    ['temporal.topics.poll.interval.ms below 1000', sink({ 'temporal.topics.poll.interval.ms': '5' }), 'temporal.topics.poll.interval.ms', /at least 1000/],
  ];

  it.each(cases)('%s: 400 at create naming the key and the rule, listed under the key by validate', async (_what, config, key, rule) => {
    const name = uniqueName('refused');
    const created = await call('POST', '/connectors', { name, config });
    expect(created.status).toBe(400);
    expect(created.body.error_code).toBe(400);
    expect(created.body.message).toContain(key);
    expect(created.body.message).toMatch(rule);
    expect((await fetch(`${base}/connectors/${name}/status`)).status).toBe(404);

    const cls = String(config['connector.class']);
    const validated = await call('PUT', `/connector-plugins/${cls}/config/validate`, { ...config, name });
    expect(validated.status).toBe(200);
    const answer = validated.body as ValidateAnswer;
    expect(answer.error_count).toBeGreaterThan(0);
    expect(answer.configs.find((c) => c.value.name === key)?.value.errors.join('\n')).toMatch(rule);
  });

  // Connect's exactly-once preflight messages do not name their key: the answer at create quotes
  // them as Connect does, and validate lists them under the key.
  const exactlyOnceCases: Array<[string, Record<string, string | null>, string, RegExp]> = [
    ['exactly.once.support=required on a worker without exactly-once support', source({ 'exactly.once.support': 'required' }), 'exactly.once.support', /This worker does not have exactly-once source support enabled\./],
    ['exactly.once.support=required in bulk mode', source({ 'exactly.once.support': 'required', mode: 'bulk' }), 'exactly.once.support', /The connector does not support exactly-once semantics with the provided configuration\./],
    ['transaction.boundary=connector', source({ 'transaction.boundary': 'connector' }), 'transaction.boundary', /does not support connector-defined transaction boundaries with the given configuration/],
  ];

  it.each(exactlyOnceCases)('%s: 400 at create with Connect\'s message, listed under the key by validate', async (_what, config, key, rule) => {
    const name = uniqueName('refused');
    const created = await call('POST', '/connectors', { name, config });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(rule);
    expect((await fetch(`${base}/connectors/${name}/status`)).status).toBe(404);
    const validated = await call('PUT', `/connector-plugins/${String(config['connector.class'])}/config/validate`, { ...config, name });
    expect(validated.status).toBe(200);
    expect((validated.body as ValidateAnswer).configs.find((c) => c.value.name === key)?.value.errors.join('\n')).toMatch(rule);
  });

  it('still accepts the same keys within their rules', async () => {
    const ok = async (cls: string, config: Record<string, string | null>) =>
      (await call('PUT', `/connector-plugins/${cls}/config/validate`, { ...config, name: 'ok' })).body.error_count;
    expect(await ok('JdbcSource', source({ 'temporal.batch.max.records': '500', 'poll.interval.ms': '2147483647', 'exactly.once.support': 'REQUESTED', 'errors.log.enable': 'TRUE' }))).toBe(0);
    expect(await ok('io.confluent.connect.jdbc.JdbcSinkConnector', sink({ topics: 'a.b_c-1,orders' }))).toBe(0);
    expect(await ok('io.confluent.connect.jdbc.JdbcSinkConnector', sink({ topics: null, 'topics.regex': 'orders-.*' }))).toBe(0);
  });
});
