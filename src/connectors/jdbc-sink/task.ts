import { ConnectError, DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import { classifyError, connectionSettings, Db, type ConnectionSettings } from '../jdbc/connection.js';
import type { TableRef, TemporalColumn, WriteLimits } from '../jdbc/dialect.js';
import type { Schema } from '../../records/schema.js';
import { serverError } from '../jdbc/dialects.js';
import { parseZone, type Zone } from '../jdbc/time.js';
import { parseJdbcSinkConfig, tableFor, type JdbcSinkConfig } from './config.js';
import { extractDeleteKey, RowExtractor, type FieldOptions, type FieldsMetadata } from './fields.js';
import { Tables, type TableInfo, type TableRow } from './tables.js';
import { approxSqlBytes, toDbValue } from './values.js';
import { groupRows, groupStatement, singleRows, type PreparedRow, type WriteGroup } from './writer.js';

// A JDBC sink task: each put writes its batch in one transaction with multi-row statements. A
// statement the server rejects for its data is retried row by row (InnoDB undoes just the failed
// statement, the transaction goes on), so only the bad records are reported and the rest commit.

function sqlMessage(e: unknown): string {
  return serverError(e)?.message ?? (e as Error).message ?? String(e);
}

interface Session extends WriteLimits {
  db: Db;
}

/** Opens a session for writing, set up by the dialect (MySQL: strict mode; both: statement limits). */
async function openSession(settings: ConnectionSettings, ctx: SinkTaskContext, signal?: AbortSignal): Promise<Session> {
  const db = await Db.open(settings, ctx.logger, signal);
  try {
    return { db, ...(await settings.dialect.prepareWriteSession(db)) };
  } catch (e) {
    db.destroy();
    throw classifyError(e, 'Could not prepare the database session');
  }
}

export async function startJdbcSinkTask(taskConfig: Record<string, string>, ctx: SinkTaskContext): Promise<SinkTask> {
  const cfg = parseJdbcSinkConfig(taskConfig);
  const settings = connectionSettings(cfg);
  // Connecting now makes bad credentials or an unknown database fail the start, not the first batch.
  const session = await openSession(settings, ctx);
  ctx.logger.info({ url: settings.urlText }, 'JDBC sink task connected');
  return new JdbcSinkTask(cfg, settings, ctx, session);
}

/** How a record shape's values are bound into a table, in statement order (key fields, then the others). */
interface Binding {
  info: TableInfo;
  names: string[];
  schemas: Array<Schema | null>;
  /** How each field's column takes a Date. */
  columns: Array<TemporalColumn | undefined>;
  keyCount: number;
}

/** A record after extraction: where it goes, what it does, its values. */
interface PlannedRecord extends TableRow {
  table: TableRef;
}

const NO_PARAMS: unknown[] = [];
/** Tuples up to this many characters are within maxBytes at 3 bytes per character; longer ones are measured. */
const SHORT_TUPLE = 1365;

class JdbcSinkTask implements SinkTask {
  private readonly zone: Zone;
  private readonly fieldOptions: FieldOptions;
  private readonly rows: RowExtractor;
  /** Per record shape and table: each field's schema and how its column takes a Date, in statement order. */
  private readonly binding = new WeakMap<FieldsMetadata, Binding>();
  private readonly tables: Tables;
  private readonly tableOfTopic = new Map<string, TableRef>();
  private readonly tableRefs = new Map<string, TableRef>();
  /** One transaction per put: batch.size records (puts run one after another). */
  readonly putBatchSize: number;

  constructor(
    private readonly cfg: JdbcSinkConfig,
    private readonly settings: ConnectionSettings,
    private readonly ctx: SinkTaskContext,
    private session: Session | null,
  ) {
    this.putBatchSize = cfg['batch.size'];
    this.zone = parseZone(cfg['db.timezone']);
    this.fieldOptions = { pkMode: cfg['pk.mode'], pkFields: cfg['pk.fields'], whitelist: cfg['fields.whitelist'] };
    this.rows = new RowExtractor(this.fieldOptions);
    this.tables = new Tables({
      dialect: settings.dialect,
      autoCreate: cfg['auto.create'],
      autoEvolve: cfg['auto.evolve'],
      tableTypes: cfg['table.types'],
      maxRetries: cfg['max.retries'],
      zone: this.zone,
    }, ctx.logger);
  }

  async put(records: SinkRecord[], signal: AbortSignal): Promise<PutResult> {
    const failed = new Map<number, Error>();
    if (records.length === 0) return { failed: [] };
    if (!this.session?.db.usable) this.session = await openSession(this.settings, this.ctx, signal);
    const session = this.session;
    try {
      const planned = this.plan(records, failed);
      const prepared = await this.prepare(session, planned, failed);
      await this.write(session.db, groupRows(prepared, this.cfg['batch.size'], session.maxStatementBytes, {
        maxParams: session.maxParams, uniqueUpsertKeys: this.settings.dialect.upsertKeysUniquePerStatement,
      }), failed, signal);
    } catch (e) {
      // Nothing of this batch is committed (the transaction rolled back): start afresh on retry.
      session.db.destroy();
      this.session = null;
      this.tables.clear();
      throw this.batchError(e);
    }
    return { failed: [...failed].sort((a, b) => a[0] - b[0]).map(([index, error]) => ({ index, error })) };
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.db.close();
  }

  /** Each record's table, kind and values; records that cannot be mapped fail here. */
  private plan(records: SinkRecord[], failed: Map<number, Error>): PlannedRecord[] {
    const out: PlannedRecord[] = [];
    const kind = this.cfg['insert.mode'];
    for (let index = 0; index < records.length; index++) {
      const r = records[index];
      try {
        const table = this.tableFor(r.topic);
        if (r.value === null || r.value === undefined) {
          if (!this.cfg['delete.enabled']) {
            throw new DataError(`The record at topic ${r.topic}, partition ${r.kafkaPartition}, offset ${r.kafkaOffset} has a null value (a tombstone), `
              + 'and delete.enabled is false: the sink needs a Struct value (or set delete.enabled=true with pk.mode=record_key)', 'TASK_PUT');
          }
          out.push({ index, table, kind: 'delete', row: extractDeleteKey(r, this.fieldOptions, table.table) });
        } else {
          out.push({ index, table, kind, row: this.rows.row(r, table.table) });
        }
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        failed.set(index, e);
      }
    }
    return out;
  }

  private tableFor(topic: string): TableRef {
    let t = this.tableOfTopic.get(topic);
    if (!t) {
      t = tableFor(this.cfg, topic, this.settings.dialect.defaultNamespace(this.settings.url));
      // One TableRef object per table, whatever the topic: prepare groups records by it.
      const name = this.settings.dialect.quoteTable(t);
      t = this.tableRefs.get(name) ?? t;
      this.tableRefs.set(name, t);
      this.tableOfTopic.set(topic, t);
    }
    return t;
  }

  /** Creates/evolves the tables (DDL commits implicitly in MySQL, so before the transaction) and binds the values. */
  private async prepare(session: Session, planned: PlannedRecord[], failed: Map<number, Error>): Promise<PreparedRow[]> {
    const byTable = new Map<TableRef, PlannedRecord[]>();
    for (const p of planned) {
      const rows = byTable.get(p.table);
      if (rows) rows.push(p);
      else byTable.set(p.table, [p]);
    }
    const infos = new Map<TableRef, TableInfo | null>();
    for (const [table, rows] of byTable) {
      const r = await this.tables.prepare(session.db, table, rows);
      for (const [i, e] of r.failed) failed.set(i, e);
      infos.set(table, r.info);
    }

    const out: PreparedRow[] = [];
    const anyFailed = failed.size > 0;
    // Where the driver writes values into the statement text (mysql2), inserts carry theirs inline.
    const inline = session.db.inline?.bind(session.db);
    for (const p of planned) {
      const info = infos.get(p.table);
      // A delete on a table that does not exist has nothing to delete.
      if ((anyFailed && failed.has(p.index)) || !info) continue;
      try {
        out.push(this.bind(p, info, session.maxRowBytes, inline));
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        failed.set(p.index, e);
      }
    }
    return out;
  }

  private bind(p: PlannedRecord, info: TableInfo, maxBytes: number, inline: ((v: unknown) => string) | undefined): PreparedRow {
    const fields = p.row.fields;
    let b = this.binding.get(fields);
    if (!b || b.info !== info) {
      const schemas = new Map(fields.all.map((f) => [f.name, f.schema]));
      const names = [...fields.keyFields, ...fields.nonKeyFields];
      b = {
        info, names, schemas: names.map((n) => schemas.get(n) ?? null),
        columns: names.map((n) => info.columns.get(n.toLowerCase())), keyCount: fields.keyFields.length,
      };
      this.binding.set(fields, b);
    }
    const values = p.row.values;
    const n = b.names.length;
    if (inline && (p.kind === 'insert' || p.kind === 'upsert')) {
      let tuple = '(';
      for (let i = 0; i < n; i++) {
        if (i > 0) tuple += ',';
        tuple += inline(toDbValue(values[i], b.schemas[i], b.columns[i], this.zone, b.names[i]));
      }
      tuple += ')';
      const bytes = tuple.length <= SHORT_TUPLE ? tuple.length * 3 : Buffer.byteLength(tuple);
      if (bytes > maxBytes) throw tooLarge(bytes);
      return { index: p.index, table: p.table, kind: p.kind, keyFields: fields.keyFields, nonKeyFields: fields.nonKeyFields, keyParams: NO_PARAMS, nonKeyParams: NO_PARAMS, tuple, bytes };
    }
    let bytes = 8;
    const keyParams: unknown[] = [];
    const nonKeyParams: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const v = toDbValue(values[i], b.schemas[i], b.columns[i], this.zone, b.names[i]);
      bytes += approxSqlBytes(v);
      (i < b.keyCount ? keyParams : nonKeyParams).push(v);
    }
    if (bytes > maxBytes) throw tooLarge(bytes);
    return { index: p.index, table: p.table, kind: p.kind, keyFields: fields.keyFields, nonKeyFields: fields.nonKeyFields, keyParams, nonKeyParams, bytes };
  }

  private async write(db: Db, groups: WriteGroup[], failed: Map<number, Error>, signal: AbortSignal): Promise<void> {
    if (groups.length === 0) return;
    await db.query('START TRANSACTION');
    try {
      for (const g of groups) {
        if (signal.aborted) throw new RetriableError('put was cancelled; the batch was rolled back');
        await this.writeGroup(db, g, failed);
      }
      await db.query('COMMIT');
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  private async writeGroup(db: Db, g: WriteGroup, failed: Map<number, Error>): Promise<void> {
    const stmt = groupStatement(this.settings.dialect, g);
    if (!stmt) return;
    // Where a failed statement aborts the transaction (PostgreSQL), a savepoint undoes just it,
    // as InnoDB undoes a failed statement on its own.
    const savepoint = this.settings.dialect.failedStatementAbortsTransaction;
    try {
      if (savepoint) await db.query('SAVEPOINT tc_write');
      await db.query(stmt.sql, stmt.params);
      if (savepoint) await db.query('RELEASE SAVEPOINT tc_write');
    } catch (e) {
      if (serverError(e)?.kind !== 'data') throw e;
      if (savepoint) await db.query('ROLLBACK TO SAVEPOINT tc_write');
      if (g.rows.length > 1) {
        // The failed statement left no rows behind; find the bad ones, keep writing the good ones.
        for (const one of singleRows(g)) await this.writeGroup(db, one, failed);
        return;
      }
      failed.set(g.rows[0].index, new DataError(`Could not write the record to ${this.settings.dialect.quoteTable(g.table)}: ${sqlMessage(e)}`, 'TASK_PUT', { cause: e }));
    }
  }

  private batchError(e: unknown): Error {
    if (e instanceof ConnectError) return e;
    if (serverError(e)?.kind === 'schema-changed') {
      return new RetriableError(`A destination table changed while the batch was written: ${sqlMessage(e)}`, { cause: e });
    }
    return classifyError(e, 'Could not write to the database');
  }
}

function tooLarge(bytes: number): DataError {
  return new DataError(`The record is about ${bytes} bytes as SQL, more than one statement may carry (max_allowed_packet)`, 'TASK_PUT');
}
