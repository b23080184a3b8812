import type { Readable } from 'node:stream';
import mysql from 'mysql2';
import { ConfigError, ConnectError, isProgrammerError, RetriableError } from '../../errors.js';
import type { PluginLogger } from '../types.js';
import type { JdbcDialect } from './dialect.js';
import { configDialect, type IsolationMode, type jdbcConnectionKeys } from './keys.js';
import { parseJdbcUrl, redactJdbcUrl, type JdbcUrl } from './url.js';
import type { ConfigOf } from '../../config/define.js';

// One MariaDB/MySQL session, opened with connection.attempts / connection.backoff.ms, and the
// classification of its errors into RetriableError (try again later) and ConfigError (won't help).

export type Row = Record<string, unknown>;
export type Field = mysql.FieldPacket;

/** Server errors a retry cannot fix: credentials, grants, unknown objects, bad SQL. */
const CONFIG_ERRNOS = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1049, // ER_BAD_DB_ERROR
  1054, // ER_BAD_FIELD_ERROR
  1064, // ER_PARSE_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1146, // ER_NO_SUCH_TABLE
  1149, // ER_SYNTAX_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1251, // ER_NOT_SUPPORTED_AUTH_MODE
  1052, // ER_NON_UNIQ_ERROR (ambiguous column)
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
  1862, // ER_MUST_CHANGE_PASSWORD_LOGIN
  1792, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (a write in the source's read-only session)
]);

/** Turns a mysql2 error into our classification; `what` says what we were doing. */
export function classifyError(e: unknown, what: string): Error {
  // Already classified (ConfigError, RetriableError, DataError), or a bug: never retried as I/O.
  if (e instanceof ConnectError || isProgrammerError(e)) return e as Error;
  const err = e as { errno?: number; code?: string; message?: string; sqlMessage?: string };
  if (typeof err.code !== 'string' && typeof err.errno !== 'number') return e instanceof Error ? e : new Error(String(e));
  const message = `${what}: ${err.sqlMessage ?? err.message ?? String(e)}`;
  if (typeof err.errno === 'number' && CONFIG_ERRNOS.has(err.errno)) {
    const k = err.errno === 1045 || err.errno === 1698 ? 'connection.password' : err.errno === 1049 ? 'connection.url' : undefined;
    return new ConfigError(message, k ? [{ key: k, message }] : [], { cause: e });
  }
  // Everything else (refused, reset, timeouts, lost connection, lock waits, server shutdown)
  // may pass; Connect retries SQL errors the same way.
  return new RetriableError(message, { cause: e });
}

export interface ConnectionSettings {
  url: JdbcUrl;
  /** dialect.name's, or else the one the URL's scheme picks. */
  dialect: JdbcDialect;
  urlText: string;
  user: string | undefined;
  password: string | undefined;
  attempts: number;
  backoffMs: number;
  isolation: IsolationMode;
  /** The session refuses every write and DDL (SET SESSION TRANSACTION READ ONLY): the source's sessions. */
  readOnly: boolean;
}

/** The keys a connection needs; the sink passes its own config, which has all but the isolation mode. */
export type ConnectionKeys = Pick<ConfigOf<typeof jdbcConnectionKeys>, 'connection.url' | 'connection.user' | 'connection.password' | 'connection.attempts' | 'connection.backoff.ms'>
  & { 'dialect.name'?: string; 'transaction.isolation.mode'?: IsolationMode };

export function connectionSettings(cfg: ConnectionKeys, opts: { readOnly?: boolean } = {}): ConnectionSettings {
  const url = parseJdbcUrl(cfg['connection.url']);
  return {
    url,
    dialect: configDialect(cfg),
    urlText: redactJdbcUrl(cfg['connection.url']),
    // The connector keys win over URL parameters: they are where secrets are managed.
    user: cfg['connection.user'] ?? url.user ?? undefined,
    password: cfg['connection.password'] ?? url.password ?? undefined,
    attempts: cfg['connection.attempts'],
    backoffMs: cfg['connection.backoff.ms'],
    isolation: cfg['transaction.isolation.mode'] ?? 'DEFAULT',
    readOnly: opts.readOnly ?? false,
  };
}

const ISOLATION_SQL: Partial<Record<IsolationMode, string>> = {
  READ_UNCOMMITTED: 'READ UNCOMMITTED',
  READ_COMMITTED: 'READ COMMITTED',
  REPEATABLE_READ: 'REPEATABLE READ',
  SERIALIZABLE: 'SERIALIZABLE',
};

export class Db {
  private closed = false;

  private constructor(readonly conn: mysql.Connection) {
    // A dropped connection emits 'error' with no command to receive it; it must not crash the worker.
    conn.on('error', () => { this.closed = true; });
  }

  get usable(): boolean {
    return !this.closed;
  }

  /** Opens a session, trying each host of the URL per attempt, connection.attempts times. */
  static async open(s: ConnectionSettings, logger: PluginLogger, signal?: AbortSignal): Promise<Db> {
    let last: Error = new RetriableError(`Could not connect to ${s.urlText}`);
    for (let attempt = 1; attempt <= s.attempts; attempt++) {
      for (const h of s.url.hosts) {
        try {
          return await Db.connectOnce(s, h.host, h.port);
        } catch (e) {
          last = classifyError(e, `Could not connect to ${s.urlText} (${h.host}:${h.port})`);
          if (last instanceof ConfigError) throw last;
        }
      }
      logger.warn({ attempt, attempts: s.attempts, url: s.urlText, error: last.message }, 'database connection attempt failed');
      if (attempt < s.attempts) await sleep(s.backoffMs, signal);
      if (signal?.aborted) break;
    }
    throw last;
  }

  private static async connectOnce(s: ConnectionSettings, host: string, port: number): Promise<Db> {
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
      ...(sslMode && sslMode !== 'DISABLED' && sslMode !== 'PREFERRED'
        ? { ssl: { rejectUnauthorized: sslMode === 'VERIFY_CA' || sslMode === 'VERIFY_IDENTITY' } }
        : {}),
    });
    const db = new Db(conn);
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

  query(sql: string, params: unknown[] = []): Promise<{ rows: Row[]; fields: Field[] }> {
    return new Promise((resolve, reject) => {
      this.conn.query({ sql, values: params }, (e, rows, fields) => {
        if (e) reject(e);
        else resolve({ rows: rows as Row[], fields: (fields ?? []) as Field[] });
      });
    });
  }

  /** Column metadata of a statement without running it (COM_STMT_PREPARE). */
  describe(sql: string): Promise<Field[]> {
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
  get columns(): Field[] | null {
    return this.fields;
  }

  get exhausted(): boolean {
    return this.done;
  }

  async next(): Promise<Row | null> {
    // Rows already received are taken synchronously; we only wait when the buffer is empty.
    for (;;) {
      if (this.done) return null;
      if (this.failure) throw this.failure;
      const r = this.stream.read() as Row | null;
      if (r !== null) return r;
      if (this.ended) {
        this.done = true;
        return null;
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
