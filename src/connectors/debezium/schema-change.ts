// Debezium's schema change events (SchemaFactory.schemaHistoryConnector{Key,Value}Schema and
// ConnectTableChangeSerializer): written to the topic named after topic.prefix when
// include.schema.changes is true, keyed by database name.
import { Schemas, Struct, type Schema } from '../../records/schema.js';

const COLUMN_SCHEMA: Schema = Schemas.struct([
  ['name', Schemas.string()],
  ['jdbcType', Schemas.int32()],
  ['nativeType', Schemas.int32({ optional: true })],
  ['typeName', Schemas.string()],
  ['typeExpression', Schemas.string({ optional: true })],
  ['charsetName', Schemas.string({ optional: true })],
  ['length', Schemas.int32({ optional: true })],
  ['scale', Schemas.int32({ optional: true })],
  ['position', Schemas.int32()],
  ['optional', Schemas.boolean({ optional: true })],
  ['autoIncremented', Schemas.boolean({ optional: true })],
  ['generated', Schemas.boolean({ optional: true })],
  ['comment', Schemas.string({ optional: true })],
  ['defaultValueExpression', Schemas.string({ optional: true })],
  ['enumValues', Schemas.array(Schemas.string(), { optional: true })],
], { name: 'io.debezium.connector.schema.Column', version: 1 });

const TABLE_SCHEMA: Schema = Schemas.struct([
  ['defaultCharsetName', Schemas.string({ optional: true })],
  ['primaryKeyColumnNames', Schemas.array(Schemas.string(), { optional: true })],
  ['columns', Schemas.array(COLUMN_SCHEMA)],
  ['comment', Schemas.string({ optional: true })],
], { name: 'io.debezium.connector.schema.Table', version: 1, optional: true });

const CHANGE_SCHEMA: Schema = Schemas.struct([
  ['type', Schemas.string()],
  ['id', Schemas.string()],
  ['table', TABLE_SCHEMA],
], { name: 'io.debezium.connector.schema.Change', version: 1 });

/** java.sql.Types codes Debezium writes as jdbcType. */
export const JdbcTypes = {
  BIT: -7, TINYINT: -6, SMALLINT: 5, INTEGER: 4, BIGINT: -5, FLOAT: 6, REAL: 7, DOUBLE: 8, NUMERIC: 2, DECIMAL: 3,
  CHAR: 1, VARCHAR: 12, LONGVARCHAR: -1, DATE: 91, TIME: 92, TIMESTAMP: 93, BINARY: -2, VARBINARY: -3, LONGVARBINARY: -4,
  BLOB: 2004, CLOB: 2005, BOOLEAN: 16, TIMESTAMP_WITH_TIMEZONE: 2014, OTHER: 1111,
} as const;

export interface SchemaChangeColumn {
  name: string;
  jdbcType: number;
  typeName: string;
  typeExpression?: string | null;
  charsetName?: string | null;
  length?: number | null;
  scale?: number | null;
  /** 1-based. */
  position: number;
  optional: boolean;
  autoIncremented?: boolean;
  generated?: boolean;
  comment?: string | null;
  defaultValueExpression?: string | null;
  enumValues?: string[] | null;
}

export interface TableChange {
  type: 'CREATE' | 'ALTER' | 'DROP';
  /** Debezium's quoted table id, e.g. "inventory"."customers". */
  id: string;
  table: {
    defaultCharsetName?: string | null;
    primaryKeyColumnNames: string[];
    columns: SchemaChangeColumn[];
    comment?: string | null;
  } | null;
}

/** `io.debezium.connector.<connector>.SchemaChangeKey` {databaseName}. */
export function schemaChangeKeySchema(connector: string): Schema {
  return Schemas.struct([['databaseName', Schemas.string()]], { name: `io.debezium.connector.${connector}.SchemaChangeKey`, version: 1 });
}

/** `io.debezium.connector.<connector>.SchemaChangeValue`: source, ts_ms, databaseName, schemaName, ddl, tableChanges. */
export function schemaChangeValueSchema(connector: string, sourceSchema: Schema): Schema {
  return Schemas.struct([
    ['source', sourceSchema],
    ['ts_ms', Schemas.int64()],
    ['databaseName', Schemas.string({ optional: true })],
    ['schemaName', Schemas.string({ optional: true })],
    ['ddl', Schemas.string({ optional: true })],
    ['tableChanges', Schemas.array(CHANGE_SCHEMA)],
  ], { name: `io.debezium.connector.${connector}.SchemaChangeValue`, version: 1 });
}

function put(s: Struct, values: Record<string, unknown>): Struct {
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) s.put(k, v);
  return s;
}

export interface SchemaChangeEvent {
  keySchema: Schema;
  key: Struct;
  valueSchema: Schema;
  value: Struct;
}

/** One schema change event (a DDL statement and the table structures it leaves). */
export function schemaChangeEvent(connector: string, sourceSchema: Schema, e: {
  source: Struct; tsMs: number; databaseName: string; schemaName?: string | null; ddl: string; tableChanges: TableChange[];
}): SchemaChangeEvent {
  const keySchema = schemaChangeKeySchema(connector);
  const valueSchema = schemaChangeValueSchema(connector, sourceSchema);
  const changes = e.tableChanges.map((c) => put(new Struct(CHANGE_SCHEMA), {
    type: c.type,
    id: c.id,
    table: c.table && put(new Struct(TABLE_SCHEMA), {
      defaultCharsetName: c.table.defaultCharsetName,
      primaryKeyColumnNames: c.table.primaryKeyColumnNames,
      columns: c.table.columns.map((col) => put(new Struct(COLUMN_SCHEMA), { ...col })),
      comment: c.table.comment,
    }),
  }));
  return {
    keySchema,
    key: new Struct(keySchema, { databaseName: e.databaseName }),
    valueSchema,
    value: put(new Struct(valueSchema), { source: e.source, ts_ms: e.tsMs, databaseName: e.databaseName, schemaName: e.schemaName, ddl: e.ddl, tableChanges: changes }),
  };
}
