import type { Readable } from 'node:stream';
import mysql from 'mysql2';
import { ISOLATION_SQL, type ConnectionSettings, type Db, type ResultColumn, type Row } from './connection.js';

// A MariaDB/MySQL session over mysql2 (the MySQL dialect's driver).

export type Field = mysql.FieldPacket;

export class MySqlSession implements Db {
  private closed = false;

  private constructor(readonly conn: mysql.Connection) {
    // A dropped connection emits 'error' with no command to receive it; it must not crash the worker.
    conn.on('error', () => { this.closed = true; });
  }

  get usable(): boolean {
    return !this.closed;
  }

  static async connect(s: ConnectionSettings, host: string, port: number): Promise<Db> {
    const p = s.url.params;
    const sslMode = (p.sslMode ?? (p.useSSL === 'true' || p.requireSSL === 'true' ? 'REQUIRED' : '')).toUpperCase();
    const conn = mysql.createConnection({
      host,
      port,
      user: s.user,
      password: s.password,
      database: s.url.database ?? undefined,
      connectTimeout: p.connectTimeout ? Number(p.connectTimeout) : 10_000,
      // Exact text for DECIMAL/BIGINT/date-times: types.ts converts without losing precision.
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      jsonStrings: true,
      // One statement per query, whatever a config holds: a `;` can never start a second one.
      multipleStatements: false,
      // mysql2's own formatting, except that a statement without values is sent as it is: it
      // scanned the whole text for placeholders (a sink's statements carry their values inline).
      queryFormat(this: mysql.Connection, sql: string, values: unknown) {
        return Array.isArray(values) && values.length === 0 ? sql : mysql.format(sql, values as Parameters<typeof mysql.format>[1], this.config.stringifyObjects, this.config.timezone);
      },
      ...(sslMode && sslMode !== 'DISABLED' && sslMode !== 'PREFERRED'
        ? { ssl: { rejectUnauthorized: sslMode === 'VERIFY_CA' || sslMode === 'VERIFY_IDENTITY' } }
        : {}),
    });
    const db = new MySqlSession(conn);
    try {
      await new Promise<void>((resolve, reject) => conn.connect((e) => (e ? reject(e) : resolve())));
      // TIMESTAMP columns then arrive as UTC wall-clock; DATETIME columns are never converted
      // by the server and are read in db.timezone by types.ts.
      await db.query("SET time_zone = '+00:00'");
      const level = ISOLATION_SQL[s.isolation];
      if (level) await db.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${level}`);
      // Every later statement of the session, autocommitted or not, runs in a read-only transaction.
      if (s.readOnly) await db.query('SET SESSION TRANSACTION READ ONLY');
      return db;
    } catch (e) {
      db.destroy();
      throw e;
    }
  }

  query(sql: string, params: unknown[] = []): Promise<{ rows: Row[]; fields: ResultColumn[] }> {
    return new Promise((resolve, reject) => {
      this.conn.query({ sql, values: params }, (e, rows, fields) => {
        if (e) reject(e);
        else resolve({ rows: rows as Row[], fields: (fields ?? []) as ResultColumn[] });
      });
    });
  }

  inline(value: unknown): string {
    return inlineValue(value, this.conn.config.timezone);
  }

  /** Column metadata of a statement without running it (COM_STMT_PREPARE). */
  describe(sql: string): Promise<ResultColumn[]> {
    return new Promise((resolve, reject) => {
      this.conn.prepare(sql, (e, stmt) => {
        if (e) return reject(e);
        const cols = (stmt as unknown as { columns?: Field[] }).columns ?? [];
        stmt.close();
        resolve(cols);
      });
    });
  }

  /** Runs a query whose rows are pulled one by one (the server streams; memory stays bounded). */
  stream(sql: string, params: unknown[], highWaterMark: number): RowCursor {
    return new RowCursor(this.conn, this.conn.query({ sql, values: params }), highWaterMark);
  }

  destroy(): void {
    this.closed = true;
    this.conn.destroy();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.conn.end(() => resolve()));
  }
}

/**
 * A bound value as mysql2's query formatting writes it into the statement text (its escaping,
 * which needs a session without NO_BACKSLASH_ESCAPES; the sink's write session ensures that).
 */
export function inlineValue(value: unknown, timezone: string | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'number': case 'bigint': return `${value}`;
    case 'boolean': return value ? 'true' : 'false';
    default: return mysql.escape(value as Parameters<typeof mysql.escape>[0], false, timezone);
  }
}

/** An open result set read row by row, like a JDBC ResultSet. */
export class RowCursor {
  private fields: Field[] | null = null;
  private readonly stream: Readable;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private done = false;

  constructor(conn: mysql.Connection, query: mysql.Query, highWaterMark: number) {
    query.on('fields', (f: Field[]) => { this.fields = f; });
    this.stream = query.stream({ highWaterMark });
    const poke = () => { const w = this.wake; this.wake = null; w?.(); };
    // mysql2 reports a lost connection to the connection only when the running query has no
    // callback (ours has none, so rows are not buffered): pass it on, or next() waits forever.
    const onLost = (e: Error) => this.stream.destroy(e);
    conn.once('error', onLost);
    this.stream.once('close', () => conn.removeListener('error', onLost));
    this.stream.on('readable', poke);
    this.stream.once('end', () => { this.ended = true; poke(); });
    this.stream.once('error', (e: Error) => { this.failure = e; poke(); });
  }

  /** Result columns; known once the first row (or the end) was read. */
  get columns(): ResultColumn[] | null {
    return this.fields;
  }

  get exhausted(): boolean {
    return this.done;
  }

  async next(): Promise<Row | null> {
    // Rows already received are taken synchronously; we only wait when the buffer is empty.
    for (;;) {
      const r = this.nextNow();
      if (r !== undefined) return r;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  nextNow(): Row | null | undefined {
    if (this.done) return null;
    if (this.failure) throw this.failure;
    const r = this.stream.read() as Row | null;
    if (r !== null) return r;
    if (this.ended) {
      this.done = true;
      return null;
    }
    return undefined;
  }
}

