import { ConfigError, RetriableError } from '../../errors.js';
import type { SourceRecord } from '../../records/record.js';
import type { SourceTask, SourceTaskContext } from '../types.js';
import {
  incrementingColumn, isQueryMode, numericMapping, parseJdbcSourceConfig, timestampColumns, type JdbcSourceConfig,
} from './config.js';
import { classifyError, connectionSettings, Db, type ConnectionSettings } from '../jdbc/connection.js';
import { unquotedName, type JdbcDialect, type TableRef } from '../jdbc/dialect.js';
import { fromSourceOffset, legacyTablePartition, QUERY_PARTITION, tablePartition, type Position } from './offsets.js';
import { parseUtcNow, TableQuerier, type QuerierSpec } from './querier.js';
import { buildQuery, type QuerySource } from './queries.js';
import { readSideFor, type ReadColumn } from './read-side.js';
import { tablesOf } from './tables.js';
import { instantFromMillis, parseZone, UTC, type Instant } from '../jdbc/time.js';

// A JDBC source task: the queriers of its tables (or its one query), served round-robin on one
// database session, each table at most every poll.interval.ms.

export async function startJdbcSourceTask(taskConfig: Record<string, string>, ctx: SourceTaskContext): Promise<SourceTask> {
  const cfg = parseJdbcSourceConfig(taskConfig);
  // The source only reads: its session refuses writes and DDL even from a query that got past validation.
  const settings = connectionSettings(cfg, { readOnly: true });
  let sources: Array<{ source: QuerySource; label: string }>;
  try {
    sources = isQueryMode(cfg)
      ? [{ source: { query: cfg.query! }, label: 'query' }]
      : tablesOf(settings.dialect, taskConfig, settings.url.database).map((table) => ({ source: { table }, label: unquotedName(table) }));
  } catch (e) {
    throw new ConfigError(`Invalid task configuration: ${(e as Error).message}`, [{ key: 'tables', message: (e as Error).message }]);
  }
  if (sources.length === 0) {
    throw new ConfigError('Invalid configuration: each JdbcSourceTask must have at least one table assigned to it or one query specified',
      [{ key: 'tables', message: 'no table assigned to this task' }]);
  }

  const db = await Db.open(settings, ctx.logger);
  try {
    const initial = await initialTimestamp(db, cfg);
    const queriers: TableQuerier[] = [];
    for (const { source, label } of sources) {
      const q = await prepareQuerier(db, settings.dialect, cfg, source, ctx, initial);
      ctx.logger.info({ source: label, sql: q.sql }, 'JDBC source querier ready');
      queriers.push(q);
    }
    return new JdbcSourceTask(cfg, settings, db, queriers, ctx);
  } catch (e) {
    db.destroy();
    throw classifyError(e, 'Could not start the JDBC source task');
  }
}

/** timestamp.initial as an instant: -1 is the DB's time now; unset is the beginning of time. */
async function initialTimestamp(db: Db, cfg: JdbcSourceConfig): Promise<Instant | undefined> {
  const initial = cfg['timestamp.initial'] as number | undefined;
  if (initial === undefined || timestampColumns(cfg).length === 0) return undefined;
  if (initial !== -1) return instantFromMillis(initial);
  const { rows } = await db.query(readSideFor(connectionSettings(cfg).dialect).currentTimeQuery);
  return parseUtcNow(rows[0]?.now);
}

/**
 * Resolves and checks the columns a querier depends on from the statement's metadata (a prepare,
 * not a run): unknown table or column, nullable offset columns (validate.non.null), the
 * AUTO_INCREMENT column when incrementing.column.name is empty, TIMESTAMP vs DATETIME bounds.
 */
async function prepareQuerier(db: Db, dialect: JdbcDialect, cfg: JdbcSourceConfig, source: QuerySource, ctx: SourceTaskContext, initial?: Instant): Promise<TableQuerier> {
  const mode = cfg.mode!;
  const table = 'table' in source ? source.table : undefined;
  const where = table ? unquotedName(table) : 'the query';
  const readSide = readSideFor(dialect);
  const columns = (await db.describe(buildQuery(dialect, { mode: 'bulk', source }))).map((c) => readSide.column(c));
  const find = (name: string) => columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const missing = (kind: string, name: string) =>
    new ConfigError(`${kind} column ${name} not found in ${where} (columns: ${columns.map((c) => c.name).join(', ')})`,
      [{ key: kind === 'Incrementing' ? 'incrementing.column.name' : 'timestamp.column.name', message: `column ${name} not found in ${where}` }]);

  let inc = incrementingColumn(cfg) ?? undefined;
  if (inc === '') {
    const auto = columns.find((c) => c.autoIncrement);
    if (!auto) throw new ConfigError(`No AUTO_INCREMENT column in ${where}: set incrementing.column.name`, [{ key: 'incrementing.column.name', message: `no AUTO_INCREMENT column in ${where}` }]);
    inc = auto.name;
  }
  const tsNames = timestampColumns(cfg);
  const incCol = inc !== undefined ? find(inc) : undefined;
  if (inc !== undefined && !incCol) throw missing('Incrementing', inc);
  const tsCols = tsNames.map((n) => find(n) ?? (() => { throw missing('Timestamp', n); })());
  checkColumnTypes(incCol, tsCols, where);

  // Connect checks nullability in table mode only: a query's columns say little about the tables.
  if (table && cfg['validate.non.null']) {
    if (incCol?.nullable) {
      throw new ConfigError(`Cannot make incremental queries using incrementing column ${inc} on ${where} because this column is nullable.`,
        [{ key: 'incrementing.column.name', message: `${inc} is nullable` }]);
    }
    if (tsCols.length > 0 && tsCols.every((c) => c.nullable)) {
      throw new ConfigError(`Cannot make incremental queries using timestamp columns [${tsNames.join(', ')}] on ${where} because all of these columns nullable.`,
        [{ key: 'timestamp.column.name', message: `all of [${tsNames.join(', ')}] are nullable` }]);
    }
  }

  const dbZone = parseZone(cfg['db.timezone']);
  // TIMESTAMP columns arrive in the session zone (UTC); DATETIME and DATE hold db.timezone wall-clock.
  const allTimestamp = tsCols.length > 0 && tsCols.every((c) => c.temporal === 'instant');
  const spec: QuerierSpec = {
    dialect,
    mode,
    source,
    partition: table ? tablePartition(table) : QUERY_PARTITION,
    topic: cfg['topic.prefix'] + (table ? table.table : ''),
    schemaName: table?.table,
    incrementingColumn: inc,
    timestampColumns: tsNames,
    suffix: cfg['query.suffix'] ?? '',
    boundZone: allTimestamp ? UTC : dbZone,
    delayMs: cfg['timestamp.delay.interval.ms'],
    mapping: { numericMapping: numericMapping(cfg), zone: dbZone },
    batchMaxRows: cfg['batch.max.rows'],
  };
  const querier = new TableQuerier(spec, startPosition(ctx, table, initial));
  await db.describe(querier.sql); // the whole statement parses, suffix included
  return querier;
}

function checkColumnTypes(inc: ReadColumn | undefined, ts: ReadColumn[], where: string): void {
  if (inc && !inc.integral) {
    throw new ConfigError(`Invalid type for incrementing column ${inc.name} in ${where}: it must be an integer column`, [{ key: 'incrementing.column.name', message: 'not an integer column' }]);
  }
  for (const c of ts) {
    if (!c.temporal) {
      throw new ConfigError(`Timestamp column ${c.name} in ${where} must be DATETIME, TIMESTAMP or DATE`, [{ key: 'timestamp.column.name', message: `${c.name} is not a date-time column` }]);
    }
  }
}

/** The committed offset (protocol 1, else the pre-5.x protocol 0), else timestamp.initial. */
function startPosition(ctx: SourceTaskContext, table: TableRef | undefined, initial?: Instant): Position {
  const stored = table
    ? ctx.offsetFor(tablePartition(table)) ?? ctx.offsetFor(legacyTablePartition(table))
    : ctx.offsetFor(QUERY_PARTITION);
  const p = fromSourceOffset(stored);
  if (!p.timestamp && initial) p.timestamp = initial;
  return p;
}

class JdbcSourceTask implements SourceTask {
  private db: Db | null;
  /** Where the round-robin resumes: the querier after the last one that finished a query. */
  private next = 0;
  private closed = false;

  constructor(
    private readonly cfg: JdbcSourceConfig,
    private readonly settings: ConnectionSettings,
    db: Db,
    private readonly queriers: TableQuerier[],
    private readonly ctx: SourceTaskContext,
  ) {
    this.db = db;
  }

  async poll(maxRecords: number, signal: AbortSignal): Promise<SourceRecord[]> {
    if (this.closed) throw new Error('poll() after close()');
    const out: SourceRecord[] = [];
    const started = new Set<TableQuerier>();
    if (this.db && !this.db.usable) {
      // Lost between polls: open result sets died with it; start them again from the confirmed positions.
      for (const q of this.queriers) q.rollback();
      this.dropSession();
    }
    try {
      while (out.length < maxRecords && !signal.aborted) {
        const q = this.pick(Date.now(), started);
        if (!q) break;
        started.add(q);
        const db = await this.session(signal);
        const { records, done } = await q.read(db, Math.min(this.cfg['batch.max.rows'], maxRecords - out.length));
        for (const r of records) out.push(r);
        if (done) {
          q.nextDue = Date.now() + this.cfg['poll.interval.ms'];
          this.next = (this.queriers.indexOf(q) + 1) % this.queriers.length;
        }
      }
    } catch (e) {
      // Nothing read in this poll is handed out, so every querier goes back to its last
      // confirmed position and the half-read result set goes with the session.
      for (const q of this.queriers) q.rollback();
      this.dropSession();
      throw classifyError(e, 'JDBC source poll failed');
    }
    for (const q of this.queriers) q.confirm();
    return out;
  }

  /** The querier whose result set is open, else the next due one in round-robin order. */
  private pick(now: number, started: Set<TableQuerier>): TableQuerier | null {
    const open = this.queriers.find((q) => q.querying);
    if (open) return open;
    for (let i = 0; i < this.queriers.length; i++) {
      const q = this.queriers[(this.next + i) % this.queriers.length];
      if (q.nextDue <= now && !started.has(q)) return q;
    }
    return null;
  }

  private async session(signal: AbortSignal): Promise<Db> {
    if (this.db?.usable) return this.db;
    if (this.db) throw new RetriableError('Lost the database connection while reading');
    this.db = await Db.open(this.settings, this.ctx.logger, signal);
    return this.db;
  }

  private dropSession(): void {
    this.db?.destroy();
    this.db = null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const db = this.db;
    this.db = null;
    if (!db) return;
    // A half-read result set would make a graceful end wait for rows nobody reads.
    if (this.queriers.some((q) => q.querying)) db.destroy();
    else await db.close();
  }
}
