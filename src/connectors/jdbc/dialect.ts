import type { Schema } from '../../records/schema.js';
import type { ConnectionSettings, Db } from './connection.js';
import type { JdbcUrl } from './url.js';

// What differs from one database to the next, for the JDBC source and sink: the driver session,
// what its server errors mean, identifier quoting, the URL scheme, DDL column types, the upsert
// statement and how a write session is set up. One implementation per database (mysql.ts,
// postgres.ts), listed in dialects.ts; everything else in src/connectors/jdbc* is written against
// this. The source's read side (result column types, table listing) is keyed by dialect name in
// src/connectors/jdbc-source/read-side.ts.

export interface TableRef {
  /**
   * What qualifies the table: MySQL's database (the JDBC catalog), PostgreSQL's schema (a
   * PostgreSQL connection sees one database; Confluent's TableId then has no catalog).
   */
  db: string;
  table: string;
}

/** What a server error means for the JDBC source and sink. */
export interface ServerError {
  /**
   * config: a retry cannot fix it (credentials, grants, unknown objects, bad SQL);
   * data: the row's values (constraint, type, range): that record fails, not the batch;
   * schema-changed: a table or column went away after we looked;
   * duplicate-column: ALTER TABLE ADD raced with another task's;
   * ddl-data: CREATE/ALTER refused for the records' fields (names, types, defaults);
   * other: anything else (retried).
   */
  kind: 'config' | 'data' | 'schema-changed' | 'duplicate-column' | 'ddl-data' | 'other';
  /** The server's message. */
  message: string;
  /** The config key to fix, when one is to blame (connection.password, connection.url). */
  key?: string;
}

/** How a write session is bounded: statement sizes and bound values per statement. */
export interface WriteLimits {
  /** Bytes one record may take in a statement. */
  maxRowBytes: number;
  /** Bytes a multi-row statement is cut at. */
  maxStatementBytes: number;
  /** Bound values one statement may carry. */
  maxParams: number;
}

/** How a sink binds a Date into an existing column of this DATA_TYPE (information_schema, lower case). */
export type TemporalColumn = 'instant' | 'wall' | 'date' | 'time' | null;

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
  /** Opens one session on one host (connection.ts tries the URL's hosts and attempts). */
  connect(s: ConnectionSettings, host: string, port: number): Promise<Db>;
  /** What a driver error means, or undefined when it is not this driver's server error. */
  serverError(e: unknown): ServerError | undefined;
  /** What an unqualified table name is in: MySQL the URL's database, PostgreSQL a schema. */
  defaultNamespace(url: JdbcUrl): string | null;
  /** Sets up a sink's write session (strict modes) and says how big its statements may be. */
  prepareWriteSession(db: Db): Promise<WriteLimits>;
  /**
   * True when a failed statement aborts the whole transaction (PostgreSQL): the sink then runs
   * each statement under a savepoint, so that rejecting one record keeps the others.
   */
  readonly failedStatementAbortsTransaction: boolean;
  /** How a column of this information_schema DATA_TYPE takes a Date value. */
  temporalColumn(dataType: string): TemporalColumn;
  /**
   * True when one multi-row upsert may not touch a key twice (PostgreSQL's ON CONFLICT DO UPDATE):
   * the sink then starts a new statement where a key repeats.
   */
  readonly upsertKeysUniquePerStatement: boolean;
  /**
   * A value as an SQL literal, for dialects whose DDL takes no bound values (PostgreSQL): column
   * DEFAULTs are then written inline. Absent: DEFAULT ? is bound.
   */
  literal?(v: unknown): string;
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

/**
 * Splits a list of possibly quoted, possibly qualified names at the commas outside quotes, and
 * each name at its dots, unquoting (a doubled quote inside quotes is one): the dialects'
 * parseQualifiedList with their quote character.
 */
export function splitQualifiedList(text: string, quote: string): string[][] {
  const out: string[][] = [];
  let parts: string[] = [];
  let cur = '';
  let quoted = false;
  let sawQuote = false;
  const endPart = () => {
    parts.push(sawQuote ? cur : cur.trim());
    cur = '';
    sawQuote = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === quote && text[i + 1] === quote) { cur += quote; i++; }
      else if (ch === quote) quoted = false;
      else cur += ch;
    } else if (ch === quote) {
      quoted = true;
      sawQuote = true;
      cur = '';
    } else if (ch === '.') {
      endPart();
    } else if (ch === ',') {
      endPart();
      if (parts.some((p) => p !== '')) out.push(parts);
      parts = [];
    } else if (!sawQuote) {
      cur += ch;
    }
  }
  if (quoted) throw new Error(`Unterminated ${quote === '`' ? 'backtick' : 'quote'} in ${JSON.stringify(text)}`);
  endPart();
  if (parts.some((p) => p !== '')) out.push(parts);
  return out;
}
