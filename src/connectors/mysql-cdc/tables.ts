// The captured tables' structures, read from information_schema (at the snapshot, at start, and
// again after a DDL statement in the binlog), with their Debezium schemas.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Schema } from '../../records/schema.js';
import { tableSchemas, type TableSchemas } from '../debezium/envelope.js';
import { JdbcTypes, type TableChange } from '../debezium/schema-change.js';
import { enumValues, mapColumn, type ColumnInfo, type MappedColumn, type TypeOptions } from './columns.js';
import type { Filters } from './config.js';

export interface CapturedTable {
  db: string;
  table: string;
  /** Every column of the table, in order (for schema change events). */
  all: ColumnInfo[];
  /** The captured columns (column.exclude.list applied; key columns always kept). */
  columns: MappedColumn[];
  keyColumns: string[];
  schemas: TableSchemas;
  charset: string | null;
  comment: string;
  /** SHOW CREATE TABLE, read at the snapshot for its schema change events. */
  createStatement?: string;
}

export const tableId = (db: string, table: string) => `${db}.${table}`;

export interface CatalogOptions {
  topicPrefix: string;
  filters: Filters;
  types: TypeOptions;
  sourceSchema: Schema;
}

const COLUMNS_SQL = `SELECT c.TABLE_SCHEMA AS db, c.TABLE_NAME AS tbl, c.COLUMN_NAME AS name, c.DATA_TYPE AS dataType, c.COLUMN_TYPE AS columnType,
  c.IS_NULLABLE AS nullable, COALESCE(c.NUMERIC_PRECISION, c.CHARACTER_MAXIMUM_LENGTH) AS len, c.NUMERIC_SCALE AS scale,
  c.DATETIME_PRECISION AS dtp, c.ORDINAL_POSITION AS pos, c.CHARACTER_SET_NAME AS charset, c.EXTRA AS extra, c.COLUMN_COMMENT AS comment,
  c.COLUMN_DEFAULT AS dflt, t.TABLE_COLLATION AS tcoll, t.TABLE_COMMENT AS tcomment
  FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
  WHERE t.TABLE_TYPE = 'BASE TABLE' AND c.TABLE_SCHEMA NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema')`;
const KEYS_SQL = `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS tbl, COLUMN_NAME AS name FROM information_schema.STATISTICS
  WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema')`;

/** Reads the structure of every captured table, or of the one table given. */
export async function readCatalog(conn: Connection, o: CatalogOptions, only?: { db: string; table: string }): Promise<Map<string, CapturedTable>> {
  const where = only ? ' AND c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ?' : '';
  const keyWhere = only ? ' AND TABLE_SCHEMA = ? AND TABLE_NAME = ?' : '';
  const params = only ? [only.db, only.table] : [];
  const [cols] = await conn.query<RowDataPacket[]>(`${COLUMNS_SQL}${where} ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`, params);
  const [keys] = await conn.query<RowDataPacket[]>(`${KEYS_SQL}${keyWhere} ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX`, params);
  const keyCols = new Map<string, string[]>();
  for (const k of keys) {
    const id = tableId(k.db, k.tbl);
    keyCols.set(id, [...(keyCols.get(id) ?? []), k.name]);
  }
  const grouped = new Map<string, { db: string; table: string; infos: ColumnInfo[]; charset: string | null; comment: string }>();
  for (const c of cols) {
    if (!o.filters.table(c.db, c.tbl)) continue;
    const id = tableId(c.db, c.tbl);
    let g = grouped.get(id);
    if (!g) grouped.set(id, (g = { db: c.db, table: c.tbl, infos: [], charset: c.tcoll ? String(c.tcoll).split('_')[0]! : null, comment: c.tcomment ?? '' }));
    const extra = String(c.extra ?? '').toLowerCase();
    g.infos.push({
      name: c.name, dataType: String(c.dataType).toLowerCase(), columnType: c.columnType, nullable: c.nullable === 'YES',
      length: c.len === null ? null : Number(c.len), scale: c.scale === null ? null : Number(c.scale),
      datetimePrecision: c.dtp === null ? null : Number(c.dtp), position: Number(c.pos), charset: c.charset ?? null,
      autoIncrement: extra.includes('auto_increment'), generated: extra.includes('generated') || extra.includes('virtual') || extra.includes('persistent'),
      comment: c.comment ?? '', defaultExpression: c.dflt ?? null,
    });
  }
  const out = new Map<string, CapturedTable>();
  for (const [id, g] of grouped) {
    const keyColumns = keyCols.get(id) ?? [];
    const columns = g.infos
      .filter((i) => keyColumns.includes(i.name) || o.filters.column(g.db, g.table, i.name))
      .map((i) => mapColumn(i, o.types));
    const schemas = tableSchemas({
      topic: `${o.topicPrefix}.${g.db}.${g.table}`,
      columns: columns.map((c) => ({ name: c.info.name, schema: c.schema })),
      keyColumns,
      sourceSchema: o.sourceSchema,
    });
    out.set(id, { db: g.db, table: g.table, all: g.infos, columns, keyColumns, schemas, charset: g.charset, comment: g.comment });
  }
  return out;
}

/**
 * The table as rows written before its current structure see it: only the captured columns the
 * binlog row carries (binlog_row_metadata=FULL names them). A task resumed at a position before an
 * ALTER TABLE ... ADD COLUMN reads the new structure from information_schema; the older rows have
 * no such column, and their events must not claim one.
 */
export function narrowedTo(t: CapturedTable, present: ReadonlySet<string>, o: CatalogOptions): CapturedTable {
  const columns = t.columns.filter((c) => present.has(c.info.name));
  const keyColumns = t.keyColumns.filter((k) => present.has(k));
  const schemas = tableSchemas({
    topic: t.schemas.topic,
    columns: columns.map((c) => ({ name: c.info.name, schema: c.schema })),
    keyColumns,
    sourceSchema: o.sourceSchema,
  });
  return { ...t, columns, keyColumns, schemas };
}

const JDBC_TYPE: Record<string, number> = {
  bit: JdbcTypes.BIT, tinyint: JdbcTypes.SMALLINT, smallint: JdbcTypes.SMALLINT, mediumint: JdbcTypes.INTEGER, int: JdbcTypes.INTEGER,
  integer: JdbcTypes.INTEGER, bigint: JdbcTypes.BIGINT, float: JdbcTypes.REAL, double: JdbcTypes.DOUBLE, real: JdbcTypes.DOUBLE,
  decimal: JdbcTypes.DECIMAL, numeric: JdbcTypes.NUMERIC, char: JdbcTypes.CHAR, varchar: JdbcTypes.VARCHAR, tinytext: JdbcTypes.VARCHAR,
  text: JdbcTypes.VARCHAR, mediumtext: JdbcTypes.VARCHAR, longtext: JdbcTypes.VARCHAR, date: JdbcTypes.DATE, time: JdbcTypes.TIME,
  datetime: JdbcTypes.TIMESTAMP, timestamp: JdbcTypes.TIMESTAMP_WITH_TIMEZONE, year: JdbcTypes.INTEGER, binary: JdbcTypes.BINARY,
  varbinary: JdbcTypes.VARBINARY, tinyblob: JdbcTypes.BLOB, blob: JdbcTypes.BLOB, mediumblob: JdbcTypes.BLOB, longblob: JdbcTypes.BLOB,
  enum: JdbcTypes.CHAR, set: JdbcTypes.CHAR, json: JdbcTypes.OTHER,
};

/** The table's structure as a schema change event's tableChanges entry. */
export function tableChange(type: TableChange['type'], t: CapturedTable | { db: string; table: string }): TableChange {
  const id = `"${t.db}"."${t.table}"`;
  if (type === 'DROP' || !('all' in t)) return { type, id, table: null };
  return {
    type,
    id,
    table: {
      defaultCharsetName: t.charset,
      primaryKeyColumnNames: t.keyColumns,
      comment: t.comment || null,
      columns: t.all.map((c) => {
        const unsigned = /\bunsigned\b/i.test(c.columnType);
        const typeName = `${c.dataType.toUpperCase()}${unsigned ? ' UNSIGNED' : ''}`;
        const isEnum = c.dataType === 'enum' || c.dataType === 'set';
        return {
          name: c.name, jdbcType: JDBC_TYPE[c.dataType] ?? JdbcTypes.OTHER, typeName, typeExpression: typeName, charsetName: c.charset,
          length: isEnum ? 1 : c.length ?? (c.datetimePrecision || null), scale: c.scale, position: c.position, optional: c.nullable,
          autoIncremented: c.autoIncrement, generated: c.generated, comment: c.comment || null, defaultValueExpression: c.defaultExpression,
          enumValues: isEnum ? enumValues(c.columnType) : null,
        };
      }),
    },
  };
}
