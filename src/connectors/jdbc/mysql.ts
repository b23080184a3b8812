import { DataError } from '../../errors.js';
import { DECIMAL_SCALE, LOGICAL } from '../../records/schema.js';
import type { Db } from './connection.js';
import { splitQualifiedList, type DdlColumn, type JdbcDialect, type ServerError, type TableRef, type TemporalColumn, type WriteLimits } from './dialect.js';

// The MySQL/MariaDB dialect (Kafka Connect's MySqlDatabaseDialect). Every identifier that reaches
// SQL goes through quoteId, so a name that contains a backtick can neither break nor extend the statement.

export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `db`.`table`, the form Confluent's connector writes into a task's `tables` key. */
export function quoteTable(t: TableRef): string {
  return `${quoteId(t.db)}.${quoteId(t.table)}`;
}

/**
 * Splits a list of possibly quoted, possibly qualified names ("`db`.`a,b`,c") at the commas
 * outside backticks, and each name at its dots, unquoting. Used to read a task's `tables`.
 */
export function parseQualifiedList(text: string): string[][] {
  return splitQualifiedList(text, '`');
}

/**
 * The column type of a field, Confluent's MySqlDatabaseDialect types with two deliberate
 * differences, both because Confluent's DDL fails or truncates there: string key columns are
 * VARCHAR(256) (MySQL cannot index TEXT without a prefix length) and non-key bytes are BLOB
 * (VARBINARY(1024) caps values at 1 KiB). DataError for what MySQL has no column for.
 */
export function sqlType(f: DdlColumn): string {
  const s = f.schema;
  if (!s) throw new DataError(`Field ${f.name} has no schema, so no column type can be derived for it`, 'TASK_PUT');
  switch (s.name) {
    case LOGICAL.Decimal:
      // 65 is MySQL's maximum precision.
      return `DECIMAL(65,${Number(s.parameters?.[DECIMAL_SCALE] ?? 0)})`;
    case LOGICAL.Date:
      return 'DATE';
    case LOGICAL.Time:
      return 'TIME(3)';
    case LOGICAL.Timestamp:
      return 'DATETIME(3)';
  }
  switch (s.type) {
    case 'int8': return 'TINYINT';
    case 'int16': return 'SMALLINT';
    case 'int32': return 'INT';
    case 'int64': return 'BIGINT';
    case 'float32': return 'FLOAT';
    case 'float64': return 'DOUBLE';
    case 'boolean': return 'TINYINT';
    case 'string': return f.primaryKey ? 'VARCHAR(256)' : 'TEXT';
    case 'bytes': return f.primaryKey ? 'VARBINARY(1024)' : 'BLOB';
    default:
      throw new DataError(`Field ${f.name} is of type ${s.type.toUpperCase()}, which has no MySQL column type; flatten the record first (e.g. with the Flatten transform)`, 'TASK_PUT');
  }
}

/**
 * MySQL has no MERGE: INSERT ... ON DUPLICATE KEY UPDATE, as Confluent's MySqlDatabaseDialect.
 * Re-delivering a record rewrites the same values, so upserts are idempotent.
 */
function upsertSql(insertSql: string, keyFields: string[], nonKeyFields: string[]): string {
  const updated = nonKeyFields.length ? nonKeyFields : keyFields;
  return `${insertSql} ON DUPLICATE KEY UPDATE ${updated.map((c) => `${quoteId(c)}=VALUES(${quoteId(c)})`).join(',')}`;
}

/** Server errors a retry cannot fix: credentials, grants, unknown objects, bad SQL. */
const CONFIG_ERRNOS = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1049, // ER_BAD_DB_ERROR
  1064, // ER_PARSE_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1149, // ER_SYNTAX_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1251, // ER_NOT_SUPPORTED_AUTH_MODE
  1052, // ER_NON_UNIQ_ERROR (ambiguous column)
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
  1862, // ER_MUST_CHANGE_PASSWORD_LOGIN
  1792, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (a write in the source's read-only session)
]);
/** The table or a column went away (also not retried outside the sink's batch, as config errors). */
const SCHEMA_CHANGED_ERRNOS = new Set([1054, 1146]);
/** Server errors caused by a row's values: that record fails, not the batch. */
const DATA_ERRNOS = new Set([
  1048, // ER_BAD_NULL_ERROR
  1062, // ER_DUP_ENTRY
  1216, 1217, 1451, 1452, // foreign key violations
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED
  1292, // ER_TRUNCATED_WRONG_VALUE (bad date-time)
  1364, // ER_NO_DEFAULT_FOR_FIELD
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (bad number or character)
  1367, // ER_ILLEGAL_VALUE_FOR_TYPE
  1406, // ER_DATA_TOO_LONG
  1411, // ER_WRONG_VALUE_FOR_TYPE
  1586, // ER_DUP_ENTRY_WITH_KEY_NAME
  1690, // ER_DATA_OUT_OF_RANGE
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  4025, // ER_CONSTRAINT_FAILED (MariaDB CHECK)
]);
const ER_DUP_FIELDNAME = 1060;
/** DDL errors that come from the records' fields (names, types, defaults), not from the server's state. */
const DDL_DATA_ERRNOS = new Set([
  1059, // ER_TOO_LONG_IDENT
  1067, // ER_INVALID_DEFAULT
  1071, // ER_TOO_LONG_KEY
  1074, // ER_TOO_BIG_FIELDLENGTH
  1101, // ER_BLOB_CANT_HAVE_DEFAULT (MySQL)
  1103, // ER_WRONG_TABLE_NAME
  1118, // ER_TOO_BIG_ROWSIZE
  1166, // ER_WRONG_COLUMN_NAME
  1170, // ER_BLOB_KEY_WITHOUT_LENGTH
  1425, // ER_TOO_BIG_SCALE
  1426, // ER_TOO_BIG_PRECISION
]);

/** A mysql2 server error (numeric errno), read by its number. */
function serverError(e: unknown): ServerError | undefined {
  const err = e as { errno?: unknown; sqlMessage?: unknown; message?: string } | null;
  if (!err || typeof err.errno !== 'number' || err.errno <= 0) return undefined;
  const n = err.errno;
  const message = typeof err.sqlMessage === 'string' ? err.sqlMessage : err.message ?? String(e);
  if (CONFIG_ERRNOS.has(n)) {
    const key = n === 1045 || n === 1698 ? 'connection.password' : n === 1049 ? 'connection.url' : undefined;
    return { kind: 'config', message, ...(key ? { key } : {}) };
  }
  if (SCHEMA_CHANGED_ERRNOS.has(n)) return { kind: 'schema-changed', message };
  if (DATA_ERRNOS.has(n)) return { kind: 'data', message };
  if (n === ER_DUP_FIELDNAME) return { kind: 'duplicate-column', message };
  if (DDL_DATA_ERRNOS.has(n)) return { kind: 'ddl-data', message };
  return { kind: 'other', message };
}

/** Headroom for the statement text around the values. */
const PACKET_MARGIN = 16 * 1024;

/**
 * A write session: strict mode, so a value a column cannot hold is an error and not a silent
 * truncation; without NO_BACKSLASH_ESCAPES, which mysql2's escaping of bound values relies on.
 * Statements stay under max_allowed_packet.
 */
async function prepareWriteSession(db: Db): Promise<WriteLimits> {
  const { rows } = await db.query('SELECT @@SESSION.sql_mode AS sqlMode, @@max_allowed_packet AS maxPacket');
  const before = String(rows[0]?.sqlMode ?? '');
  const modes = before.split(',').filter((m) => m !== '' && m !== 'NO_BACKSLASH_ESCAPES');
  if (!modes.some((m) => m === 'STRICT_TRANS_TABLES' || m === 'STRICT_ALL_TABLES')) modes.push('STRICT_TRANS_TABLES');
  if (modes.join(',') !== before) await db.query('SET SESSION sql_mode = ?', [modes.join(',')]);
  const maxPacket = Number(rows[0]?.maxPacket ?? 4 * 1024 * 1024);
  const maxRowBytes = Math.max(64 * 1024, maxPacket - PACKET_MARGIN);
  // mysql2 writes the values into the statement text: no limit on their number.
  return { maxRowBytes, maxStatementBytes: Math.min(8 * 1024 * 1024, maxRowBytes), maxParams: Number.MAX_SAFE_INTEGER };
}

/** TIMESTAMP columns hold instants (written in the session's UTC); DATETIME holds db.timezone wall-clock. */
function temporalColumn(dataType: string): TemporalColumn {
  switch (dataType) {
    case 'timestamp': return 'instant';
    case 'datetime': return 'wall';
    case 'date': return 'date';
    case 'time': return 'time';
    default: return null;
  }
}

export const mysqlDialect: JdbcDialect = {
  name: 'MySqlDatabaseDialect',
  urlSchemes: ['mysql', 'mariadb'],
  defaultPort: 3306,
  // The driver loads with the first connection, not with the connector registry.
  connect: (s, host, port) => import('./mysql-session.js').then((m) => m.MySqlSession.connect(s, host, port)),
  serverError,
  defaultNamespace: (url) => url.database,
  prepareWriteSession,
  failedStatementAbortsTransaction: false,
  upsertKeysUniquePerStatement: false,
  temporalColumn,
  quoteId,
  quoteTable,
  parseQualifiedList,
  columnType: sqlType,
  upsertSql,
};
