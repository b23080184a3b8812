import type { Mode } from './config.js';
import { quoteColumn, type JdbcDialect, type TableRef } from '../jdbc/dialect.js';

// The statements of Kafka Connect JDBC (TimestampIncrementingCriteria), quoted by the dialect.
// Identifiers are quoted; every value (offsets, time bounds) is a ? parameter. The user's own
// `query` and `query.suffix` are SQL by definition and are used as written, as in Connect.

export type QuerySource = { table: TableRef } | { query: string };

export interface QuerySpec {
  mode: Mode;
  source: QuerySource;
  /** Resolved incrementing column (modes incrementing, timestamp+incrementing). */
  incrementingColumn?: string;
  /** Timestamp columns; several are combined with COALESCE. */
  timestampColumns?: string[];
  suffix?: string;
}

export function buildQuery(dialect: JdbcDialect, spec: QuerySpec): string {
  const table = 'table' in spec.source ? spec.source.table : undefined;
  const col = (name: string) => quoteColumn(dialect, name, table);
  let sql = table ? `SELECT * FROM ${dialect.quoteTable(table)}` : (spec as { source: { query: string } }).source.query;

  const ts = () => {
    const cols = spec.timestampColumns ?? [];
    if (cols.length === 0) throw new Error(`mode ${spec.mode} needs timestamp columns`);
    return cols.length === 1 ? col(cols[0]) : `COALESCE(${cols.map(col).join(',')})`;
  };
  const inc = () => {
    if (!spec.incrementingColumn) throw new Error(`mode ${spec.mode} needs an incrementing column`);
    return col(spec.incrementingColumn);
  };

  switch (spec.mode) {
    case 'bulk':
      break;
    case 'incrementing':
      sql += ` WHERE ${inc()} > ? ORDER BY ${inc()} ASC`;
      break;
    case 'timestamp':
      sql += ` WHERE ${ts()} > ? AND ${ts()} < ? ORDER BY ${ts()} ASC`;
      break;
    case 'timestamp+incrementing':
      sql += ` WHERE ${ts()} < ? AND ((${ts()} = ? AND ${inc()} > ?) OR ${ts()} > ?) ORDER BY ${ts()},${inc()} ASC`;
      break;
  }
  const suffix = (spec.suffix ?? '').trim();
  if (suffix !== '') sql += ` ${suffix}`;
  return sql;
}

export interface QueryBounds {
  /** Last incrementing value read; Connect starts at -1. */
  lastIncrementing: bigint;
  /** Wall-clock text (db.timezone) of the last committed timestamp. */
  begin: string;
  /** Wall-clock text (db.timezone) of DB time now minus timestamp.delay.interval.ms. */
  end: string;
}

/** Parameters in the order of the placeholders buildQuery wrote. */
export function queryParams(mode: Mode, b: QueryBounds): unknown[] {
  switch (mode) {
    case 'bulk':
      return [];
    case 'incrementing':
      return [b.lastIncrementing];
    case 'timestamp':
      return [b.begin, b.end];
    case 'timestamp+incrementing':
      return [b.end, b.begin, b.lastIncrementing, b.begin];
  }
}

/** JDBC table types to MySQL's information_schema.TABLES.TABLE_TYPE values. */
const TABLE_TYPES: Record<string, string[]> = {
  TABLE: ['BASE TABLE', 'SYSTEM VERSIONED'],
  VIEW: ['VIEW'],
  'SYSTEM TABLE': ['SYSTEM VIEW'],
};

export function listTablesQuery(db: string, tableTypes: string[]): { sql: string; params: unknown[] } {
  const types = [...new Set(tableTypes.flatMap((t) => TABLE_TYPES[t.trim().toUpperCase()] ?? []))];
  if (types.length === 0) return { sql: 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE 1 = 0', params: [] };
  return {
    sql: `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN (${types.map(() => '?').join(', ')}) ORDER BY TABLE_NAME`,
    params: [db, ...types],
  };
}
