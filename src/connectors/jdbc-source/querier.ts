import { DataError } from '../../errors.js';
import type { SourcePartition, SourceRecord } from '../../records/record.js';
import { Schemas, Struct, type Schema } from '../../records/schema.js';
import type { Mode } from './config.js';
import { positionFor, toSourceOffset, type Position } from './offsets.js';
import type { JdbcDialect } from '../jdbc/dialect.js';
import { buildQuery, queryParams, type QuerySource } from './queries.js';
import { readSideFor, type ReadSide } from './read-side.js';
import type { ResultColumn } from '../jdbc/connection.js';
import { compareInstants, EPOCH, instantToWall, minusMillis, UTC, wallToInstant, type Instant, type Zone } from '../jdbc/time.js';
import type { ColumnMapping, MappingOptions } from './types.js';

// One table (or the query) of a task: runs its query, turns rows into records and tracks the
// position a restarted query would begin at.
//
// Like Kafka Connect's TableQuerier, a query's result set stays open across polls until it is
// exhausted, so a table is read in one statement (one scan, one sort) however many polls it
// takes, and the server streams rows as we pull them.
//
// Timestamp mode and ties: rows sharing a timestamp cannot be told apart by the offset, so the
// committable timestamp only moves to T once the next row has a later timestamp or the result
// is exhausted (Confluent's TimestampTableQuerier). A batch cut in the middle of a run of equal
// timestamps carries the previous timestamp; a restart begins with `TS > previous` and reads
// that whole run again: duplicates are possible, losses are not.

/** Reads rows one by one; RowCursor in production, an array in unit tests. */
export interface RowSource {
  readonly columns: ResultColumn[] | null;
  readonly exhausted: boolean;
  next(): Promise<Record<string, unknown> | null>;
  /** The next row if already received (null at the end, undefined: call next()); optional. */
  nextNow?(): Record<string, unknown> | null | undefined;
}

/** What a querier needs from the database session. */
export interface QuerierDb {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  stream(sql: string, params: unknown[], highWaterMark: number): RowSource;
}

export interface QuerierSpec {
  dialect: JdbcDialect;
  mode: Mode;
  source: QuerySource;
  partition: SourcePartition;
  topic: string;
  /** Value schema name: the table name; none for a query (as Connect). */
  schemaName?: string;
  incrementingColumn?: string;
  timestampColumns: string[];
  suffix: string;
  /** Zone in which the timestamp columns hold wall-clock time (UTC for TIMESTAMP columns). */
  boundZone: Zone;
  delayMs: number;
  mapping: MappingOptions;
  batchMaxRows: number;
}

interface Pending {
  struct: Struct;
  ts?: Instant | null;
  inc?: bigint;
}

interface Converter {
  schema: Schema;
  columns: Array<{ name: string; mapping: ColumnMapping }>;
  ts: ColumnMapping[];
  incName?: string;
}

export class TableQuerier {
  readonly sql: string;
  /** Earliest time (ms) this querier may start its next query. */
  nextDue = 0;
  /** Position of the last record handed out by a completed poll. */
  private committed: Position;
  /** Position of the last record read so far (ahead of committed during a poll). */
  private position: Position;
  private cursor: RowSource | null = null;
  private converter: Converter | null = null;
  private lookahead: Pending | null = null;
  private lastSchemaKey = '';
  private lastSchema: Schema | null = null;
  private readonly readSide: ReadSide;

  constructor(readonly spec: QuerierSpec, start: Position) {
    this.readSide = readSideFor(spec.dialect);
    this.sql = buildQuery(spec.dialect, {
      mode: spec.mode, source: spec.source, suffix: spec.suffix,
      incrementingColumn: spec.incrementingColumn, timestampColumns: spec.timestampColumns,
    });
    this.committed = positionFor(spec.mode, start);
    this.position = this.committed;
  }

  /** True while a result set is open (it keeps its turn until exhausted). */
  get querying(): boolean {
    return this.cursor !== null;
  }

  /**
   * Reads up to n records, starting the query when none is open.
   * done = the result set is exhausted (the caller schedules the next query).
   */
  async read(db: QuerierDb, n: number): Promise<{ records: SourceRecord[]; done: boolean }> {
    if (!this.cursor) await this.start(db);
    const records: SourceRecord[] = [];
    while (records.length < n) {
      // Rows already received are converted without a promise per row; we await only to wait for more.
      let cur = this.lookahead ?? this.fetchNow();
      this.lookahead = null;
      if (cur === undefined) cur = await this.fetch();
      if (!cur) break;
      if (this.spec.mode === 'timestamp') {
        let next = this.fetchNow();
        if (next === undefined) next = await this.fetch();
        // The committable timestamp moves only past complete runs of equal timestamps.
        if (cur.ts && (!next || !next.ts || compareInstants(cur.ts, next.ts) < 0)) this.position = { timestamp: cur.ts };
        this.lookahead = next;
      } else if (this.spec.mode === 'incrementing') {
        this.position = { incrementing: cur.inc! };
      } else if (this.spec.mode === 'timestamp+incrementing') {
        this.position = cur.ts ? { incrementing: cur.inc!, timestamp: cur.ts } : { incrementing: cur.inc! };
      }
      records.push(this.record(cur.struct));
    }
    const done = this.cursor!.exhausted && this.lookahead === null;
    if (done) {
      this.cursor = null;
      this.converter = null;
    }
    return { records, done };
  }

  /** The records handed out were accepted: a restart would now begin after them. */
  confirm(): void {
    this.committed = this.position;
  }

  /** Forgets whatever was read since the last confirm (the caller drops the session). */
  rollback(): void {
    this.cursor = null;
    this.converter = null;
    this.lookahead = null;
    this.position = this.committed;
    this.nextDue = 0;
  }

  private async start(db: QuerierDb): Promise<void> {
    const { mode, boundZone, delayMs } = this.spec;
    let params: unknown[] = [];
    if (mode !== 'bulk') {
      let end = '';
      if (mode === 'timestamp' || mode === 'timestamp+incrementing') {
        const { rows } = await db.query(this.readSide.currentTimeQuery);
        // Both bounds are wall-clock text in the same zone (Connect once applied db.timezone to one only).
        end = instantToWall(minusMillis(parseUtcNow(rows[0]?.now), delayMs), boundZone);
      }
      params = queryParams(mode, {
        lastIncrementing: this.position.incrementing ?? -1n,
        begin: instantToWall(this.position.timestamp ?? EPOCH, boundZone),
        end,
      });
    }
    this.cursor = db.stream(this.sql, params, this.spec.batchMaxRows);
  }

  private async fetch(): Promise<Pending | null> {
    const row = await this.cursor!.next();
    return row ? this.pending(row) : null;
  }

  /** fetch() for a row already received; undefined when there is none yet. */
  private fetchNow(): Pending | null | undefined {
    const cursor = this.cursor!;
    if (!cursor.nextNow) return undefined;
    const row = cursor.nextNow();
    return row === undefined ? undefined : row === null ? null : this.pending(row);
  }

  private pending(row: Record<string, unknown>): Pending {
    const c = this.converter ?? (this.converter = this.buildConverter());
    const struct = new Struct(c.schema);
    for (const { name, mapping } of c.columns) {
      const raw = row[name];
      struct.put(name, raw === null || raw === undefined ? null : mapping.convert(raw));
    }
    const p: Pending = { struct };
    if (c.ts.length) p.ts = firstInstant(c.ts, row);
    if (c.incName !== undefined) p.inc = incrementingValue(row[c.incName], c.incName);
    return p;
  }

  private buildConverter(): Converter {
    const fields = this.cursor!.columns ?? [];
    const columns: Converter['columns'] = [];
    for (const f of fields) {
      const mapping = this.readSide.map(f, this.spec.mapping);
      // Connect's SchemaBuilder refuses duplicate field names too (e.g. a.id and b.id in a join).
      if (columns.some((c) => c.name === f.name)) throw new DataError(`Duplicate column name ${f.name} in the result: give it an alias`, 'TASK_POLL');
      if (mapping) columns.push({ name: f.name, mapping });
    }
    const find = (name: string) => columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const ts = this.spec.timestampColumns.map((n) => {
      const c = find(n);
      if (!c?.mapping.instant) throw new DataError(`Timestamp column ${n} is not a DATETIME, TIMESTAMP or DATE column of the result`, 'TASK_POLL');
      return { ...c.mapping, name: c.name };
    });
    let incName: string | undefined;
    if (this.spec.incrementingColumn) {
      const c = find(this.spec.incrementingColumn);
      if (!c) throw new DataError(`Incrementing column ${this.spec.incrementingColumn} not found in ${columns.map((x) => x.name).join(',')}`, 'TASK_POLL');
      incName = c.name;
    }
    const schema = this.reuseSchema(Schemas.struct(columns.map((c) => [c.name, c.mapping.schema]), { optional: false, ...(this.spec.schemaName ? { name: this.spec.schemaName } : {}) }));
    return { schema, columns, ts, incName };
  }

  /** Keeps one schema object while the table's shape is unchanged, so converters can cache by identity. */
  private reuseSchema(s: Schema): Schema {
    const k = JSON.stringify(s);
    if (k !== this.lastSchemaKey || !this.lastSchema) {
      this.lastSchemaKey = k;
      this.lastSchema = s;
    }
    return this.lastSchema;
  }

  private record(value: Struct): SourceRecord {
    return {
      topic: this.spec.topic,
      kafkaPartition: null,
      key: null,
      keySchema: null,
      value,
      valueSchema: value.schema,
      headers: [],
      timestamp: null,
      sourcePartition: this.spec.partition,
      sourceOffset: toSourceOffset(this.position),
    };
  }
}

/** The DB clock read by the read side's currentTimeQuery (UTC wall-clock text). */
export function parseUtcNow(v: unknown): Instant {
  return wallToInstant(String(v), UTC);
}

/** COALESCE's value: the first non-null timestamp column. */
function firstInstant(ts: ColumnMapping[], row: Record<string, unknown>): Instant | null {
  for (const m of ts) {
    const raw = row[m.name];
    if (raw !== null && raw !== undefined) {
      const i = m.instant!(raw);
      if (i) return i;
    }
  }
  return null;
}

function incrementingValue(raw: unknown, column: string): bigint {
  if (raw === null || raw === undefined) throw new DataError(`Null value for incrementing column ${column}`, 'TASK_POLL');
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt(raw);
  const s = String(raw).trim();
  if (!/^-?\d+$/.test(s)) throw new DataError(`Invalid value ${s} for incrementing column ${column}: it must be a whole number`, 'TASK_POLL');
  return BigInt(s);
}
