import type { Schema } from '../../records/schema.js';

// What differs from one database to the next, for the JDBC source and sink: identifier quoting,
// the URL scheme, DDL column types and the upsert statement. One implementation per database
// (mysql.ts), listed in dialects.ts; everything else in src/connectors/jdbc* is written against this.

export interface TableRef {
  /** The database (JDBC catalog) */
  db: string;
  table: string;
}

/** A column the sink creates or adds (auto.create / auto.evolve). */
export interface DdlColumn {
  name: string;
  /** null for schemaless values: no type to create a column with. */
  schema: Schema | null;
  primaryKey: boolean;
}

export interface JdbcDialect {
  /** Kafka Connect's dialect.name (e.g. MySqlDatabaseDialect). */
  readonly name: string;
  /** The sub-protocols of its JDBC URLs, lower case: jdbc:<scheme>://host:port/db. */
  readonly urlSchemes: readonly string[];
  /** The port a URL host without one gets. */
  readonly defaultPort: number;
  /** One identifier, quoted so that no name can break or extend a statement. */
  quoteId(name: string): string;
  /** A table qualified by its database, both quoted. */
  quoteTable(t: TableRef): string;
  /**
   * Splits a list of possibly quoted, possibly qualified names at the commas outside quotes, and
   * each name at its dots, unquoting: how users write table lists and table.name.format.
   */
  parseQualifiedList(text: string): string[][];
  /** The column type CREATE/ALTER TABLE gives a field; DataError when the database has none for it. */
  columnType(c: DdlColumn): string;
  /**
   * The statement that inserts rows or, where their key exists, updates the non-key columns:
   * `insertSql` is the multi-row INSERT of keyFields then nonKeyFields, values bound.
   */
  upsertSql(insertSql: string, keyFields: string[], nonKeyFields: string[]): string;
}

/** A column qualified by its table, as Kafka Connect JDBC writes it in table mode. */
export function quoteColumn(dialect: JdbcDialect, column: string, table?: TableRef): string {
  return table ? `${dialect.quoteTable(table)}.${dialect.quoteId(column)}` : dialect.quoteId(column);
}

/** db.table without quotes: the source partition's table name and a whitelist form. */
export function unquotedName(t: TableRef): string {
  return `${t.db}.${t.table}`;
}

/** Reads a list of db.table names in a dialect's quoting; a bare name is in defaultDb. */
export function parseTableList(dialect: JdbcDialect, text: string, defaultDb: string | null): TableRef[] {
  return dialect.parseQualifiedList(text).map((parts) => {
    if (parts.length === 1 && defaultDb !== null) return { db: defaultDb, table: parts[0] };
    if (parts.length === 2) return { db: parts[0], table: parts[1] };
    throw new Error(`Cannot read table name ${JSON.stringify(parts.join('.'))}: expected db.table`);
  });
}
