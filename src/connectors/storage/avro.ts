import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { DataError } from '../../errors.js';
import { parseBigDecimal, rescale } from '../../converters/number-text.js';
import { mapEntries } from '../../converters/schema-util.js';
import { LOGICAL, Schemas, Struct, type Schema } from '../../records/schema.js';

// Avro object container files for AvroFormat: Connect schemas and values mapped to Avro as
// Confluent's AvroData does (records named after the Connect schema or
// io.confluent.connect.avro.ConnectDefault, optional as a union with null, int8/int16 as int,
// maps with non-string keys as arrays of MapEntry records, Decimal/Date/Time/Timestamp as Avro's
// logical types), written with avsc's encoders. Readers (the S3 source) turn them back.

const NS = 'io.confluent.connect.avro';
type AvroSchema = string | Record<string, unknown> | AvroSchema[];

/** Avro schemas per Connect schema object (records of a topic share one). */
const schemaCache = new WeakMap<Schema, { json: AvroSchema; type: avro.Type; text: string }>();

function splitName(full: string): { name: string; namespace?: string } {
  const i = full.lastIndexOf('.');
  return i < 0 ? { name: full } : { name: full.slice(i + 1), namespace: full.slice(0, i) };
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_.]/g, '_').replace(/(^|\.)([0-9])/g, '$1_$2');

/** The Avro schema of a Connect schema (Confluent's AvroData.fromConnectSchema, without connect.* metadata). */
export function avroSchemaOf(schema: Schema): AvroSchema {
  const names = new Map<string, string>();
  let unnamed = 0;
  const conv = (s: Schema): AvroSchema => {
    const base = ((): AvroSchema => {
      switch (s.type) {
        case 'int8': case 'int16': return { type: 'int', 'connect.type': s.type };
        case 'int32':
          if (s.name === LOGICAL.Date) return { type: 'int', logicalType: 'date' };
          if (s.name === LOGICAL.Time) return { type: 'int', logicalType: 'time-millis' };
          return 'int';
        case 'int64': return s.name === LOGICAL.Timestamp ? { type: 'long', logicalType: 'timestamp-millis' } : 'long';
        case 'float32': return 'float';
        case 'float64': return 'double';
        case 'boolean': return 'boolean';
        case 'string': return 'string';
        case 'bytes':
          if (s.name === LOGICAL.Decimal) {
            const scale = Number(s.parameters?.scale ?? 0);
            const precision = Number(s.parameters?.['connect.decimal.precision'] ?? 64);
            return { type: 'bytes', logicalType: 'decimal', precision, scale };
          }
          return 'bytes';
        case 'array': return { type: 'array', items: conv(s.valueSchema!) };
        case 'map':
          if (s.keySchema?.type === 'string' && !s.keySchema.optional) return { type: 'map', values: conv(s.valueSchema!) };
          unnamed++;
          return { type: 'array', items: { type: 'record', name: unnamed === 1 ? 'MapEntry' : `MapEntry${unnamed}`, namespace: NS, fields: [{ name: 'key', type: conv(s.keySchema!) }, { name: 'value', type: conv(s.valueSchema!) }] } };
        case 'struct': {
          const full = s.name ? safeName(s.name) : `${NS}.ConnectDefault`;
          const fields = (s.fields ?? []).map((f) => ({ name: safeName(f.name), type: conv(f.schema), ...(f.schema.optional ? { default: null } : {}) }));
          const def = JSON.stringify(fields);
          let chosen = full;
          // Avro names a record once per schema: the same definition again is a reference, another gets a number.
          for (let n = 1; names.has(chosen) && names.get(chosen) !== def; n++) chosen = `${full}${n}`;
          if (names.get(chosen) === def) return chosen;
          names.set(chosen, def);
          return { type: 'record', ...splitName(chosen), fields };
        }
      }
    })();
    return s.optional ? ['null', base] : base;
  };
  return conv(schema);
}

function compiled(schema: Schema): { json: AvroSchema; type: avro.Type; text: string } {
  let c = schemaCache.get(schema);
  if (!c) {
    const json = avroSchemaOf(schema);
    // Logical types stay in the file's schema; values are written in their underlying types.
    c = { json, type: avro.Type.forSchema(json as avro.Schema, { wrapUnions: false }), text: JSON.stringify(json) };
    schemaCache.set(schema, c);
  }
  return c;
}

const bad = (message: string) => new DataError(`AvroFormat: ${message}`, 'TASK_PUT');
const DAY = 86_400_000;

function decimalBytes(v: unknown, scale: number): Buffer {
  const d = typeof v === 'string' ? parseBigDecimal(v) : typeof v === 'number' ? parseBigDecimal(String(v)) : null;
  const r = d ? rescale(d, scale) : null;
  if (!r) throw bad(`${String(v)} is not a decimal of scale ${scale}`);
  // Two's complement, big-endian, as few bytes as hold the sign (BigInteger.toByteArray).
  const bytes: number[] = [];
  let n = r.unscaled;
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (!((n === 0n && (bytes[0] & 0x80) === 0) || (n === -1n && (bytes[0] & 0x80) !== 0)));
  return Buffer.from(bytes);
}

/** A Connect value in the shape avsc writes for avroSchemaOf(schema). */
export function avroValueOf(value: unknown, s: Schema, path = 'value'): unknown {
  if (value === null || value === undefined) {
    if (s.defaultValue !== undefined && s.defaultValue !== null) return avroValueOf(s.defaultValue, s, path);
    if (s.optional) return null;
    throw bad(`${path} is null but its schema is not optional`);
  }
  switch (s.type) {
    case 'int8': case 'int16': case 'int32':
      if (s.name === LOGICAL.Date && value instanceof Date) return Math.floor(value.getTime() / DAY);
      if (s.name === LOGICAL.Time && value instanceof Date) return ((value.getTime() % DAY) + DAY) % DAY;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad(`${path} should be a ${s.type}, got ${typeof value}`);
      return value;
    case 'int64':
      if (s.name === LOGICAL.Timestamp && value instanceof Date) return value.getTime();
      if (typeof value === 'bigint') {
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw bad(`${path}: ${value} is beyond what this writer keeps exactly (2^53)`);
        return Number(value);
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad(`${path} should be an int64, got ${typeof value}`);
      return value;
    case 'float32': case 'float64':
      if (typeof value !== 'number') throw bad(`${path} should be a ${s.type}, got ${typeof value}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad(`${path} should be a boolean, got ${typeof value}`);
      return value;
    case 'string':
      if (typeof value !== 'string') throw bad(`${path} should be a string, got ${typeof value}`);
      return value;
    case 'bytes':
      if (s.name === LOGICAL.Decimal) return decimalBytes(value, Number(s.parameters?.scale ?? 0));
      if (!(value instanceof Uint8Array)) throw bad(`${path} should be bytes, got ${typeof value}`);
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    case 'array':
      if (!Array.isArray(value)) throw bad(`${path} should be an array`);
      return value.map((v, i) => avroValueOf(v, s.valueSchema!, `${path}[${i}]`));
    case 'map': {
      const entries = mapEntries(value);
      if (!entries) throw bad(`${path} should be a map`);
      if (s.keySchema?.type === 'string' && !s.keySchema.optional) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) out[String(k)] = avroValueOf(v, s.valueSchema!, `${path}.${String(k)}`);
        return out;
      }
      return entries.map(([k, v]) => ({ key: avroValueOf(k, s.keySchema!, `${path} key`), value: avroValueOf(v, s.valueSchema!, `${path}.value`) }));
    }
    case 'struct': {
      if (!(value instanceof Struct)) throw bad(`${path} should be a Struct`);
      const out: Record<string, unknown> = {};
      for (const f of s.fields ?? []) out[safeName(f.name)] = avroValueOf(value.get(f.name), f.schema, `${path}.${f.name}`);
      return out;
    }
  }
}

const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const LONG = avro.Type.forSchema('long');
const MAGIC = Buffer.from('Obj\x01', 'latin1');
const BLOCK_BYTES = 64 * 1024;
export const AVRO_CODECS = ['null', 'deflate'] as const;
export type AvroCodec = (typeof AVRO_CODECS)[number];

/**
 * One Avro container file being written. The sync marker is derived from the file's name, so a
 * file written again after a restart with the same records has the same bytes.
 */
export class AvroFileWriter {
  private readonly parts: Buffer[] = [];
  private block: Buffer[] = [];
  private blockBytes = 0;
  private blockCount = 0;
  private schemaText?: string;
  private rawType?: avro.Type;
  private readonly sync: Buffer;

  constructor(name: string, private readonly codec: AvroCodec) {
    this.sync = createHash('md5').update(name).digest();
  }

  /**
   * One value's bytes in the file's schema (the first value's); a value that does not fit, or
   * whose schema differs from the file's, throws a DataError. Adds nothing: append does.
   */
  encode(value: unknown, schema: Schema | null | undefined): Buffer {
    if (!schema) throw bad('the record has no schema (use a converter with schemas, e.g. JsonConverter with schemas.enable=true)');
    const c = compiled(schema);
    if (this.schemaText !== undefined && c.text !== this.schemaText) throw bad('the schema changed within one file');
    const v = avroValueOf(value, schema);
    try {
      const buf = c.type.toBuffer(v);
      this.schemaText ??= c.text;
      return buf;
    } catch (e) {
      throw bad(`the value does not match its schema: ${(e as Error).message}`);
    }
  }

  /** A value with a schema given as Avro JSON (the headers' fixed schema). */
  encodeRaw(value: unknown, schemaJson: AvroSchema): Buffer {
    this.rawType ??= avro.Type.forSchema(schemaJson as avro.Schema, { wrapUnions: false });
    this.schemaText ??= JSON.stringify(schemaJson);
    return this.rawType.toBuffer(value);
  }

  append(buf: Buffer): void {
    this.block.push(buf);
    this.blockBytes += buf.length;
    this.blockCount++;
    if (this.blockBytes >= BLOCK_BYTES) this.flushBlock();
  }

  private flushBlock(): void {
    if (this.blockCount === 0) return;
    const raw = Buffer.concat(this.block);
    const data = this.codec === 'deflate' ? deflateRawSync(raw) : raw;
    this.parts.push(LONG.toBuffer(this.blockCount), LONG.toBuffer(data.length), data, this.sync);
    this.block = [];
    this.blockBytes = 0;
    this.blockCount = 0;
  }

  finish(): Buffer {
    this.flushBlock();
    const header = HEADER.toBuffer({ magic: MAGIC, meta: { 'avro.schema': Buffer.from(this.schemaText ?? '"null"'), 'avro.codec': Buffer.from(this.codec) }, sync: this.sync });
    return Buffer.concat([header, ...this.parts]);
  }
}

/** The values of an Avro container file and its writer schema (for the S3 source). */
export function readAvroFile(bytes: Uint8Array): { schema: unknown; values: unknown[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { value: header, offset: start } = HEADER.decode(buf, 0) as { value: { magic: Buffer; meta: Record<string, Buffer>; sync: Buffer }; offset: number };
  if (!header || !header.magic.equals(MAGIC)) throw new Error('not an Avro container file');
  const schema = JSON.parse(header.meta['avro.schema'].toString()) as unknown;
  const codec = header.meta['avro.codec']?.toString() ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new Error(`unsupported Avro codec ${codec}`);
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });
  const values: unknown[] = [];
  let pos = start;
  while (pos < buf.length) {
    const count = LONG.decode(buf, pos) as { value: number; offset: number };
    const size = LONG.decode(buf, count.offset) as { value: number; offset: number };
    const data = buf.subarray(size.offset, size.offset + size.value);
    const block = codec === 'deflate' ? inflateRawSync(data) : data;
    let p = 0;
    for (let i = 0; i < count.value; i++) {
      const r = type.decode(block, p);
      values.push(r.value);
      p = r.offset;
    }
    pos = size.offset + size.value + 16;
  }
  return { schema, values };
}

type AvroNode = string | { type: unknown; [k: string]: unknown } | AvroNode[];

/**
 * A Connect schema for an Avro writer schema, with a converter of avsc's decoded values into
 * Connect values (the reverse of avroSchemaOf/avroValueOf, for the S3 source).
 */
export function connectFromAvro(root: unknown): { schema: Schema; value: (v: unknown) => unknown } {
  const named = new Map<string, { schema: Schema; value: (v: unknown) => unknown }>();
  const conv = (node: AvroNode, namespace?: string): { schema: Schema; value: (v: unknown) => unknown } => {
    if (Array.isArray(node)) {
      const rest = node.filter((n) => n !== 'null');
      if (rest.length !== 1) throw new Error('Avro unions other than [null, T] are not supported');
      const inner = conv(rest[0], namespace);
      return { schema: { ...inner.schema, optional: true }, value: (v) => (v === null || v === undefined ? null : inner.value(v)) };
    }
    if (typeof node === 'string') {
      switch (node) {
        case 'int': return { schema: Schemas.int32(), value: (v) => v };
        case 'long': return { schema: Schemas.int64(), value: (v) => v };
        case 'float': return { schema: Schemas.float32(), value: (v) => v };
        case 'double': return { schema: Schemas.float64(), value: (v) => v };
        case 'boolean': return { schema: Schemas.boolean(), value: (v) => v };
        case 'string': return { schema: Schemas.string(), value: (v) => v };
        case 'bytes': return { schema: Schemas.bytes(), value: (v) => v };
        case 'null': throw new Error('a bare Avro null type is not supported');
        default: {
          const full = node.includes('.') || !namespace ? node : `${namespace}.${node}`;
          const hit = named.get(full) ?? named.get(node);
          if (!hit) throw new Error(`unknown Avro type ${node}`);
          return hit;
        }
      }
    }
    const t = node.type;
    const logical = node.logicalType;
    if (t === 'int' && node['connect.type'] === 'int8') return { schema: Schemas.int8(), value: (v) => v };
    if (t === 'int' && node['connect.type'] === 'int16') return { schema: Schemas.int16(), value: (v) => v };
    if (t === 'int' && logical === 'date') return { schema: Schemas.date(), value: (v) => new Date((v as number) * DAY) };
    if (t === 'int' && logical === 'time-millis') return { schema: Schemas.time(), value: (v) => new Date(v as number) };
    if (t === 'long' && logical === 'timestamp-millis') return { schema: Schemas.timestamp(), value: (v) => new Date(v as number) };
    if (t === 'bytes' && logical === 'decimal') {
      const scale = Number(node.scale ?? 0);
      return { schema: Schemas.decimal(scale), value: (v) => decimalText(v as Buffer, scale) };
    }
    if (t === 'array') {
      const items = conv(node.items as AvroNode, namespace);
      return { schema: Schemas.array(items.schema), value: (v) => (v as unknown[]).map(items.value) };
    }
    if (t === 'map') {
      const values = conv(node.values as AvroNode, namespace);
      return { schema: Schemas.map(Schemas.string(), values.schema), value: (v) => new Map(Object.entries(v as object).map(([k, x]) => [k, values.value(x)])) };
    }
    if (t === 'record') {
      const ns = typeof node.namespace === 'string' ? node.namespace : namespace;
      const full = ns && !String(node.name).includes('.') ? `${ns}.${String(node.name)}` : String(node.name);
      const fields = (node.fields as Array<{ name: string; type: AvroNode }>).map((f) => ({ name: f.name, c: conv(f.type, ns) }));
      const schema = Schemas.struct(fields.map((f) => [f.name, f.c.schema]), full === `${NS}.ConnectDefault` ? {} : { name: full });
      const out = {
        schema,
        value: (v: unknown) => {
          const s = new Struct(schema);
          for (const f of fields) s.put(f.name, f.c.value((v as Record<string, unknown>)[f.name]));
          return s;
        },
      };
      named.set(full, out);
      return out;
    }
    if (typeof t === 'string' || Array.isArray(t) || (typeof t === 'object' && t !== null)) return conv(t as AvroNode, namespace);
    throw new Error(`unsupported Avro schema ${JSON.stringify(node)}`);
  };
  return conv(root as AvroNode);
}

function decimalText(b: Buffer, scale: number): string {
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  if (b.length && b[0] & 0x80) n -= 1n << BigInt(b.length * 8);
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits;
  return neg ? `-${text}` : text;
}
