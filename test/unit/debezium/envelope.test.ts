// The change event shape against Debezium's: the `customers` table of Debezium's MySQL connector
// documentation (connectors/mysql.adoc, "Change event keys" / "create events"), serialized by the
// JsonConverter with schemas enabled. Debezium's documentation simplifies two things its code
// does not: source.snapshot is an io.debezium.data.Enum string with default "false" (SchemaFactory
// .snapshotRecordSchema), and the envelope carries the optional `transaction` block, schema
// version 2 and the source block's version 1 (Envelope.SCHEMA_VERSION, SOURCE_INFO_DEFAULT_SCHEMA_VERSION).
// The expected text below follows the code; field order and optional-ness are the documentation's.
import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../../src/converters/json-converter.js';
import { Schemas, Struct, type Schema } from '../../../src/records/schema.js';
import {
  Operation, changeEvent, snapshotMarker, sourceInfoStruct, tableSchemas, tombstoneFor,
} from '../../../src/connectors/debezium/envelope.js';
import { DebeziumTypes, decimalSchema } from '../../../src/connectors/debezium/types.js';
import { binlogSourceSchema } from '../../../src/connectors/mysql-cdc/source-info.js';

function json(schema: Schema | null, value: unknown): string | null {
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'true' }, false);
  return c.fromConnectData('t', schema, value)?.toString('utf8') ?? null;
}

// The binlog connectors' source block (BinlogSourceInfoStructMaker's fields after the common ones).
const MYSQL_SOURCE = binlogSourceSchema('mysql');

const customers = tableSchemas({
  topic: 'dbserver1.inventory.customers',
  columns: [
    { name: 'id', schema: Schemas.int32() },
    { name: 'first_name', schema: Schemas.string() },
    { name: 'last_name', schema: Schemas.string() },
    { name: 'email', schema: Schemas.string() },
  ],
  keyColumns: ['id'],
  sourceSchema: MYSQL_SOURCE,
});

const ROW = '[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":false,"field":"first_name"},'
  + '{"type":"string","optional":false,"field":"last_name"},{"type":"string","optional":false,"field":"email"}]';
const SOURCE_SCHEMA = '{"type":"struct","fields":['
  + '{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},'
  + '{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},'
  + '{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},'
  + '{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},'
  + '{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},'
  + '{"type":"string","optional":true,"field":"table"},{"type":"int64","optional":false,"field":"server_id"},'
  + '{"type":"string","optional":true,"field":"gtid"},{"type":"string","optional":false,"field":"file"},'
  + '{"type":"int64","optional":false,"field":"pos"},{"type":"int32","optional":false,"field":"row"},'
  + '{"type":"int64","optional":true,"field":"thread"},{"type":"string","optional":true,"field":"query"}],'
  + '"optional":false,"name":"io.debezium.connector.mysql.Source","version":1,"field":"source"}';
const ENVELOPE_SCHEMA = '{"type":"struct","fields":['
  + `{"type":"struct","fields":${ROW},"optional":true,"name":"dbserver1.inventory.customers.Value","field":"before"},`
  + `{"type":"struct","fields":${ROW},"optional":true,"name":"dbserver1.inventory.customers.Value","field":"after"},`
  + `${SOURCE_SCHEMA},`
  + '{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},'
  + '{"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"},'
  + '{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},'
  + '{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"}],'
  + '"optional":false,"name":"dbserver1.inventory.customers.Envelope","version":2}';

function source(over: { snapshot?: 'first' | 'last' | 'true' | null; query?: string | null; gtid?: string | null } = {}): Struct {
  return sourceInfoStruct(MYSQL_SOURCE, { connector: 'mysql', name: 'dbserver1', tsMs: 1465491411000, db: 'inventory', snapshot: over.snapshot ?? null }, {
    table: 'customers', server_id: 223344, gtid: over.gtid ?? null, file: 'mysql-bin.000003', pos: 154, row: 0, thread: 7, query: over.query ?? null,
  });
}

const ANNE = { id: 1004, first_name: 'Anne', last_name: 'Kretchmar', email: 'annek@noanswer.org' };

describe('Debezium change events (customers table of the MySQL connector documentation)', () => {
  it('key: the primary key struct named <prefix>.<db>.<table>.Key', () => {
    const e = changeEvent(customers, { op: Operation.CREATE, after: ANNE, source: source(), tsMs: 1465491411815 });
    expect(json(e.keySchema, e.key)).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"},'
      + '"payload":{"id":1004}}',
    );
  });

  it('create event: schema and payload exactly as Debezium writes them', () => {
    const e = changeEvent(customers, { op: Operation.CREATE, after: ANNE, source: source({ gtid: '0-1-15' }), tsMs: 1465491411815 });
    expect(json(e.valueSchema, e.value)).toBe(
      `{"schema":${ENVELOPE_SCHEMA},"payload":{"before":null,`
      + '"after":{"id":1004,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org"},'
      + '"source":{"version":"3.6.1.Final","connector":"mysql","name":"dbserver1","ts_ms":1465491411000,"snapshot":"false","db":"inventory",'
      + '"sequence":null,"ts_us":1465491411000000,"ts_ns":1465491411000000000,"table":"customers","server_id":223344,"gtid":"0-1-15",'
      + '"file":"mysql-bin.000003","pos":154,"row":0,"thread":7,"query":null},'
      + '"transaction":null,"op":"c","ts_ms":1465491411815,"ts_us":1465491411815000,"ts_ns":1465491411815000000}}',
    );
  });

  it('update event: before and after images; delete: before only, then a tombstone with the same key', () => {
    const after = { ...ANNE, first_name: 'Anne Marie' };
    const u = changeEvent(customers, { op: Operation.UPDATE, before: ANNE, after, source: source(), tsMs: 1 });
    const payload = (text: string | null) => text!.slice(text!.indexOf('"payload":'));
    expect(payload(json(u.valueSchema, u.value))).toMatch(/^"payload":\{"before":\{"id":1004,"first_name":"Anne",.*"after":\{"id":1004,"first_name":"Anne Marie",.*"op":"u"/);
    const d = changeEvent(customers, { op: Operation.DELETE, before: after, source: source(), tsMs: 2 });
    expect(payload(json(d.valueSchema, d.value))).toMatch(/^"payload":\{"before":\{"id":1004,"first_name":"Anne Marie",.*"after":null,.*"op":"d"/);
    expect(json(d.keySchema, d.key)).toContain('"payload":{"id":1004}');
    const t = tombstoneFor(d);
    expect(t.key).toBe(d.key);
    expect(json(t.valueSchema, t.value)).toBeNull();
  });

  it('snapshot reads carry op r and the snapshot marker (first, first/last of a table, true, last)', () => {
    const r = changeEvent(customers, { op: Operation.READ, after: ANNE, source: source({ snapshot: 'first' }), tsMs: 3 });
    expect(json(r.valueSchema, r.value)).toContain('"snapshot":"first"');
    expect([0, 1, 2].map((i) => snapshotMarker(0, 2, i, 3))).toEqual(['first', 'true', 'last_in_data_collection']);
    expect([0, 1, 2].map((i) => snapshotMarker(1, 2, i, 3))).toEqual(['first_in_data_collection', 'true', 'last']);
    expect(snapshotMarker(0, 1, 0, 1)).toBe('first');
  });

  it('a table without a primary key has a null key and key schema', () => {
    const noKey = tableSchemas({ topic: 'p.d.t', columns: [{ name: 'v', schema: Schemas.string({ optional: true }) }], keyColumns: [], sourceSchema: MYSQL_SOURCE });
    const e = changeEvent(noKey, { op: Operation.CREATE, after: { v: 'x' }, source: source() });
    expect(e.key).toBeNull();
    expect(e.keySchema).toBeNull();
  });

  it('semantic types keep Debezium names, versions and parameters', () => {
    expect(json(decimalSchema('precise', 2, 10), '12.50')).toBe(
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"}},"payload":"BOI="}',
    );
    expect(json(decimalSchema('string', 2, 10), '12.50')).toContain('"type":"string"');
    expect(json(DebeziumTypes.microTimestamp(), 1700000000000000)).toBe('{"schema":{"type":"int64","optional":false,"name":"io.debezium.time.MicroTimestamp","version":1},"payload":1700000000000000}');
    expect(json(DebeziumTypes.enumSet(['a', 'b']), 'a,b')).toContain('"name":"io.debezium.data.EnumSet","version":1,"parameters":{"allowed":"a,b"}');
  });
});
