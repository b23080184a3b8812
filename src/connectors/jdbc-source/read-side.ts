import type { Db, ResultColumn } from '../jdbc/connection.js';
import type { JdbcDialect, TableRef } from '../jdbc/dialect.js';
import type { PgColumn } from '../jdbc/postgres-session.js';
import type { JdbcSourceConfig } from './config.js';
import { isIntegral, mapPgColumn, temporalKind } from './postgres-types.js';
import { listTablesQuery } from './queries.js';
import { columnMetaFromField, FLAG, isNullable, mapColumn, T, type ColumnMapping, type MappingOptions } from './types.js';

// The source's read side per database: what a result column is (for the offset columns' checks),
// its Connect schema and values, the database clock, and which tables exist. Keyed by the
// dialect's name (the shared JdbcDialect knows nothing of the source).

/** What the source checks about a column before using it for offsets. */
export interface ReadColumn {
  name: string;
  nullable: boolean;
  autoIncrement: boolean;
  /** An integer column (or a decimal of scale 0): fit for incrementing.column.name. */
  integral: boolean;
  /** instant: compared in UTC (TIMESTAMP, timestamptz); wall: in db.timezone (DATETIME, timestamp, DATE). */
  temporal: 'instant' | 'wall' | null;
}

export interface ReadSide {
  column(c: ResultColumn): ReadColumn;
  map(c: ResultColumn, o: MappingOptions): ColumnMapping | null;
  /** The database's clock as UTC wall-clock text, in a column named now. */
  readonly currentTimeQuery: string;
  /** Every table (of the table types) the connection may copy, in name order, before the filters. */
  listTables(db: Db, database: string, cfg: Pick<JdbcSourceConfig, 'table.types' | 'schema.pattern'>): Promise<TableRef[]>;
}

type MySqlField = Parameters<typeof columnMetaFromField>[0];

const mysqlReadSide: ReadSide = {
  column(c) {
    const meta = columnMetaFromField(c as MySqlField);
    const integral = ([T.TINY, T.SHORT, T.INT24, T.LONG, T.LONGLONG] as number[]).includes(meta.type)
      || ((meta.type === T.NEWDECIMAL || meta.type === T.DECIMAL) && meta.decimals === 0);
    const temporal = meta.type === T.TIMESTAMP || meta.type === T.TIMESTAMP2 ? 'instant'
      : ([T.DATETIME, T.DATETIME2, T.DATE, T.NEWDATE] as number[]).includes(meta.type) ? 'wall' : null;
    return { name: meta.name, nullable: isNullable(meta), autoIncrement: (Number((c as MySqlField).flags) & FLAG.AUTO_INCREMENT) !== 0, integral, temporal };
  },
  map: (c, o) => mapColumn(columnMetaFromField(c as MySqlField), o),
  currentTimeQuery: 'SELECT UTC_TIMESTAMP(6) AS now',
  async listTables(db, database, cfg) {
    const q = listTablesQuery(database, cfg['table.types']);
    const { rows } = await db.query(q.sql, q.params);
    return rows
      .map((r) => ({ db: database, table: String(r.TABLE_NAME ?? Object.values(r)[0]) }))
      .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
  },
};

/** pg_class.relkind per JDBC table type, as PgJDBC's getTables reports them. */
const PG_RELKINDS: Record<string, string[]> = { TABLE: ['r'], VIEW: ['v'] };

const postgresReadSide: ReadSide = {
  column(c) {
    const p = c as PgColumn;
    return { name: p.name, nullable: !p.notNull, autoIncrement: p.autoIncrement, integral: isIntegral(p), temporal: temporalKind(p) };
  },
  map: (c, o) => mapPgColumn(c as PgColumn, o),
  currentTimeQuery: "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS now",
  async listTables(db, _database, cfg) {
    const kinds = [...new Set(cfg['table.types'].flatMap((t) => PG_RELKINDS[t.trim().toUpperCase()] ?? []))];
    if (kinds.length === 0) return [];
    // Like PgJDBC's getTables: user schemas only; schema.pattern is a LIKE pattern (null: every schema).
    const pattern = cfg['schema.pattern'];
    const { rows } = await db.query(
      'SELECT n.nspname AS table_schema, c.relname AS table_name FROM pg_catalog.pg_class c '
      + 'JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace '
      + "WHERE c.relkind::text = ANY(?::text[]) AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      + "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
      + (pattern !== undefined ? ' AND n.nspname LIKE ?' : '')
      + ' ORDER BY n.nspname, c.relname',
      pattern !== undefined ? [kinds, pattern] : [kinds],
    );
    return rows.map((r) => ({ db: String(r.table_schema), table: String(r.table_name) }));
  },
};

const READ_SIDES: Record<string, ReadSide> = {
  MySqlDatabaseDialect: mysqlReadSide,
  PostgreSqlDatabaseDialect: postgresReadSide,
};

export function readSideFor(dialect: JdbcDialect): ReadSide {
  const r = READ_SIDES[dialect.name];
  if (!r) throw new Error(`The JDBC source has no read side for ${dialect.name}`);
  return r;
}
