import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/record.js';
import { Struct } from '../../src/records/schema.js';
import type { PluginLogger, SourceTask } from '../../src/connectors/types.js';
import { postgresCdcSource } from '../../src/connectors/postgres-cdc/index.js';
import { parseLsn } from '../../src/connectors/postgres-cdc/task.js';
import { pgClient, pgEnv } from '../helpers/postgres.js';
import { uniqueIdent, waitFor } from '../helpers/stack.js';
import { Offsets } from '../helpers/task-io.js';

// The PostgreSQL CDC source (Debezium's PostgresConnector contract, pgoutput) on the stack's real
// PostgreSQL, called as the runtime calls it (startTask -> poll -> commit -> close): a consistent
// snapshot, streamed inserts, updates and deletes with before images (REPLICA IDENTITY FULL), a
// multi-row transaction, an ALTER TABLE, the slot confirmed only by commit(), restarts from the
// committed offsets without loss or repeats.

const env = pgEnv();
const ID = uniqueIdent('cdc');
const SCHEMA = ID;
const SLOT = `${ID}_slot`;
const PUBLICATION = `${ID}_pub`;
const PREFIX = `pg${ID.slice(3)}`;

let sql: pg.Client;
const tasks: SourceTask[] = [];
const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

beforeAll(async () => {
  sql = await pgClient();
  await sql.query(`CREATE SCHEMA "${SCHEMA}"`);
  await sql.query(`CREATE TABLE "${SCHEMA}".customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email VARCHAR(100), balance NUMERIC(10,2),
    created TIMESTAMPTZ, born DATE, data JSONB)`);
  await sql.query(`ALTER TABLE "${SCHEMA}".customers REPLICA IDENTITY FULL`);
  await sql.query(`CREATE TABLE "${SCHEMA}".orders (no INT PRIMARY KEY, customer INT NOT NULL, amount NUMERIC(8,2) NOT NULL)`);
  await sql.query(`INSERT INTO "${SCHEMA}".customers (name, email, balance, created, born, data) VALUES
    ('Ann', 'ann@example.com', 10.50, '2024-01-02 03:04:05.123456+00', '1990-05-06', '{"vip": true}'),
    ('Bob', NULL, NULL, NULL, NULL, NULL)`);
  await sql.query(`INSERT INTO "${SCHEMA}".orders VALUES (1, 1, 99.90)`);
});
afterEach(async () => {
  for (const t of tasks.splice(0)) await t.close();
});
afterAll(async () => {
  for (const t of tasks.splice(0)) await t.close();
  await sql?.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE $1 AND NOT active', [`${ID}%`]);
  await sql?.query(`DROP PUBLICATION IF EXISTS "${PUBLICATION}"`);
  await sql?.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await sql?.end();
});

function config(o: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': env.POSTGRES_HOST,
    'database.port': env.POSTGRES_PORT,
    'database.user': env.POSTGRES_USER,
    'database.password': env.POSTGRES_PASSWORD,
    'database.dbname': env.POSTGRES_DATABASE,
    'topic.prefix': PREFIX,
    'plugin.name': 'pgoutput',
    'slot.name': SLOT,
    'publication.name': PUBLICATION,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `${SCHEMA}\\..*`,
    'poll.interval.ms': '200',
    ...o,
  };
}


async function start(offsets: Offsets, o: Record<string, string> = {}): Promise<SourceTask> {
  const t = await postgresCdcSource.startTask(config(o), { connectorName: 'it-pg-cdc', taskId: 0, logger, offsetFor: offsets.offsetFor });
  tasks.push(t);
  return t;
}

/** Polls until n records arrived (more may come in the same batch). */
async function pollFor(task: SourceTask, n: number, timeout = 20_000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  await waitFor(async () => {
    out.push(...(await task.poll(500, signal)));
    return out.length >= n;
  }, { timeout, interval: 0, what: `${n} change events (have ${out.length})` });
  return out;
}

/** Hands records to the task as the runtime does after Kafka acknowledged them, and keeps their offsets. */
async function commit(task: SourceTask, offsets: Offsets, records: SourceRecord[]): Promise<void> {
  offsets.record(records);
  await task.commit!([{ partition: { server: PREFIX }, offset: offsets.last({ server: PREFIX })! }]);
}

async function confirmedFlush(): Promise<number> {
  const r = await sql.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
  return parseLsn(r.rows[0].lsn);
}

/** A struct as plain objects all the way down. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- event fields are read by name in assertions
type Plain = Record<string, any>;
const deep = (v: unknown): unknown => (v instanceof Struct ? Object.fromEntries(Object.entries(v.toObject()).map(([k, x]) => [k, deep(x)])) : v);
const val = (r: SourceRecord) => deep(r.value) as Plain;
const brief = (r: SourceRecord) => {
  if (r.value === null) return `tombstone ${r.topic.split('.').pop()} ${JSON.stringify((r.key as Struct).toObject())}`;
  const v = val(r);
  const id = (v.after ?? v.before)?.id ?? (v.after ?? v.before)?.no;
  return `${v.op} ${r.topic.split('.').pop()} ${id}`;
};

describe('PostgreSQL CDC source (pgoutput)', () => {
  const offsets = new Offsets();

  it('snapshots the captured tables consistently, in Debezium\'s envelope, topics and offsets', async () => {
    const task = await start(offsets);
    const snap = await pollFor(task, 3);
    expect(snap.map(brief)).toEqual(['r customers 1', 'r customers 2', 'r orders 1']);
    const [ann, bob, order] = snap;
    expect(ann.topic).toBe(`${PREFIX}.${SCHEMA}.customers`);
    expect(ann.keySchema).toMatchObject({ type: 'struct', name: `${PREFIX}.${SCHEMA}.customers.Key` });
    expect((ann.key as Struct).toObject()).toEqual({ id: 1 });
    expect(ann.valueSchema).toMatchObject({ name: `${PREFIX}.${SCHEMA}.customers.Envelope`, version: 2 });
    const fields = Object.fromEntries(ann.valueSchema!.fields!.find((f) => f.name === 'after')!.schema.fields!.map((f) => [f.name, f.schema]));
    expect(fields.id).toMatchObject({ type: 'int32', optional: false });
    expect(fields.balance).toMatchObject({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(fields.created).toMatchObject({ type: 'string', name: 'io.debezium.time.ZonedTimestamp' });
    expect(fields.born).toMatchObject({ type: 'int32', name: 'io.debezium.time.Date' });
    expect(fields.data).toMatchObject({ type: 'string', name: 'io.debezium.data.Json' });
    const a = val(ann);
    expect(a).toMatchObject({
      op: 'r', before: null,
      after: { id: 1, name: 'Ann', email: 'ann@example.com', balance: '10.50', created: '2024-01-02T03:04:05.123456Z', born: 7430, data: '{"vip": true}' },
      source: { connector: 'postgresql', name: PREFIX, db: env.POSTGRES_DATABASE, schema: SCHEMA, table: 'customers', snapshot: 'first' },
    });
    expect(val(bob).after).toEqual({ id: 2, name: 'Bob', email: null, balance: null, created: null, born: null, data: null });
    expect(val(order).source.snapshot).toBe('last');
    expect(ann.sourcePartition).toEqual({ server: PREFIX });
    expect(order.sourceOffset).toMatchObject({ last_snapshot_record: true, snapshot: true, lsn: a.source.lsn });
    expect(snap[0].sourceOffset).toMatchObject({ last_snapshot_record: false, snapshot: true });
    await commit(task, offsets, snap);
  });

  it('streams inserts, updates and deletes with before images, a transaction\'s rows, and confirms the slot only on commit', async () => {
    const task = await start(offsets);
    // Started from a complete snapshot: nothing is read again.
    expect(await task.poll(100, signal)).toEqual([]);
    const flushed = await confirmedFlush();

    await sql.query(`INSERT INTO "${SCHEMA}".customers (name, email) VALUES ('Cid', 'cid@example.com')`);
    await sql.query(`UPDATE "${SCHEMA}".customers SET email = 'ann@new.example', balance = 11.00 WHERE id = 1`);
    await sql.query(`DELETE FROM "${SCHEMA}".customers WHERE id = 2`);
    await sql.query('BEGIN');
    await sql.query(`INSERT INTO "${SCHEMA}".orders VALUES (2, 3, 5.00), (3, 3, 6.00)`);
    await sql.query(`UPDATE "${SCHEMA}".orders SET amount = 100.00 WHERE no = 1`);
    await sql.query('COMMIT');

    const got = await pollFor(task, 7);
    expect(got.map(brief)).toEqual(['c customers 3', 'u customers 1', 'd customers 2', 'tombstone customers {"id":2}', 'c orders 2', 'c orders 3', 'u orders 1']);
    const [ins, upd, del, tomb, o2, o3, o1] = got;
    expect(val(ins)).toMatchObject({ op: 'c', before: null, after: { id: 3, name: 'Cid', email: 'cid@example.com' } });
    expect(val(upd)).toMatchObject({ op: 'u', before: { id: 1, email: 'ann@example.com', balance: '10.50' }, after: { id: 1, email: 'ann@new.example', balance: '11.00' } });
    expect(val(del)).toMatchObject({ op: 'd', before: { id: 2, name: 'Bob' }, after: null });
    expect(tomb).toMatchObject({ value: null, valueSchema: null });
    // orders has REPLICA IDENTITY DEFAULT: no before image of an update, as Debezium.
    expect(val(o1)).toMatchObject({ op: 'u', before: null, after: { no: 1, amount: '100.00' } });
    // One transaction: one txId and commit LSN; each change has its own LSN.
    const tx = [o2, o3, o1].map((r) => val(r).source);
    expect(new Set(tx.map((s) => s.txId)).size).toBe(1);
    expect(new Set([o2, o3, o1].map((r) => r.sourceOffset.lsn_commit)).size).toBe(1);
    expect(tx[0].lsn).toBeLessThan(tx[1].lsn);
    expect(Object.keys(o1.sourceOffset)).toEqual(['transaction_id', 'lsn_proc', 'messageType', 'lsn_commit', 'lsn', 'txId', 'ts_usec']);
    // source.sequence: [last commit LSN, this LSN]; none was committed before the first change after the snapshot.
    expect(val(ins).source.sequence).toMatch(/^\[null,"\d+"\]$/);
    expect(val(o1).source.sequence).toBe(JSON.stringify([String(del.sourceOffset.lsn_commit), String(val(o1).source.lsn)]));

    // Nothing acknowledged yet: the slot keeps every change.
    expect(await confirmedFlush()).toBe(flushed);
    await commit(task, offsets, got.slice(0, 4));
    await waitFor(async () => (await confirmedFlush()) === Number(got[3].sourceOffset.lsn), { what: 'the slot confirmed up to the committed delete' });
  });

  it('follows an ALTER TABLE, and resumes after a restart from the committed offsets without loss or repeats', async () => {
    // The orders changes of the previous test were handed out but never committed: a restart delivers them again.
    const task = await start(offsets);
    const again = await pollFor(task, 3);
    expect(again.map(brief)).toEqual(['c orders 2', 'c orders 3', 'u orders 1']);
    await commit(task, offsets, again);

    await sql.query(`ALTER TABLE "${SCHEMA}".customers ADD COLUMN tier SMALLINT NOT NULL DEFAULT 1`);
    await sql.query(`INSERT INTO "${SCHEMA}".customers (name, tier) VALUES ('Dee', 3)`);
    const [dee] = await pollFor(task, 1);
    expect(val(dee).after).toMatchObject({ id: 4, name: 'Dee', tier: 3 });
    const tier = dee.valueSchema!.fields!.find((f) => f.name === 'after')!.schema.fields!.find((f) => f.name === 'tier');
    expect(tier?.schema).toMatchObject({ type: 'int16', optional: false });
    await commit(task, offsets, [dee]);
    await task.close();

    // Changes while the task is down are kept by the slot and streamed after the restart.
    await sql.query(`INSERT INTO "${SCHEMA}".customers (name) VALUES ('Eve')`);
    await sql.query(`UPDATE "${SCHEMA}".customers SET tier = 2 WHERE id = 4`);
    const restarted = await start(offsets);
    const after = await pollFor(restarted, 2);
    expect(after.map(brief)).toEqual(['c customers 5', 'u customers 4']);
    expect(val(after[1]).before).toMatchObject({ id: 4, tier: 3 });
    expect(await restarted.poll(100, signal)).toEqual([]);
  });

  it('re-opens a lost replication connection and streams on without loss or repeats', async () => {
    const own = new Offsets();
    const slot = `${ID}_lost`;
    const task = await start(own, { 'slot.name': slot, 'snapshot.mode': 'no_data' });
    await sql.query(`INSERT INTO "${SCHEMA}".orders VALUES (10, 1, 1.00)`);
    const first = await pollFor(task, 1);
    expect(first.map(brief)).toEqual(['c orders 10']);
    await commit(task, own, first);
    // The server ends the walsender (as when the connection drops); two more rows arrive meanwhile.
    const killed = await sql.query('SELECT pg_terminate_backend(active_pid) AS ok FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    expect(killed.rows).toEqual([{ ok: true }]);
    await sql.query(`INSERT INTO "${SCHEMA}".orders VALUES (11, 1, 1.00), (12, 1, 1.00)`);
    const got: SourceRecord[] = [];
    let failures = 0;
    await waitFor(async () => {
      try {
        got.push(...(await task.poll(500, signal)));
      } catch (e) {
        failures++;
        expect((e as Error).name).toBe('RetriableError');
      }
      return got.length >= 2;
    }, { timeout: 30_000, interval: 100, what: 'the rows after the lost connection' });
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(got.map(brief)).toEqual(['c orders 11', 'c orders 12']);
    await task.close();
    await sql.query('SELECT pg_drop_replication_slot($1)', [slot]);
  });

  it('takes the snapshot again, from a new slot, when a restart finds it unfinished', async () => {
    const own = new Offsets();
    const slot = `${ID}_resnap`;
    const rows = Number((await sql.query(`SELECT (SELECT count(*) FROM "${SCHEMA}".customers) + (SELECT count(*) FROM "${SCHEMA}".orders) AS n`)).rows[0].n);
    const task = await start(own, { 'slot.name': slot });
    const part = await task.poll(1, signal);
    expect(part.map((r) => val(r).op)).toEqual(['r']);
    await commit(task, own, part);
    await task.close();
    expect(own.last({ server: PREFIX })).toMatchObject({ snapshot: true, last_snapshot_record: false });

    const again = await start(own, { 'slot.name': slot });
    const all = await pollFor(again, rows);
    expect(all.length).toBe(rows);
    expect(new Set(all.map((r) => val(r).op))).toEqual(new Set(['r']));
    expect(all.at(-1)!.sourceOffset).toMatchObject({ last_snapshot_record: true });
    await again.close();
    await sql.query('SELECT pg_drop_replication_slot($1)', [slot]);
  });

  it('refuses what it cannot do with the key to fix', async () => {
    const e1 = await start(new Offsets(), { 'plugin.name': 'decoderbufs' }).catch((e: unknown) => e);
    expect((e1 as ConfigError).problems.map((p) => p.key)).toEqual(['plugin.name']);
    const e2 = await start(new Offsets(), { 'publication.autocreate.mode': 'disabled', 'publication.name': `${ID}_none`, 'slot.name': `${ID}_other` }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ConfigError);
    expect((e2 as ConfigError).problems.map((p) => p.key)).toEqual(['publication.name']);
    const e3 = await start(new Offsets(), { 'database.password': 'wrong', 'slot.name': `${ID}_other` }).catch((e: unknown) => e);
    expect((e3 as ConfigError).problems.map((p) => p.key)).toEqual(['database.password']);
  });
});
