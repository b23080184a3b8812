import { DataError } from '../../errors.js';
import { describeValue } from '../../converters/logical.js';
import { parseBigDecimal, plainText } from '../../converters/number-text.js';
import { isPlainObject, mapEntries } from '../../converters/schema-util.js';
import { LOGICAL, Struct, type Schema } from '../../records/schema.js';
import { sanitizeName } from './schema.js';

/**
 * A record's key or value as the JSON row insertAll takes, as WePay's BigQueryRecordConverter
 * writes it: structs are objects (null fields left out), arrays lists, maps lists of
 * {key, value}, bytes base64, Date "yyyy-MM-dd", Time "HH:mm:ss.SSS", Timestamp
 * "yyyy-MM-dd HH:mm:ss.SSS" (UTC), Decimal a JSON number (its FLOAT column, as WePay), int64
 * beyond 2^53 its digits as a string (BigQuery reads INTEGER from a string without loss).
 */

export type Row = Record<string, unknown>;

export interface RowOptions {
  sanitizeFieldNames: boolean;
  convertDoubleSpecialValues: boolean;
}

const fail = (message: string) => new DataError(message, 'TASK_PUT');

export function rowFrom(value: unknown, schema: Schema | null | undefined, opts: RowOptions): Row {
  if (schema && schema.type !== 'struct') throw fail(`Top-level Kafka Connect schema must be of type 'struct', not ${schema.type}`);
  const out = convert(value, schema ?? undefined, opts);
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw fail(`A record value must be a struct or a JSON object to become a row, not ${describeValue(value)}`);
  return out as Row;
}

function convert(value: unknown, schema: Schema | undefined, opts: RowOptions): unknown {
  if (value === null || value === undefined) {
    if (!schema || schema.optional) return null;
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return convert(schema.defaultValue, schema, opts);
    throw fail('Conversion error: null value for field that is required and has no default value');
  }
  if (!schema && value instanceof Struct) schema = value.schema;
  if (!schema) return schemaless(value, opts);
  switch (schema.name) {
    case LOGICAL.Date: return formatted(value, 'Date').slice(0, 10);
    case LOGICAL.Time: return formatted(value, 'Time').slice(11, 23);
    case LOGICAL.Timestamp: return formatted(value, 'Timestamp').slice(0, 23).replace('T', ' ');
    case LOGICAL.Decimal: return decimal(value);
  }
  const wrong = () => fail(`Invalid type for ${schema.type.toUpperCase()}: ${describeValue(value)}`);
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      if (typeof value === 'number' && Number.isInteger(value)) return Number.isSafeInteger(value) ? value : BigInt(value).toString();
      throw wrong();
    case 'float32': case 'float64':
      if (typeof value !== 'number') throw wrong();
      return double(value, opts);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return value;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw wrong();
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    case 'array':
      if (!Array.isArray(value)) throw wrong();
      return value.map((v) => convert(v, schema.valueSchema, opts));
    case 'map': {
      const entries = mapEntries(value);
      if (!entries) throw wrong();
      return entries.map(([k, v]) => ({ key: convert(k, schema.keySchema, opts), value: convert(v, schema.valueSchema, opts) }));
    }
    case 'struct': {
      if (!(value instanceof Struct)) throw wrong();
      const row: Row = {};
      for (const f of value.schema.fields ?? []) {
        const v = convert(value.get(f.name), f.schema, opts);
        if (v !== null) row[opts.sanitizeFieldNames ? sanitizeName(f.name) : f.name] = v;
      }
      return row;
    }
  }
  throw fail(`Unsupported schema type ${String((schema as { type: unknown }).type)}`);
}

/** Schemaless values (JsonConverter with schemas.enable=false): objects stay objects, as WePay writes maps of a schemaless value. */
function schemaless(value: unknown, opts: RowOptions): unknown {
  switch (typeof value) {
    case 'string': case 'boolean': return value;
    case 'bigint': return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'number': return Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value).toString() : double(value, opts);
  }
  if (Array.isArray(value)) return value.map((v) => convert(v, undefined, opts));
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return formatted(value, 'Timestamp').slice(0, 23).replace('T', ' ');
  if (isPlainObject(value) || value instanceof Map) {
    const row: Row = {};
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [k, v] of entries) {
      const c = convert(v, undefined, opts);
      if (c !== null) row[opts.sanitizeFieldNames ? sanitizeName(String(k)) : String(k)] = c;
    }
    return row;
  }
  throw fail(`${describeValue(value)} cannot be written to BigQuery`);
}

function double(v: number, opts: RowOptions): number | string {
  if (Number.isFinite(v)) return v;
  if (opts.convertDoubleSpecialValues) return Number.isNaN(v) || v < 0 ? Number.MIN_VALUE : Number.MAX_VALUE;
  // BigQuery's JSON reads these strings as the special FLOAT values.
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function formatted(value: unknown, logical: string): string {
  const d = value instanceof Date ? value : typeof value === 'number' && Number.isInteger(value) ? new Date(logical === 'Date' ? value * 86_400_000 : value) : null;
  if (!d || Number.isNaN(d.getTime())) throw fail(`Invalid type for ${logical}, expected Date but was ${describeValue(value)}`);
  return d.toISOString();
}

/** A JSON number, as Jackson writes WePay's BigDecimal for its FLOAT column. */
function decimal(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  const d = typeof value === 'string' ? parseBigDecimal(value.trim()) : null;
  if (!d) throw fail(`Invalid Decimal value: ${typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}`);
  return Number(plainText(d));
}

/**
 * Why BigQuery would refuse this row for a table of these fields, or null: a field the table lacks
 * ("no such field"), a missing REQUIRED field, or a value its column cannot take (BigQuery's JSON
 * rules: INTEGER from an integer or its digits as a string, FLOAT from a number or numeric text,
 * BOOLEAN from true/false, RECORD from an object, REPEATED from an array). Checked before insertAll
 * so a bad row fails alone, whatever the server answers for it (BigQuery reports it per row; the
 * local emulator fails the whole request with a 500).
 */
export function rowProblem(row: Row, fields: readonly BqFieldLike[], path = ''): string | null {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  for (const [k, v] of Object.entries(row)) {
    const f = byName.get(k.toLowerCase());
    if (!f) return `no such field: ${path}${k}.`;
    if (v === null || v === undefined) continue;
    if (f.mode === 'REPEATED') {
      if (!Array.isArray(v)) return `Non-array value for repeated field: ${path}${k}.`;
      for (const item of v) {
        const p = valueProblem(item, f, `${path}${k}`);
        if (p) return p;
      }
    } else {
      if (Array.isArray(v)) return `Array specified for non-repeated field: ${path}${k}.`;
      const p = valueProblem(v, f, `${path}${k}`);
      if (p) return p;
    }
  }
  for (const f of fields) {
    if (f.mode === 'REQUIRED' && !Object.keys(row).some((k) => k.toLowerCase() === f.name.toLowerCase() && row[k] !== null && row[k] !== undefined)) {
      return `Missing required field: ${path}${f.name}.`;
    }
  }
  return null;
}

interface BqFieldLike {
  name: string;
  type: string;
  mode?: string;
  fields?: BqFieldLike[];
}

function valueProblem(v: unknown, f: BqFieldLike, where: string): string | null {
  const bad = (what: string) => `Cannot convert value to ${what} (bad value): ${typeof v === 'string' ? v : JSON.stringify(v)} for field ${where}.`;
  switch (f.type) {
    case 'INTEGER': case 'INT64':
      return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) ? null : bad('integer');
    case 'FLOAT': case 'FLOAT64': case 'NUMERIC': case 'BIGNUMERIC':
      return typeof v === 'number' || (typeof v === 'string' && (/^(NaN|[-+]?Infinity)$/.test(v) || (v.trim() !== '' && !Number.isNaN(Number(v))))) ? null : bad('floating point');
    case 'BOOLEAN': case 'BOOL':
      return typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v)) ? null : bad('boolean');
    case 'RECORD': case 'STRUCT':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? rowProblem(v as Row, f.fields ?? [], `${where}.`) : bad('record');
    case 'STRING':
      return typeof v === 'string' ? null : bad('string');
    default:
      return null;
  }
}
