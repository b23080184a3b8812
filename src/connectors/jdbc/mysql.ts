import { DataError } from '../../errors.js';
import { DECIMAL_SCALE, LOGICAL } from '../../records/schema.js';
import type { DdlColumn, JdbcDialect, TableRef } from './dialect.js';

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
      if (ch === '`' && text[i + 1] === '`') { cur += '`'; i++; }
      else if (ch === '`') quoted = false;
      else cur += ch;
    } else if (ch === '`') {
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
  if (quoted) throw new Error(`Unterminated backtick in ${JSON.stringify(text)}`);
  endPart();
  if (parts.some((p) => p !== '')) out.push(parts);
  return out;
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

export const mysqlDialect: JdbcDialect = {
  name: 'MySqlDatabaseDialect',
  urlSchemes: ['mysql', 'mariadb'],
  defaultPort: 3306,
  quoteId,
  quoteTable,
  parseQualifiedList,
  columnType: sqlType,
  upsertSql,
};
