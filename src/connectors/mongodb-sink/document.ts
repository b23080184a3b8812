import { Binary, BSON, Decimal128, Double, Int32, Long, type Document } from 'mongodb';
import { DataError } from '../../errors.js';
import { LOGICAL, Struct, type Schema } from '../../records/schema.js';

// A record key or value as the BSON document the MongoDB connector's SinkConverter makes of it:
// a Struct by its schema (SchemaRecordConverter), a map without schema (MapRecordConverter), a
// string parsed as (extended) JSON (StringRecordConverter), bytes read as raw BSON
// (ByteArrayRecordConverter). int8/16/32 are BSON int32, int64 BSON int64, float32/64 double,
// Decimal decimal128, Date/Time/Timestamp BSON dates, bytes binary.

const fail = (message: string) => new DataError(message, 'TASK_PUT');

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Schemaless numbers as Java's JsonConverter would have typed them: int32, int64 or double. */
function schemalessNumber(n: number): unknown {
  if (!Number.isInteger(n)) return new Double(n);
  return n >= INT32_MIN && n <= INT32_MAX ? new Int32(n) : Long.fromNumber(n);
}

function schemaless(value: unknown, depth: number): unknown {
  if (depth > 100) throw fail('Document nesting deeper than 100 levels');
  if (value === null || value === undefined) return null;
  if (value instanceof Struct) return structDoc(value, depth);
  if (typeof value === 'number') return schemalessNumber(value);
  if (typeof value === 'bigint') return Long.fromBigInt(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return new Binary(value);
  if (Array.isArray(value)) return value.map((v) => schemaless(v, depth + 1));
  if (value instanceof Map) {
    const out: Document = {};
    for (const [k, v] of value) out[String(k)] = schemaless(v, depth + 1);
    return out;
  }
  if (typeof value === 'object') {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) out[k] = schemaless(v, depth + 1);
    return out;
  }
  throw fail(`Cannot convert a ${typeof value} to BSON`);
}

function withSchema(value: unknown, schema: Schema, depth: number): unknown {
  if (value === null || value === undefined) {
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return withSchema(schema.defaultValue, schema, depth);
    if (schema.optional) return null;
    throw fail('Conversion error: null value for field that is required and has no default value');
  }
  switch (schema.name) {
    case LOGICAL.Decimal: return Decimal128.fromString(String(value));
    case LOGICAL.Date: case LOGICAL.Time: case LOGICAL.Timestamp:
      if (value instanceof Date) return value;
      if (typeof value === 'number') return new Date(value);
      throw fail(`Invalid value for ${schema.name}: expected a date`);
  }
  const wrong = () => fail(`Invalid type for ${schema.type.toUpperCase()}: ${typeof value}`);
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      return new Int32(value);
    case 'int64':
      if (typeof value === 'bigint') return Long.fromBigInt(value);
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      return Long.fromNumber(value);
    case 'float32': case 'float64':
      if (typeof value !== 'number') throw wrong();
      return new Double(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return value;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw wrong();
      return new Binary(value);
    case 'array':
      if (!Array.isArray(value)) throw wrong();
      return value.map((v) => withSchema(v, schema.valueSchema!, depth + 1));
    case 'map': {
      const out: Document = {};
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      for (const [k, v] of entries) out[String(k)] = withSchema(v, schema.valueSchema!, depth + 1);
      return out;
    }
    case 'struct':
      if (!(value instanceof Struct)) throw wrong();
      return structDoc(value, depth);
  }
}

function structDoc(s: Struct, depth: number): Document {
  if (depth > 100) throw fail('Document nesting deeper than 100 levels');
  const out: Document = {};
  for (const f of s.schema.fields ?? []) out[f.name] = withSchema(s.get(f.name), f.schema, depth + 1);
  return out;
}

/**
 * The BSON document of a record key or value, or null when it is null. Anything that is not a
 * document (a number, an array, JSON text that is not an object) is a DataError, as in Connect.
 */
export function toBsonDocument(value: unknown, schema: Schema | null | undefined, what: 'key' | 'value'): Document | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = BSON.EJSON.parse(value, { relaxed: false });
    } catch (e) {
      throw fail(`The record ${what} is a string that is not JSON: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail(`The record ${what} is JSON text but not a JSON object, so it cannot be a document`);
    return parsed as Document;
  }
  if (value instanceof Uint8Array) {
    try {
      return BSON.deserialize(value, { promoteValues: false });
    } catch (e) {
      throw fail(`The record ${what} is bytes that are not a BSON document: ${(e as Error).message}`);
    }
  }
  if (value instanceof Struct) return structDoc(value, 0);
  if (schema && schema.type !== 'struct' && schema.type !== 'map') throw fail(`The record ${what} has schema type ${schema.type}; only a struct, a map, JSON text or BSON bytes can be a document`);
  if (schema?.type === 'map') return withSchema(value, schema, 0) as Document;
  if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) return schemaless(value, 0) as Document;
  throw fail(`No converter for a record ${what} of type ${Array.isArray(value) ? 'array' : typeof value}: only a struct, a map, JSON text or BSON bytes can be a document`);
}
