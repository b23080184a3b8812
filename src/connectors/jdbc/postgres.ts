import { DataError } from '../../errors.js';
import { LOGICAL } from '../../records/schema.js';
import { splitQualifiedList, type DdlColumn, type JdbcDialect, type ServerError, type TableRef, type TemporalColumn, type WriteLimits } from './dialect.js';

// The PostgreSQL dialect (Kafka Connect's PostgreSqlDatabaseDialect): "double-quoted" identifiers,
// schema-qualified tables (a connection sees one database), Confluent's DDL types, upserts with
// INSERT ... ON CONFLICT (key) DO UPDATE SET c=EXCLUDED.c (DO NOTHING without non-key columns).

export function quoteId(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** "schema"."table". */
export function quoteTable(t: TableRef): string {
  return `${quoteId(t.db)}.${quoteId(t.table)}`;
}

export function parseQualifiedList(text: string): string[][] {
  return splitQualifiedList(text, '"');
}

/** Confluent's PostgreSqlDatabaseDialect.getSqlType; DataError where PostgreSQL has no column for the type. */
export function sqlType(f: DdlColumn): string {
  const s = f.schema;
  if (!s) throw new DataError(`Field ${f.name} has no schema, so no column type can be derived for it`, 'TASK_PUT');
  switch (s.name) {
    case LOGICAL.Decimal: return 'DECIMAL';
    case LOGICAL.Date: return 'DATE';
    case LOGICAL.Time: return 'TIME';
    case LOGICAL.Timestamp: return 'TIMESTAMP';
  }
  switch (s.type) {
    case 'int8':
    case 'int16': return 'SMALLINT';
    case 'int32': return 'INT';
    case 'int64': return 'BIGINT';
    case 'float32': return 'REAL';
    case 'float64': return 'DOUBLE PRECISION';
    case 'boolean': return 'BOOLEAN';
    case 'string': return 'TEXT';
    case 'bytes': return 'BYTEA';
    default:
      throw new DataError(`Field ${f.name} is of type ${s.type.toUpperCase()}, which has no PostgreSQL column type here; flatten the record first (e.g. with the Flatten transform)`, 'TASK_PUT');
  }
}

function upsertSql(insertSql: string, keyFields: string[], nonKeyFields: string[]): string {
  const conflict = `${insertSql} ON CONFLICT (${keyFields.map(quoteId).join(',')})`;
  if (nonKeyFields.length === 0) return `${conflict} DO NOTHING`;
  return `${conflict} DO UPDATE SET ${nonKeyFields.map((c) => `${quoteId(c)}=EXCLUDED.${quoteId(c)}`).join(',')}`;
}

/** SQLSTATEs a retry cannot fix: credentials, grants, unknown objects, bad SQL. */
const CONFIG_STATES = new Set([
  '28000', // invalid_authorization_specification (no pg_hba.conf entry)
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name (no such database)
  '3F000', // invalid_schema_name
  '42501', // insufficient_privilege
  '42601', // syntax_error
  '42602', // invalid_name
  '42702', // ambiguous_column
  '42803', // grouping_error
  '42804', // datatype_mismatch
  '42883', // undefined_function
  '42P02', // undefined_parameter
  '42P18', // indeterminate_datatype
  '25006', // read_only_sql_transaction (a write in the source's read-only session)
  '0A000', // feature_not_supported
]);
/** DDL refused for the records' fields (names, types, defaults). */
const DDL_DATA_STATES = new Set([
  '42622', // name_too_long
  '42611', // invalid_column_definition
  '42P16', // invalid_table_definition
  '42939', // reserved_name
  '54011', // too_many_columns
]);

/** A node-postgres server error (SQLSTATE code and severity), read by its SQLSTATE. */
function serverError(e: unknown): ServerError | undefined {
  const err = e as { code?: unknown; severity?: unknown; message?: string } | null;
  if (!err || typeof err.code !== 'string' || !/^[0-9A-Z]{5}$/.test(err.code) || typeof err.severity !== 'string') return undefined;
  const code = err.code;
  const message = err.message ?? String(e);
  if (CONFIG_STATES.has(code)) {
    const key = code === '28P01' || code === '28000' ? 'connection.password' : code === '3D000' ? 'connection.url' : undefined;
    return { kind: 'config', message, ...(key ? { key } : {}) };
  }
  if (code === '42P01' || code === '42703') return { kind: 'schema-changed', message };
  // Class 22 (data exception) and 23 (integrity constraint violation): the row's values.
  if (code.startsWith('22') || code.startsWith('23')) return { kind: 'data', message };
  if (code === '42701') return { kind: 'duplicate-column', message };
  if (DDL_DATA_STATES.has(code)) return { kind: 'ddl-data', message };
  return { kind: 'other', message };
}

/** 65535 bound values per statement is the protocol's limit (a 16-bit count). */
async function prepareWriteSession(): Promise<WriteLimits> {
  return { maxRowBytes: 256 * 1024 * 1024, maxStatementBytes: 8 * 1024 * 1024, maxParams: 65_535 };
}

function temporalColumn(dataType: string): TemporalColumn {
  switch (dataType) {
    case 'timestamp with time zone': return 'instant';
    case 'timestamp without time zone': return 'wall';
    case 'date': return 'date';
    case 'time without time zone':
    case 'time with time zone': return 'time';
    default: return null;
  }
}

/** An SQL literal (standard_conforming_strings: a quote is doubled, a backslash is itself). */
export function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DataError(`${v} cannot be written as an SQL literal`, 'TASK_PUT');
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'::bytea`;
  if (typeof v === 'string') {
    if (v.includes('\u0000')) throw new DataError('A text value holds a NUL character, which PostgreSQL cannot store', 'TASK_PUT');
    return `'${v.replace(/'/g, "''")}'`;
  }
  throw new DataError(`A ${typeof v} cannot be written as an SQL literal`, 'TASK_PUT');
}

export const postgresDialect: JdbcDialect = {
  name: 'PostgreSqlDatabaseDialect',
  urlSchemes: ['postgresql'],
  defaultPort: 5432,
  // The driver loads with the first connection, not with the connector registry.
  connect: (s, host, port) => import('./postgres-session.js').then((m) => m.PgSession.connect(s, host, port)),
  serverError,
  // pgjdbc's currentSchema picks the schema unqualified names are in; else PostgreSQL's default.
  defaultNamespace: (url) => (url.params.currentSchema ?? '').split(',')[0].trim() || 'public',
  prepareWriteSession,
  failedStatementAbortsTransaction: true,
  upsertKeysUniquePerStatement: true,
  temporalColumn,
  literal,
  quoteId,
  quoteTable,
  parseQualifiedList,
  columnType: sqlType,
  upsertSql,
};
