import { DataError } from '../../errors.js';
import { describeValue } from '../../converters/logical.js';
import { javaDoubleText, javaFloatText, parseBigDecimal, plainText } from '../../converters/number-text.js';
import { isPlainObject, mapEntries } from '../../converters/schema-util.js';
import type { SinkRecord } from '../../records/record.js';
import { LOGICAL, Struct, type Schema } from '../../records/schema.js';

/**
 * RECORD_CONTENT and RECORD_METADATA as Snowflake's connector writes them (RecordService):
 * - content: the value as JSON (RecordService.convertToJson): structs objects with every field,
 *   maps objects when their keys are strings else [[k, v], ...], bytes base64, Date
 *   "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Time "HH:mm:ss.SSS+0000", Timestamp its epoch milliseconds as
 *   a string, Decimal a number (a string beyond 38 digits);
 * - metadata: {"topic", "offset", "partition", "CreateTime", "key", "headers"} in that order
 *   (snowflake.metadata.* decide which), the key as text for a string key, else as JSON.
 */

const MAX_SNOWFLAKE_NUMBER_PRECISION = 38;

export interface MetadataFlags {
  topic: boolean;
  offsetAndPartition: boolean;
  createTime: boolean;
}

const fail = (message: string) => new DataError(message, 'TASK_PUT');

export function contentJson(value: unknown, schema: Schema | null | undefined): string {
  return json(value, schema ?? undefined);
}

export function metadataJson(r: SinkRecord, flags: MetadataFlags): string {
  const parts: string[] = [];
  if (flags.topic) parts.push(`"topic":${JSON.stringify(r.topic)}`);
  if (flags.offsetAndPartition) parts.push(`"offset":${r.kafkaOffset}`, `"partition":${r.kafkaPartition}`);
  // Kafka's timestamp type is not carried on our records: a timestamp set by the producer or broker is reported as CreateTime.
  if (flags.createTime && typeof r.timestamp === 'number') parts.push(`"CreateTime":${r.timestamp}`);
  if (r.key !== null && r.key !== undefined) {
    const keyText = typeof r.key === 'string' ? JSON.stringify(r.key) : json(r.key, r.keySchema ?? undefined);
    parts.push(`"key":${keyText}`);
  }
  if (r.headers.length > 0) {
    parts.push(`"headers":{${r.headers.map((h) => `${JSON.stringify(h.key)}:${json(h.value, h.schema ?? undefined)}`).join(',')}}`);
  }
  return `{${parts.join(',')}}`;
}

function json(value: unknown, schema: Schema | undefined): string {
  if (value === null || value === undefined) {
    if (!schema) return 'null';
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return json(schema.defaultValue, schema);
    if (schema.optional) return 'null';
    throw fail('Conversion error: null value for field that is required and has no default value');
  }
  if (!schema && value instanceof Struct) schema = value.schema;
  if (!schema) return schemaless(value);
  switch (schema.name) {
    case LOGICAL.Date: return JSON.stringify(isoOf(value, 'Date'));
    case LOGICAL.Time: return JSON.stringify(`${isoOf(value, 'Time').slice(11, 23)}+0000`);
    case LOGICAL.Timestamp: return JSON.stringify(String(millisOf(value, 'Timestamp')));
    case LOGICAL.Decimal: return decimal(value);
  }
  const wrong = () => fail(`Invalid type for ${schema.type.toUpperCase()}: ${describeValue(value)}`);
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return typeof value === 'number' && !Number.isSafeInteger(value) ? BigInt(value).toString() : String(value);
      throw wrong();
    case 'float32':
      if (typeof value !== 'number') throw wrong();
      return finite(javaFloatText(value));
    case 'float64':
      if (typeof value !== 'number') throw wrong();
      return finite(javaDoubleText(value));
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return String(value);
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return JSON.stringify(value);
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw wrong();
      return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
    case 'array':
      if (!Array.isArray(value)) throw wrong();
      return `[${value.map((v) => json(v, schema.valueSchema)).join(',')}]`;
    case 'map': {
      const entries = mapEntries(value);
      if (!entries) throw wrong();
      return mapJson(entries, schema.keySchema?.type === 'string', schema.keySchema, schema.valueSchema);
    }
    case 'struct': {
      if (!(value instanceof Struct)) throw wrong();
      return `{${(value.schema.fields ?? []).map((f) => `${JSON.stringify(f.name)}:${json(value.get(f.name), f.schema)}`).join(',')}}`;
    }
  }
  throw fail(`Unsupported schema type ${String((schema as { type: unknown }).type)}`);
}

function schemaless(value: unknown): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'boolean': return String(value);
    case 'bigint': return value.toString();
    case 'number': return Number.isInteger(value) ? (Number.isSafeInteger(value) ? String(value) : BigInt(value).toString()) : finite(String(value));
  }
  if (Array.isArray(value)) return `[${value.map((v) => json(v, undefined)).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (value instanceof Date) return JSON.stringify(String(value.getTime()));
  if (isPlainObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${json(v, undefined)}`).join(',')}}`;
  if (value instanceof Map) {
    const entries = [...value.entries()];
    return mapJson(entries, entries.every(([k]) => typeof k === 'string'), undefined, undefined);
  }
  throw fail(`${describeValue(value)} does not have corresponding schema type.`);
}

function mapJson(entries: Array<[unknown, unknown]>, objectMode: boolean, keySchema: Schema | undefined, valueSchema: Schema | undefined): string {
  if (objectMode) return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}:${json(v, valueSchema)}`).join(',')}}`;
  return `[${entries.map(([k, v]) => `[${json(k, keySchema)},${json(v, valueSchema)}]`).join(',')}]`;
}

/** Jackson writes NaN and the infinities as strings; PARSE_JSON would refuse them as numbers. */
const finite = (text: string) => (text === 'NaN' || text.endsWith('Infinity') ? `"${text}"` : text);

function isoOf(value: unknown, logical: string): string {
  return new Date(millisOf(value, logical)).toISOString();
}

function millisOf(value: unknown, logical: string): number {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  if (typeof value === 'number' && Number.isInteger(value)) return logical === 'Date' ? value * 86_400_000 : value;
  throw fail(`Invalid type for ${logical}, expected Date but was ${describeValue(value)}`);
}

function decimal(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return javaDoubleText(value);
  const text = typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value.trim() : null;
  const d = text !== null ? parseBigDecimal(text) : null;
  if (!d) throw fail(`Invalid Decimal value: ${describeValue(value)}`);
  const plain = plainText(d);
  const digits = plain.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  return digits > MAX_SNOWFLAKE_NUMBER_PRECISION ? JSON.stringify(plain) : plain;
}
