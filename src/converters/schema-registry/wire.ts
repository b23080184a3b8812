import { DataException } from '../../records/schema.js';

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the
 * payload (Avro binary, JSON text, or for Protobuf the message indexes then the message).
 */
export const MAGIC_BYTE = 0;

export function frame(id: number, ...payload: Buffer[]): Buffer {
  const head = Buffer.alloc(5);
  head[0] = MAGIC_BYTE;
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, ...payload]);
}

/** The schema id and where the payload starts; Confluent's message for a foreign first byte. */
export function unframe(bytes: Buffer): { id: number; offset: number } {
  if (bytes.length < 5 || bytes[0] !== MAGIC_BYTE) throw new DataException('Unknown magic byte!');
  return { id: bytes.readInt32BE(1), offset: 5 };
}

/** Protobuf's zig-zag varint (Confluent's ByteUtils.writeVarint), as MessageIndexes writes its numbers. */
function writeVarint(n: number, out: number[]): void {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while ((v & ~0x7f) !== 0) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function readVarint(bytes: Buffer, at: number): { value: number; next: number } {
  let v = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= bytes.length) throw new DataException('Invalid message indexes: the payload ends inside a varint');
    const b = bytes[i++]!;
    v |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new DataException('Invalid message indexes: varint too long');
  }
  v >>>= 0;
  return { value: (v >>> 1) ^ -(v & 1), next: i };
}

/**
 * Confluent's MessageIndexes: the path of the message type in the .proto file (index of the
 * top-level message, then of each nested one). The first message, [0], is written as a single 0.
 */
export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  writeVarint(indexes.length, out);
  for (const i of indexes) writeVarint(i, out);
  return Buffer.from(out);
}

export function decodeMessageIndexes(bytes: Buffer, at: number): { indexes: number[]; next: number } {
  const count = readVarint(bytes, at);
  if (count.value === 0) return { indexes: [0], next: count.next };
  if (count.value < 0 || count.value > 100) throw new DataException(`Invalid message indexes: count ${count.value}`);
  const indexes: number[] = [];
  let next = count.next;
  for (let k = 0; k < count.value; k++) {
    const r = readVarint(bytes, next);
    indexes.push(r.value);
    next = r.next;
  }
  return { indexes, next };
}
