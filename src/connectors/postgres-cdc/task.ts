import pg from 'pg';
import Cursor from 'pg-cursor';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { ConfigError, ConnectError, DataError, RetriableError, isProgrammerError } from '../../errors.js';
import type { SourceOffset, SourcePartition, SourceRecord } from '../../records/record.js';
import { Schemas, type Schema } from '../../records/schema.js';
import { abortableWait, Wakers } from '../../wait.js';
import type { PluginLogger, SourceTask, SourceTaskContext } from '../types.js';
import {
  changeEvent, Operation, snapshotMarker, sourceInfoSchema, sourceInfoStruct, tableSchemas, tombstoneFor,
  type OperationCode, type SnapshotRecord, type TableSchemas,
} from '../debezium/envelope.js';
import { DebeziumTypes } from '../debezium/types.js';
import { parsePostgresCdcConfig, tableFilter, type PostgresCdcConfig } from './config.js';
import { cdcColumnType, UNAVAILABLE_VALUE, type CdcColumnType } from './types.js';

// The PostgreSQL CDC task (Debezium's PostgresConnector contract over pgoutput):
//   1. the publication (publication.autocreate.mode) and the slot (slot.name) exist;
//   2. a consistent snapshot when snapshot.mode asks for one and no complete snapshot is in the
//      offsets: the slot is created with EXPORT_SNAPSHOT and the tables are read in that very
//      snapshot, so streaming from the slot's consistent point neither loses nor repeats a change;
//   3. streaming: pgoutput messages become change events (c, u, d, tombstones); a Relation message
//      (after an ALTER TABLE) rebuilds the table's schemas.
// The slot's confirmed flush LSN moves only in commit(), after Kafka acknowledged the records:
// until then the server keeps the WAL, and a restart streams again from there, skipping what the
// committed offsets (lsn_commit, lsn_proc) say was already delivered.

/** LSN text (16/B374D848) as a number (LSNs stay far below 2^53). */
export function parseLsn(text: string): number {
  const [hi, lo] = text.split('/');
  return parseInt(hi, 16) * 2 ** 32 + parseInt(lo, 16);
}

export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** Server text as is: the column types (types.ts) convert it exactly. */
const TEXT_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

/** pgoutput, with every column handed over as the server's text (the library would parse dates in the local zone). */
class TextPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): Pgoutput.Message {
    const msg = super.parse(buffer);
    if (msg.tag === 'relation') for (const c of msg.columns) c.parser = (raw: unknown) => raw;
    return msg;
  }
}

interface CapturedColumn {
  name: string;
  type: CdcColumnType;
}

interface CapturedTable {
  oid: number;
  schema: string;
  table: string;
  columns: CapturedColumn[];
  schemas: TableSchemas;
}

interface QueuedMessage {
  lsn: number;
  msg: Pgoutput.Message;
}

interface SnapshotState {
  client: pg.Client;
  tables: Array<{ oid: number; schema: string; table: string }>;
  index: number;
  cursor: Cursor | null;
  captured: CapturedTable | null;
  buffer: Array<Record<string, string | null>>;
  lookahead: Record<string, string | null> | null;
  rowIndex: number;
  exhausted: boolean;
  lsn: number;
  txId: number;
  tsMs: number;
}

function clientConfig(cfg: PostgresCdcConfig): pg.ClientConfig {
  const ssl = cfg['database.sslmode'];
  return {
    host: cfg['database.hostname'],
    port: cfg['database.port'],
    user: cfg['database.user'],
    password: cfg['database.password'],
    database: cfg['database.dbname'],
    application_name: 'temporal-connect-cdc',
    connectionTimeoutMillis: 10_000,
    types: TEXT_TYPES,
    ...(ssl !== 'disable' ? { ssl: { rejectUnauthorized: ssl !== 'require' } } : {}),
  };
}

/** A server or connection error as ConfigError (a retry cannot fix it) or RetriableError. */
export function classifyPgError(e: unknown, what: string): Error {
  if (e instanceof ConnectError || isProgrammerError(e)) return e as Error;
  const err = e as { code?: string; message?: string };
  const message = `${what}: ${err.message ?? String(e)}`;
  const config: Record<string, string | undefined> = {
    '28P01': 'database.password', '28000': 'database.user', '3D000': 'database.dbname', '42501': undefined, '42704': undefined,
    '55000': undefined, '42P01': undefined, '0A000': undefined,
  };
  if (typeof err.code === 'string' && err.code in config) {
    const k = config[err.code];
    return new ConfigError(message, k ? [{ key: k, message }] : [], { cause: e });
  }
  return new RetriableError(message, { cause: e });
}

const q = (name: string) => '"' + name.replace(/"/g, '""') + '"';

export async function startPostgresCdcTask(taskConfig: Record<string, string>, ctx: SourceTaskContext): Promise<SourceTask> {
  const cfg = parsePostgresCdcConfig(taskConfig);
  const admin = new pg.Client(clientConfig(cfg));
  try {
    await admin.connect();
    await admin.query("SET TIME ZONE 'UTC'");
    const task = new PostgresCdcTask(cfg, ctx, admin);
    await task.prepare();
    return task;
  } catch (e) {
    await admin.end().catch(() => undefined);
    throw classifyPgError(e, 'Could not start the PostgreSQL connector task');
  }
}

class PostgresCdcTask implements SourceTask {
  private readonly partition: SourcePartition;
  private readonly filter: (schema: string, table: string) => boolean;
  private readonly sourceSchema = sourceInfoSchema('postgresql', [
    ['schema', Schemas.string()],
    ['table', Schemas.string()],
    ['txId', Schemas.int64({ optional: true })],
    ['lsn', Schemas.int64({ optional: true })],
    ['xmin', Schemas.int64({ optional: true })],
  ]);
  private readonly logger: PluginLogger;
  private snapshot: SnapshotState | null = null;
  private streaming = false;
  private service: LogicalReplicationService | null = null;
  private streamError: Error | null = null;
  private readonly queue: QueuedMessage[] = [];
  private readonly arrivals = new Wakers();
  private readonly drains = new Wakers();
  /** Tables by relation OID, as the last Relation message (or the snapshot) described them. */
  private readonly tables = new Map<number, CapturedTable | null>();
  private readonly warnedTypes = new Set<string>();
  /** The transaction being read: BEGIN's xid, commit LSN and time. */
  private tx: { xid: number; commitLsn: number; commitTimeUs: bigint } | null = null;
  private lastCommitLsn: number | null = null;
  /** The last change handed out (or committed before a restart): what a re-sent stream skips up to. */
  private position: { commitLsn: number; lsn: number } | null = null;
  /** Where streaming starts, and the LSN the slot is confirmed up to. */
  private startLsn = 0;
  private confirmedLsn = 0;
  private closed = false;

  constructor(private readonly cfg: PostgresCdcConfig, private readonly ctx: SourceTaskContext, private readonly admin: pg.Client) {
    this.partition = { server: cfg['topic.prefix'] };
    this.filter = tableFilter(cfg);
    this.logger = ctx.logger;
  }

  private get slot(): string {
    return this.cfg['slot.name'] ?? 'debezium';
  }

  private get publication(): string {
    return this.cfg['publication.name'] ?? 'dbz_publication';
  }

  /** Publication, slot and the snapshot's starting point, from the committed offsets. */
  async prepare(): Promise<void> {
    const stored = this.ctx.offsetFor(this.partition);
    const storedLsn = num(stored?.lsn);
    const snapshotDone = stored !== null && storedLsn !== undefined && !(stored.snapshot === true && stored.last_snapshot_record !== true);
    const mode = this.cfg['snapshot.mode'];
    const wantsSnapshot = (mode === 'initial' || mode === 'initial_only') && !snapshotDone;
    await this.ensurePublication();
    const slot = await this.slotState();
    if (slot && slot.plugin !== 'pgoutput') {
      throw new ConfigError(`Replication slot ${this.slot} uses the ${slot.plugin} plug-in, not pgoutput: drop it or choose another slot.name`, [{ key: 'slot.name', message: 'slot of another plug-in' }]);
    }
    if (slot?.active) throw new RetriableError(`Replication slot ${this.slot} is in use by another connection (pid ${slot.activePid})`);

    if (wantsSnapshot) {
      if (slot) {
        // Nothing of this slot was delivered (no complete snapshot in the offsets): a new slot
        // exports the snapshot the tables are read in, so its stream starts exactly after it.
        this.logger.info({ slot: this.slot }, 'Dropping the replication slot to take a consistent snapshot from a new one');
        await this.admin.query('SELECT pg_drop_replication_slot($1)', [this.slot]);
      }
      await this.startSnapshot();
      return;
    }
    if (!slot) {
      if (stored) this.logger.warn({ slot: this.slot }, 'The replication slot is gone: changes made since the committed offset and before this start are lost; streaming from now on');
      const r = await this.admin.query('SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, \'pgoutput\')', [this.slot]);
      this.startLsn = parseLsn(r.rows[0].lsn);
    } else {
      this.startLsn = slot.confirmed;
    }
    this.confirmedLsn = this.startLsn;
    if (stored && storedLsn !== undefined && snapshotDone) {
      const commit = num(stored.lsn_commit);
      const proc = num(stored.lsn_proc);
      if (commit !== undefined && proc !== undefined) this.position = { commitLsn: commit, lsn: proc };
      if (commit !== undefined) this.lastCommitLsn = commit;
    }
    this.streaming = mode !== 'initial_only';
  }

  private async slotState(): Promise<{ plugin: string; active: boolean; activePid: number | null; confirmed: number } | null> {
    const r = await this.admin.query(
      'SELECT plugin, active::text AS active, active_pid::text AS pid, COALESCE(confirmed_flush_lsn, restart_lsn)::text AS lsn FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()',
      [this.slot],
    );
    if (r.rows.length === 0) {
      const other = await this.admin.query('SELECT database FROM pg_replication_slots WHERE slot_name = $1', [this.slot]);
      if (other.rows.length) throw new ConfigError(`Replication slot ${this.slot} belongs to database ${other.rows[0].database}: choose another slot.name`, [{ key: 'slot.name', message: 'slot of another database' }]);
      return null;
    }
    const row = r.rows[0];
    return { plugin: row.plugin, active: row.active === 'true', activePid: row.pid ? Number(row.pid) : null, confirmed: row.lsn ? parseLsn(row.lsn) : 0 };
  }

  /** The tables of the database the filters capture, in name order. */
  private async capturedTables(): Promise<Array<{ oid: number; schema: string; table: string }>> {
    const r = await this.admin.query(
      "SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      + "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY n.nspname, c.relname",
    );
    return r.rows.map((x) => ({ oid: Number(x.oid), schema: x.schema, table: x.table })).filter((t) => this.filter(t.schema, t.table));
  }

  private async ensurePublication(): Promise<void> {
    const name = this.publication;
    const exists = (await this.admin.query('SELECT puballtables::text AS alltables FROM pg_publication WHERE pubname = $1', [name])).rows[0];
    const mode = this.cfg['publication.autocreate.mode'];
    if (mode === 'disabled') {
      if (!exists) throw new ConfigError(`Publication ${name} does not exist and publication.autocreate.mode is disabled: create it (CREATE PUBLICATION ${name} FOR TABLE ...) or set publication.autocreate.mode to filtered or all_tables`, [{ key: 'publication.name', message: 'no such publication' }]);
      return;
    }
    if (mode === 'all_tables') {
      if (exists) return;
      try {
        await this.admin.query(`CREATE PUBLICATION ${q(name)} FOR ALL TABLES`);
      } catch (e) {
        const m = (e as Error).message;
        throw new ConfigError(`Could not create publication ${name} FOR ALL TABLES (${m}): that needs a superuser; set publication.autocreate.mode=filtered (the user must own the captured tables) or create the publication yourself`, [{ key: 'publication.autocreate.mode', message: m }], { cause: e });
      }
      return;
    }
    const tables = await this.capturedTables();
    if (tables.length === 0) throw new ConfigError('No table matches the include/exclude lists: a filtered publication needs at least one', [{ key: 'table.include.list', message: 'no table matches' }]);
    const list = tables.map((t) => `${q(t.schema)}.${q(t.table)}`).join(', ');
    if (!exists) {
      await this.admin.query(`CREATE PUBLICATION ${q(name)} FOR TABLE ${list}`);
    } else if (exists.alltables !== 'true') {
      const current = (await this.admin.query('SELECT schemaname AS schema, tablename AS table FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2', [name])).rows;
      const want = tables.map((t) => `${t.schema}.${t.table}`).sort();
      const have = current.map((t) => `${t.schema}.${t.table}`).sort();
      if (JSON.stringify(want) !== JSON.stringify(have)) await this.admin.query(`ALTER PUBLICATION ${q(name)} SET TABLE ${list}`);
    }
  }

  /** A new slot exporting its snapshot; the snapshot's transaction imports it and reads the tables. */
  private async startSnapshot(): Promise<void> {
    const replication = new pg.Client({ ...clientConfig(this.cfg), replication: 'database' } as pg.ClientConfig);
    await replication.connect();
    const snapClient = new pg.Client(clientConfig(this.cfg));
    try {
      const created = await replication.query(`CREATE_REPLICATION_SLOT ${q(this.slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`);
      const { consistent_point: consistentPoint, snapshot_name: snapshotName } = created.rows[0] as { consistent_point: string; snapshot_name: string };
      await snapClient.connect();
      await snapClient.query("SET TIME ZONE 'UTC'");
      await snapClient.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await snapClient.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replace(/'/g, "''")}'`);
      const txId = Number((await snapClient.query('SELECT txid_current()::text AS x')).rows[0].x);
      this.snapshot = {
        client: snapClient, tables: await this.capturedTables(), index: 0, cursor: null, captured: null, buffer: [], lookahead: null,
        rowIndex: 0, exhausted: false, lsn: parseLsn(consistentPoint), txId, tsMs: Date.now(),
      };
      this.startLsn = this.snapshot.lsn;
      this.confirmedLsn = this.startLsn;
      this.logger.info({ slot: this.slot, lsn: consistentPoint, tables: this.snapshot.tables.length }, 'Snapshot started');
    } catch (e) {
      await snapClient.end().catch(() => undefined);
      throw e;
    } finally {
      // The importing transaction holds the snapshot now: the exporting session may go.
      await replication.end().catch(() => undefined);
    }
  }

  async poll(maxRecords: number, signal: AbortSignal): Promise<SourceRecord[]> {
    if (this.closed) throw new Error('poll() after close()');
    const max = Math.min(maxRecords, this.cfg['max.batch.size']);
    try {
      if (this.snapshot) return await this.pollSnapshot(max);
      if (!this.streaming) {
        await abortableWait({ ms: this.cfg['poll.interval.ms'], signal });
        return [];
      }
      return await this.pollStream(max, signal);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw classifyPgError(e, 'PostgreSQL change streaming failed');
    }
  }

  // ---------------------------------------------------------------- snapshot

  private async pollSnapshot(max: number): Promise<SourceRecord[]> {
    const s = this.snapshot!;
    const out: SourceRecord[] = [];
    while (out.length < max && s.index < s.tables.length) {
      if (!s.cursor) {
        const t = s.tables[s.index];
        s.captured = await this.describeTable(t.oid, t.schema, t.table, null);
        s.cursor = s.client.query(new Cursor(`SELECT * FROM ${q(t.schema)}.${q(t.table)}`, [], { types: TEXT_TYPES }));
        s.buffer = [];
        s.lookahead = null;
        s.rowIndex = 0;
        s.exhausted = false;
      }
      const row = s.lookahead ?? (await this.snapshotRow(s));
      s.lookahead = null;
      if (!row) {
        await s.cursor.close();
        s.cursor = null;
        s.index++;
        continue;
      }
      const next = await this.snapshotRow(s);
      s.lookahead = next;
      const last = next === null && s.index === s.tables.length - 1;
      // The markers need the row count only at the ends: "last" of a table is known by lookahead.
      const marker: SnapshotRecord = snapshotMarker(s.index, s.tables.length, s.rowIndex, next === null ? s.rowIndex + 1 : s.rowIndex + 2);
      out.push(...this.records(s.captured!, Operation.READ, null, row, {
        snapshot: marker, tsMs: s.tsMs, txId: s.txId, lsn: s.lsn, sequence: [null, s.lsn],
      }, { last_snapshot_record: last, lsn: s.lsn, txId: s.txId, ts_usec: s.tsMs * 1000, snapshot: true }));
      s.rowIndex++;
    }
    if (s.index >= s.tables.length) await this.finishSnapshot(out);
    return out;
  }

  private async snapshotRow(s: SnapshotState): Promise<Record<string, string | null> | null> {
    if (s.buffer.length === 0 && !s.exhausted) {
      const rows = await s.cursor!.read(1000);
      if (rows.length < 1000) s.exhausted = true;
      s.buffer = rows.reverse();
    }
    return s.buffer.pop() ?? null;
  }

  private async finishSnapshot(out: SourceRecord[]): Promise<void> {
    const s = this.snapshot!;
    this.snapshot = null;
    await s.client.query('COMMIT').catch(() => undefined);
    await s.client.end().catch(() => undefined);
    this.logger.info({ lsn: formatLsn(s.lsn), lastBatch: out.length }, 'Snapshot completed');
    this.streaming = this.cfg['snapshot.mode'] !== 'initial_only';
  }

  // ---------------------------------------------------------------- streaming

  private async startStreaming(): Promise<void> {
    const service = new LogicalReplicationService(clientConfig(this.cfg), {
      // Acknowledged only in commit(); the library's own timer would confirm what Kafka has not acknowledged.
      acknowledge: { auto: false, timeoutSeconds: 0 },
      flowControl: { enabled: true },
    });
    service.on('data', async (lsn: string, msg: Pgoutput.Message) => {
      while (this.queue.length >= this.cfg['max.queue.size'] && !this.closed && this.service === service) {
        await abortableWait({ ms: 1000, wakers: this.drains });
      }
      this.queue.push({ lsn: parseLsn(lsn), msg });
      this.arrivals.wakeAll();
    });
    service.on('heartbeat', (_lsn: string, _ts: number, shouldRespond: boolean) => {
      if (shouldRespond) void this.sendConfirmed();
    });
    service.on('error', (e: Error) => {
      this.streamError = e;
      this.arrivals.wakeAll();
    });
    this.service = service;
    this.streamError = null;
    const plugin = new TextPgoutputPlugin({ protoVersion: 1, publicationNames: [this.publication] });
    let started = false;
    const ended = (e: Error) => {
      if (this.service === service && !this.closed) {
        this.streamError = e;
        this.arrivals.wakeAll();
      }
    };
    // subscribe() settles when the stream ends; 'start' says START_REPLICATION was accepted.
    await new Promise<void>((resolve, reject) => {
      service.once('start', () => { started = true; resolve(); });
      service.subscribe(plugin, this.slot, formatLsn(this.startLsn)).then(
        () => (started ? ended(new RetriableError('The replication stream ended')) : reject(new RetriableError('The replication stream ended before it started'))),
        (e: Error) => (started ? ended(e) : reject(e)),
      );
    });
  }

  private async pollStream(max: number, signal: AbortSignal): Promise<SourceRecord[]> {
    if (this.streamError) {
      // Reported once; the next poll opens a new stream from the confirmed LSN.
      const e = this.streamError;
      this.streamError = null;
      await this.stopStreaming();
      throw e;
    }
    if (!this.service) await this.startStreaming();
    if (this.queue.length === 0) {
      await abortableWait({ ms: this.cfg['poll.interval.ms'], signal, wakers: this.arrivals });
    }
    const out: SourceRecord[] = [];
    const from = this.position;
    try {
      while (out.length < max && this.queue.length > 0) {
        const { lsn, msg } = this.queue.shift()!;
        await this.handle(lsn, msg, out);
      }
    } catch (e) {
      // Nothing of this poll is handed out: the next one streams again from the confirmed LSN and skips to where this began.
      this.position = from;
      await this.stopStreaming();
      throw e;
    } finally {
      this.drains.wakeAll();
    }
    return out;
  }

  private async handle(lsn: number, msg: Pgoutput.Message, out: SourceRecord[]): Promise<void> {
    switch (msg.tag) {
      case 'begin':
        this.tx = { xid: msg.xid >>> 0, commitLsn: msg.commitLsn ? parseLsn(msg.commitLsn) : lsn, commitTimeUs: BigInt(msg.commitTime as unknown as bigint) };
        return;
      case 'commit':
        this.lastCommitLsn = msg.commitLsn ? parseLsn(msg.commitLsn) : lsn;
        this.tx = null;
        return;
      case 'relation':
        // Sent before the first change of a table in a stream and after each change of its shape.
        this.tables.set(msg.relationOid, this.filter(msg.schema, msg.name)
          ? await this.describeTable(msg.relationOid, msg.schema, msg.name, msg.columns.map((c) => ({ name: c.name, typeOid: c.typeOid, typmod: c.typeMod })))
          : null);
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const table = this.tables.get(msg.relation.relationOid);
        if (!table || !this.tx) return;
        const commitLsn = this.tx.commitLsn;
        // Already delivered before a restart (the server re-sends from the confirmed flush LSN).
        if (this.position && (commitLsn < this.position.commitLsn || (commitLsn === this.position.commitLsn && lsn <= this.position.lsn))) return;
        this.position = { commitLsn, lsn };
        const tsMs = Number(this.tx.commitTimeUs / 1000n);
        const source = { tsMs, tsUsFraction: Number(this.tx.commitTimeUs % 1000n), txId: this.tx.xid, lsn, sequence: [this.lastCommitLsn, lsn] as [number | null, number] };
        const offset: SourceOffset = {
          transaction_id: null, lsn_proc: lsn, messageType: msg.tag.toUpperCase(), lsn_commit: commitLsn, lsn, txId: this.tx.xid, ts_usec: Number(this.tx.commitTimeUs),
        };
        if (msg.tag === 'insert') {
          out.push(...this.records(table, Operation.CREATE, null, msg.new, source, offset));
        } else if (msg.tag === 'update') {
          const before = msg.old ?? null;
          const after = fillUnchanged(msg.new, before);
          // The old key comes as `key` (REPLICA IDENTITY DEFAULT, when it changed) or within `old` (FULL).
          const oldKey = msg.key ?? msg.old;
          const keyChanged = oldKey !== null && table.schemas.keyColumns.some((k) => oldKey[k] !== undefined && oldKey[k] !== after[k]);
          if (keyChanged) {
            // A primary key change is a delete of the old key (and its tombstone) and a create of the new (Debezium's behaviour).
            out.push(...this.records(table, Operation.DELETE, oldKey, null, source, offset));
            out.push(...this.records(table, Operation.CREATE, null, after, source, offset));
          } else {
            out.push(...this.records(table, Operation.UPDATE, before, after, source, offset));
          }
        } else {
          out.push(...this.records(table, Operation.DELETE, msg.old ?? msg.key, null, source, offset));
        }
        return;
      }
      default:
        return;
    }
  }

  /** The change event (and after a delete, its tombstone) of one row change. */
  private records(
    table: CapturedTable, op: OperationCode, before: Record<string, unknown> | null, after: Record<string, unknown> | null,
    src: { snapshot?: SnapshotRecord; tsMs: number; tsUsFraction?: number; txId: number; lsn: number; sequence: [number | null, number] },
    offset: SourceOffset,
  ): SourceRecord[] {
    const source = sourceInfoStruct(this.sourceSchema, {
      connector: 'postgresql', name: this.cfg['topic.prefix'], tsMs: src.tsMs, tsUsFraction: src.tsUsFraction, snapshot: src.snapshot ?? null,
      db: this.cfg['database.dbname'], sequence: JSON.stringify(src.sequence.map((v) => (v === null ? null : String(v)))),
    }, { schema: table.schema, table: table.table, txId: src.txId, lsn: src.lsn });
    const event = changeEvent(table.schemas, { op, before: this.row(table, before), after: this.row(table, after), source });
    const base = { topic: table.schemas.topic, kafkaPartition: null, headers: [], timestamp: null, sourcePartition: this.partition, sourceOffset: offset };
    const out: SourceRecord[] = [{ ...base, key: event.key, keySchema: event.keySchema, value: event.value, valueSchema: event.valueSchema }];
    if (op === Operation.DELETE && this.cfg['tombstones.on.delete']) {
      const t = tombstoneFor(event);
      out.push({ ...base, key: t.key, keySchema: t.keySchema, value: null, valueSchema: null });
    }
    return out;
  }

  /** A tuple's text values as Connect values of the captured columns. */
  private row(table: CapturedTable, tuple: Record<string, unknown> | null): Record<string, unknown> | null {
    if (!tuple) return null;
    const out: Record<string, unknown> = {};
    for (const c of table.columns) {
      const raw = tuple[c.name];
      if (raw === null || raw === undefined) continue;
      if (raw === UNAVAILABLE_VALUE) {
        if (c.type.schema.type === 'string') out[c.name] = UNAVAILABLE_VALUE;
        else if (c.type.schema.type === 'bytes' && !c.type.schema.name) out[c.name] = Buffer.from(UNAVAILABLE_VALUE);
        continue;
      }
      try {
        out[c.name] = c.type.convert(String(raw));
      } catch (e) {
        if (e instanceof DataError) throw new DataError(`${table.schema}.${table.table}.${c.name}: ${e.message}`, 'TASK_POLL', { cause: e });
        throw e;
      }
    }
    return out;
  }

  /**
   * A captured table's columns (the Relation message's, or the catalog's for the snapshot) with
   * their Debezium types, nullability and primary key from the catalog.
   */
  private async describeTable(oid: number, schema: string, table: string, columns: Array<{ name: string; typeOid: number; typmod: number }> | null): Promise<CapturedTable> {
    const attrs = await this.admin.query(
      'SELECT a.attname AS name, a.atttypid::text AS type, a.atttypmod::text AS typmod, a.attnotnull::text AS notnull, t.typtype AS kind, '
      + 't.typbasetype::text AS base, t.typtypmod::text AS basemod, '
      + "(SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid) AS labels "
      + 'FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
      [String(oid)],
    );
    const pk = (await this.admin.query(
      'SELECT a.attname AS name FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) '
      + 'JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord',
      [String(oid)],
    )).rows.map((r) => r.name as string);
    const catalog = new Map(attrs.rows.map((r) => [r.name as string, r]));
    const cols = columns ?? attrs.rows.map((r) => ({ name: r.name as string, typeOid: Number(r.type), typmod: Number(r.typmod) }));
    const captured: CapturedColumn[] = [];
    for (const c of cols) {
      const a = catalog.get(c.name);
      const optional = !(a?.notnull === 'true' || pk.includes(c.name));
      let type: CdcColumnType | null;
      if (a?.kind === 'e') {
        type = { schema: DebeziumTypes.enum(String(a.labels ?? '').split(',').filter(Boolean), { optional }), convert: (s) => s };
      } else if (a?.kind === 'd') {
        type = cdcColumnType(Number(a.base), Number(a.basemod), { decimalMode: this.cfg['decimal.handling.mode'], optional });
      } else {
        type = cdcColumnType(c.typeOid, c.typmod, { decimalMode: this.cfg['decimal.handling.mode'], optional });
      }
      if (!type) {
        const k = `${schema}.${table}.${c.name}`;
        if (!this.warnedTypes.has(k)) {
          this.warnedTypes.add(k);
          this.logger.warn({ column: k, typeOid: c.typeOid }, 'Column type has no Debezium mapping here; the column is left out of the events');
        }
        continue;
      }
      captured.push({ name: c.name, type });
    }
    const topic = `${this.cfg['topic.prefix']}.${schema}.${table}`;
    const keyColumns = pk.filter((k) => captured.some((c) => c.name === k));
    const schemas = tableSchemas({
      topic,
      columns: captured.map((c) => ({ name: c.name, schema: c.type.schema as Schema })),
      keyColumns,
      sourceSchema: this.sourceSchema,
    });
    const t = { oid, schema, table, columns: captured, schemas };
    this.tables.set(oid, t);
    return t;
  }

  // ---------------------------------------------------------------- acknowledgement

  /** Kafka acknowledged the records up to these offsets: the slot may let go of the WAL before them. */
  async commit(committed: Array<{ partition: SourcePartition; offset: SourceOffset }>): Promise<void> {
    for (const c of committed) {
      if (c.partition.server !== this.partition.server) continue;
      const lsn = num(c.offset.lsn_proc) ?? num(c.offset.lsn);
      if (lsn !== undefined && lsn > this.confirmedLsn) this.confirmedLsn = lsn;
    }
    await this.sendConfirmed();
  }

  private async sendConfirmed(): Promise<void> {
    const service = this.service;
    if (!service || service.isStop() || this.confirmedLsn <= 0) return;
    // The library reports lsn + 1 as written, flushed and applied: hand it the byte before.
    await service.acknowledge(formatLsn(this.confirmedLsn - 1)).catch(() => undefined);
  }

  private async stopStreaming(): Promise<void> {
    const service = this.service;
    this.service = null;
    this.queue.length = 0;
    this.tx = null;
    this.drains.wakeAll();
    if (service) await service.destroy().catch(() => undefined);
    // A new stream starts where the slot was confirmed; position skips what was already handed out.
    this.startLsn = this.confirmedLsn;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopStreaming();
    if (this.snapshot) {
      await this.snapshot.client.end().catch(() => undefined);
      this.snapshot = null;
    }
    if (this.cfg['slot.drop.on.stop']) {
      await this.admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [this.slot]).catch(() => undefined);
    }
    await this.admin.end().catch(() => undefined);
  }
}

/** An update's new tuple with unchanged TOASTed values (not in the WAL) from the old tuple, else Debezium's placeholder. */
function fillUnchanged(after: Record<string, unknown>, before: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...after };
  for (const [k, v] of Object.entries(out)) {
    if (v === undefined) out[k] = before?.[k] ?? UNAVAILABLE_VALUE;
  }
  return out;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}
