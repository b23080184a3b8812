// MariaDB → (MySqlConnector, change events) → Kafka → (ExtractNewRecordState, ElasticsearchSink)
// → Elasticsearch, on real worker processes: the index stays equal to the table through inserts,
// updates, deletes, a transaction, an ALTER TABLE and a kill -9 of the worker running the tasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type mysql from 'mysql2/promise';
import { ConnectClient } from '../../src/client/index.js';
import { elastic, mysqlConnection } from '../helpers/clients.js';
import { readTopic, topicSize } from '../helpers/kafka.js';
import { REPO_ROOT, stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';

const LOG_DIR = path.join(os.tmpdir(), 'tconnect-test-logs');

/** A `tconnect worker` process of its own (log to a file), so it can be killed with SIGKILL. */
function spawnWorker(taskQueue: string, id: string): ChildProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(path.join(LOG_DIR, `${taskQueue}-${id}.log`), 'a');
  return spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...stackEnv(), TCONNECT_TASK_QUEUE: taskQueue, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'info' },
    stdio: ['ignore', log, log],
  });
}

const JSON_WITH_SCHEMAS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter', 'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true',
};

describe('MariaDB CDC → Kafka → Elasticsearch, with a kill -9 of the worker', () => {
  const env = stackEnv();
  const taskQueue = uniqueName('cdc-pipe');
  const database = uniqueIdent('tconnect_cdcpipe');
  const prefix = uniqueIdent('cdcpipe');
  const topic = `${prefix}.${database}.accounts`;
  const workers: ChildProcess[] = [];
  let db: mysql.Connection;
  let es: ElasticClient;
  let sdk: ConnectClient;

  beforeAll(async () => {
    db = await mysqlConnection();
    es = elastic();
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
    await db.query(`CREATE DATABASE \`${database}\``);
    await db.query(`USE \`${database}\``);
  });

  afterAll(async () => {
    for (const n of [`cdc-${prefix}`, `es-${prefix}`]) await sdk?.delete(n).catch(() => undefined);
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await es?.indices.delete({ index: topic, ignore_unavailable: true }).catch(() => undefined);
    await db?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await sdk?.close();
    await db?.end();
    await es?.close();
  });

  async function tableRows(): Promise<string[]> {
    const [rows] = await db.query<mysql.RowDataPacket[]>('SELECT * FROM accounts ORDER BY id');
    return rows.map((r) => JSON.stringify({ ...r }));
  }

  async function indexDocs(): Promise<string[]> {
    await es.indices.refresh({ index: topic });
    const res = await es.search<Record<string, unknown>>({ index: topic, size: 1000, sort: [{ id: 'asc' }] });
    return res.hits.hits.map((h) => JSON.stringify(h._source));
  }

  /** Waits until the index holds exactly the table's rows (a state, however long the pipeline takes). */
  async function indexEqualsTable(what: string): Promise<void> {
    let last: string[] = [];
    let expected: string[] = [];
    await waitFor(async () => {
      expected = await tableRows();
      last = await indexDocs().catch(() => []);
      return JSON.stringify(last) === JSON.stringify(expected);
    }, { what: `${what}: index equal to the table`, timeout: 120_000, interval: 500 }).catch((e) => {
      throw new Error(`${(e as Error).message}\nindex: ${last.join(' ')}\ntable: ${expected.join(' ')}`);
    });
  }

  it('keeps the index equal to the table through every kind of change and a worker killed mid-stream', async () => {
    const a = spawnWorker(taskQueue, 'cdc-worker-a');
    workers.push(a);
    await db.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(20) NOT NULL, balance INT NOT NULL)');
    await db.query('INSERT INTO accounts VALUES ?', [Array.from({ length: 50 }, (_, i) => [i + 1, `owner-${i + 1}`, 100])]);

    await sdk.create({ name: `cdc-${prefix}`, config: {
      'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
      'database.hostname': env.MYSQL_HOST, 'database.port': env.MYSQL_PORT, 'database.user': env.MYSQL_USER, 'database.password': env.MYSQL_PASSWORD,
      'database.server.id': String(6000 + Math.floor(Math.random() * 1000)), 'topic.prefix': prefix,
      'database.include.list': database, 'schema.history.internal.kafka.topic': `${prefix}.history`,
      ...JSON_WITH_SCHEMAS,
    } });
    await sdk.create({ name: `es-${prefix}`, config: {
      'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      'connection.url': env.ELASTICSEARCH_URL, topics: topic,
      'key.ignore': 'false', 'schema.ignore': 'true', 'behavior.on.null.values': 'delete',
      transforms: 'unwrap,key',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.key.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.key.field': 'id',
      ...JSON_WITH_SCHEMAS,
    } });
    await indexEqualsTable('after the snapshot');

    await db.query('UPDATE accounts SET balance = balance - 10 WHERE id <= 5');
    await db.query('DELETE FROM accounts WHERE id IN (6, 7)');
    await db.query('START TRANSACTION');
    await db.query("INSERT INTO accounts VALUES (51, 'owner-51', 5), (52, 'owner-52', 5)");
    await db.query('UPDATE accounts SET balance = 0 WHERE id = 8');
    await db.query('COMMIT');
    await indexEqualsTable('after updates, deletes and a transaction');
    await waitFor(async () => (await sdk.status(`cdc-${prefix}`)).tasks[0]?.worker_id === 'cdc-worker-a', { what: 'the source task on worker a' });

    // Worker b starts, worker a dies with changes still coming; b must continue from the committed offsets.
    const b = spawnWorker(taskQueue, 'cdc-worker-b');
    workers.push(b);
    const writes = (async () => {
      for (let i = 0; i < 40; i++) {
        await db.query('INSERT INTO accounts VALUES (?, ?, ?)', [100 + i, `late-${i}`, i]);
        await db.query('UPDATE accounts SET balance = balance + 1 WHERE id = ?', [10 + (i % 20)]);
        if (i % 5 === 0) await db.query('DELETE FROM accounts WHERE id = ?', [30 + i / 5]);
      }
    })();
    a.kill('SIGKILL');
    await writes;
    await db.query("ALTER TABLE accounts ADD COLUMN tier VARCHAR(8) NOT NULL DEFAULT 'std'");
    // Adding a column writes no row events (for Debezium either): touch every row so each document gets it.
    await db.query('UPDATE accounts SET balance = balance + 1000');
    await db.query("UPDATE accounts SET tier = 'gold' WHERE id IN (1, 2)");
    await db.query("INSERT INTO accounts VALUES (200, 'after-alter', 1, 'silver')");
    await indexEqualsTable('after the kill -9 and an ALTER TABLE');
    expect((await indexDocs()).find((d) => d.includes('"id":200'))).toBe('{"id":200,"owner":"after-alter","balance":1,"tier":"silver"}');
    await waitFor(async () => (await sdk.status(`cdc-${prefix}`)).tasks[0]?.worker_id === 'cdc-worker-b', { what: 'the source task on worker b' });

    // The topic: the snapshot was not taken again after the kill, and no change is missing.
    const messages = await readTopic(topic, await topicSize(topic));
    const events = messages.filter((m) => m.value !== null).map((m) => JSON.parse(m.value!).payload as { op: string; before: { id: number } | null; after: { id: number } | null });
    expect(events.filter((e) => e.op === 'r').length).toBe(50);
    const created = new Set(events.filter((e) => e.op === 'c').map((e) => e.after!.id));
    for (const id of [51, 52, ...Array.from({ length: 40 }, (_, i) => 100 + i), 200]) expect(created, `insert of ${id}`).toContain(id);
    const deleted = new Set(events.filter((e) => e.op === 'd').map((e) => e.before!.id));
    for (const id of [6, 7, 30, 31, 32, 33, 34, 35, 36, 37]) expect(deleted, `delete of ${id}`).toContain(id);
    expect(messages.filter((m) => m.value === null).length).toBeGreaterThanOrEqual(deleted.size); // a tombstone per delete
  }, 240_000);
});
