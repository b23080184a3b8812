import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type mysql from 'mysql2/promise';
import pino from 'pino';
import { ConnectClient } from '../../src/client/index.js';
import { LoggerLevels } from '../../src/rest/loggers.js';
import { buildRestApp } from '../../src/rest/server.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';
import { kafka, mysqlConnection, temporalClient } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

// Issue 24's proof that stays: generated hostile inputs (fixed seed, bounded count) against a REST
// worker on the real stack. Whatever arrives, the answer is a clean 2xx/4xx in Connect's error
// shape, no connector that was accepted is lost, the event loop never stalls, no value a config
// provider or a secret holds reaches an answer, a log line, a topic name or workflow history, and
// no config changes the database's schema.

const SEED = 0x24c0ffee;

/** mulberry32: a small seeded PRNG, so a failure replays with the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  kind: string;
  method: string;
  path: string;
  status: number;
  text: string;
}

interface Input {
  kind: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** A connector this request may create when it is accepted. */
  creates?: string;
}

describe('hostile inputs against a REST worker (generated, fixed seed)', () => {
  const env = stackEnv();
  const taskQueue = uniqueName('hostile');
  const runTag = randomBytes(3).toString('hex');
  const baseName = `hostile-base-${runTag}`;
  const canaryEnvName = 'TC_HOSTILE_CANARY';
  const canaryEnv = `envcanary${randomBytes(6).toString('hex')}`;
  const canaryFileValue = `filecanary${randomBytes(6).toString('hex')}`;
  const canaryPassword = `pwcanary${randomBytes(6).toString('hex')}`;
  const canaryTable = uniqueIdent('hostile_canary');
  const sourceTable = uniqueIdent('hostile_src');
  const logLines: string[] = [];
  const sent: Sent[] = [];
  const accepted = new Set<string>();
  let dir: string;
  let db: mysql.Connection;
  let client: ConnectClient;
  let temporal: { client: Client; connection: { close(): Promise<void> } };
  let app: FastifyInstance;
  let base: string;
  let worker: Awaited<ReturnType<typeof testWorker>>;
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });

  const secretsKeyFile = process.env.TCONNECT_SECRETS_KEY_FILE || path.join(os.homedir(), '.config', 'temporal-connect', 'secrets.key');

  /** Every value that must never show up anywhere a REST user or the history can read. */
  function canaries(): string[] {
    const out = [canaryEnv, canaryFileValue, canaryPassword, env.MYSQL_PASSWORD];
    if (existsSync(secretsKeyFile)) out.push(readFileSync(secretsKeyFile, 'utf8').trim());
    if (process.env.TCONNECT_SECRETS_KEY) out.push(process.env.TCONNECT_SECRETS_KEY);
    return out.filter((c) => c.length >= 6);
  }

  async function send(input: Input): Promise<Sent> {
    const headers: Record<string, string> = { ...(input.headers ?? {}) };
    if (input.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const r = await fetch(base + input.path, { method: input.method, headers, body: input.body });
    const s = { kind: input.kind, method: input.method, path: input.path, status: r.status, text: await r.text() };
    sent.push(s);
    if ((r.status === 201 || r.status === 200) && input.creates) accepted.add(input.creates);
    return s;
  }

  /** The inputs: each kind of the issue, values drawn with the seed. */
  function generate(): Input[] {
    const rnd = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    // Names carry this run's tag: workflow ids are global in the namespace, the seed is not per run.
    const id = () => `${runTag}-${Math.floor(rnd() * 1e9).toString(36)}`;
    const inputs: Input[] = [];
    const post = (kind: string, name: string, config: Record<string, unknown>): Input => ({
      kind, method: 'POST', path: '/connectors', body: JSON.stringify({ name, config }), creates: name,
    });
    const jdbc = (table = sourceTable): Record<string, string> => ({ 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', ...jdbcIncrementing(table), 'topic.prefix': `hostile.${id()}.` });

    // 1. REST bodies: malformed, wrong shapes, deep, wrong media types.
    const bodies = ['{', '[]', '{}', 'null', '"x"', '{"name":', '{"name":"a","config":null}', '{"name":"a","config":[]}', '{"name":"a","config":"x"}',
      '{"name":"a","config":{"connector.class":"JdbcSource"},"initial_state":"SOMETIMES"}', '{"config":{}}', '\u0000', '{"name":1,"config":{}}'];
    for (const b of bodies) inputs.push({ kind: 'body', method: 'POST', path: '/connectors', body: b });
    inputs.push({ kind: 'body-deep', method: 'POST', path: '/connectors', body: '['.repeat(20_000) + ']'.repeat(20_000) });
    inputs.push({ kind: 'body-deep', method: 'POST', path: '/connectors', body: '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000) });
    inputs.push({ kind: 'media', method: 'POST', path: '/connectors', body: '{}', headers: { 'content-type': 'text/plain' } });
    inputs.push({ kind: 'media', method: 'GET', path: '/connectors', headers: { accept: 'text/plain' } });
    for (const p of ['/connectors/%ff', '/connectors/%c3%a9/status', '/connectors/..%2f..%2fetc%2fpasswd', '/connectors/a/tasks/-1/status', '/connectors/a/tasks/999999999999999999999/status', '/%00', '/connector-plugins/..%2F/config']) {
      inputs.push({ kind: 'path', method: pick(['GET', 'DELETE']), path: p });
    }
    inputs.push({ kind: 'method', method: 'OPTIONS', path: '/connectors' });
    inputs.push({ kind: 'method', method: 'PATCH', path: '/connectors' });

    // 2. Names.
    const names = ['x'.repeat(10_000), 'bad\ud800name', '', '   ', 'tab\tname', 'new\nline', '../../etc', '%', 'ä'.repeat(300)];
    for (const n of names) inputs.push(post('name', n, jdbc()));

    // 3. Wrong types and out-of-range values of common and plugin keys.
    const badValues: Array<[string, unknown]> = [
      ['tasks.max', 'abc'], ['tasks.max', -1], ['tasks.max', '99999999999999999999'], ['tasks.max', { a: 1 }],
      ['poll.interval.ms', '99999999999999999999'], ['poll.interval.ms', '-5'], ['batch.max.rows', 'NaN'],
      ['temporal.batch.max.records', '-1'], ['temporal.batch.max.records', '1e400'], ['mode', 'sometimes'],
      ['errors.tolerance', 'some'], ['errors.retry.timeout', 'soon'], ['transforms', 'a'], ['transforms', ',,,'],
      ['connection.url', 'jdbc:mysql://127.0.0.1:1/x?allowLoadLocalInfile=true'], ['connection.url', 'file:///etc/passwd'],
      ['exactly.once.support', 'required'],
    ];
    for (const [k, v] of badValues) inputs.push(post('value', `hostile-${id()}`, { ...jdbc(), [k]: v }));
    for (const topics of ['*', '..', 'a b', '', 'x'.repeat(300)]) {
      inputs.push(post('sink-topics', `hostile-${id()}`, { 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', ...jdbcIncrementing(sourceTable), topics }));
    }

    // 4. SQL and index-name injection; DDL through `query`.
    const ddl = [`DROP TABLE \`${canaryTable}\``, `SELECT 1; DROP TABLE \`${canaryTable}\``, `CREATE TABLE ${canaryTable}_made (i INT)`,
      `/* c */ DROP TABLE \`${canaryTable}\``, `INSERT INTO \`${canaryTable}\` (v) VALUES ('x')`, `ALTER TABLE \`${canaryTable}\` ADD COLUMN z INT`,
      `TRUNCATE \`${canaryTable}\``, `SELECT * FROM \`${canaryTable}\` INTO OUTFILE '/tmp/hostile-${id()}'`];
    for (const q of ddl) {
      const { 'table.whitelist': _t, ...rest } = jdbc();
      inputs.push(post('ddl', `hostile-${id()}`, { ...rest, mode: 'bulk', query: q }));
    }
    for (const t of [`${canaryTable}\`; DROP TABLE \`${canaryTable}`, `x' OR '1'='1`, `${canaryTable}"); DROP TABLE x; --`]) {
      inputs.push(post('sql-ident', `hostile-${id()}`, { ...jdbc(t) }));
    }
    for (const topics of ['_all', 'A*', '..', '-x']) {
      inputs.push(post('index-name', `hostile-${id()}`, {
        'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector', 'connection.url': env.ELASTICSEARCH_URL, topics, 'key.ignore': 'true',
      }));
    }

    // 5. Config-provider references to the worker's environment and files (none is enabled here).
    const refs = [`\${env:${canaryEnvName}}`, `\${file:${path.join(dir, 'canary.properties')}:canary}`, `\${dir:${dir}:canary.txt}`,
      `\${dir:${path.dirname(secretsKeyFile)}:${path.basename(secretsKeyFile)}}`, '${file:/etc/passwd:root}', '${env:PATH}', '${nope:x}'];
    for (const ref of refs) {
      const where = pick(['topic.prefix', 'connection.user', 'static', 'connection.url']);
      const config: Record<string, unknown> = jdbc();
      if (where === 'static') {
        Object.assign(config, { transforms: 'ins', 'transforms.ins.type': 'org.apache.kafka.connect.transforms.InsertField$Value', 'transforms.ins.static.field': 'leak', 'transforms.ins.static.value': ref });
      } else if (where === 'connection.url') {
        config[where] = `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${ref}`;
      } else {
        config[where] = ref;
      }
      inputs.push(post(`provider-${where}`, `hostile-${id()}`, config));
    }

    // 6. Secrets: a wrong plain password (the connector fails; the password must show nowhere),
    //    and single-character secrets that must not garble other values when masked.
    inputs.push(post('secret', `hostile-${id()}`, { ...jdbc(), 'connection.password': canaryPassword }));
    inputs.push(post('secret-short', `hostile-${id()}`, { ...jdbc(), 'connection.password': 'e' }));

    // 7. Regular expressions that backtrack catastrophically in a backtracking engine.
    const evil = ['(a+)+b', '(a|aa)+$', '(.*a){12}', '([a-z]+)*!'];
    for (const re of evil) {
      inputs.push(post('regex-router', `hostile-${id()}`, {
        ...jdbc(), 'topic.prefix': `${'a'.repeat(40)}.`, transforms: 'r', 'transforms.r.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.r.regex': re, 'transforms.r.replacement': 'x',
      }));
      inputs.push(post('topics-regex', `hostile-${id()}`, { 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', ...jdbcIncrementing(sourceTable), 'topics.regex': re }));
    }
    inputs.push(post('regex-backref', `hostile-${id()}`, { ...jdbc(), transforms: 'r', 'transforms.r.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.r.regex': '(a)\\1', 'transforms.r.replacement': 'x' }));

    // 8. Offsets and reconfiguration of an existing connector with hostile bodies.
    for (const body of ['{"offsets":[{"partition":{},"offset":{"kafka_offset":"x"}}]}', '{"offsets":"x"}', '{"offsets":[null]}', '[]']) {
      inputs.push({ kind: 'offsets', method: 'PATCH', path: `/connectors/${baseName}/offsets`, body });
    }
    for (const body of ['{"connector.class":"JdbcSource","tasks.max":"-3"}', '[]', '{"connector.class":null}', `{"connection.password":"[hidden]"}`]) {
      inputs.push({ kind: 'reconfigure', method: pick(['PUT', 'PATCH']), path: `/connectors/${baseName}/config`, body });
    }
    return inputs;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-hostile-'));
    await writeFile(path.join(dir, 'canary.properties'), `canary=${canaryFileValue}\n`);
    await writeFile(path.join(dir, 'canary.txt'), canaryFileValue);
    process.env[canaryEnvName] = canaryEnv;
    db = await mysqlConnection();
    await db.query(`CREATE TABLE \`${canaryTable}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${canaryTable}\` (v) VALUES ('alive')`);
    await db.query(`CREATE TABLE \`${sourceTable}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${sourceTable}\` (v) VALUES ('a'), ('b')`);
    const capture = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    worker = await testWorker({ taskQueue, logger: capture });
    // A worker's REST API with default properties: its client knows exactly.once.source.support is disabled.
    client = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue, exactlyOnceSourceSupport: 'disabled' });
    temporal = await temporalClient();
    app = buildRestApp({ client, ready: () => true, loggers: new LoggerLevels(capture), kafkaClusterId: async () => 'hostile' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    loopDelay.disable();
    for (const name of accepted) await client?.delete(name).catch(() => undefined);
    await app?.close();
    await client?.close();
    await worker?.shutdown();
    await temporal?.connection.close();
    await db?.query(`DROP TABLE IF EXISTS \`${canaryTable}\``);
    await db?.query(`DROP TABLE IF EXISTS \`${sourceTable}\``);
    await db?.end();
    delete process.env[canaryEnvName];
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** This test's tables (other test files make tables of their own at the same time). */
  async function tables(): Promise<string[]> {
    const [rows] = await db.query('SHOW TABLES LIKE ?', [`${canaryTable}%`]);
    return (rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]).sort();
  }

  it('answers every input with a clean 2xx/4xx, loses nothing, leaks nothing and runs no DDL', async () => {
    const base0 = await send({ kind: 'setup', method: 'POST', path: '/connectors', body: JSON.stringify({ name: baseName, config: { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', ...jdbcIncrementing(sourceTable), 'topic.prefix': `hostile.base.${taskQueue}.` } }), creates: baseName });
    expect(base0.status).toBe(201);
    await send({ kind: 'setup', method: 'PUT', path: `/connectors/${baseName}/stop` });

    const inputs = generate();
    expect(inputs.length).toBeGreaterThan(80);
    loopDelay.enable();
    for (const input of inputs) await send(input);

    // Only clean answers: no 5xx, and every error in Connect's {error_code, message} shape.
    const serverErrors = sent.filter((s) => s.status >= 500).map((s) => `${s.kind} ${s.method} ${s.path.slice(0, 60)} -> ${s.status} ${s.text.slice(0, 200)}`);
    expect.soft(serverErrors).toEqual([]);
    for (const s of sent.filter((x) => x.status >= 400)) {
      let body: { error_code?: number; message?: string } = {};
      try {
        body = JSON.parse(s.text) as typeof body;
      } catch {
        // not JSON: the shape check below fails with the text in view
      }
      expect.soft({ kind: s.kind, code: body.error_code, message: typeof body.message }).toEqual({ kind: s.kind, code: s.status, message: 'string' });
      expect.soft(body.message?.length ?? 0, `${s.kind} ${s.path.slice(0, 60)}: ${s.text.slice(0, 200)}`).toBeGreaterThan(0);
    }
    // DDL in `query` is refused up front, never accepted.
    for (const s of sent.filter((x) => x.kind === 'ddl')) expect.soft({ kind: s.kind, status: s.status }).toEqual({ kind: 'ddl', status: 400 });

    // Nothing accepted is lost: each accepted connector is still listed and answers its status,
    // once it left UNASSIGNED (planning failures leave it FAILED, never gone).
    for (const name of accepted) {
      const status = await waitFor(async () => {
        const r = await fetch(`${base}/connectors/${encodeURIComponent(name)}/status`);
        const body = (await r.json()) as { connector?: { state: string } };
        return r.status === 200 && body.connector && body.connector.state !== 'UNASSIGNED' ? body : undefined;
      }, { what: `status of ${name}`, timeout: 90_000 });
      sent.push({ kind: 'status', method: 'GET', path: name, status: 200, text: JSON.stringify(status) });
    }
    const listed = (await (await fetch(`${base}/connectors?expand=status&expand=info`)).json()) as Record<string, unknown>;
    expect(Object.keys(listed).sort()).toEqual([...accepted].sort());
    sent.push({ kind: 'list', method: 'GET', path: '/connectors', status: 200, text: JSON.stringify(listed) });
    for (const name of accepted) {
      for (const p of ['config', 'tasks', 'topics', 'offsets']) {
        const r = await fetch(`${base}/connectors/${encodeURIComponent(name)}/${p}`);
        sent.push({ kind: p, method: 'GET', path: name, status: r.status, text: await r.text() });
      }
    }

    // The worker stayed responsive: the event loop never stalled for a second.
    expect(loopDelay.max / 1e6).toBeLessThan(1000);

    // No resolved provider value, secret or secrets key in any answer, log line, topic or history.
    const histories: string[] = [];
    for (const name of accepted) {
      for (const wid of [connectorWorkflowId(name), taskWorkflowId(name, 0)]) {
        const h = await temporal.client.workflow.getHandle(wid).fetchHistory().catch(() => undefined);
        if (h) histories.push(JSON.stringify(h));
      }
    }
    const decoded = histories.join('\n').replace(/"data":"([A-Za-z0-9+/=]+)"/g, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
    const admin = kafka().admin();
    await admin.connect();
    const topicNames = (await admin.listTopics()).join('\n');
    await admin.disconnect();
    const places: Record<string, string> = {
      answers: sent.map((s) => s.text).join('\n'),
      logs: logLines.join(''),
      histories: histories.join('\n') + decoded,
      topics: topicNames,
    };
    for (const [where, text] of Object.entries(places)) {
      for (const c of canaries()) expect.soft({ where, leaked: text.includes(c) }).toEqual({ where, leaked: false });
    }
    // Masking is by key: a one-character password does not garble other values.
    const short = sent.find((s) => s.kind === 'secret-short');
    if (short && short.status === 201) expect(short.text).not.toContain('[hidden]nt');

    // No config changed the schema: the canary table and its row are there, no table was made.
    const [rows] = await db.query(`SELECT * FROM \`${canaryTable}\``);
    expect(rows).toEqual([{ id: 1, v: 'alive' }]);
    expect(await tables()).toEqual([canaryTable]);
  });
});
