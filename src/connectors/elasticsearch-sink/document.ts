import { DataError } from '../../errors.js';
import { describeValue } from '../../converters/logical.js';
import { javaDoubleText, javaFloatText, parseBigDecimal, plainText } from '../../converters/number-text.js';
import { isPlainObject, mapEntries } from '../../converters/schema-util.js';
import type { SinkRecord } from '../../records/record.js';
import { LOGICAL, Struct, type Schema, type SchemaType } from '../../records/schema.js';

/**
 * A record value as the JSON document Elasticsearch stores, as Confluent's DataConverter writes it
 * (its schema pre-processing followed by JsonConverter without schemas), with these differences:
 * - Decimal is a JSON number with the value's exact digits (Confluent: the double nearest to it,
 *   or a base64 string when schema.ignore=true). The field maps to double either way.
 * - Date is epoch milliseconds, like Time and Timestamp. Confluent writes days since the epoch,
 *   which the `date` field it maps Date to reads as milliseconds (its issue #62, PR #842).
 * - int64 beyond 2^53 keeps every digit (bigint).
 * - the same rules whether or not schema.ignore is set (it only decides the index mapping), so
 *   there too a map with non-string keys is [{"key": k, "value": v}, …] (Confluent: [[k, v], …]).
 */

export interface DocumentOptions {
  /** compact.map.entries: string-keyed maps as JSON objects, not [{key, value}] arrays. */
  compactMapEntries: boolean;
}

const fail = (message: string) => new DataError(message, 'TASK_PUT');

export function documentJson(value: unknown, schema: Schema | null | undefined, opts: DocumentOptions): string {
  // Schemaless JSON is the common case; when it holds nothing JSON.stringify writes differently
  // (bigint, bytes, Map, an exponent for a large integer), the native writer is twice as fast.
  if (!schema && opts.compactMapEntries && plainJson(value, 0)) return JSON.stringify(value);
  return json(value, schema ?? undefined, opts);
}

function plainJson(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string': case 'boolean': return true;
    case 'number': return Number.isFinite(v) && (Number.isSafeInteger(v) || !Number.isInteger(v));
    case 'object': {
      if (v === null) return true;
      if (depth > 64) return false;
      if (Array.isArray(v)) return v.every((x) => plainJson(x, depth + 1));
      if (!isPlainObject(v)) return false;
      for (const k in v) if (!plainJson(v[k], depth + 1)) return false;
      return true;
    }
    default: return false;
  }
}

// Written straight to text, without an intermediate tree: this runs for every record.
function json(value: unknown, schema: Schema | undefined, opts: DocumentOptions): string {
  if (value === null || value === undefined) {
    if (!schema || schema.optional) return 'null';
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return json(schema.defaultValue, schema, opts);
    throw fail('Conversion error: null value for field that is required and has no default value');
  }
  if (!schema) {
    if (!(value instanceof Struct)) return schemaless(value, opts);
    schema = value.schema;
  }
  switch (schema.name) {
    case LOGICAL.Decimal: return decimalText(value);
    case LOGICAL.Date: case LOGICAL.Time: case LOGICAL.Timestamp: return epochMillis(value, schema.name);
  }
  const wrong = () => fail(`Invalid type for ${schema.type.toUpperCase()}: ${describeValue(value)}`);
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return integerText(value);
      throw wrong();
    case 'float32':
      if (typeof value !== 'number') throw wrong();
      return floatText(javaFloatText(value));
    case 'float64':
      if (typeof value !== 'number') throw wrong();
      return floatText(javaDoubleText(value));
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value ? 'true' : 'false';
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return JSON.stringify(value);
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw wrong();
      return base64(value);
    case 'array':
      if (!Array.isArray(value)) throw wrong();
      return arrayJson(value, schema.valueSchema, opts);
    case 'map': {
      const entries = mapEntries(value);
      if (!entries) throw wrong();
      return mapJson(entries, schema.keySchema?.type === 'string', schema.keySchema, schema.valueSchema, opts);
    }
    case 'struct': {
      if (!(value instanceof Struct)) throw wrong();
      let out = '{';
      // Struct.get falls back to the field's default, as Connect's Struct.get does.
      for (const f of value.schema.fields ?? []) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(f.name)}:${json(value.get(f.name), f.schema, opts)}`;
      return `${out}}`;
    }
  }
  throw fail(`Unsupported schema type ${String((schema as { type: unknown }).type)}`);
}

/** Values without a schema (JsonConverter with schemas.enable=false, or plain maps): by their JS type. */
function schemaless(value: unknown, opts: DocumentOptions): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'number': return Number.isInteger(value) ? integerText(value) : floatText(String(value));
  }
  if (Array.isArray(value)) return arrayJson(value, undefined, opts);
  if (isPlainObject(value)) {
    // The common case (JSON without schemas): a string-keyed object.
    if (!opts.compactMapEntries) return mapJson(Object.entries(value), true, undefined, undefined, opts);
    let out = '{';
    for (const k in value) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${json(value[k], undefined, opts)}`;
    return `${out}}`;
  }
  if (value instanceof Uint8Array) return base64(value);
  if (value instanceof Date) return epochMillis(value, 'Date');
  if (value instanceof Map) {
    const entries = [...value.entries()];
    return mapJson(entries, entries.every(([k]) => typeof k === 'string'), undefined, undefined, opts);
  }
  throw fail(`${describeValue(value)} does not have corresponding schema type.`);
}

function arrayJson(items: unknown[], itemSchema: Schema | undefined, opts: DocumentOptions): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += `${i > 0 ? ',' : ''}${json(items[i], itemSchema, opts)}`;
  return `${out}]`;
}

/** Confluent's map rule: compact string-keyed maps are objects; others are [{key, value}, …]. */
function mapJson(entries: Array<[unknown, unknown]>, stringKeys: boolean, keySchema: Schema | undefined, valueSchema: Schema | undefined, opts: DocumentOptions): string {
  if (stringKeys && opts.compactMapEntries) {
    return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}:${json(v, valueSchema, opts)}`).join(',')}}`;
  }
  return `[${entries.map(([k, v]) => `{"key":${json(k, keySchema, opts)},"value":${json(v, valueSchema, opts)}}`).join(',')}]`;
}

function decimalText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return javaDoubleText(value);
  const d = typeof value === 'string' ? parseBigDecimal(value.trim()) : null;
  if (!d) throw fail(`Invalid Decimal value: ${typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}`);
  return plainText(d);
}

/** Date, Time and Timestamp as epoch milliseconds, which the `date` mapping reads natively. */
function epochMillis(value: unknown, logical: string): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return String(value.getTime());
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  throw fail(`Invalid type for ${logical.slice(logical.lastIndexOf('.') + 1)}, expected Date but was ${describeValue(value)}`);
}

/** Integer digits, never an exponent (String(1e21) is "1e+21"). */
const integerText = (n: number | bigint) => (typeof n === 'number' && !Number.isSafeInteger(n) ? BigInt(n).toString() : String(n));

/** Jackson writes non-finite floats as strings. */
const floatText = (text: string) => (text === 'NaN' || text.endsWith('Infinity') ? `"${text}"` : text);

const base64 = (b: Uint8Array) => `"${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')}"`;

/** The types Confluent accepts as a document id: integers and strings. */
const ID_TYPES: ReadonlySet<SchemaType> = new Set(['int8', 'int16', 'int32', 'int64', 'string']);

/**
 * The document id: `<topic>+<partition>+<offset>` when the key is ignored, else the key as text.
 * Either way it is the same on every delivery of a record, so re-delivery overwrites, never duplicates.
 */
export function documentId(record: SinkRecord, ignoreKey: boolean): string {
  if (ignoreKey) return `${record.topic}+${record.kafkaPartition}+${record.kafkaOffset}`;
  const key = record.key;
  if (key === null || key === undefined) throw fail('Key is used as document id and can not be null.');
  const type = record.keySchema?.type ?? schemaTypeOf(key);
  if (!ID_TYPES.has(type)) throw fail(`${type.toUpperCase()} is not supported as the document id.`);
  // A Date/Time/Timestamp key (int32/int64 logical types) gives its epoch ms, not Java's Date.toString.
  const text = key instanceof Date ? String(key.getTime()) : typeof key === 'number' || typeof key === 'bigint' ? integerText(key) : String(key);
  if (text === '') throw fail('Key is used as document id and can not be empty.');
  return text;
}

/** Connect's ConnectSchema.schemaType for a schemaless value. */
function schemaTypeOf(value: unknown): SchemaType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Struct) return 'struct';
  if (Array.isArray(value)) return 'array';
  return 'map';
}
