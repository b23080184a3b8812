// Debezium's change event contract (io.debezium.data.Envelope, io.debezium.schema.SchemaFactory,
// io.debezium.relational.TableSchemaBuilder), shared by the CDC sources (MySQL/MariaDB binlog,
// PostgreSQL logical replication). Names, field order, optional-ness and versions are Debezium's,
// so JsonConverter output matches what a Debezium connector writes for the same table and change.
import { Schemas, Struct, type Schema } from '../../records/schema.js';

/** The version Debezium writes on every Envelope schema (Envelope.SCHEMA_VERSION). */
export const ENVELOPE_SCHEMA_VERSION = 2;
/** The version of every connector's source block schema (SchemaFactory.SOURCE_INFO_DEFAULT_SCHEMA_VERSION). */
export const SOURCE_INFO_SCHEMA_VERSION = 1;
/**
 * The Debezium release whose event contract these builders follow; written to source.version
 * (Debezium writes its own release there).
 */
export const DEBEZIUM_CONTRACT_VERSION = '3.6.1.Final';

/** Envelope.SCHEMA_NAME_SUFFIX: an envelope schema is named `<topic>.Envelope`. */
export const ENVELOPE_SCHEMA_NAME_SUFFIX = '.Envelope';

/** Envelope.Operation codes. */
export const Operation = { READ: 'r', CREATE: 'c', UPDATE: 'u', DELETE: 'd', TRUNCATE: 't', MESSAGE: 'm' } as const;
export type OperationCode = (typeof Operation)[keyof typeof Operation];

/** Envelope.FieldName. */
export const EnvelopeField = {
  BEFORE: 'before', AFTER: 'after', SOURCE: 'source', TRANSACTION: 'transaction', OPERATION: 'op',
  TIMESTAMP: 'ts_ms', TIMESTAMP_US: 'ts_us', TIMESTAMP_NS: 'ts_ns',
} as const;

/** io.debezium.data.Enum: a string with its allowed values, comma-separated, in parameter "allowed". */
export function enumSchema(allowed: readonly string[], o: { optional?: boolean; defaultValue?: string } = {}): Schema {
  return Schemas.string({ name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: allowed.join(',') }, optional: o.optional, defaultValue: o.defaultValue });
}

/** SnapshotRecord, lower-cased, in declaration order: the allowed values of source.snapshot. */
export const SNAPSHOT_RECORD_VALUES = ['true', 'first', 'first_in_data_collection', 'last_in_data_collection', 'last', 'false', 'incremental'] as const;
export type SnapshotRecord = (typeof SNAPSHOT_RECORD_VALUES)[number];

/** SchemaFactory.snapshotRecordSchema(): optional Enum, default "false". */
export const SNAPSHOT_RECORD_SCHEMA: Schema = enumSchema(SNAPSHOT_RECORD_VALUES, { optional: true, defaultValue: 'false' });

/**
 * The snapshot marker of the i-th of n records of the t-th of m tables of a snapshot
 * (RelationalSnapshotChangeEventSource): first of all, last of all, first/last of a table, else true.
 */
export function snapshotMarker(tableIndex: number, tableCount: number, rowIndex: number, rowCount: number): SnapshotRecord {
  const firstRow = rowIndex === 0;
  const lastRow = rowIndex === rowCount - 1;
  if (firstRow && tableIndex === 0) return 'first';
  if (lastRow && tableIndex === tableCount - 1) return 'last';
  if (firstRow) return 'first_in_data_collection';
  if (lastRow) return 'last_in_data_collection';
  return 'true';
}

/** The fields every connector's source block starts with (SchemaFactory.sourceInfoSchemaBuilder), in order. */
export const COMMON_SOURCE_FIELDS: ReadonlyArray<[string, Schema]> = [
  ['version', Schemas.string()],
  ['connector', Schemas.string()],
  ['name', Schemas.string()],
  ['ts_ms', Schemas.int64()],
  ['snapshot', SNAPSHOT_RECORD_SCHEMA],
  ['db', Schemas.string()],
  ['sequence', Schemas.string({ optional: true })],
  ['ts_us', Schemas.int64({ optional: true })],
  ['ts_ns', Schemas.int64({ optional: true })],
];

/**
 * The source block schema of a connector: `io.debezium.connector.<connector>.Source`, version 1,
 * the common fields then the connector's own (MySQL: table, server_id, gtid, file, pos, row,
 * thread, query; PostgreSQL: schema, table, txId, lsn, xmin).
 */
export function sourceInfoSchema(connector: string, ownFields: Array<[string, Schema]>): Schema {
  return Schemas.struct([...COMMON_SOURCE_FIELDS, ...ownFields], { name: `io.debezium.connector.${connector}.Source`, version: SOURCE_INFO_SCHEMA_VERSION });
}

export interface CommonSourceInfo {
  /** source.connector, e.g. "mysql", "mariadb", "postgresql". */
  connector: string;
  /** topic.prefix (Debezium's logical server name). */
  name: string;
  /** When the change happened in the database (ms since the epoch). */
  tsMs: number;
  /** Sub-millisecond part in microseconds (0-999) when the source knows it. */
  tsUsFraction?: number;
  /** null or "false" leaves the field unset (it reads as its default "false"), as SnapshotRecord.toSource does. */
  snapshot?: SnapshotRecord | null;
  db: string;
  sequence?: string | null;
  /** source.version; DEBEZIUM_CONTRACT_VERSION unless given. */
  version?: string;
}

/** AbstractSourceInfoStructMaker.commonStruct plus the connector's own values (nulls left unset). */
export function sourceInfoStruct(schema: Schema, common: CommonSourceInfo, own: Record<string, unknown>): Struct {
  const micros = BigInt(common.tsMs) * 1000n + BigInt(common.tsUsFraction ?? 0);
  const s = new Struct(schema, {
    version: common.version ?? DEBEZIUM_CONTRACT_VERSION,
    connector: common.connector,
    name: common.name,
    ts_ms: common.tsMs,
    db: common.db,
    ts_us: safeInt(micros),
    ts_ns: safeInt(micros * 1000n),
  });
  if (common.sequence != null) s.put('sequence', common.sequence);
  if (common.snapshot != null && common.snapshot !== 'false') s.put('snapshot', common.snapshot);
  for (const [k, v] of Object.entries(own)) if (v !== null && v !== undefined) s.put(k, v);
  return s;
}

/** int64 values: a number while exact, a bigint beyond 2^53 (the representation the converters take). */
function safeInt(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** SchemaFactory.transactionBlockSchema(): the optional `transaction` field (event.block, version 1). */
export const TRANSACTION_BLOCK_SCHEMA: Schema = Schemas.struct(
  [['id', Schemas.string()], ['total_order', Schemas.int64()], ['data_collection_order', Schemas.int64()]],
  { name: 'event.block', version: 1, optional: true },
);

/** A column of a captured table, already mapped to its Connect schema (optional when the column is nullable). */
export interface EnvelopeColumn {
  name: string;
  schema: Schema;
}

export interface TableSchemasInput {
  /** The data change topic, `<topic.prefix>.<db>.<table>` (MySQL) or `<topic.prefix>.<schema>.<table>` (PostgreSQL). */
  topic: string;
  /** Prefix of the Key/Value schema names; Debezium's recordSchemaPrefix, the topic by default. */
  schemaNamePrefix?: string;
  /** Every captured column, in table order (after column.exclude.list). */
  columns: EnvelopeColumn[];
  /** Primary key column names, in key order; none means the key is null. */
  keyColumns: string[];
  /** The connector's source block schema (sourceInfoSchema). */
  sourceSchema: Schema;
}

/** The schemas of one table's change events, built once per table (and again after a schema change). */
export interface TableSchemas {
  topic: string;
  /** `<prefix>.Key`, the primary key columns; null for a table without one. */
  keySchema: Schema | null;
  /** `<prefix>.Value`, optional, every captured column. */
  valueSchema: Schema;
  /** `<topic>.Envelope`, version 2: before, after, source, transaction, op, ts_ms, ts_us, ts_ns. */
  envelopeSchema: Schema;
  keyColumns: string[];
}

/** TableSchemaBuilder.create: Key, Value and Envelope schemas from a column list. */
export function tableSchemas(input: TableSchemasInput): TableSchemas {
  const prefix = input.schemaNamePrefix ?? input.topic;
  const byName = new Map(input.columns.map((c) => [c.name, c]));
  const keyFields: Array<[string, Schema]> = input.keyColumns.map((k) => {
    const c = byName.get(k);
    if (!c) throw new TypeError(`key column ${k} is not among the columns of ${input.topic}`);
    return [k, c.schema];
  });
  const valueSchema = Schemas.struct(input.columns.map((c) => [c.name, c.schema]), { name: `${prefix}.Value`, optional: true });
  const keySchema = keyFields.length ? Schemas.struct(keyFields, { name: `${prefix}.Key` }) : null;
  const envelopeSchema = Schemas.struct(
    [
      [EnvelopeField.BEFORE, valueSchema],
      [EnvelopeField.AFTER, valueSchema],
      [EnvelopeField.SOURCE, input.sourceSchema],
      [EnvelopeField.TRANSACTION, TRANSACTION_BLOCK_SCHEMA],
      [EnvelopeField.OPERATION, Schemas.string()],
      [EnvelopeField.TIMESTAMP, Schemas.int64({ optional: true })],
      [EnvelopeField.TIMESTAMP_US, Schemas.int64({ optional: true })],
      [EnvelopeField.TIMESTAMP_NS, Schemas.int64({ optional: true })],
    ],
    { name: `${input.topic}${ENVELOPE_SCHEMA_NAME_SUFFIX}`, version: ENVELOPE_SCHEMA_VERSION },
  );
  return { topic: input.topic, keySchema, valueSchema, envelopeSchema, keyColumns: [...input.keyColumns] };
}

/** A row (column name -> Connect value) as the table's Value struct; columns not in the schema are ignored. */
export function rowStruct(schema: Schema, row: Record<string, unknown>): Struct {
  const s = new Struct(schema);
  for (const f of schema.fields ?? []) {
    const v = row[f.name];
    if (v !== undefined && v !== null) s.put(f.name, v);
  }
  return s;
}

/** The key struct of a row; null when the table has no primary key. */
export function keyStruct(schemas: TableSchemas, row: Record<string, unknown>): Struct | null {
  return schemas.keySchema ? rowStruct(schemas.keySchema, row) : null;
}

export interface TransactionBlock {
  id: string;
  totalOrder: number;
  dataCollectionOrder: number;
}

export interface ChangeEventInput {
  op: OperationCode;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  source: Struct;
  /** When the connector processed the event (ms); Date.now() unless given. */
  tsMs?: number;
  transaction?: TransactionBlock | null;
}

/** The Envelope value of one change (Envelope.read/create/update/delete). */
export function envelopeStruct(schemas: TableSchemas, e: ChangeEventInput): Struct {
  const ts = e.tsMs ?? Date.now();
  const s = new Struct(schemas.envelopeSchema, { source: e.source, op: e.op, ts_ms: ts, ts_us: ts * 1000, ts_ns: safeInt(BigInt(ts) * 1_000_000n) });
  if (e.before) s.put(EnvelopeField.BEFORE, rowStruct(schemas.valueSchema, e.before));
  if (e.after) s.put(EnvelopeField.AFTER, rowStruct(schemas.valueSchema, e.after));
  if (e.transaction) {
    s.put(EnvelopeField.TRANSACTION, new Struct(TRANSACTION_BLOCK_SCHEMA, { id: e.transaction.id, total_order: e.transaction.totalOrder, data_collection_order: e.transaction.dataCollectionOrder }));
  }
  return s;
}

/** Key and value of a change event, ready for a SourceRecord. */
export interface ChangeEvent {
  key: Struct | null;
  keySchema: Schema | null;
  value: Struct;
  valueSchema: Schema;
}

/** Key (from the after image, or the before image of a delete) and envelope of one change. */
export function changeEvent(schemas: TableSchemas, e: ChangeEventInput): ChangeEvent {
  const keyRow = e.op === Operation.DELETE ? e.before : (e.after ?? e.before);
  return {
    key: keyRow ? keyStruct(schemas, keyRow) : null,
    keySchema: schemas.keySchema,
    value: envelopeStruct(schemas, e),
    valueSchema: schemas.envelopeSchema,
  };
}

/**
 * The tombstone Debezium writes after a delete when tombstones.on.delete is true: same key,
 * null value and null value schema, so log compaction drops the key.
 */
export function tombstoneFor(event: ChangeEvent): Tombstone {
  return { key: event.key, keySchema: event.keySchema, value: null, valueSchema: null };
}

export interface Tombstone {
  key: Struct | null;
  keySchema: Schema | null;
  value: null;
  valueSchema: null;
}

/** Whether a schema is a Debezium change event envelope (Envelope.isEnvelopeSchema: its name ends with .Envelope). */
export function isEnvelopeSchema(schema: Schema | null | undefined): boolean {
  return !!schema && (schema.name?.endsWith(ENVELOPE_SCHEMA_NAME_SUFFIX) ?? false);
}
