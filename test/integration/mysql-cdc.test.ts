// The MySQL/MariaDB capture task against the stack's real MariaDB (binlog ROW, row image FULL,
// row metadata FULL): snapshot, the switch to the binlog, every kind of change, a restart from an
// offset in the middle of a transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { ConfigError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/record.js';
import { Struct } from '../../src/records/schema.js';
import type { SourceTask } from '../../src/connectors/types.js';
import { mariaDbConnector, mySqlConnector } from '../../src/connectors/mysql-cdc/index.js';
import { mysqlConnection } from '../helpers/clients.js';
import { stackEnv, uniqueIdent } from '../helpers/stack.js';

const env = stackEnv();
const logger = { debug() {}, info() {}, warn() {}, error() {} };
let serverId = 5400 + Math.floor(Math.random() * 500);

function config(db: string, prefix: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    'database.hostname': env.MYSQL_HOST, 'database.port': env.MYSQL_PORT, 'database.user': env.MYSQL_USER, 'database.password': env.MYSQL_PASSWORD,
    'database.server.id': String(serverId++), 'topic.prefix': prefix, 'database.include.list': db, 'poll.interval.ms': '100', ...over,
  };
}

async function start(raw: Record<string, string>, offset: Record<string, unknown> | null = null, plugin = mySqlConnector): Promise<SourceTask> {
  return plugin.startTask(raw, { connectorName: 'cdc-test', taskId: 0, offsetFor: () => offset, logger });
}

/** Polls until `done` holds for everything read so far (a state, not a time); fails after 20 s. */
async function readUntil(task: SourceTask, done: (all: SourceRecord[]) => boolean, all: SourceRecord[] = []): Promise<SourceRecord[]> {
  const deadline = Date.now() + 20_000;
  const signal = new AbortController().signal;
  while (!done(all)) {
    if (Date.now() > deadline) throw new Error(`timed out; read ${all.length}: ${all.map(describeRecord).join(' ')}`);
    all.push(...(await task.poll(500, signal)));
  }
  return all;
}

const value = (r: SourceRecord) => r.value as Struct | null;
const op = (r: SourceRecord) => (r.value === null ? 'tombstone' : value(r)!.field('op') ? String(value(r)!.get('op')) : 'schema');
const row = (r: SourceRecord, side: 'before' | 'after') => (value(r)!.get(side) as Struct | null)?.toObject() ?? null;
const idOf = (r: SourceRecord) => (r.key instanceof Struct && r.key.field('id') ? r.key.get('id') : null);
function describeRecord(r: SourceRecord): string {
  return `${op(r)}:${idOf(r) ?? r.topic}`;
}
const dataOnly = (rs: SourceRecord[]) => rs.filter((r) => r.value === null || value(r)!.schema.name?.endsWith('.Envelope'));

describe('MySQL/MariaDB change data capture on the real MariaDB', () => {
  let db: mysql.Connection;
  const database = uniqueIdent('tconnect_cdc');

  beforeAll(async () => {
    db = await mysqlConnection();
    await db.query(`CREATE DATABASE \`${database}\``);
    await db.query(`USE \`${database}\``);
  });

  afterAll(async () => {
    await db?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await db?.end();
  });

  it('snapshots the rows present, switches to the binlog at the snapshot\'s position without losing or repeating a change, and streams inserts, updates, deletes, a transaction and an ALTER TABLE', async () => {
    await db.query('CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(10,2) NULL)');
    await db.query("INSERT INTO customers VALUES (1,'ann',10.50),(2,'bob',NULL),(3,'cid',3.00)");
    const prefix = uniqueIdent('cdc');
    // One row per snapshot query, so changes can be made between the snapshot's reads.
    const task = await start(config(database, prefix, { 'snapshot.fetch.size': '1', 'table.include.list': `${database}\\.customers` }));
    try {
      const first = await task.poll(10, new AbortController().signal);
      // The snapshot's view is fixed: these changes come after it, so they must arrive as binlog events, once.
      await db.query("INSERT INTO customers VALUES (4,'dan',1.00)");
      await db.query("UPDATE customers SET name='bea' WHERE id=2");
      await db.query('DELETE FROM customers WHERE id=3');
      const snap = await readUntil(task, (all) => all.filter((r) => op(r) === 'd').length === 1, first);
      const reads = snap.filter((r) => op(r) === 'r');
      expect(reads.map(idOf)).toEqual([1, 2, 3]);
      expect(reads.map((r) => row(r, 'after'))).toEqual([{ id: 1, name: 'ann', balance: '10.50' }, { id: 2, name: 'bob', balance: null }, { id: 3, name: 'cid', balance: '3.00' }]);
      expect(reads.map((r) => (value(r)!.get('source') as Struct).get('snapshot'))).toEqual(['first', 'true', 'last']);
      expect(reads.at(-1)!.sourceOffset).toMatchObject({ snapshot: 'INITIAL', snapshot_completed: true });
      expect(dataOnly(snap).filter((r) => op(r) !== 'r').map(describeRecord)).toEqual(['c:4', 'u:2', 'd:3', 'tombstone:3']);
      const u = snap.find((r) => op(r) === 'u')!;
      expect([row(u, 'before'), row(u, 'after')]).toEqual([{ id: 2, name: 'bob', balance: null }, { id: 2, name: 'bea', balance: null }]);
      expect(row(snap.find((r) => op(r) === 'd')!, 'before')).toEqual({ id: 3, name: 'cid', balance: '3.00' });
      const schemaChange = snap.find((r) => r.topic === prefix)!;
      expect(schemaChange.valueSchema!.name).toBe('io.debezium.connector.mysql.SchemaChangeValue');
      expect((schemaChange.key as Struct).get('databaseName')).toBe(database);

      // A transaction of several rows, then an ALTER TABLE and a row with the new column.
      await db.query('START TRANSACTION');
      await db.query("INSERT INTO customers VALUES (5,'eve',5.00),(6,'fay',6.00)");
      await db.query('UPDATE customers SET balance = balance + 1 WHERE id IN (1, 4)');
      await db.query('COMMIT');
      await db.query("ALTER TABLE customers ADD COLUMN tier VARCHAR(10) NOT NULL DEFAULT 'std'");
      await db.query("INSERT INTO customers (id, name, tier) VALUES (7,'gus','gold')");
      const more = await readUntil(task, (all) => all.some((r) => idOf(r) === 7));
      expect(more.map(describeRecord)).toEqual(['c:5', 'c:6', 'u:1', 'u:4', `schema:${prefix}`, 'c:7']);
      const tx = more.slice(0, 4).map((r) => (value(r)!.get('source') as Struct).get('gtid'));
      expect(new Set(tx).size).toBe(1); // one transaction, one GTID
      expect(more.slice(0, 4).map((r) => r.sourceOffset)).toEqual([1, 2, 1, 2].map((n, i) => expect.objectContaining({ event: i < 2 ? 0 : 1, row: n })));
      const alter = more[4]!;
      expect(String((value(alter)!.get('ddl')))).toMatch(/ALTER TABLE customers ADD COLUMN tier/);
      const change = (value(alter)!.get('tableChanges') as Struct[])[0]!;
      expect([change.get('type'), change.get('id')]).toEqual(['ALTER', `"${database}"."customers"`]);
      expect(((change.get('table') as Struct).get('columns') as Struct[]).map((c) => c.get('name'))).toEqual(['id', 'name', 'balance', 'tier']);
      expect(row(more[5]!, 'after')).toEqual({ id: 7, name: 'gus', balance: null, tier: 'gold' });
      expect(more[5]!.valueSchema!.fields!.find((f) => f.name === 'after')!.schema.fields!.map((f) => f.name)).toEqual(['id', 'name', 'balance', 'tier']);
    } finally {
      await task.close();
    }
  });

  it('resumes from an offset committed in the middle of a transaction with exactly the changes after it', async () => {
    await db.query('CREATE TABLE orders (id INT PRIMARY KEY, qty INT NOT NULL)');
    const prefix = uniqueIdent('cdc');
    const raw = config(database, prefix, { 'table.include.list': `${database}\\.orders`, 'snapshot.mode': 'no_data' });
    const task = await start(raw);
    await db.query('START TRANSACTION');
    for (let i = 1; i <= 3; i++) await db.query('INSERT INTO orders VALUES (?, ?), (?, ?)', [i * 10, i, i * 10 + 1, i]);
    await db.query('COMMIT');
    await db.query('UPDATE orders SET qty = 99 WHERE id = 10');
    const all = dataOnly(await readUntil(task, (rs) => rs.some((r) => op(r) === 'u')));
    await task.close();
    expect(all.map(describeRecord)).toEqual(['c:10', 'c:11', 'c:20', 'c:21', 'c:30', 'c:31', 'u:10']);

    // Committed up to the 3rd change (the first row of the second insert of the transaction).
    const resumed = await start(raw, all[2]!.sourceOffset);
    try {
      const rest = dataOnly(await readUntil(resumed, (rs) => rs.some((r) => op(r) === 'u')));
      expect(rest.map(describeRecord)).toEqual(['c:21', 'c:30', 'c:31', 'u:10']);
      expect(rest.map((r) => r.sourceOffset)).toEqual(all.slice(3).map((r) => r.sourceOffset));
    } finally {
      await resumed.close();
    }
    // Committed at the very last change: nothing old again, only what comes next.
    const atEnd = await start(raw, all.at(-1)!.sourceOffset);
    try {
      await db.query('DELETE FROM orders WHERE id = 11');
      const next = dataOnly(await readUntil(atEnd, (rs) => rs.some((r) => op(r) === 'tombstone')));
      expect(next.map(describeRecord)).toEqual(['d:11', 'tombstone:11']);
    } finally {
      await atEnd.close();
    }
  });

  it('resumed at a position before an ALTER TABLE ADD COLUMN, older rows come without the new column and later ones with it', async () => {
    await db.query('CREATE TABLE evolving (id INT PRIMARY KEY, a VARCHAR(5) NOT NULL)');
    const prefix = uniqueIdent('cdc');
    const raw = config(database, prefix, { 'table.include.list': `${database}\\.evolving`, 'snapshot.mode': 'no_data' });
    const task = await start(raw);
    await db.query("INSERT INTO evolving VALUES (1, 'x')");
    const [first] = dataOnly(await readUntil(task, (rs) => rs.length > 0));
    await task.close();
    // While the connector is down: another old-shape row, then the ALTER, then a new-shape row.
    await db.query("INSERT INTO evolving VALUES (2, 'y')");
    await db.query("ALTER TABLE evolving ADD COLUMN b INT NOT NULL DEFAULT 7");
    await db.query("INSERT INTO evolving VALUES (3, 'z', 9)");
    const resumed = await start(raw, first!.sourceOffset);
    try {
      const rest = dataOnly(await readUntil(resumed, (rs) => rs.some((r) => idOf(r) === 3)));
      expect(rest.map((r) => row(r, 'after'))).toEqual([{ id: 2, a: 'y' }, { id: 3, a: 'z', b: 9 }]);
      expect(rest[0]!.valueSchema!.fields![1]!.schema.fields!.map((f) => f.name)).toEqual(['id', 'a']);
    } finally {
      await resumed.close();
    }
  });

  it('with a small max.queue.size, reading pauses and resumes and every change arrives once, in order', async () => {
    await db.query('CREATE TABLE bulk (id INT PRIMARY KEY, v INT NOT NULL)');
    const prefix = uniqueIdent('cdc');
    const task = await start(config(database, prefix, { 'table.include.list': `${database}\\.bulk`, 'snapshot.mode': 'no_data', 'max.queue.size': '10', 'max.batch.size': '7' }));
    try {
      for (let t = 0; t < 3; t++) await db.query('INSERT INTO bulk VALUES ?', [Array.from({ length: 400 }, (_, i) => [t * 400 + i + 1, i])]);
      await db.query('UPDATE bulk SET v = v + 1');
      const got = dataOnly(await readUntil(task, (rs) => rs.length >= 2400));
      expect(got.length).toBe(2400);
      expect(got.slice(0, 1200).map(idOf)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
      expect(new Set(got.slice(1200).map((r) => `${op(r)}:${idOf(r)}`)).size).toBe(1200);
    } finally {
      await task.close();
    }
  });

  it('MariaDbConnector writes source.connector mariadb under io.debezium.connector.mariadb.Source; tombstones.on.delete=false writes none', async () => {
    await db.query('CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(5))');
    const prefix = uniqueIdent('cdc');
    const task = await start(config(database, prefix, { 'table.include.list': `${database}\\.items`, 'snapshot.mode': 'no_data', 'tombstones.on.delete': 'false' }), null, mariaDbConnector);
    try {
      await db.query("INSERT INTO items VALUES (1, 'a')");
      await db.query('DELETE FROM items WHERE id = 1');
      const got = await readUntil(task, (rs) => rs.some((r) => op(r) === 'd'));
      expect(got.map(describeRecord)).toEqual(['c:1', 'd:1']);
      const source = value(got[0]!)!.get('source') as Struct;
      expect([source.schema.name, source.get('connector'), source.get('db'), source.get('table')]).toEqual(['io.debezium.connector.mariadb.Source', 'mariadb', database, 'items']);
      expect(got[0]!.topic).toBe(`${prefix}.${database}.items`);
    } finally {
      await task.close();
    }
  });

  it('a wrong password fails with a ConfigError naming database.password', async () => {
    await expect(start({ ...config(database, 'x'), 'database.password': 'wrong' })).rejects.toSatisfy((e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.key === 'database.password'));
  });
});
