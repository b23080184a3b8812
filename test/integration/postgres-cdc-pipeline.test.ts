import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../src/connectors/postgres-cdc/task.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { pgClient, pgEnv } from '../helpers/postgres.js';
import { uniqueIdent, waitFor } from '../helpers/stack.js';

// PostgreSQL -> the CDC connector on Temporal (connector and task workflows, the worker's batch
// activities) -> Kafka, with the default JsonConverter: the events on the topic in Debezium's JSON,
// and the slot confirmed only after the runtime committed the batch (Kafka acknowledged it).

describe('PostgreSQL CDC pipeline on Temporal and Kafka', () => {
  const fx = useWorker({ sdk: true });
  const env = pgEnv();
  const ID = uniqueIdent('cdcp');
  const SLOT = `${ID}_slot`;
  const name = `cdc-${ID}`;
  let sql: pg.Client;

  beforeAll(async () => {
    process.env.TC_TEST_PG_PASSWORD = env.POSTGRES_PASSWORD;
    sql = await pgClient();
    await sql.query(`CREATE SCHEMA "${ID}"`);
    await sql.query(`CREATE TABLE "${ID}".items (id INT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(6,2))`);
    await sql.query(`ALTER TABLE "${ID}".items REPLICA IDENTITY FULL`);
    await sql.query(`INSERT INTO "${ID}".items VALUES (1, 'pen', 1.50), (2, 'ink', 3.00)`);
  });
  afterAll(async () => {
    // The connector goes first (this hook runs before the worker's): its task releases the slot, which is then dropped.
    await fx.sdk?.delete(name).catch(() => undefined);
    await waitFor(async () => (await sql.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [SLOT])).rows.length === 0, { timeout: 30_000, what: 'the slot released' })
      .catch(() => undefined);
    await sql?.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [SLOT]).catch(() => undefined);
    await sql?.query(`DROP PUBLICATION IF EXISTS "${ID}_pub"`);
    await sql?.query(`DROP SCHEMA IF EXISTS "${ID}" CASCADE`);
    await sql?.end();
  });

  it('writes the snapshot and the changes to <prefix>.<schema>.<table> and confirms the slot after Kafka acknowledged', async () => {
    const prefix = `pipe_${ID}`;
    await fx.sdk.create({
      name,
      config: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.hostname': env.POSTGRES_HOST, 'database.port': env.POSTGRES_PORT, 'database.user': env.POSTGRES_USER,
        'database.password': '${env:TC_TEST_PG_PASSWORD}', 'database.dbname': env.POSTGRES_DATABASE,
        'topic.prefix': prefix, 'slot.name': SLOT, 'publication.name': `${ID}_pub`, 'publication.autocreate.mode': 'filtered',
        'table.include.list': `${ID}\\.items`, 'poll.interval.ms': '200', 'tasks.max': '1',
      },
    });
    const topic = `${prefix}.${ID}.items`;
    const snap = await readTopic(topic, 2);
    const first = JSON.parse(snap[0].value!);
    expect(first.schema).toMatchObject({ type: 'struct', name: `${topic}.Envelope`, version: 2, optional: false });
    expect(first.schema.fields.map((f: { field: string }) => f.field)).toEqual(['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns']);
    expect(first.payload).toMatchObject({ before: null, after: { id: 1, name: 'pen', price: 'AJY=' }, op: 'r', source: { connector: 'postgresql', schema: ID, table: 'items', snapshot: 'first' } });
    expect(JSON.parse(snap[0].key!)).toEqual({ schema: { type: 'struct', fields: [{ type: 'int32', optional: false, field: 'id' }], optional: false, name: `${topic}.Key` }, payload: { id: 1 } });

    await sql.query(`UPDATE "${ID}".items SET price = 2.00 WHERE id = 1`);
    await sql.query(`DELETE FROM "${ID}".items WHERE id = 2`);
    const all = await readTopic(topic, 5);
    const events = all.map((m) => (m.value === null ? 'tombstone' : JSON.parse(m.value).payload.op));
    expect(events).toEqual(['r', 'r', 'u', 'd', 'tombstone']);
    const upd = JSON.parse(all[2].value!).payload;
    expect([upd.before.price, upd.after.price]).toEqual(['AJY=', 'AMg=']);
    const deleteLsn = JSON.parse(all[3].value!).payload.source.lsn as number;

    // The runtime commits after Kafka acknowledged the batch; only then does the slot let go.
    await waitFor(async () => {
      const r = await sql.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
      return parseLsn(r.rows[0].lsn) >= deleteLsn;
    }, { timeout: 30_000, what: 'the slot confirmed up to the delete' });
  });
});
