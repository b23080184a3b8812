import { DataError, RetriableError } from '../../errors.js';
import type { PluginLogger } from '../types.js';
import { classifyError, type Db } from '../jdbc/connection.js';
import { serverError } from '../jdbc/dialects.js';
import type { JdbcDialect, TableRef, TemporalColumn } from '../jdbc/dialect.js';
import type { Zone } from '../jdbc/time.js';
import { alterTableSql, canAdd, createTableSql, type Statement } from './ddl.js';
import type { FieldsMetadata, RowData, SinkField } from './fields.js';
import type { WriteKind } from './writer.js';

// What the task knows about its destination tables, and auto.create / auto.evolve. Problems that
// concern particular records (a missing table without auto.create, a required field that cannot
// be added) fail those records with a DataError, as Confluent's task reports them to the DLQ.

export interface TableInfo {
  type: 'TABLE' | 'VIEW' | 'OTHER';
  /** lower-cased column name -> how it takes a Date (MySQL column names ignore case; Confluent matches them ignoring case too). */
  columns: Map<string, TemporalColumn>;
}

export interface TableOptions {
  dialect: JdbcDialect;
  autoCreate: boolean;
  autoEvolve: boolean;
  tableTypes: string[];
  /** Re-attempts of an ALTER that raced with another task's (max.retries). */
  maxRetries: number;
  zone: Zone;
}

/** A record headed for one table. */
export interface TableRow {
  index: number;
  kind: WriteKind;
  row: RowData;
}

export async function describeTable(db: Db, dialect: JdbcDialect, t: TableRef): Promise<TableInfo | null> {
  const { rows } = await db.query(
    'SELECT t.TABLE_TYPE AS table_type, c.COLUMN_NAME AS name, c.DATA_TYPE AS data_type FROM information_schema.TABLES t '
    + 'LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME '
    + 'WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION',
    [t.db, t.table],
  );
  if (rows.length === 0) return null;
  const tableType = String(rows[0].table_type);
  const columns = new Map<string, TemporalColumn>();
  for (const r of rows) if (r.name !== null) columns.set(String(r.name).toLowerCase(), dialect.temporalColumn(String(r.data_type).toLowerCase()));
  return { type: tableType === 'BASE TABLE' ? 'TABLE' : tableType === 'VIEW' ? 'VIEW' : 'OTHER', columns };
}

export class Tables {
  private readonly known = new Map<string, TableInfo>();

  constructor(private readonly o: TableOptions, private readonly logger: PluginLogger) {}

  /** Forget what we know (after an error: the table may have been dropped or altered by someone else). */
  clear(): void {
    this.known.clear();
  }

  /**
   * Makes the table ready for these rows: creates it or adds columns when allowed. Returns the
   * table (null when it does not exist, which leaves deletes nothing to do) and the rows that
   * cannot be written, each with its reason. Throws for server trouble.
   */
  async prepare(db: Db, t: TableRef, rows: TableRow[]): Promise<{ info: TableInfo | null; failed: Map<number, DataError> }> {
    const name = this.o.dialect.quoteTable(t);
    const failed = new Map<number, DataError>();
    const fail = (r: TableRow, message: string, cause?: unknown) => failed.set(r.index, new DataError(message, 'TASK_PUT', { cause }));
    const writes = rows.filter((r) => r.kind !== 'delete');

    let info = this.known.get(name) ?? (await describeTable(db, this.o.dialect, t));
    if (!info) {
      if (writes.length === 0) return { info: null, failed };
      if (!this.o.autoCreate) {
        for (const r of writes) fail(r, `Table ${name} is missing and auto-creation is disabled`);
        return { info: null, failed };
      }
      // Confluent creates from the first record; later records with more fields evolve the table.
      const model = writes.find((r) => r.row.fields.all.every((f) => f.schema !== null));
      if (!model) {
        for (const r of writes) fail(r, `Table ${name} is missing and records without a value schema cannot create it: auto.create needs Connect schemas (use a converter with schemas)`);
        return { info: null, failed };
      }
      const problem = await this.runDdl(db, createTableSql(this.o.dialect, t, model.row.fields.all, this.o.zone), 'create');
      if (problem) {
        for (const r of writes) fail(r, `Could not create table ${name}: ${problem.message}`, problem);
        return { info: null, failed };
      }
      info = await describeTable(db, this.o.dialect, t);
      if (!info) throw new RetriableError(`Table ${name} was created but is not visible`);
    }
    if (info.type === 'OTHER' || !this.o.tableTypes.includes(info.type)) {
      for (const r of rows) fail(r, `${name} is a ${info.type === 'VIEW' ? 'VIEW' : 'table type the sink cannot write'} and table.types is ${this.o.tableTypes.join(',')}`);
      return { info, failed };
    }

    for (let attempt = 0; ; attempt++) {
      const adding = this.missingColumns(name, info, writes, fail);
      if (adding.size === 0) break;
      const fields = [...adding.values()].map((a) => a.field);
      const stmt = alterTableSql(this.o.dialect, t, fields, this.o.zone);
      let problem: Error | null;
      try {
        problem = await this.runDdl(db, stmt, 'alter');
      } catch (e) {
        // Another task added the same column first: look again, up to max.retries times.
        if (serverError(e)?.kind !== 'duplicate-column' || attempt >= this.o.maxRetries) throw e;
        problem = null;
      }
      if (problem) {
        for (const a of adding.values()) for (const r of a.rows) fail(r, `Could not add columns to ${name}: ${problem.message}`, problem);
        break;
      }
      info = await describeTable(db, this.o.dialect, t);
      if (!info) throw new RetriableError(`Table ${name} disappeared while its columns were added`);
    }

    // A tombstone deletes by key columns; without them there is nothing it can match.
    for (const r of rows) {
      if (r.kind !== 'delete') continue;
      const absent = r.row.fields.keyFields.filter((k) => !info.columns.has(k.toLowerCase()));
      if (absent.length) fail(r, `Table ${name} has no column ${absent.join(', ')} to delete by`);
    }
    this.known.set(name, info);
    return { info, failed };
  }

  /** The columns to add for the rows that may add them; rows that need a column they cannot add fail. */
  private missingColumns(name: string, info: TableInfo, writes: TableRow[], fail: (r: TableRow, m: string) => void) {
    const adding = new Map<string, { field: SinkField; rows: TableRow[] }>();
    // Rows of one record shape share their fields: their missing columns are looked up once.
    let shape: FieldsMetadata | null = null;
    let missing: SinkField[] = [];
    for (const r of writes) {
      if (r.row.fields !== shape) {
        shape = r.row.fields;
        missing = shape.all.filter((f) => !info.columns.has(f.name.toLowerCase()));
      }
      if (missing.length === 0) continue;
      const names = missing.map((f) => f.name).join(', ');
      const schemaless = missing.find((f) => f.schema === null);
      const required = missing.find((f) => !canAdd(f));
      if (schemaless) fail(r, `Table ${name} has no column ${schemaless.name}, and records without a value schema cannot add columns`);
      else if (!this.o.autoEvolve) fail(r, `Table ${name} is missing fields (${names}) and auto-evolution is disabled`);
      else if (info.type !== 'TABLE') fail(r, `Cannot ALTER ${info.type} ${name} to add missing fields (${names})`);
      else if (required) fail(r, `Cannot ALTER TABLE ${name} to add missing field ${required.name}, as the field is not optional and does not have a default value`);
      else {
        for (const f of missing) {
          const a = adding.get(f.name.toLowerCase());
          if (a) a.rows.push(r);
          else adding.set(f.name.toLowerCase(), { field: f, rows: [r] });
        }
      }
    }
    return adding;
  }

  /** Runs a DDL statement; returns the error when the records' fields caused it (their rows fail), throws otherwise. */
  private async runDdl(db: Db, stmt: Statement, what: 'create' | 'alter'): Promise<Error | null> {
    this.logger.info({ sql: stmt.sql }, what === 'create' ? 'Creating table' : 'Amending table');
    try {
      await db.query(stmt.sql, stmt.params);
      return null;
    } catch (e) {
      const server = serverError(e);
      if (server?.kind === 'duplicate-column' && what === 'alter') throw e;
      // Two fields differing only by case make CREATE TABLE fail with a duplicate column.
      if (server?.kind === 'ddl-data' || server?.kind === 'duplicate-column') return new Error(server.message);
      throw classifyError(e, `Could not ${what} table`);
    }
  }
}
