import type { JdbcDialect, TableRef } from '../jdbc/dialect.js';
import type { Zone } from '../jdbc/time.js';
import type { SinkField } from './fields.js';
import { toDbValue } from './values.js';

// CREATE TABLE / ALTER TABLE ... ADD for auto.create and auto.evolve; the column types are the
// dialect's (src/connectors/jdbc/mysql.ts for MySQL and MariaDB).

export interface Statement {
  sql: string;
  params: unknown[];
}

/** Primary key columns are never NULL; others follow the schema's optional flag (Confluent's SinkRecordField). */
export function isOptional(f: SinkField): boolean {
  return !f.primaryKey && (f.schema?.optional ?? true);
}

function columnSpec(dialect: JdbcDialect, f: SinkField, zone: Zone, params: unknown[]): string {
  const def = f.schema?.defaultValue;
  let spec = `${dialect.quoteId(f.name)} ${dialect.columnType(f)}`;
  if (def !== undefined && def !== null) {
    const value = toDbValue(def, f.schema, undefined, zone, f.name);
    // A dialect whose DDL takes no bound values (PostgreSQL) writes the default as a literal.
    if (dialect.literal) {
      spec += ` DEFAULT ${dialect.literal(value)}`;
    } else {
      params.push(value);
      spec += ' DEFAULT ?';
    }
  } else {
    spec += isOptional(f) ? ' NULL' : ' NOT NULL';
  }
  return spec;
}

/** CREATE TABLE IF NOT EXISTS: two tasks creating the same table is not an error. */
export function createTableSql(dialect: JdbcDialect, table: TableRef, fields: SinkField[], zone: Zone): Statement {
  const params: unknown[] = [];
  const lines = fields.map((f) => columnSpec(dialect, f, zone, params));
  const pk = fields.filter((f) => f.primaryKey).map((f) => dialect.quoteId(f.name));
  if (pk.length) lines.push(`PRIMARY KEY(${pk.join(',')})`);
  return { sql: `CREATE TABLE IF NOT EXISTS ${dialect.quoteTable(table)} (\n${lines.join(',\n')})`, params };
}

export function alterTableSql(dialect: JdbcDialect, table: TableRef, fields: SinkField[], zone: Zone): Statement {
  const params: unknown[] = [];
  const adds = fields.map((f) => `ADD ${columnSpec(dialect, f, zone, params)}`);
  return { sql: `ALTER TABLE ${dialect.quoteTable(table)} ${adds.join(',\n')}`, params };
}

/** Whether auto.evolve may add this field as a column (Confluent refuses required fields without a default). */
export function canAdd(f: SinkField): boolean {
  return isOptional(f) || (f.schema?.defaultValue !== undefined && f.schema.defaultValue !== null);
}
