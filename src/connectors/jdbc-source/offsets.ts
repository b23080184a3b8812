import type { SourceOffset, SourcePartition } from '../../records/record.js';
import type { Mode } from './config.js';
import { unquotedName, type TableRef } from '../jdbc/dialect.js';
import type { Instant } from '../jdbc/time.js';

// Source partitions and offsets exactly as Confluent's connector writes them, so offsets
// exported from (or migrated to) Kafka Connect's offsets topic read the same. Key order
// follows the iteration order of the Java HashMaps Connect serializes:
//   partition {"protocol":"1","table":"db.t"}   (OffsetProtocols.sourcePartitionForProtocolV1)
//   offset    {"timestamp_nanos":N,"incrementing":I,"timestamp":T}   (TimestampIncrementingOffset.toMap)

export function tablePartition(t: TableRef): SourcePartition {
  return { protocol: '1', table: unquotedName(t) };
}

/** Protocol 0 (connector versions before 5.x) keyed by the bare table name; read as a fallback. */
export function legacyTablePartition(t: TableRef): SourcePartition {
  return { table: t.table };
}

export const QUERY_PARTITION: SourcePartition = Object.freeze({ query: 'query' });

/** How far a source partition has been read. Absent fields were never set. */
export interface Position {
  incrementing?: bigint;
  timestamp?: Instant;
}

export function toSourceOffset(p: Position): SourceOffset {
  const o: SourceOffset = {};
  if (p.timestamp) o.timestamp_nanos = p.timestamp.nanos;
  if (p.incrementing !== undefined) o.incrementing = longValue(p.incrementing);
  if (p.timestamp) o.timestamp = p.timestamp.ms;
  return o;
}

/** Reads an offset written by us or by Kafka Connect (numbers, numeric strings or bigints). */
export function fromSourceOffset(o: SourceOffset | null | undefined): Position {
  const p: Position = {};
  if (!o) return p;
  const inc = asBigInt(o.incrementing);
  if (inc !== undefined) p.incrementing = inc;
  const ms = asBigInt(o.timestamp);
  if (ms !== undefined) {
    const nanos = asBigInt(o.timestamp_nanos);
    const n = nanos !== undefined ? Number(nanos) : Number(((ms % 1000n) + 1000n) % 1000n) * 1_000_000;
    // Java's Timestamp(ms).setNanos(n) keeps the whole second of ms and takes the fraction from n.
    const second = Number(ms >= 0n ? ms / 1000n : (ms - 999n) / 1000n);
    p.timestamp = { ms: second * 1000 + Math.floor(n / 1_000_000), nanos: n };
  }
  return p;
}

/** The offset's incrementing value as JSON can carry it: a number while exact, else a bigint. */
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function longValue(v: bigint): number | bigint {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return undefined;
}

/** Which fields a mode's offsets carry (bulk has none: Confluent writes a null offset). */
export function positionFor(mode: Mode, p: Position): Position {
  const out: Position = {};
  if ((mode === 'incrementing' || mode === 'timestamp+incrementing') && p.incrementing !== undefined) out.incrementing = p.incrementing;
  if ((mode === 'timestamp' || mode === 'timestamp+incrementing') && p.timestamp) out.timestamp = p.timestamp;
  return out;
}
