// The binlog reader: @vlasky/zongji registered as a replica, turning its events into a small
// ordered list of transaction boundaries, DDL statements and row changes. What must be read
// synchronously inside zongji's handler (the current binlog file, the GTID position before a
// transaction) is captured here, so the connector may process the list asynchronously.
import ZongJi from '@vlasky/zongji';
import { classify, connectionOptions } from './connection.js';
import type { MysqlCdcConfig } from './config.js';

export type BinlogItem =
  | { kind: 'begin'; file: string; pos: number; gtidsBefore?: string; gtid?: string; serverId?: number; thread?: number; tsMs: number }
  | { kind: 'commit' }
  | { kind: 'ddl'; file: string; pos: number; gtid?: string; schema: string; statement: string; tsMs: number; thread?: number }
  | { kind: 'rows'; op: 'insert' | 'update' | 'delete'; file: string; pos: number; gtid?: string; db: string; table: string; tsMs: number; rows: unknown[] };

export interface StartPoint {
  file: string;
  pos: number;
  /** A GTID position (MariaDB) or set (MySQL): the server sends every transaction after it. */
  gtids?: string;
}

interface ZongjiEvent {
  getEventName(): string;
  nextPosition: number;
  size: number;
  timestamp: number;
  gtid?: string;
  serverId?: number;
  query?: string;
  schema?: string;
  slaveProxyId?: number;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string }>;
  rows?: unknown[];
}

interface ZongjiLike {
  on(event: 'binlog', fn: (e: ZongjiEvent) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  on(event: 'ready', fn: () => void): void;
  start(o: Record<string, unknown>): void;
  stop(): void;
  options: { filename?: string; position?: number };
  gtidSet?: string;
  connection?: { pause(): void; resume(): void } | null;
}

const EVENTS = ['mariadbgtid', 'gtid', 'anonymousgtid', 'query', 'xid', 'tablemap', 'writerows', 'updaterows', 'deleterows'];

export class BinlogReader {
  readonly items: BinlogItem[] = [];
  /** Row images (and other items) buffered in items: reading pauses at max.queue.size. */
  private buffered = 0;
  error: Error | null = null;
  private readonly z: ZongjiLike;
  private inTx = false;
  private paused = false;
  private wake: (() => void) | null = null;

  constructor(private readonly cfg: MysqlCdcConfig) {
    this.z = new (ZongJi as unknown as new (o: object) => ZongjiLike)(connectionOptions(cfg));
  }

  /** Connects and starts streaming from the point; resolves when the server accepted the position. */
  start(from: StartPoint): Promise<void> {
    return new Promise((resolve, reject) => {
      let ready = false;
      this.z.on('ready', () => { ready = true; resolve(); });
      this.z.on('error', (e) => {
        const err = classify(e, 'The binlog connection failed');
        (err as { errno?: number }).errno = (e as { errno?: number }).errno;
        this.error = err;
        this.notify();
        if (!ready) reject(err);
      });
      this.z.on('binlog', (e) => this.take(e));
      const at = from.gtids ? { gtidSet: from.gtids } : { filename: from.file, position: from.pos };
      this.z.start({ serverId: this.cfg['database.server.id'], includeEvents: EVENTS, ...at });
    });
  }

  /** Resolves when an item or an error arrives, or after ms. */
  waitForItems(ms: number, signal: AbortSignal): Promise<void> {
    if (this.items.length || this.error || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); this.wake = null; resolve(); };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** The next item, or undefined; reading resumes once half the buffer was taken. */
  shift(): BinlogItem | undefined {
    const item = this.items.shift();
    if (item) this.buffered -= weight(item);
    if (this.paused && this.buffered < this.cfg['max.queue.size'] / 2) this.resume();
    return item;
  }

  /** Back-pressure: stop reading from the server while too much is buffered. */
  private pause(): void {
    if (this.paused || !this.z.connection) return;
    this.paused = true;
    this.z.connection.pause();
  }

  private resume(): void {
    if (!this.paused || !this.z.connection) return;
    this.paused = false;
    this.z.connection.resume();
  }

  stop(): void {
    try { this.z.stop(); } catch { /* already stopped */ }
  }

  private notify(): void {
    this.wake?.();
  }

  private take(e: ZongjiEvent): void {
    const name = e.getEventName();
    const file = this.z.options.filename ?? '';
    const pos = e.nextPosition - e.size;
    switch (name) {
      case 'mariadbgtid': case 'gtid': case 'anonymousgtid':
        this.inTx = true;
        this.items.push({ kind: 'begin', file, pos, gtidsBefore: this.z.gtidSet, gtid: name === 'anonymousgtid' ? undefined : e.gtid, serverId: e.serverId, tsMs: e.timestamp });
        break;
      case 'xid':
        this.inTx = false;
        this.items.push({ kind: 'commit' });
        break;
      case 'query': {
        const q = (e.query ?? '').trim();
        const upper = q.toUpperCase();
        if (upper === 'BEGIN') {
          // MySQL without GTIDs (MariaDB always starts a group with its GTID event): BEGIN opens the transaction.
          if (!this.inTx) this.items.push({ kind: 'begin', file, pos, gtidsBefore: this.z.gtidSet, tsMs: e.timestamp, thread: e.slaveProxyId });
          this.inTx = true;
        } else if (upper === 'COMMIT' || upper === 'ROLLBACK') {
          this.inTx = false;
          this.items.push({ kind: 'commit' });
        } else {
          this.items.push({ kind: 'ddl', file, pos, gtid: e.gtid, schema: e.schema ?? '', statement: q, tsMs: e.timestamp, thread: e.slaveProxyId });
          this.inTx = false;
        }
        break;
      }
      case 'writerows': case 'updaterows': case 'deleterows': {
        const t = e.tableMap?.[e.tableId ?? -1];
        if (!t) break;
        const op = name === 'writerows' ? 'insert' : name === 'updaterows' ? 'update' : 'delete';
        this.items.push({ kind: 'rows', op, file, pos, gtid: e.gtid, db: t.parentSchema, table: t.tableName, tsMs: e.timestamp, rows: e.rows ?? [] });
        break;
      }
      default:
        return;
    }
    this.buffered += weight(this.items[this.items.length - 1]!);
    if (this.buffered >= this.cfg['max.queue.size']) this.pause();
    this.notify();
  }
}

function weight(item: BinlogItem): number {
  return item.kind === 'rows' ? Math.max(1, item.rows.length) : 1;
}
