import { ConfigError, ConnectError, isProgrammerError, RetriableError } from '../../errors.js';
import type { PluginLogger } from '../types.js';
import type { JdbcDialect } from './dialect.js';
import { serverError } from './dialects.js';
import { configDialect, type IsolationMode, type jdbcConnectionKeys } from './keys.js';
import { parseJdbcUrl, redactJdbcUrl, type JdbcUrl } from './url.js';
import type { ConfigOf } from '../../config/define.js';

// A database session (the dialect's driver behind one shape), opened with connection.attempts /
// connection.backoff.ms, and the classification of its errors into RetriableError (try again
// later) and ConfigError (won't help), by what the dialect says a server error means.

export type Row = Record<string, unknown>;

/** Turns a driver error into our classification; `what` says what we were doing. */
export function classifyError(e: unknown, what: string): Error {
  // Already classified (ConfigError, RetriableError, DataError), or a bug: never retried as I/O.
  if (e instanceof ConnectError || isProgrammerError(e)) return e as Error;
  const err = e as { errno?: number; code?: string; message?: string };
  if (typeof err.code !== 'string' && typeof err.errno !== 'number') return e instanceof Error ? e : new Error(String(e));
  const server = serverError(e);
  const message = `${what}: ${server?.message ?? err.message ?? String(e)}`;
  if (server?.kind === 'config' || server?.kind === 'schema-changed') {
    return new ConfigError(message, server.key ? [{ key: server.key, message }] : [], { cause: e });
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

/** A result column as the session's driver describes it; the dialect reads it (readColumn, mapColumn). */
export interface ResultColumn {
  readonly name: string;
}

/** An open result set read row by row, like a JDBC ResultSet. */
export interface RowStream {
  /** Result columns; known once the first row (or the end) was read. */
  readonly columns: ResultColumn[] | null;
  readonly exhausted: boolean;
  next(): Promise<Row | null>;
  /** The next row if it is already here, without waiting: null at the end, undefined when next() must wait. */
  nextNow(): Row | null | undefined;
}

/** One database session: its dialect's driver behind one shape. Values are bound with ? placeholders. */
export interface Db {
  readonly usable: boolean;
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; fields: ResultColumn[] }>;
  /**
   * The SQL text the driver writes for a bound value, where it binds by writing values into the
   * statement text (mysql2): a statement may then carry its values inline, the same text without
   * the driver's scan for placeholders. Absent where values travel apart from the text (PostgreSQL).
   */
  inline?(value: unknown): string;
  /** Column metadata of a statement without reading its rows. */
  describe(sql: string): Promise<ResultColumn[]>;
  /** Runs a query whose rows are pulled one by one (the server streams; memory stays bounded). */
  stream(sql: string, params: unknown[], highWaterMark: number): RowStream;
  destroy(): void;
  close(): Promise<void>;
}

/** The SQL name of each isolation level transaction.isolation.mode may set. */
export const ISOLATION_SQL: Partial<Record<IsolationMode, string>> = {
  READ_UNCOMMITTED: 'READ UNCOMMITTED',
  READ_COMMITTED: 'READ COMMITTED',
  REPEATABLE_READ: 'REPEATABLE READ',
  SERIALIZABLE: 'SERIALIZABLE',
};

export const Db = {
  /** Opens a session, trying each host of the URL per attempt, connection.attempts times. */
  async open(s: ConnectionSettings, logger: PluginLogger, signal?: AbortSignal): Promise<Db> {
    let last: Error = new RetriableError(`Could not connect to ${s.urlText}`);
    for (let attempt = 1; attempt <= s.attempts; attempt++) {
      for (const h of s.url.hosts) {
        try {
          return await s.dialect.connect(s, h.host, h.port);
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
  },
};

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
