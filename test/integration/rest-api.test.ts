import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import pino from 'pino';
import { ConnectClient } from '../../src/client/index.js';
import { LoggerLevels } from '../../src/rest/loggers.js';
import { buildRestApp } from '../../src/rest/server.js';
import { kafka, mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { readTopic, topicSize } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';
import { testWorker } from '../helpers/worker.js';

// Every docs/compat.md section 1 endpoint over real HTTP: an in-process REST server and worker on a
// task queue of this file's own, a JDBC source over a MariaDB table and a JDBC sink back into one.

interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

const STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING', 'STOPPED'];

describe('REST API over real HTTP (JDBC source and sink on MariaDB)', () => {
  const env = stackEnv();
  const taskQueue = uniqueName('rest-api');
  const table = uniqueIdent('rest_src');
  const sinkTable = uniqueIdent('rest_sink');
  const source = `rest-src-${table}`;
  const sink = `rest-sink-${table}`;
  const topic = `restapi.${table}`;
  const answers: string[] = [];
  let db: mysql.Connection;
  let client: ConnectClient;
  let app: FastifyInstance;
  let base: string;
  let worker: Awaited<ReturnType<typeof testWorker>>;

  async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const r = await fetch(base + path, init);
    const text = await r.text();
    answers.push(text);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: r.status, headers: r.headers, body: parsed, text };
  }

  const sourceConfig = (extra: Record<string, string> = {}) => ({
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    ...jdbcIncrementing(table),
    'topic.prefix': 'restapi.',
    'poll.interval.ms': '500',
    ...extra,
  });

  const statusOf = async (name: string) => (await http('GET', `/connectors/${name}/status`)).body;
  /** Waits until the connector and its one task are in `state`. */
  const waitState = (name: string, state: string) => waitFor(async () => {
    const s = await statusOf(name);
    return s?.connector?.state === state && s.tasks.length === 1 && s.tasks[0].state === state ? s : undefined;
  }, { what: `${name} ${state}`, timeout: 60_000 });

  beforeAll(async () => {
    db = await mysqlConnection();
    await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${table}\` (v) VALUES ('a'), ('b'), ('c')`);
    worker = await testWorker({ taskQueue });
    client = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
    app = buildRestApp({
      client,
      ready: () => true,
      loggers: new LoggerLevels(pino({ level: 'info' }, { write() {} })),
      kafkaClusterId: async () => 'test-cluster',
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const name of [source, sink]) await client?.delete(name).catch(() => undefined);
    await app?.close();
    await client?.close();
    await worker?.shutdown();
    await db?.query(`DROP TABLE IF EXISTS \`${table}\``);
    await db?.query(`DROP TABLE IF EXISTS \`${sinkTable}\``);
    await db?.end();
    await deleteTopics([topic]);
  });

  it('GET /, /health and the connector plugins', async () => {
    const root = await http('GET', '/');
    expect(root.status).toBe(200);
    expect(root.body).toEqual({ version: expect.any(String), commit: expect.any(String), kafka_cluster_id: 'test-cluster' });
    expect(await http('GET', '/health')).toMatchObject({ status: 200, body: { status: 'healthy', message: expect.any(String) } });

    const plugins = await http('GET', '/connector-plugins');
    expect(plugins.status).toBe(200);
    for (const p of plugins.body) expect(Object.keys(p).sort()).toEqual(['class', 'type', 'version']);
    expect(plugins.body.map((p: { type: string }) => p.type).every((t: string) => t === 'source' || t === 'sink')).toBe(true);
    const all = (await http('GET', '/connector-plugins?connectorsOnly=false')).body as Array<{ type: string }>;
    expect(new Set(all.map((p) => p.type))).toEqual(new Set(['source', 'sink', 'transformation', 'predicate', 'converter', 'header_converter']));

    const defs = await http('GET', '/connector-plugins/JdbcSourceConnector/config');
    expect(defs.status).toBe(200);
    expect(defs.body.find((d: { name: string }) => d.name === 'connection.url')).toMatchObject({
      type: 'STRING', required: true, default_value: null, importance: 'HIGH', documentation: expect.any(String),
      group: expect.any(String), order: expect.any(Number), width: expect.any(String), display_name: expect.any(String), dependents: [],
    });
    expect(await http('GET', '/connector-plugins/NoSuchConnector/config')).toMatchObject({ status: 404, body: { error_code: 404, message: 'Unknown plugin NoSuchConnector.' } });

    const valid = await http('PUT', '/connector-plugins/JdbcSourceConnector/config/validate', { ...sourceConfig(), name: 'v' });
    expect(valid.status).toBe(200);
    expect(valid.body).toMatchObject({ name: 'io.confluent.connect.jdbc.JdbcSourceConnector', error_count: 0, groups: expect.any(Array) });
    expect(valid.body.configs[0]).toEqual({ definition: expect.any(Object), value: { name: expect.any(String), value: expect.anything(), recommended_values: expect.any(Array), errors: [], visible: true } });
    expect(valid.body.configs.find((c: { value: { name: string } }) => c.value.name === 'connection.password').value.value).toBe('[hidden]');
    const invalid = await http('PUT', '/connector-plugins/JdbcSource/config/validate', { 'connector.class': 'JdbcSource', name: 'v', mode: 'sometimes' });
    expect(invalid.status).toBe(200);
    expect(invalid.body.error_count).toBeGreaterThan(0);
    expect(invalid.body.configs.find((c: { value: { name: string } }) => c.value.name === 'mode').value.errors).not.toEqual([]);
    expect(await http('PUT', '/connector-plugins/JdbcSource/config/validate', { 'connector.class': 'JdbcSink' }))
      .toMatchObject({ status: 400, body: { error_code: 400, message: 'Included connector type JdbcSink does not match request type JdbcSource' } });
  });

  it('POST /connectors: 201 + Location, 409 when it exists, 400 on invalid config or malformed JSON', async () => {
    const created = await http('POST', '/connectors', { name: source, config: sourceConfig() });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${base}/connectors/${source}`);
    expect(created.body).toEqual({ name: source, config: { ...sourceConfig(), 'connection.password': '[hidden]', name: source }, tasks: [], type: 'source' });

    expect(await http('POST', '/connectors', { name: source, config: sourceConfig() })).toMatchObject({ status: 409, body: { error_code: 409, message: `Connector ${source} already exists` } });
    const bad = await http('POST', '/connectors', { name: `${source}-bad`, config: { 'connector.class': 'JdbcSource', mode: 'incrementing' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Connector configuration is invalid and contains the following \d+ error\(s\):\n/);
    const malformed = await http('POST', '/connectors', '{"name": "x", ');
    expect(malformed).toMatchObject({ status: 400, body: { error_code: 400, message: expect.stringMatching(/JSON/) } });
    expect(Object.keys(malformed.body).sort()).toEqual(['error_code', 'message']);
  });

  it('GET /connectors (with expand), the connector, its config, status, tasks and task status', async () => {
    await waitState(source, 'RUNNING');
    expect((await http('GET', '/connectors')).body).toEqual([source]);
    const expanded = await http('GET', '/connectors?expand=status&expand=info');
    expect(Object.keys(expanded.body)).toEqual([source]);
    expect(expanded.body[source].status).toMatchObject({ name: source, type: 'source', connector: { state: 'RUNNING' } });
    expect(expanded.body[source].info).toMatchObject({ name: source, type: 'source', tasks: [{ connector: source, task: 0 }] });
    expect(Object.keys((await http('GET', '/connectors?expand=status')).body[source])).toEqual(['status']);
    // One parameter is one value, as Jersey reads it: "info,status" names neither.
    expect((await http('GET', '/connectors?expand=info,status')).body).toEqual({ [source]: {} });

    const info = await http('GET', `/connectors/${source}`);
    expect(info.body).toEqual({ name: source, config: expect.any(Object), tasks: [{ connector: source, task: 0 }], type: 'source' });
    const config = (await http('GET', `/connectors/${source}/config`)).body as Record<string, unknown>;
    expect(Object.values(config).every((v) => typeof v === 'string')).toBe(true);
    expect(config['connection.password']).toBe('[hidden]');

    const status = (await http('GET', `/connectors/${source}/status`)).body;
    expect(status).toEqual({ name: source, connector: { state: 'RUNNING', worker_id: worker.workerId }, tasks: [{ id: 0, state: 'RUNNING', worker_id: worker.workerId }], type: 'source' });
    const tasks = (await http('GET', `/connectors/${source}/tasks`)).body;
    expect(tasks).toEqual([{ id: { connector: source, task: 0 }, config: expect.any(Object) }]);
    expect(tasks[0].config['connection.password']).toBe('[hidden]');
    expect(tasks[0].config['task.class']).toBe('io.confluent.connect.jdbc.source.JdbcSourceTask');
    expect((await http('GET', `/connectors/${source}/tasks-config`)).body).toEqual({ [`${source}-0`]: tasks[0].config });
    expect((await http('GET', `/connectors/${source}/tasks/0/status`)).body).toEqual({ id: 0, state: 'RUNNING', worker_id: worker.workerId });
    expect(await http('GET', `/connectors/${source}/tasks/9/status`)).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(STATES).toContain(status.connector.state);
  });

  it('topics and offsets; offsets change only while STOPPED (400 otherwise, as Connect)', async () => {
    await readTopic(topic, 3);
    // Topics the tasks really produced to, reported after their batch.
    const used = await waitFor(async () => {
      const b = (await http('GET', `/connectors/${source}/topics`)).body;
      return b[source]?.topics?.length ? b : undefined;
    }, { what: 'topics reported' });
    expect(used).toEqual({ [source]: { topics: [topic] } });
    expect((await http('PUT', `/connectors/${source}/topics/reset`)).status).toBe(202);
    await waitFor(async () => (await http('GET', `/connectors/${source}/topics`)).body[source].topics.length === 0, { what: 'topics reset' });

    const partition = { protocol: '1', table: `${env.MYSQL_DATABASE}.${table}` };
    const offsets = await waitFor(async () => {
      const o = (await http('GET', `/connectors/${source}/offsets`)).body;
      return o.offsets.length === 1 && o.offsets[0].offset.incrementing === 3 ? o : undefined;
    }, { what: 'offsets reported' });
    expect(offsets).toEqual({ offsets: [{ partition, offset: { incrementing: 3 } }] });

    const patch = { offsets: [{ partition, offset: { incrementing: 1 } }] };
    const running = await http('PATCH', `/connectors/${source}/offsets`, patch);
    expect(running).toMatchObject({ status: 400, body: { error_code: 400, message: expect.stringContaining('STOPPED') } });
    expect((await http('DELETE', `/connectors/${source}/offsets`)).status).toBe(400);

    expect((await http('PUT', `/connectors/${source}/stop`)).status).toBe(204);
    await waitFor(async () => (await statusOf(source)).connector.state === 'STOPPED', { what: 'STOPPED' });
    expect((await statusOf(source)).tasks).toEqual([]);
    expect(await http('PATCH', `/connectors/${source}/offsets`, { offsets: [] })).toMatchObject({ status: 400, body: { message: 'Partitions / offsets need to be provided for an alter offsets request' } });
    const altered = await http('PATCH', `/connectors/${source}/offsets`, patch);
    expect(altered).toMatchObject({ status: 200, body: { message: expect.stringContaining('have been altered successfully') } });
    expect((await http('GET', `/connectors/${source}/offsets`)).body).toEqual(patch);
    const reset = await http('DELETE', `/connectors/${source}/offsets`);
    expect(reset).toMatchObject({ status: 200, body: { message: expect.stringContaining('have been reset successfully') } });
    expect((await http('GET', `/connectors/${source}/offsets`)).body).toEqual({ offsets: [] });

    // Resumed from no offset, the source reads every row again.
    expect((await http('PUT', `/connectors/${source}/resume`)).status).toBe(202);
    await waitFor(async () => (await topicSize(topic)) >= 6, { what: 're-read after reset' });
  });

  it('pause, resume, restart (204, or 202 with RESTARTING), task restart', async () => {
    await waitState(source, 'RUNNING');
    expect((await http('PUT', `/connectors/${source}/pause`, '', { 'content-type': 'application/json' })).status).toBe(202);
    await waitState(source, 'PAUSED');
    expect((await http('PUT', `/connectors/${source}/resume`)).status).toBe(202);
    await waitState(source, 'RUNNING');

    const plain = await http('POST', `/connectors/${source}/restart`);
    expect(plain.status).toBe(204);
    expect(plain.text).toBe('');
    const withTasks = await http('POST', `/connectors/${source}/restart?includeTasks=true`);
    expect(withTasks.status).toBe(202);
    expect(withTasks.body).toMatchObject({ name: source, connector: { state: 'RESTARTING' }, tasks: [{ id: 0, state: 'RESTARTING' }], type: 'source' });
    await waitState(source, 'RUNNING');
    const onlyFailed = await http('POST', `/connectors/${source}/restart?includeTasks=true&onlyFailed=true`);
    expect(onlyFailed).toMatchObject({ status: 202, body: { connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] } });
    expect((await http('POST', `/connectors/${source}/tasks/0/restart`)).status).toBe(204);
    expect(await http('POST', `/connectors/${source}/tasks/4/restart`)).toMatchObject({ status: 404, body: { error_code: 404 } });
    await waitState(source, 'RUNNING');
  });

  it('PATCH and PUT config: a null removes a key; the secret is kept, never shown', async () => {
    const patched = await http('PATCH', `/connectors/${source}/config`, { 'poll.interval.ms': 300, 'connection.url': null });
    expect(patched.status).toBe(400); // connection.url is required: removing it is refused
    const ok = await http('PATCH', `/connectors/${source}/config`, { 'poll.interval.ms': 300, 'batch.max.rows': null });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: source, type: 'source', config: { 'poll.interval.ms': '300', 'connection.password': '[hidden]' } });
    expect(ok.body.config).not.toHaveProperty('batch.max.rows');
    // The stored (encrypted) password still works: a new row arrives.
    const before = await topicSize(topic);
    await db.query(`INSERT INTO \`${table}\` (v) VALUES ('after-patch')`);
    await waitFor(async () => (await topicSize(topic)) > before, { what: 'row after PATCH' });

    const replaced = await http('PUT', `/connectors/${source}/config`, sourceConfig({ 'poll.interval.ms': '400' }));
    expect(replaced.status).toBe(200);
    expect(replaced.body.config['poll.interval.ms']).toBe('400');
    expect(await http('PUT', `/connectors/${source}/config`, { ...sourceConfig(), name: 'other' })).toMatchObject({ status: 400 });
  });

  it('PUT config creates a sink (201); its offsets and topics in Connect\'s sink shapes', async () => {
    const sinkConfig = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': env.MYSQL_PASSWORD,
      topics: topic,
      'table.name.format': sinkTable,
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    };
    const created = await http('PUT', `/connectors/${sink}/config`, sinkConfig);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${base}/connectors/${sink}`);
    expect(created.body).toMatchObject({ name: sink, type: 'sink', config: { 'connection.password': '[hidden]' } });
    await waitFor(async () => {
      const [rows] = await db.query(`SELECT COUNT(*) AS n FROM \`${sinkTable}\``).catch(() => [[{ n: 0 }]]) as [Array<{ n: number }>];
      return Number(rows[0].n) >= 4;
    }, { what: 'rows in the sink table', timeout: 90_000 });
    const sinkTopics = await waitFor(async () => {
      const b = (await http('GET', `/connectors/${sink}/topics`)).body;
      return b[sink]?.topics?.length ? b : undefined;
    }, { what: 'sink topics reported' });
    expect(sinkTopics).toEqual({ [sink]: { topics: [topic] } });
    const offsets = await waitFor(async () => {
      const o = (await http('GET', `/connectors/${sink}/offsets`)).body;
      return o.offsets.length ? o : undefined;
    }, { what: 'sink offsets' });
    expect(offsets.offsets[0]).toEqual({ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: expect.any(Number) } });
    expect((await http('GET', '/connectors')).body).toEqual([source, sink].sort());
  });

  it('GET /metrics: Prometheus text with the task counters of what this worker moved', async () => {
    const value = (text: string, metric: string, connector: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${metric}{connector="${connector}",task="0"}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    const [[{ n }]] = await db.query(`SELECT COUNT(*) AS n FROM \`${table}\``) as unknown as [[{ n: number }]];
    const m = await waitFor(async () => {
      const a = await http('GET', '/metrics');
      const written = value(a.text, 'tconnect_source_record_write_total', source);
      const sent = value(a.text, 'tconnect_sink_record_send_total', sink);
      return written !== undefined && written >= Number(n) && sent !== undefined && sent >= 1 ? a : undefined;
    }, { what: 'source and sink counters in /metrics', timeout: 30_000 });
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toContain('text/plain');
    expect(value(m.text, 'tconnect_source_record_poll_total', source)).toBeGreaterThanOrEqual(Number(n));
    expect(value(m.text, 'tconnect_sink_record_read_total', sink)).toBeGreaterThanOrEqual(value(m.text, 'tconnect_sink_record_send_total', sink)!);
    expect(m.text).toMatch(new RegExp(`tconnect_batch_duration_seconds_count\\{connector="${source}",task="0",type="source"\\} [1-9]`));
    expect(m.text).toContain('tconnect_process_resident_memory_bytes');

    // The sink's lag gauge is what kafka-consumer-groups shows: the topic's end minus the group's
    // committed offset. Paused, the sink falls behind new rows; resumed, it catches up.
    const admin = kafka().admin();
    await admin.connect();
    const lagNow = async () => {
      const v = value((await http('GET', '/metrics')).text.replace(`,topic="${topic}",partition="0"}`, '}'), 'tconnect_sink_lag_records', sink);
      const end = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high);
      const committed = Number((await admin.fetchOffsets({ groupId: `connect-${sink}`, topics: [topic] }))[0]!.partitions.find((p) => p.partition === 0)!.offset);
      return { v, expected: end - committed };
    };
    try {
      expect(await http('PUT', `/connectors/${sink}/pause`)).toMatchObject({ status: 202 });
      await waitState(sink, 'PAUSED');
      await db.query(`INSERT INTO \`${table}\` (v) VALUES ('m1'), ('m2'), ('m3')`);
      const behind = await waitFor(async () => {
        const l = await lagNow();
        return l.expected >= 3 && l.v === l.expected ? l : undefined;
      }, { what: 'the paused sink\'s lag gauge at 3 or more, equal to end - committed', timeout: 30_000 });
      expect(behind.v).toBeGreaterThanOrEqual(3);
      expect(await http('PUT', `/connectors/${sink}/resume`)).toMatchObject({ status: 202 });
      await waitFor(async () => {
        const l = await lagNow();
        return l.v === 0 && l.expected === 0 ? l : undefined;
      }, { what: 'lag gauge back to 0 after resume', timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  });

  it('/admin/loggers: list, one, set', async () => {
    const list = await http('GET', '/admin/loggers');
    expect(list.body).toEqual({ root: { level: 'INFO', last_modified: null } });
    expect((await http('GET', '/admin/loggers/root')).body).toEqual({ level: 'INFO', last_modified: null });
    expect(await http('PUT', '/admin/loggers/root', { level: 'DEBUG' })).toMatchObject({ status: 200, body: ['root'] });
    expect((await http('GET', '/admin/loggers/root')).body).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
    expect(await http('PUT', '/admin/loggers/root', { level: 'LOUD' })).toMatchObject({ status: 404, body: { message: "invalid log level 'LOUD'." } });
    expect(await http('GET', '/admin/loggers/org.acme')).toMatchObject({ status: 404, body: { message: 'Logger org.acme not found.' } });
    expect(await http('PUT', '/admin/loggers/org.acme', { level: 'WARN' })).toMatchObject({ status: 200, body: ['org.acme'] });
    expect((await http('GET', '/admin/loggers/org.acme')).body).toEqual({ level: 'WARN', last_modified: expect.any(Number) });
  });

  it('DELETE: 204, then every connector endpoint answers 404', async () => {
    expect((await http('DELETE', `/connectors/${sink}`)).status).toBe(204);
    expect((await http('DELETE', `/connectors/${source}`)).status).toBe(204);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', ''], ['GET', '/config'], ['PUT', '/config', { 'connector.class': 'x' }], ['PATCH', '/config', {}], ['GET', '/status'], ['GET', '/tasks'],
      ['GET', '/tasks/0/status'], ['POST', '/restart'], ['POST', '/restart?includeTasks=true'], ['POST', '/tasks/0/restart'], ['PUT', '/pause'],
      ['PUT', '/resume'], ['PUT', '/stop'], ['DELETE', ''], ['GET', '/topics'], ['PUT', '/topics/reset'], ['GET', '/offsets'],
      ['PATCH', '/offsets', { offsets: [{ partition: { a: 1 }, offset: null }] }], ['DELETE', '/offsets'],
    ];
    for (const [method, suffix, body] of calls) {
      const r = await http(method, `/connectors/${source}${suffix}`, body);
      // PUT /config on a missing connector creates it: an invalid config is a 400, not a 404.
      // Topics of an unknown name: 200 with none and 202, as Connect 3.9 answers.
      const expected = method === 'PUT' && suffix === '/config' ? 400 : suffix === '/topics' ? 200 : suffix === '/topics/reset' ? 202 : 404;
      expect([method, suffix, r.status]).toEqual([method, suffix, expected]);
      if (expected >= 400) expect(Object.keys(r.body).sort()).toEqual(['error_code', 'message']);
    }
    expect((await http('GET', `/connectors/${source}/topics`)).body).toEqual({ [source]: { topics: [] } });
    expect((await http('GET', '/connectors')).body).toEqual([]);
  });

  it('no answer ever carried the password', () => {
    expect(answers.length).toBeGreaterThan(50);
    for (const text of answers) expect(text).not.toContain(env.MYSQL_PASSWORD);
  });
});
