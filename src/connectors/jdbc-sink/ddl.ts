import { DataError } from '../../errors.js';
import { DECIMAL_SCALE, LOGICAL } from '../../records/schema.js';
import { quoteId, quoteTable, type TableRef } from '../jdbc-source/dialect.js';
import type { Zone } from '../jdbc-source/time.js';
import type { SinkField } from './fields.js';
import { toDbValue } from './values.js';

// CREATE TABLE / ALTER TABLE ... ADD for auto.create and auto.evolve, with Confluent's
// MySqlDatabaseDialect column types. Two deliberate differences, both because Confluent's DDL
// fails or truncates there: string key columns are VARCHAR(256) (MySQL cannot index TEXT
// without a prefix length) and non-key bytes are BLOB (VARBINARY(1024) caps values at 1 KiB).

export interface Statement {
  sql: string;
  params: unknown[];
}

/** The column type of a field; DataError for what MySQL has no column for. */
export function sqlType(f: SinkField): string {
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

/** Primary key columns are never NULL; others follow the schema's optional flag (Confluent's SinkRecordField). */
export function isOptional(f: SinkField): boolean {
  return !f.primaryKey && (f.schema?.optional ?? true);
}

function columnSpec(f: SinkField, zone: Zone, params: unknown[]): string {
  const def = f.schema?.defaultValue;
  let spec = `${quoteId(f.name)} ${sqlType(f)}`;
  if (def !== undefined && def !== null) {
    params.push(toDbValue(def, f.schema, undefined, zone, f.name));
    spec += ' DEFAULT ?';
  } else {
    spec += isOptional(f) ? ' NULL' : ' NOT NULL';
  }
  return spec;
}

/** CREATE TABLE IF NOT EXISTS: two tasks creating the same table is not an error. */
export function createTableSql(table: TableRef, fields: SinkField[], zone: Zone): Statement {
  const params: unknown[] = [];
  const lines = fields.map((f) => columnSpec(f, zone, params));
  const pk = fields.filter((f) => f.primaryKey).map((f) => quoteId(f.name));
  if (pk.length) lines.push(`PRIMARY KEY(${pk.join(',')})`);
  return { sql: `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (\n${lines.join(',\n')})`, params };
}

export function alterTableSql(table: TableRef, fields: SinkField[], zone: Zone): Statement {
  const params: unknown[] = [];
  const adds = fields.map((f) => `ADD ${columnSpec(f, zone, params)}`);
  return { sql: `ALTER TABLE ${quoteTable(table)} ${adds.join(',\n')}`, params };
}

/** Whether auto.evolve may add this field as a column (Confluent refuses required fields without a default). */
export function canAdd(f: SinkField): boolean {
  return isOptional(f) || (f.schema?.defaultValue !== undefined && f.schema.defaultValue !== null);
}
