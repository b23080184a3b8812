import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import { freePort } from '../../src/standalone/dev-server.js';
import { mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics, spawnTconnect, waitHealthy, type TconnectProcess } from '../helpers/tconnect-process.js';

const run = promisify(execFile);

/** The README's curl flow, as written there; the test swaps in its own address and connector name. */
const README_CURL_FLOW = `
curl -X POST http://127.0.0.1:8083/connectors -H 'Content-Type: application/json' -d @orders.json
curl http://127.0.0.1:8083/connectors/orders/status
curl -X PUT http://127.0.0.1:8083/connectors/orders/pause
curl -X PUT http://127.0.0.1:8083/connectors/orders/resume
curl -X DELETE http://127.0.0.1:8083/connectors/orders
`.trim().split('\n');

describe('tconnect standalone worker.properties connector files', () => {
  const env = stackEnv();
  const tables: string[] = [];
  const procs: TconnectProcess[] = [];
  let db: mysql.Connection;
  let dir: string;

  const jdbcSource = (name: string, table: string) => ({
    name,
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    ...jdbcIncrementing(table),
    'topic.prefix': 'standalone.',
    'poll.interval.ms': '500',
  });

  async function table(rows: number): Promise<string> {
    const t = uniqueIdent('sa');
    tables.push(t);
    await db.query(`CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${t}\` (v) VALUES ?`, [Array.from({ length: rows }, (_, i) => [`row-${i}`])]);
    return t;
  }

  const ids = async (topic: string, n: number) => new Set((await readTopic(topic, n)).map((m) => JSON.parse(m.value!).payload.id as number));

  beforeAll(async () => {
    db = await mysqlConnection();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-standalone-'));
  });

  afterAll(async () => {
    for (const p of procs) await p.stop(5000);
    for (const t of tables) await db?.query(`DROP TABLE IF EXISTS \`${t}\``);
    await db?.end();
    await deleteTopics(tables.map((t) => `standalone.${t}`));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('with the stack\'s Temporal (temporal.address): creates the .properties connector, serves REST; the README curl flow works', async () => {
    const t1 = await table(3);
    const t2 = await table(2);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const taskQueue = uniqueName('standalone');
    const worker = path.join(dir, 'external-worker.properties');
    await writeFile(worker, [
      `bootstrap.servers=${env.KAFKA_BOOTSTRAP_SERVERS}`,
      `temporal.address=${env.TEMPORAL_ADDRESS}`,
      `temporal.task.queue=${taskQueue}`,
      `listeners=http://127.0.0.1:${port}`,
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
    ].join('\n'));
    const first = `sa-props-${t1}`;
    const props = path.join(dir, 'source.properties');
    await writeFile(props, Object.entries(jdbcSource(first, t1)).map(([k, v]) => `${k}=${v}`).join('\n'));

    const started = Date.now();
    const p = spawnTconnect(['standalone', worker, props], { TCONNECT_LOG_LEVEL: 'warn' });
    procs.push(p);
    await waitHealthy(base, p);
    expect(await ids(`standalone.${t1}`, 3)).toEqual(new Set([1, 2, 3]));
    const status = await (await fetch(`${base}/connectors/${first}/status`)).json();
    expect(status).toMatchObject({ name: first, connector: { state: 'RUNNING' }, type: 'source' });
    console.log(`standalone (external Temporal): first rows after ${Date.now() - started} ms`);

    // The README's flow, each command as written plus -s -w to read the status code.
    const orders = `sa-orders-${t2}`;
    await writeFile(path.join(dir, 'orders.json'), JSON.stringify({ name: orders, config: jdbcSource(orders, t2) }));
    const curl = async (line: string) => {
      const cmd = line.replaceAll('127.0.0.1:8083', `127.0.0.1:${port}`).replaceAll('/connectors/orders', `/connectors/${orders}`) + " -s -w '\\n%{http_code}'";
      const { stdout } = await run('bash', ['-c', cmd], { cwd: dir });
      const lines = stdout.split('\n');
      return { code: Number(lines.pop()), body: lines.join('\n') };
    };
    const [post, status2, pause, resume, del] = README_CURL_FLOW;
    const created = await curl(post);
    expect(created.code).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ name: orders, type: 'source', config: { 'connection.password': '[hidden]' } });
    expect(await ids(`standalone.${t2}`, 2)).toEqual(new Set([1, 2]));
    const st = await curl(status2);
    expect(st.code).toBe(200);
    expect(JSON.parse(st.body)).toMatchObject({ name: orders, connector: { state: 'RUNNING' } });
    expect(await curl(pause)).toEqual({ code: 202, body: '' });
    await waitFor(async () => JSON.parse((await curl(status2)).body).tasks[0]?.state === 'PAUSED', { what: 'PAUSED' });
    expect(await curl(resume)).toEqual({ code: 202, body: '' });
    await waitFor(async () => JSON.parse((await curl(status2)).body).tasks[0]?.state === 'RUNNING', { what: 'RUNNING' });
    expect(await curl(del)).toEqual({ code: 204, body: '' });
    expect((await curl(status2)).code).toBe(404);

    await fetch(`${base}/connectors/${first}`, { method: 'DELETE' });
    expect(await p.stop()).toBe(0);
  });

  it('without a Temporal address: starts its own dev server (TEMPORAL_CLI, SQLite in the data dir, free port) and stops it on exit', async () => {
    const t = await table(4);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const data = path.join(dir, 'data');
    const worker = path.join(dir, 'local-worker.properties');
    await writeFile(worker, [
      `bootstrap.servers=${env.KAFKA_BOOTSTRAP_SERVERS}`,
      `offset.storage.file.filename=${path.join(data, 'connect.offsets')}`,
      `listeners=http://127.0.0.1:${port}`,
    ].join('\n'));
    const name = `sa-json-${t}`;
    const json = path.join(dir, 'source.json');
    await writeFile(json, JSON.stringify({ name, config: jdbcSource(name, t) }));

    const started = Date.now();
    // No TEMPORAL_ADDRESS in its environment: only the CLI's path.
    const p = spawnTconnect(['standalone', worker, json], { TEMPORAL_CLI: env.TEMPORAL_CLI, TCONNECT_LOG_LEVEL: 'info' });
    procs.push(p);
    await waitHealthy(base, p);
    expect(await ids(`standalone.${t}`, 4)).toEqual(new Set([1, 2, 3, 4]));
    console.log(`standalone (own dev server): first rows after ${Date.now() - started} ms`);

    const devAddress = /"address":"(127\.0\.0\.1:\d+)"[^\n]*Temporal dev server started/.exec(p.output())?.[1];
    expect(devAddress).toBeDefined();
    expect(devAddress).not.toBe(env.TEMPORAL_ADDRESS);
    expect(existsSync(path.join(data, 'temporal.db'))).toBe(true);
    const devServerRunning = async () => (await run('ps', ['-eo', 'args'])).stdout.split('\n').some((l) => l.includes('start-dev') && l.includes(path.join(data, 'temporal.db')));
    expect(await devServerRunning()).toBe(true);

    expect(await p.stop()).toBe(0);
    expect(await devServerRunning()).toBe(false);
  });
});
