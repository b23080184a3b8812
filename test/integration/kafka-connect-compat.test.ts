import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findConnectorPlugin } from '../../src/connectors/registry.js';
import { elastic, mysqlConnection } from '../helpers/clients.js';
import { deleteKafkaResources, esJsonSink, jdbcIncrementing } from '../helpers/connectors.js';
import { startRestApp } from '../helpers/rest-app.js';
import { startKafkaConnect, type KafkaConnectWorker } from '../helpers/kafka-connect-worker.js';
import { sendJson } from '../helpers/kafka.js';
import { uniqueIdent, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

// The same REST request sequence against a real Apache Kafka Connect 3.9.1 distributed worker and
// against ours, on the same Kafka: status codes and JSON shapes (keys and value types, not volatile
// values) must match, except for the differences listed in DELIBERATE_DIFFERENCES, each with its
// reason. The README's REST compatibility section lists the same ones.
//
// Connector classes: each side runs the FileStream sink and source (Apache Kafka's on Connect's
// side, ours on ours, on files of their own; our worker allows the test's directory). Were our
// registry without them, ours would fall back to our Elasticsearch sink and JDBC source. Each
// side's connector has a name of its own (one consumer group each); answers are compared with that
// name replaced by <c>.

type Side = 'connect' | 'ours';
type PerSide<T> = T | ((side: Side) => T);
const bySide = <T>(v: PerSide<T>, side: Side): T => (typeof v === 'function' ? (v as (s: Side) => T)(side) : v);

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

interface Step {
  id: string;
  method: string;
  path: string;
  connect: Answer;
  ours: Answer;
  /** What of the body is compared (default: all of it). */
  norm: (body: unknown) => unknown;
}

/**
 * Every place where ours answers differently from Kafka Connect 3.9.1 on purpose (step id → why).
 * The test fails on a difference not listed here, and on an entry here that no longer differs.
 */
export const DELIBERATE_DIFFERENCES: Record<string, string> = {
  // Bad bodies: Connect 3.9 answers 500 (an unhandled Jackson or NullPointerException), ours a 400
  // naming what is wrong: a client's mistake is a 4xx, and retrying a 500 never helps.
  'create: malformed JSON': 'Connect 500 (Jackson parse error), ours 400 with the parser message',
  'create: array body': 'Connect 500 (cannot deserialize), ours 400 "Expected object, received array"',
  'create: empty body': 'Connect 500 (NullPointerException), ours 400 "Required"',
  'create: no config': 'Connect 500 (NullPointerException), ours 400 "config: Required"',
  'create: config null': 'Connect 500 (NullPointerException), ours 400 naming config',
  'create: bad initial_state': 'Connect 500 (no enum constant), ours 400 listing RUNNING, PAUSED, STOPPED',
  'create: unknown connector class': 'Connect 500, ours 400 with the known connector classes',
  'validate: no connector.class': 'Connect 500 (wrapped BadRequestException), ours 400 with the same message',
  'validate: unknown plugin': 'Connect 500 (ConnectException), ours 400 with the known connector classes',
  'source offsets without partition': 'Connect 500 (NullPointerException), ours 400 naming the missing partition',
  // Names: ours puts them into Temporal workflow ids.
  'create: 10,000-character name': 'Connect 500 with an empty body (and the connector is created), ours 400: names are at most 255 characters',
  'create: name with a lone surrogate': 'Connect 201, ours 400: a name must be valid Unicode (it goes into UTF-8 workflow ids)',
  'GET /connectors/%ff': 'Connect 404 "Connector \uFFFD not found" (decodes to U+FFFD), ours 400 naming the bad percent-encoding',
};

const FILE_SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

/** Two shapes as one: objects key by key, arrays element-wise, anything else as a union of type names. */
function merge(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length && b.length ? [merge(a[0], b[0])] : a.length ? a : b;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return Object.fromEntries(keys.map((k) => [k, merge((a as Record<string, unknown>)[k] ?? 'absent', (b as Record<string, unknown>)[k] ?? 'absent')]));
  }
  const types = new Set([a, b].flatMap((t) => (typeof t === 'string' ? t.split('|') : [JSON.stringify(t)])));
  return [...types].sort().join('|');
}

/** Keys whose object is a map of the connector's own keys: a config, a source partition or offset. */
const MAPS = new Set(['config', 'partition', 'offset']);

/**
 * The shape of a JSON value: its keys and value types, recursively; an array as the merged shape
 * of its elements (empty stays empty). A connector config, and a source partition or offset, is a
 * map of the connector's own keys: under those keys it reads as `map<value types>`.
 */
export function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? [v.map(shape).reduce((a, b) => merge(a, b))] : [];
  if (typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))
      .map(([k, x]) => [k, MAPS.has(k) ? configMap(x) : shape(x)]));
  }
  return typeof v;
}

/** A map's shape: the types of its values, not its keys. */
function configMap(x: unknown): unknown {
  return x && typeof x === 'object' && !Array.isArray(x) ? `map<${[...new Set(Object.values(x).map((y) => typeof y))].sort().join('|')}>` : shape(x);
}

/** Validate answers: each config entry's keys (the keys each side declares differ by connector class). */
const validateKeys = (b: unknown) => {
  const body = b as { configs?: Array<{ definition: object; value: object }> };
  return body?.configs ? { ...body, configs: body.configs.map((c) => ({ definition: Object.keys(c.definition), value: Object.keys(c.value) })) } : b;
};
/** A map of task id → config. */
const taskConfigsMap = (b: unknown) => (b && typeof b === 'object' && !('error_code' in b) ? Object.fromEntries(Object.entries(b).map(([k, v]) => [k, configMap(v)])) : b);

describe('REST answers as Apache Kafka Connect 3.9.1 gives them (same requests, real Connect worker beside ours)', () => {
  const run = uniqueIdent('compat');
  const topic = `${run}_in`;
  const names: Record<Side, string> = { connect: `${run}-connect`, ours: `${run}-ours` };
  const base: Record<Side, string> = { connect: '', ours: '' };
  const steps: Step[] = [];
  const cleanupTopics: string[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compat-'));
  let connect: KafkaConnectWorker;
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let rest: Awaited<ReturnType<typeof startRestApp>>;
  const oursHasFileSink = findConnectorPlugin(FILE_SINK) !== undefined;

  /** The sink config each side runs (see the header). */
  const sinkConfig = (side: Side, extra: Record<string, string> = {}): Record<string, string> => ({
    ...(side === 'connect' || oursHasFileSink
      ? { 'connector.class': 'FileStreamSink', file: path.join(dir, `${side}.out`), 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' }
      : esJsonSink(topic)),
    topics: topic,
    'tasks.max': '1',
    ...extra,
  });

  async function send(side: Side, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const r = await fetch(base[side] + p, init);
    // The side's own connector name and address read as the same placeholders on both sides.
    const text = (await r.text()).split(names[side]).join('<c>').split(base[side]).join('<base>');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch { /* not JSON: compared as text */ }
    return { status: r.status, headers: r.headers, body: parsed };
  }

  /** One request to both sides; `<c>` in the path stands for the side's connector name. */
  async function both(id: string, method: string, p: PerSide<string>, body?: PerSide<unknown>, headers?: Record<string, string>, norm: Step['norm'] = (b) => b): Promise<Step> {
    const out = {} as Record<Side, Answer>;
    for (const side of ['connect', 'ours'] as const) {
      out[side] = await send(side, method, bySide(p, side).replace('<c>', encodeURIComponent(names[side])), bySide(body, side), headers);
    }
    const step = { id, method, path: bySide(p, 'connect'), ...out, norm };
    steps.push(step);
    return step;
  }

  /** Waits until both sides' connector (and, unless `tasks` is 0, its tasks) are in `state`. */
  async function waitBoth(state: string, tasks = 1): Promise<void> {
    for (const side of ['connect', 'ours'] as const) {
      await waitFor(async () => {
        const s = (await send(side, 'GET', `/connectors/${encodeURIComponent(names[side])}/status`)).body as { connector?: { state: string }; tasks?: Array<{ state: string }> };
        return s?.connector?.state === state && s.tasks?.length === tasks && s.tasks.every((t) => t.state === state);
      }, { timeout: 45_000, interval: 250, what: `${side} ${names[side]} ${state} with ${tasks} task(s)` });
    }
  }

  beforeAll(async () => {
    await sendJson(topic, [{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }], 0);
    [connect, worker] = await Promise.all([
      startKafkaConnect({ 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' }),
      // Our file connectors write only where the worker allows (Connect's write anywhere).
      testWorker({ workerConfig: { 'file.connectors.allowed.paths': dir } }),
    ]);
    rest = await startRestApp(worker.taskQueue);
    base.connect = connect.url;
    base.ours = rest.base;
  }, 120_000);

  afterAll(async () => {
    for (const side of ['connect', 'ours'] as const) {
      for (const n of [names[side], `${names[side]}-paused`]) await send(side, 'DELETE', `/connectors/${encodeURIComponent(n)}`).catch(() => undefined);
    }
    await rest?.close();
    await worker?.shutdown();
    await connect?.stop();
    await deleteKafkaResources([topic, ...cleanupTopics], [names.connect, names.ours, `${names.connect}/x`, `${names.ours}/x`, `${names.connect}-paused`, `${names.ours}-paused`].map((n) => `connect-${n}`));
    const es = elastic();
    await es.indices.delete({ index: topic, ignore_unavailable: true }).catch(() => undefined);
    await es.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('plugins, validate and errors of the request itself', async () => {
    await both('GET /', 'GET', '/');
    await both('GET /connector-plugins', 'GET', '/connector-plugins');
    const all = await both('GET /connector-plugins?connectorsOnly=false', 'GET', '/connector-plugins?connectorsOnly=false');
    // Every converter Connect ships, under both uses.
    const classes = (a: Answer, type: string) => new Set((a.body as Array<{ class: string; type: string }>).filter((p) => p.type === type).map((p) => p.class));
    for (const type of ['converter', 'header_converter', 'transformation', 'predicate']) {
      expect([type, [...classes(all.connect, type)].filter((c) => !classes(all.ours, type).has(c))]).toEqual([type, []]);
    }
    await both('InsertField config', 'GET', '/connector-plugins/org.apache.kafka.connect.transforms.InsertField$Value/config');
    await both('JsonConverter config', 'GET', '/connector-plugins/org.apache.kafka.connect.json.JsonConverter/config');
    await both('unknown plugin config', 'GET', '/connector-plugins/NoSuchPlugin/config');
    const cls = (side: Side) => sinkConfig(side)['connector.class'];
    await both('validate: valid', 'PUT', (s) => `/connector-plugins/${cls(s)}/config/validate`, (s: Side) => ({ ...sinkConfig(s), name: names[s] }), undefined, validateKeys);
    const bad = await both('validate: tasks.max=abc, unknown transform, no name', 'PUT', (s) => `/connector-plugins/${cls(s)}/config/validate`,
      (s: Side) => ({ ...sinkConfig(s), 'tasks.max': 'abc', transforms: 't', 'transforms.t.type': 'NoSuch' }), undefined, validateKeys);
    const entry = (a: Answer, n: string) => (a.body as { configs: Array<{ definition: { name: string }; value: Record<string, unknown> }> }).configs.find((c) => c.definition.name === n);
    for (const k of ['name', 'tasks.max', 'transforms.t.type', 'tasks.max.enforce', 'config.action.reload']) {
      const [c, o] = [entry(bad.connect, k), entry(bad.ours, k)];
      expect([k, o?.value.value, (o?.value.errors as string[] | undefined)?.length]).toEqual([k, c?.value.value, (c?.value.errors as string[]).length]);
      expect([k, o && shape(o)]).toEqual([k, shape(c)]);
    }
    // Every transform Connect recommends, plus the ones we ship that Apache Kafka does not (Debezium's).
    const OURS_ONLY_TRANSFORMS = ['io.debezium.transforms.ExtractNewRecordState'];
    const recommended = (a: Answer) => entry(a, 'transforms.t.type')!.value.recommended_values as string[];
    expect(recommended(bad.ours).filter((t) => !OURS_ONLY_TRANSFORMS.includes(t))).toEqual(recommended(bad.connect));
    expect(recommended(bad.ours)).toEqual(expect.arrayContaining(OURS_ONLY_TRANSFORMS));
    await both('validate: no connector.class', 'PUT', (s) => `/connector-plugins/${cls(s)}/config/validate`, { name: 'x' });
    await both('validate: unknown plugin', 'PUT', '/connector-plugins/NoSuch/config/validate', { 'connector.class': 'NoSuch' });

    await both('DELETE /connectors (wrong method)', 'DELETE', '/connectors');
    await both('POST /connectors/<c> (wrong method)', 'POST', '/connectors/<c>');
    const options = await both('OPTIONS /connectors', 'OPTIONS', '/connectors');
    const allow = (a: Answer) => (a.headers.get('allow') ?? '').split(',').map((m) => m.trim()).sort();
    expect(allow(options.ours)).toEqual(allow(options.connect));
    await both('Accept: text/plain', 'GET', '/connectors', undefined, { accept: 'text/plain' });
    await both('Content-Type: text/plain', 'POST', '/connectors', 'hello', { 'content-type': 'text/plain' });
    await both('PUT pause with Content-Type: text/plain', 'PUT', '/connectors/<c>/pause', undefined, { 'content-type': 'text/plain' });
    await both('unknown path', 'GET', '/nope');
    await both('GET /connectors/%ff', 'GET', '/connectors/%ff');
    await both('unknown connector', 'GET', '/connectors/<c>');
    await both('unknown connector status', 'GET', '/connectors/<c>/status');
    await both('unknown connector tasks-config', 'GET', '/connectors/<c>/tasks-config');
    await both('unknown connector topics', 'GET', '/connectors/<c>/topics');
    await both('unknown connector topics/reset', 'PUT', '/connectors/<c>/topics/reset');
    await both('unknown connector pause', 'PUT', '/connectors/<c>/pause');
    await both('DELETE unknown a%2Fb', 'DELETE', '/connectors/a%2Fb');

    await both('create: malformed JSON', 'POST', '/connectors', '{bad');
    await both('create: array body', 'POST', '/connectors', '[1,2]');
    await both('create: empty body', 'POST', '/connectors', '');
    await both('create: no config', 'POST', '/connectors', { name: 'x' });
    await both('create: config null', 'POST', '/connectors', { name: 'x', config: null });
    await both('create: bad initial_state', 'POST', '/connectors', (s: Side) => ({ name: names[s], config: sinkConfig(s), initial_state: 'BAD' }));
    await both('create: unknown connector class', 'POST', '/connectors', { name: 'x', config: { 'connector.class': 'NoSuch' } });

    await both('GET /admin/loggers/<new>', 'GET', `/admin/loggers/${run}.logger`);
    await both('PUT /admin/loggers/<new>', 'PUT', `/admin/loggers/${run}.logger`, { level: 'DEBUG' });
    const created = await both('GET /admin/loggers/<new> after PUT', 'GET', `/admin/loggers/${run}.logger`);
    expect((created.ours.body as { level: string }).level).toBe('DEBUG');
    // Each side's root logger set to the level it has (Connect's log4j root here is WARN): last_modified stays null.
    await both('PUT /admin/loggers/root at its level', 'PUT', '/admin/loggers/root', (s: Side) => ({ level: s === 'connect' ? 'WARN' : 'INFO' }));
    await both('GET /admin/loggers/root', 'GET', '/admin/loggers/root');
  }, 60_000);

  it('a sink connector through its whole lifecycle', async () => {
    const created = await both('create', 'POST', '/connectors', (s: Side) => ({ name: names[s], config: sinkConfig(s) }));
    expect(created.ours.headers.get('location')).toBe(`${base.ours}/connectors/${names.ours}`);
    await both('create again', 'POST', '/connectors', (s: Side) => ({ name: names[s], config: sinkConfig(s) }));
    await waitBoth('RUNNING');
    await both('list', 'GET', '/connectors');
    await both('expand=status', 'GET', '/connectors?expand=status');
    await both('expand=status&expand=info', 'GET', '/connectors?expand=status&expand=info');
    await both('expand=info,status', 'GET', '/connectors?expand=info,status');
    await both('info', 'GET', '/connectors/<c>');
    await both('config', 'GET', '/connectors/<c>/config', undefined, undefined, configMap);
    await both('status', 'GET', '/connectors/<c>/status');
    const tasks = await both('tasks', 'GET', '/connectors/<c>/tasks');
    expect(Object.keys((tasks.ours.body as Array<{ config: object }>)[0].config)).toContain('task.class');
    await both('tasks-config', 'GET', '/connectors/<c>/tasks-config', undefined, undefined, taskConfigsMap);
    await both('task status', 'GET', '/connectors/<c>/tasks/0/status');
    await both('unknown task status', 'GET', '/connectors/<c>/tasks/9/status');
    // Each side reports the topic once its task has consumed from it.
    for (const side of ['connect', 'ours'] as const) {
      await waitFor(async () => ((await send(side, 'GET', `/connectors/${names[side]}/topics`)).body as Record<string, { topics: string[] }>)['<c>']?.topics.length === 1, { what: `${side} topics` });
    }
    await both('topics', 'GET', '/connectors/<c>/topics');

    await both('pause', 'PUT', '/connectors/<c>/pause');
    await waitBoth('PAUSED');
    await both('status paused', 'GET', '/connectors/<c>/status');
    await both('resume', 'PUT', '/connectors/<c>/resume');
    await waitBoth('RUNNING');
    await both('restart', 'POST', '/connectors/<c>/restart');
    await waitBoth('RUNNING');
    await both('restart includeTasks', 'POST', '/connectors/<c>/restart?includeTasks=true');
    await waitBoth('RUNNING');
    await both('task restart', 'POST', '/connectors/<c>/tasks/0/restart');
    await waitBoth('RUNNING');
    await both('PUT config', 'PUT', '/connectors/<c>/config', (s: Side) => sinkConfig(s, { 'errors.tolerance': 'all' }));
    await waitBoth('RUNNING');
    await both('PATCH config', 'PATCH', '/connectors/<c>/config', { 'errors.log.enable': 'true' });
    await waitBoth('RUNNING');

    // The three records are consumed and committed on both sides.
    for (const side of ['connect', 'ours'] as const) {
      await waitFor(async () => {
        const b = (await send(side, 'GET', `/connectors/${names[side]}/offsets`)).body as { offsets?: Array<{ offset: { kafka_offset: number } }> };
        return b.offsets?.[0]?.offset.kafka_offset === 3;
      }, { timeout: 45_000, interval: 500, what: `${side} sink offsets at 3` });
    }
    await both('offsets', 'GET', '/connectors/<c>/offsets');
    await both('alter offsets while running', 'PATCH', '/connectors/<c>/offsets', { offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 1 } }] });
    await both('stop', 'PUT', '/connectors/<c>/stop');
    await waitBoth('STOPPED', 0);
    await both('status stopped', 'GET', '/connectors/<c>/status');
    await both('alter offsets', 'PATCH', '/connectors/<c>/offsets', { offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 1 } }] });
    await both('offsets after alter', 'GET', '/connectors/<c>/offsets');
    await both('reset offsets', 'DELETE', '/connectors/<c>/offsets');
    await both('resume after stop', 'PUT', '/connectors/<c>/resume');
    await waitBoth('RUNNING');
    await both('delete', 'DELETE', '/connectors/<c>');
    await both('deleted', 'GET', '/connectors/<c>');
  }, 100_000);

  it('a source connector: running, its topics and offsets, stopped, offsets altered and reset', async () => {
    // Each side's FileStreamSource reads three lines of a file of its own into a topic of its own
    // (ours a JDBC source of three rows where our registry has no FileStream source).
    const table = `${run}_src`;
    const sourceTopic = `${run}_src_out`;
    const file = path.join(dir, 'source.txt');
    const oursFile = path.join(dir, 'source-ours.txt');
    writeFileSync(file, 'a\nb\nc\n');
    writeFileSync(oursFile, 'a\nb\nc\n');
    const oursHasFileSource = findConnectorPlugin(FILE_SOURCE) !== undefined;
    const db = await mysqlConnection();
    try {
      await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NOT NULL)`);
      await db.query(`INSERT INTO \`${table}\` (v) VALUES ('a'), ('b'), ('c')`);
      const src = (s: Side) => `${names[s]}-src`;
      const sourceConfig = (s: Side) => (s === 'connect'
        ? { 'connector.class': 'FileStreamSource', file, topic: sourceTopic, 'tasks.max': '1' }
        : oursHasFileSource
          ? { 'connector.class': 'FileStreamSource', file: oursFile, topic: `${sourceTopic}_ours`, 'tasks.max': '1' }
          : { 'connector.class': 'JdbcSource', ...jdbcIncrementing(table), 'topic.prefix': `${run}_src_`, 'poll.interval.ms': '500', 'tasks.max': '1' });
      // A JDBC source writes to <topic.prefix><table>.
      cleanupTopics.push(sourceTopic, `${sourceTopic}_ours`, `${run}_src_${table}`);
      await both('source: create', 'POST', '/connectors', (s: Side) => ({ name: src(s), config: sourceConfig(s) }));
      const path1 = (suffix: string) => (s: Side) => `/connectors/${encodeURIComponent(src(s))}${suffix}`;
      for (const side of ['connect', 'ours'] as const) {
        await waitFor(async () => {
          const b = (await send(side, 'GET', path1('/offsets')(side))).body as { offsets?: unknown[] };
          return (b.offsets?.length ?? 0) > 0;
        }, { timeout: 45_000, interval: 500, what: `${side} source offsets` });
        await waitFor(async () => (Object.values((await send(side, 'GET', path1('/topics')(side))).body as Record<string, { topics: string[] }>)[0]?.topics.length ?? 0) === 1, { what: `${side} source topics` });
      }
      await both('source: status', 'GET', path1('/status'));
      await both('source: topics', 'GET', path1('/topics'));
      const offsets = await both('source: offsets', 'GET', path1('/offsets'));
      await both('source: stop', 'PUT', path1('/stop'));
      for (const side of ['connect', 'ours'] as const) {
        await waitFor(async () => ((await send(side, 'GET', path1('/status')(side))).body as { connector?: { state: string } })?.connector?.state === 'STOPPED', { what: `${side} source STOPPED` });
      }
      // Each side's own partition, its offset set back to the start.
      const partitionOf = (s: Side) => (offsets[s].body as { offsets: Array<{ partition: object; offset: Record<string, unknown> }> }).offsets[0];
      const rewound = (s: Side) => ({ offsets: [{ partition: partitionOf(s).partition, offset: Object.fromEntries(Object.keys(partitionOf(s).offset).map((k) => [k, 0])) }] });
      await both('source: alter offsets', 'PATCH', path1('/offsets'), rewound);
      await both('source offsets without partition', 'PATCH', path1('/offsets'), (s: Side) => ({ offsets: [{ offset: rewound(s).offsets[0].offset }] }));
      await both('source: offsets after alter', 'GET', path1('/offsets'));
      await both('source: reset offsets', 'DELETE', path1('/offsets'));
      await both('source: delete', 'DELETE', path1(''));
    } finally {
      await db.query(`DROP TABLE IF EXISTS \`${table}\``);
      await db.end();
    }
  }, 100_000);

  it("names with '/', a connector created PAUSED, and names ours refuses", async () => {
    const slash = (s: Side) => `${names[s]}/x`;
    await both("create a name with '/'", 'POST', '/connectors', (s: Side) => ({ name: slash(s), config: sinkConfig(s) }));
    for (const side of ['connect', 'ours'] as const) {
      await waitFor(async () => (await send(side, 'GET', `/connectors/${encodeURIComponent(slash(side))}/status`)).status === 200, { what: `${side} ${slash(side)}` });
    }
    await both("DELETE a name with '/'", 'DELETE', (s) => `/connectors/${encodeURIComponent(slash(s))}`);

    // A name of its own: the lifecycle's connector of the plain name may still be stopping its task
    // after its DELETE was answered (ours answers 204 at once, then stops the task cleanly).
    const pausedName = (s: Side) => `${names[s]}-paused`;
    await both('create PAUSED', 'POST', '/connectors', (s: Side) => ({ name: pausedName(s), config: sinkConfig(s), initial_state: 'PAUSED' }));
    for (const side of ['connect', 'ours'] as const) {
      await waitFor(async () => ((await send(side, 'GET', `/connectors/${pausedName(side)}/status`)).body as { connector?: { state: string } })?.connector?.state === 'PAUSED',
        { what: `${side} PAUSED`, timeout: 45_000 });
    }
    await both('status of a connector created PAUSED', 'GET', (s) => `/connectors/${pausedName(s)}/status`);
    await both('delete PAUSED', 'DELETE', (s) => `/connectors/${pausedName(s)}`);

    // Last: Connect creates these (the first one answering 500), which later listings would show.
    await both('create: 10,000-character name', 'POST', '/connectors', (s: Side) => ({ name: 'n'.repeat(10_000), config: sinkConfig(s) }));
    await both('create: name with a lone surrogate', 'POST', '/connectors', (s: Side) => `{"name":"${run}-\\ud800x","config":${JSON.stringify(sinkConfig(s))}}`);
  }, 120_000);

  it('differs from Kafka Connect only where DELIBERATE_DIFFERENCES says so', () => {
    // COMPAT_REPORT=<file> writes every request with both statuses (to read what Connect answered).
    if (process.env.COMPAT_REPORT) writeFileSync(process.env.COMPAT_REPORT, steps.map((s) => `${s.connect.status}\t${s.ours.status}\t${s.id}\t${s.method} ${s.path}`).join('\n'));
    const shapeOf = (s: Step, a: Answer) => shape(s.norm(a.body));
    const differing = steps.filter((s) => s.connect.status !== s.ours.status || JSON.stringify(shapeOf(s, s.connect)) !== JSON.stringify(shapeOf(s, s.ours)));
    const describe = (s: Step) => ({
      id: s.id, request: `${s.method} ${s.path}`, connect: { status: s.connect.status, shape: shapeOf(s, s.connect) }, ours: { status: s.ours.status, shape: shapeOf(s, s.ours) },
    });
    const unlisted = differing.filter((s) => !(s.id in DELIBERATE_DIFFERENCES));
    expect(unlisted.map(describe)).toEqual([]);
    // Every listed difference is still there (else the list, and the README, would say too much).
    const ids = new Set(differing.map((s) => s.id));
    expect(Object.keys(DELIBERATE_DIFFERENCES).filter((id) => !ids.has(id))).toEqual([]);
    // Each of ours is a 4xx in Connect's error shape.
    for (const s of differing) {
      if (s.ours.status >= 400) expect([s.id, Object.keys(s.ours.body as object).sort()]).toEqual([s.id, ['error_code', 'message']]);
    }
    expect(steps.length).toBeGreaterThan(70);
  });
});
