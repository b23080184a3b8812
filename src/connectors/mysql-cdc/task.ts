// One MySQL/MariaDB capture task: the initial snapshot (op r), then the binlog from the snapshot's
// position (c, u, d, tombstones, schema changes), with Debezium's offsets so a restarted task
// continues exactly after the last committed change.
import type { Connection } from 'mysql2/promise';
import type { SourceRecord } from '../../records/record.js';
import { RetriableError } from '../../errors.js';
import type { SourceTask, SourceTaskContext } from '../types.js';
import { Operation, changeEvent, snapshotMarker, tombstoneFor, type OperationCode } from '../debezium/envelope.js';
import { schemaChangeEvent, type TableChange } from '../debezium/schema-change.js';
import { BinlogReader, type BinlogItem, type StartPoint } from './binlog.js';
import { convertRow } from './columns.js';
import { compileFilters, parseMysqlCdcConfig, snapshotMode, type MysqlCdcConfig } from './config.js';
import { checkServer, classify, connect, currentPosition, isMariaDb, isPositionLost } from './connection.js';
import { SnapshotReader } from './snapshot.js';
import { binlogPartition, binlogSourceSchema, binlogSourceStruct, readOffset, snapshotUnfinished, type BinlogConnectorName, type BinlogOffset } from './source-info.js';
import { narrowedTo, readCatalog, tableChange, tableId, type CapturedTable, type CatalogOptions } from './tables.js';

interface Tx {
  file: string;
  pos: number;
  gtidsBefore?: string;
  gtid?: string;
  serverId?: number;
  thread?: number;
  /** Row events (and DDL statements) of the transaction already processed. */
  events: number;
}

const DDL_TABLE = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\s+(?:(?:TEMPORARY|ONLINE|OFFLINE|IGNORE)\s+)*TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?((?:`[^`]+`|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))?)/i;
const unquote = (s: string) => s.trim().replace(/^`|`$/g, '');

/** The table a DDL statement changes, with its kind. */
export function ddlTarget(statement: string, defaultDb: string): { kind: TableChange['type'] | null; db: string; table: string } | null {
  const m = DDL_TABLE.exec(statement);
  if (!m) return null;
  const parts = m[2]!.split('.').map(unquote);
  const [db, table] = parts.length === 2 ? [parts[0]!, parts[1]!] : [defaultDb, parts[0]!];
  const verb = m[1]!.toUpperCase();
  return { kind: verb === 'CREATE' ? 'CREATE' : verb === 'DROP' ? 'DROP' : verb === 'TRUNCATE' ? null : 'ALTER', db, table };
}

export async function startBinlogTask(raw: Record<string, string>, ctx: SourceTaskContext, connector: BinlogConnectorName): Promise<SourceTask> {
  const cfg = parseMysqlCdcConfig(raw);
  const task = new BinlogTask(cfg, ctx, connector);
  await task.open();
  return task;
}

class BinlogTask implements SourceTask {
  private readonly prefix: string;
  private readonly partition: { server: string };
  private readonly catalog: CatalogOptions;
  private tables = new Map<string, CapturedTable>();
  /** Structures of tables as older rows carry them (see narrowedTo), by table and column list. */
  private readonly narrowed = new Map<string, CapturedTable>();
  private conn: Connection | null = null;
  private snapshot: SnapshotReader | null = null;
  private snapshotPosition: { file: string; pos: number; gtids?: string } | null = null;
  private reader: BinlogReader | null = null;
  private serverId = 0;
  private tx: Tx | null = null;
  /** Of the first transaction read after a resume: events and rows already emitted before. */
  private skip: { event: number; row: number } | null = null;
  private readonly pending: SourceRecord[] = [];
  private stopped = false;
  private closed = false;

  constructor(private readonly cfg: MysqlCdcConfig, private readonly ctx: SourceTaskContext, private readonly connector: BinlogConnectorName) {
    this.prefix = cfg['topic.prefix']!;
    this.partition = binlogPartition(this.prefix);
    this.catalog = {
      topicPrefix: this.prefix,
      filters: compileFilters(cfg),
      types: { decimal: cfg['decimal.handling.mode'], time: cfg['time.precision.mode'] },
      sourceSchema: binlogSourceSchema(connector),
    };
  }

  async open(): Promise<void> {
    this.conn = await connect(this.cfg);
    try {
      await checkServer(this.conn);
      const mariadb = await isMariaDb(this.conn);
      const here = await currentPosition(this.conn, mariadb);
      this.serverId = here.serverId;
      const stored = readOffset(this.ctx.offsetFor(this.partition));
      const mode = snapshotMode(this.cfg);
      if (stored && !snapshotUnfinished(stored)) {
        this.ctx.logger.info({ offset: stored }, 'resuming the binlog from the committed offset');
        if (mode === 'initial_only') { this.stopped = true; return; }
        this.tables = await readCatalog(this.conn, this.catalog);
        try {
          await this.stream({ file: stored.file, pos: stored.pos, ...(stored.gtids ? { gtids: stored.gtids } : {}) }, stored);
          return;
        } catch (e) {
          if (!(mode === 'when_needed' && isPositionLost(e))) throw e;
          this.ctx.logger.warn({ offset: stored }, 'the committed binlog position is no longer on the server; snapshot.mode=when_needed takes a new snapshot');
        }
      }
      if (mode === 'no_data') {
        this.tables = await readCatalog(this.conn, this.catalog);
        await this.stream({ file: here.file, pos: here.pos, ...(here.gtids ? { gtids: here.gtids } : {}) }, null);
        return;
      }
      this.snapshot = new SnapshotReader(this.conn, { ...this.catalog, lockingMode: this.cfg['snapshot.locking.mode'], fetchSize: this.cfg['snapshot.fetch.size'] }, this.ctx.logger);
      const start = await this.snapshot.begin();
      this.tables = start.tables;
      this.snapshotPosition = { file: start.position.file, pos: start.position.pos, ...(start.position.gtids ? { gtids: start.position.gtids } : {}) };
      if (this.cfg['include.schema.changes']) this.snapshotSchemaChanges();
    } catch (e) {
      await this.close();
      throw classify(e, 'Could not start capturing');
    }
  }

  /** Debezium writes each captured table's structure to the schema change topic at the snapshot. */
  private snapshotSchemaChanges(): void {
    const p = this.snapshotPosition!;
    const byDb = new Map<string, CapturedTable[]>();
    for (const t of this.tables.values()) byDb.set(t.db, [...(byDb.get(t.db) ?? []), t]);
    for (const [db, tables] of byDb) {
      const source = binlogSourceStruct({ connector: this.connector, name: this.prefix, tsMs: Date.now(), snapshot: 'true', db, table: null, serverId: this.serverId, gtid: null, file: p.file, pos: p.pos, row: 0 });
      const ddl = tables.map((t) => t.createStatement ?? `CREATE TABLE \`${t.table}\``).join(';\n');
      const e = schemaChangeEvent(this.connector, this.catalog.sourceSchema, { source, tsMs: Date.now(), databaseName: db, ddl, tableChanges: tables.map((t) => tableChange('CREATE', t)) });
      this.pending.push(this.record(this.prefix, e, this.snapshotOffset(false)));
    }
  }

  private snapshotOffset(completed: boolean): BinlogOffset & Record<string, unknown> {
    const p = this.snapshotPosition!;
    return { ts_sec: Math.floor(Date.now() / 1000), file: p.file, pos: p.pos, ...(p.gtids ? { gtids: p.gtids } : {}), snapshot: 'INITIAL', snapshot_completed: completed };
  }

  private async stream(from: StartPoint, resumed: BinlogOffset | null): Promise<void> {
    this.skip = resumed && (resumed.event || resumed.row) ? { event: resumed.event ?? 0, row: resumed.row ?? 0 } : null;
    const reader = new BinlogReader(this.cfg);
    this.reader = reader;
    try {
      await reader.start(from);
    } catch (e) {
      reader.stop();
      this.reader = null;
      throw e;
    }
    this.ctx.logger.info({ from }, 'streaming the binlog');
  }

  async poll(max: number, signal: AbortSignal): Promise<SourceRecord[]> {
    const maxRecords = Math.max(1, Math.min(max, this.cfg['max.batch.size']));
    if (this.closed) throw new RetriableError('The capture task is closed');
    if (this.pending.length) return this.pending.splice(0, maxRecords);
    if (this.snapshot) return this.pollSnapshot(maxRecords);
    if (this.stopped || !this.reader) {
      await new Promise((r) => setTimeout(r, Math.min(this.cfg['poll.interval.ms'], 200)));
      return [];
    }
    const reader = this.reader;
    if (!reader.items.length && !reader.error) await reader.waitForItems(this.cfg['poll.interval.ms'], signal);
    const out: SourceRecord[] = [];
    while (reader.items.length && out.length < maxRecords) {
      await this.process(reader.shift()!, out);
    }
    if (reader.error && !reader.items.length && !out.length) throw reader.error;
    if (out.length > maxRecords) this.pending.push(...out.splice(maxRecords));
    return out;
  }

  private async pollSnapshot(maxRecords: number): Promise<SourceRecord[]> {
    const chunk = await this.snapshot!.next(maxRecords);
    if (!chunk) {
      // Every table read: stream from the snapshot's position (initial_only stops here).
      this.snapshot = null;
      const p = this.snapshotPosition!;
      this.ctx.logger.info({ file: p.file, pos: p.pos, gtids: p.gtids }, 'snapshot completed');
      if (snapshotMode(this.cfg) === 'initial_only') { this.stopped = true; return []; }
      await this.stream(p, null);
      return [];
    }
    const { table: t } = chunk;
    const p = this.snapshotPosition!;
    const out: SourceRecord[] = [];
    chunk.rows.forEach((row, i) => {
      const index = chunk.firstRow + i;
      const marker = snapshotMarker(chunk.firstTable ? 0 : 1, chunk.lastTable ? (chunk.firstTable ? 1 : 2) : 3, index, chunk.tableRows);
      const source = binlogSourceStruct({ connector: this.connector, name: this.prefix, tsMs: Date.now(), snapshot: marker, db: t.db, table: t.table, serverId: 0, gtid: null, file: p.file, pos: p.pos, row: 0 });
      const e = changeEvent(t.schemas, { op: Operation.READ, after: convertRow(t.columns, row), source });
      out.push(this.record(t.schemas.topic, e, this.snapshotOffset(chunk.lastTable && index === chunk.tableRows - 1)));
    });
    return out;
  }

  private record(topic: string, e: { key: unknown; keySchema: unknown; value: unknown; valueSchema: unknown }, offset: Record<string, unknown>): SourceRecord {
    return { topic, key: e.key, keySchema: e.keySchema as SourceRecord['keySchema'], value: e.value, valueSchema: e.valueSchema as SourceRecord['valueSchema'], headers: [], sourcePartition: this.partition, sourceOffset: offset };
  }

  private streamOffset(tx: Tx, row: number, tsMs: number): Record<string, unknown> {
    return {
      ts_sec: Math.floor(tsMs / 1000), file: tx.file, pos: tx.pos, ...(tx.gtidsBefore ? { gtids: tx.gtidsBefore } : {}),
      event: tx.events, row, server_id: tx.serverId ?? this.serverId,
    };
  }

  /** Whether the i-th row of the current event was emitted before the resume. */
  private skipped(row: number): boolean {
    const s = this.skip;
    if (!s || !this.tx) return false;
    return this.tx.events < s.event || (this.tx.events === s.event && row < s.row);
  }

  private async process(item: BinlogItem, out: SourceRecord[]): Promise<void> {
    switch (item.kind) {
      case 'begin': {
        if (this.tx && this.skip) this.skip = null; // the resumed transaction is behind us
        this.tx = { file: item.file, pos: item.pos, gtidsBefore: item.gtidsBefore, gtid: item.gtid, serverId: serverIdOf(item.gtid) ?? item.serverId, thread: item.thread, events: 0 };
        return;
      }
      case 'commit':
        if (this.tx && this.skip) this.skip = null;
        this.tx = null;
        return;
      case 'ddl':
        await this.ddl(item, out);
        return;
      case 'rows':
        await this.rows(item, out);
        return;
    }
  }

  private ensureTx(item: { file: string; pos: number; gtid?: string }): Tx {
    if (!this.tx) this.tx = { file: item.file, pos: item.pos, gtid: item.gtid, serverId: serverIdOf(item.gtid), events: 0 };
    return this.tx;
  }

  private async ddl(item: Extract<BinlogItem, { kind: 'ddl' }>, out: SourceRecord[]): Promise<void> {
    const tx = this.ensureTx(item);
    const target = ddlTarget(item.statement, item.schema);
    if (target && this.catalog.filters.table(target.db, target.table)) {
      const id = tableId(target.db, target.table);
      const fresh = await readCatalog(this.conn!, this.catalog, { db: target.db, table: target.table }).catch((e) => { throw classify(e, 'Could not read a changed table\'s structure'); });
      const t = fresh.get(id);
      if (t) this.tables.set(id, t);
      else this.tables.delete(id);
      this.narrowed.clear();
      if (/\bRENAME\b/i.test(item.statement)) await this.refreshAll();
      if (this.cfg['include.schema.changes'] && target.kind && !this.skipped(0)) {
        const change = target.kind === 'DROP' || !t ? tableChange('DROP', target) : tableChange(target.kind, t);
        const source = binlogSourceStruct({ connector: this.connector, name: this.prefix, tsMs: item.tsMs, db: target.db, table: target.table, serverId: tx.serverId ?? this.serverId, gtid: tx.gtid ?? null, file: item.file, pos: item.pos, row: 0, thread: item.thread });
        const e = schemaChangeEvent(this.connector, this.catalog.sourceSchema, { source, tsMs: Date.now(), databaseName: target.db, ddl: item.statement, tableChanges: [change] });
        out.push(this.record(this.prefix, e, this.streamOffset(tx, 1, item.tsMs)));
      }
    }
    tx.events++;
  }

  /** RENAME TABLE and ALTER … RENAME make another table appear: read every captured table again. */
  private async refreshAll(): Promise<void> {
    this.tables = await readCatalog(this.conn!, this.catalog);
    this.narrowed.clear();
  }

  private async rows(item: Extract<BinlogItem, { kind: 'rows' }>, out: SourceRecord[]): Promise<void> {
    const tx = this.ensureTx(item);
    const base = this.tables.get(tableId(item.db, item.table));
    const t = base && this.asWritten(base, item);
    if (t) {
      item.rows.forEach((r, i) => {
        if (this.skipped(i)) return;
        const offset = this.streamOffset(tx, i + 1, item.tsMs);
        const source = binlogSourceStruct({ connector: this.connector, name: this.prefix, tsMs: item.tsMs, db: t.db, table: t.table, serverId: tx.serverId ?? this.serverId, gtid: tx.gtid ?? null, file: item.file, pos: item.pos, row: i, thread: tx.thread });
        const emit = (op: OperationCode, before: Record<string, unknown> | null, after: Record<string, unknown> | null) => {
          const e = changeEvent(t.schemas, { op, before, after, source });
          out.push(this.record(t.schemas.topic, e, offset));
          if (op === Operation.DELETE && this.cfg['tombstones.on.delete']) out.push(this.record(t.schemas.topic, tombstoneFor(e), offset));
          return e;
        };
        if (item.op === 'insert') emit(Operation.CREATE, null, convertRow(t.columns, r as Record<string, unknown>));
        else if (item.op === 'delete') emit(Operation.DELETE, convertRow(t.columns, r as Record<string, unknown>), null);
        else {
          const { before, after } = r as { before: Record<string, unknown>; after: Record<string, unknown> };
          const b = convertRow(t.columns, before);
          const a = convertRow(t.columns, after);
          if (keyChanged(t, b, a)) {
            // A primary key update is a delete of the old key (and its tombstone) and a create of the new one, as in Debezium.
            emit(Operation.DELETE, b, null);
            emit(Operation.CREATE, null, a);
          } else {
            emit(Operation.UPDATE, b, a);
          }
        }
      });
    }
    tx.events++;
  }

  /** The table's structure as this rows event carries it: the current one unless a captured column is missing. */
  private asWritten(t: CapturedTable, item: Extract<BinlogItem, { kind: 'rows' }>): CapturedTable {
    const first = item.rows[0] as Record<string, unknown> | undefined;
    const sample = item.op === 'update' ? (first?.after as Record<string, unknown> | undefined) : first;
    if (!sample || t.columns.every((c) => c.info.name in sample)) return t;
    const names = t.columns.map((c) => c.info.name).filter((n) => n in sample);
    const key = `${tableId(t.db, t.table)}\u0000${names.join('\u0000')}`;
    let n = this.narrowed.get(key);
    if (!n) this.narrowed.set(key, (n = narrowedTo(t, new Set(names), this.catalog)));
    return n;
  }

  async commit(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reader?.stop();
    this.reader = null;
    await this.snapshot?.close();
    this.snapshot = null;
    await this.conn?.end().catch(() => this.conn?.destroy());
    this.conn = null;
  }
}

function keyChanged(t: CapturedTable, before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  return t.keyColumns.some((k) => !sameValue(before[k], after[k]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b || String(a) === String(b);
}

/** The server id of a MariaDB GTID (domain-server-sequence); undefined for MySQL's uuid:n. */
function serverIdOf(gtid: string | undefined): number | undefined {
  const m = gtid ? /^\d+-(\d+)-\d+$/.exec(gtid) : null;
  return m ? Number(m[1]) : undefined;
}
