// The binlog connectors' source block (BinlogSourceInfoStructMaker) and offsets (BinlogOffsetContext).
import { Schemas, type Schema, type Struct } from '../../records/schema.js';
import { sourceInfoSchema, sourceInfoStruct, type SnapshotRecord } from '../debezium/envelope.js';

/** The fields BinlogSourceInfoStructMaker adds after the common ones. */
export const BINLOG_SOURCE_FIELDS: Array<[string, Schema]> = [
  ['table', Schemas.string({ optional: true })],
  ['server_id', Schemas.int64()],
  ['gtid', Schemas.string({ optional: true })],
  ['file', Schemas.string()],
  ['pos', Schemas.int64()],
  ['row', Schemas.int32()],
  ['thread', Schemas.int64({ optional: true })],
  ['query', Schemas.string({ optional: true })],
];

/** "mysql" or "mariadb": source.connector and io.debezium.connector.<name>.Source. */
export type BinlogConnectorName = 'mysql' | 'mariadb';

const schemas = new Map<string, Schema>();
export function binlogSourceSchema(connector: BinlogConnectorName): Schema {
  let s = schemas.get(connector);
  if (!s) schemas.set(connector, (s = sourceInfoSchema(connector, BINLOG_SOURCE_FIELDS)));
  return s;
}

export interface BinlogSource {
  connector: BinlogConnectorName;
  name: string;
  tsMs: number;
  snapshot?: SnapshotRecord | null;
  db: string;
  table: string | null;
  serverId: number;
  gtid: string | null;
  file: string;
  pos: number;
  row: number;
  thread?: number | null;
}

export function binlogSourceStruct(s: BinlogSource): Struct {
  return sourceInfoStruct(binlogSourceSchema(s.connector), { connector: s.connector, name: s.name, tsMs: s.tsMs, snapshot: s.snapshot, db: s.db }, {
    table: s.table, server_id: s.serverId, gtid: s.gtid, file: s.file, pos: s.pos, row: s.row, thread: s.thread ?? null,
  });
}

/** MySqlPartition: one source partition per logical server. */
export function binlogPartition(topicPrefix: string): { server: string } {
  return { server: topicPrefix };
}

/**
 * Where streaming resumes: the start of the transaction being read (file/pos, and the GTID
 * position before it), plus how many of its row events (`event`) and rows of the next event
 * (`row`) were already emitted. Keys as BinlogOffsetContext writes them.
 */
export interface BinlogOffset {
  file: string;
  pos: number;
  gtids?: string;
  event?: number;
  row?: number;
  ts_sec?: number;
  server_id?: number;
  snapshot?: string;
  snapshot_completed?: boolean;
}

export function readOffset(o: Record<string, unknown> | null): BinlogOffset | null {
  if (!o || typeof o.file !== 'string' || o.file === '') return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined);
  const out: BinlogOffset = { file: o.file, pos: num(o.pos) ?? 4 };
  if (typeof o.gtids === 'string' && o.gtids !== '') out.gtids = o.gtids;
  const event = num(o.event);
  const row = num(o.row);
  if (event) out.event = event;
  if (row) out.row = row;
  if (o.snapshot !== undefined && o.snapshot !== null && o.snapshot !== false && o.snapshot !== 'false') out.snapshot = String(o.snapshot);
  if (o.snapshot_completed === true || o.snapshot_completed === 'true') out.snapshot_completed = true;
  return out;
}

/** True when the offset was written inside an initial snapshot that did not complete: the snapshot runs again. */
export function snapshotUnfinished(o: BinlogOffset): boolean {
  return o.snapshot !== undefined && !o.snapshot_completed;
}
