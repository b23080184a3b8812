import { defineConfig, key } from '../config/define.js';
import type { ErrorStage } from '../errors.js';
import { DataException, LOGICAL, Struct, type Field, type Schema, type SchemaType } from '../records/schema.js';
import { parseConverterConfig } from './converter-config.js';
import { converterStage, stageError, withStage } from './failures.js';
import { compileReader, MISS, readWhole, type Cursor, type PayloadReader } from './json-reader.js';
import { JsonNumber, nodeText, nodeType, parseJson, quoteJson, writeJson, type JsonNode, type JsonObject } from './json-tree.js';
import {
  dateToDays, daysToDate, decimalAtSchemaScale, decimalFromText, decimalScale, describeValue, fromTwosComplement,
  millisToTime, millisToTimestamp, timestampToMillis, timeToMillis, twosComplement,
} from './logical.js';
import { bigDecimalText, int64Value, integerPart, javaDoubleText, javaFloatText, parseBigDecimal, plainText } from './number-text.js';
import { isPlainObject, mapEntries, schemasEqual, setOwn, typeLabel } from './schema-util.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './types.js';

export const JSON_CONVERTER_CLASS = 'org.apache.kafka.connect.json.JsonConverter';

export const jsonConverterConfig = defineConfig({
  'schemas.enable': key.boolean({ default: true, importance: 'HIGH', group: 'Schemas', doc: 'Include schemas within each of the serialized values and keys.' }),
  'schemas.cache.size': key.int({ default: 1000, min: 0, importance: 'HIGH', group: 'Schemas', doc: 'The maximum number of schemas that can be cached in this converter instance.' }),
  'decimal.format': key.enum(['BASE64', 'NUMERIC'] as const, {
    default: 'BASE64', caseInsensitive: true, importance: 'LOW', group: 'Serialization',
    doc: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
  }),
  'replace.null.with.default': key.boolean({
    default: true, importance: 'LOW', group: 'Serialization',
    doc: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  }),
});

/** Connect's wording, so users find the usual answer (set schemas.enable=false). */
export const ENVELOPE_REQUIRED_MESSAGE = 'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.'
  + ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

const JSON_TYPE_NAME: Record<SchemaType, string> = {
  boolean: 'boolean', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64', float32: 'float', float64: 'double',
  bytes: 'bytes', string: 'string', array: 'array', map: 'map', struct: 'struct',
};
const CONNECT_TYPE = new Map(Object.entries(JSON_TYPE_NAME).map(([t, name]) => [name, t as SchemaType]));
/** One strict UTF-8 decoder for every message (decode() keeps no state between calls). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/**
 * Whether JSON.parse may have rounded an integer literal: an integral number beyond 2^53. (A
 * fraction with many digits is a double in Kafka Connect too; an integer beyond 2^53 is an exact int64.)
 */
function mayBeRounded(v: unknown, depth = 0): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v);
  if (typeof v !== 'object' || v === null) return false;
  if (depth > 64) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (mayBeRounded(x, depth + 1)) return true;
    return false;
  }
  for (const k in v) if (mayBeRounded((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}
const INT_BITS: Partial<Record<SchemaType, number>> = { int8: 8, int16: 16, int32: 32, int64: 64 };

/**
 * org.apache.kafka.connect.json.JsonConverter: byte-compatible with Kafka Connect's,
 * including the {"schema":…,"payload":…} envelope, Jackson's field order and the
 * JVM's number formatting. Also usable as a header converter, as in Connect.
 */
export class JsonConverter implements Converter, HeaderConverter {
  private schemasEnabled = true;
  private decimalNumeric = false;
  private replaceNullWithDefault = true;
  private stage: ErrorStage = 'VALUE_CONVERTER';
  private jsonSchemaCache = new Lru<Schema, JsonObject>(1000);
  private connectSchemaCache = new Lru<string, Schema>(1000);

  configure(config: Record<string, string>, isKey?: boolean): void {
    const c = parseConverterConfig(jsonConverterConfig, JSON_CONVERTER_CLASS, config);
    this.schemasEnabled = c['schemas.enable'];
    this.decimalNumeric = c['decimal.format'] === 'NUMERIC';
    this.replaceNullWithDefault = c['replace.null.with.default'];
    this.jsonSchemaCache = new Lru(c['schemas.cache.size']);
    this.connectSchemaCache = new Lru(c['schemas.cache.size']);
    this.envelopes = [];
    this.readers = new WeakMap();
    this.envelopeSlots = Math.min(16, c['schemas.cache.size']);
    this.stage = isKey === undefined ? 'HEADER_CONVERTER' : converterStage(isKey);
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage(this.stage, () => this.serialize(schema ?? null, value));
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    try {
      return this.deserialize(bytes);
    } catch (e) {
      throw stageError(this.stage, e);
    }
  }

  fromConnectHeader(_topic: string, _key: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    return withStage('HEADER_CONVERTER', () => this.serialize(schema ?? null, value));
  }

  toConnectHeader(_topic: string, _key: string, bytes: Buffer | null): SchemaAndValue {
    return withStage('HEADER_CONVERTER', () => {
      const { schema, value } = this.deserialize(bytes);
      return { schema, value };
    });
  }

  /** The schema node Connect would write for this schema (null for no schema). */
  asJsonSchema(schema: Schema | null | undefined): JsonObject | null {
    if (!schema) return null;
    const cached = this.jsonSchemaCache.get(schema);
    if (cached) return cached;
    const node: JsonObject = new Map([['type', JSON_TYPE_NAME[schema.type]]]);
    if (schema.type === 'array') node.set('items', this.asJsonSchema(schema.valueSchema));
    if (schema.type === 'map') {
      node.set('keys', this.asJsonSchema(schema.keySchema));
      node.set('values', this.asJsonSchema(schema.valueSchema));
    }
    if (schema.type === 'struct') {
      node.set('fields', (schema.fields ?? []).map((f) => {
        const fieldNode = new Map(this.asJsonSchema(f.schema));
        fieldNode.set('field', f.name);
        return fieldNode;
      }));
    }
    node.set('optional', schema.optional);
    if (schema.name !== undefined) node.set('name', schema.name);
    if (schema.version !== undefined) node.set('version', new JsonNumber(String(schema.version)));
    if (schema.doc !== undefined) node.set('doc', schema.doc);
    if (schema.parameters !== undefined) node.set('parameters', new Map(Object.entries(schema.parameters)));
    if (schema.defaultValue != null) node.set('default', this.toJson(schema, schema.defaultValue));
    this.jsonSchemaCache.set(schema, node);
    return node;
  }

  /** The Connect schema a JSON schema node describes (null for a JSON null). */
  asConnectSchema(node: JsonNode): Schema | null {
    if (node === null) return null;
    const cacheKey = writeJson(node);
    const cached = this.connectSchemaCache.get(cacheKey);
    if (cached) return cached;
    const typeName = node instanceof Map ? node.get('type') : undefined;
    if (!(node instanceof Map) || typeof typeName !== 'string') throw new DataException("Schema must contain 'type' field");
    const type = CONNECT_TYPE.get(typeName);
    if (!type) throw new DataException(`Unknown schema type: ${typeName}`);

    const schema: Schema = { type, optional: node.get('optional') === true };
    const name = node.get('name');
    if (typeof name === 'string') schema.name = name;
    const version = node.get('version');
    if (version instanceof JsonNumber && version.integral) schema.version = Number(version.text);
    const doc = node.get('doc');
    if (typeof doc === 'string') schema.doc = doc;
    const parameters = node.get('parameters');
    if (parameters instanceof Map) {
      schema.parameters = {};
      for (const [k, v] of parameters) {
        if (typeof v !== 'string') throw new DataException('Schema parameters must have string values.');
        setOwn(schema.parameters, k, v);
      }
    }
    if (type === 'array') {
      const items = node.get('items');
      if (items === undefined || items === null) throw new DataException('Array schema did not specify the element type');
      schema.valueSchema = this.asConnectSchema(items)!;
    } else if (type === 'map') {
      const keys = node.get('keys');
      const values = node.get('values');
      if (keys === undefined || keys === null) throw new DataException('Map schema did not specify the key type');
      if (values === undefined || values === null) throw new DataException('Map schema did not specify the value type');
      schema.keySchema = this.asConnectSchema(keys)!;
      schema.valueSchema = this.asConnectSchema(values)!;
    } else if (type === 'struct') {
      schema.fields = this.structFields(node.get('fields'));
    }
    // Connect reads "default" last, with the rest of the schema known (logical types need it).
    if (node.has('default')) {
      const defaultValue = this.toConnect(schema, node.get('default'));
      if (defaultValue != null) schema.defaultValue = defaultValue;
    }
    this.connectSchemaCache.set(cacheKey, schema);
    return schema;
  }

  private structFields(fields: JsonNode | undefined): Field[] {
    if (!Array.isArray(fields)) throw new DataException('Struct schema\'s "fields" argument is not an array.');
    const seen = new Set<string>();
    return fields.map((f, index) => {
      const name = f instanceof Map ? f.get('field') : undefined;
      if (typeof name !== 'string') throw new DataException("Struct schema's field name not specified properly");
      if (seen.has(name)) throw new DataException(`Cannot create field because of field name duplication ${name}`);
      seen.add(name);
      return { name, index, schema: this.asConnectSchema(f)! };
    });
  }

  /**
   * A JSON text read with a schema known from elsewhere (the JSON Schema converter's schema comes
   * from the registry): Connect's convertToConnect on the parsed text.
   */
  readWithSchema(schema: Schema, text: Buffer): unknown {
    let root: JsonNode | undefined;
    try {
      root = parseJson(UTF8.decode(text));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new DataException(`Converting byte[] to Kafka Connect data failed due to serialization error: ${reason}`, { cause: e });
    }
    return this.toConnect(schema, root);
  }

  private serialize(schema: Schema | null, value: unknown): Buffer | null {
    if (schema === null && value == null) return null;
    // With a schema, straight to text in one pass (no JSON tree); the same text as toJson + writeJson.
    const payload = schema ? this.writerFor(schema)(value) : writeJson(this.toJson(null, value));
    if (!this.schemasEnabled) return Buffer.from(payload, 'utf8');
    // The envelope's schema part is the same text for every record of a schema: written once.
    return Buffer.from(`{"schema":${this.schemaText(schema)},"payload":${payload}}`, 'utf8');
  }

  /** One compiled text writer per schema object (records of a source share their schema object). */
  private readonly writers = new WeakMap<Schema, TextWriter>();
  private writerFor(schema: Schema): TextWriter {
    let w = this.writers.get(schema);
    if (w === undefined) {
      w = this.compileWriter(schema);
      this.writers.set(schema, w);
    }
    return w;
  }

  /**
   * The JSON text of a value of this schema, written directly: the common shapes (structs of
   * primitives, strings, integers, Decimal, Timestamp, ...) inline; anything unusual (a null that
   * takes a default or is refused, a value of the wrong type, maps) through the exact path,
   * toJson + writeJson, so the text and the errors are the same as ever.
   */
  private compileWriter(schema: Schema): TextWriter {
    const exact: TextWriter = (v) => writeJson(this.toJson(schema, v));
    const nullText = schema.optional && !(schema.defaultValue != null && this.replaceNullWithDefault);
    const orNull = (w: TextWriter): TextWriter => (v) => (v === null || v === undefined ? (nullText ? 'null' : exact(v)) : w(v));
    switch (schema.name) {
      case LOGICAL.Decimal: return orNull((v) => {
        const d = decimalAtSchemaScale(schema, v);
        return this.decimalNumeric ? bigDecimalText(d) : `"${twosComplement(d.unscaled).toString('base64')}"`;
      });
      case LOGICAL.Date: return orNull((v) => String(dateToDays(v)));
      case LOGICAL.Time: return orNull((v) => String(timeToMillis(v)));
      case LOGICAL.Timestamp: return orNull((v) => String(timestampToMillis(v)));
    }
    switch (schema.type) {
      case 'int8': case 'int16': case 'int32': {
        const max = 2 ** (INT_BITS[schema.type]! - 1);
        return orNull((v) => (typeof v === 'number' && Number.isInteger(v) && v >= -max && v < max ? String(v === 0 ? 0 : v) : exact(v)));
      }
      case 'int64':
        return orNull((v) => {
          if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : exact(v);
          return typeof v === 'bigint' && BigInt.asIntN(64, v) === v ? v.toString() : exact(v);
        });
      case 'float32': return orNull((v) => (typeof v === 'number' ? floatText(javaFloatText(v)) : exact(v)));
      case 'float64': return orNull((v) => (typeof v === 'number' ? floatText(javaDoubleText(v)) : exact(v)));
      case 'boolean': return orNull((v) => (v === true ? 'true' : v === false ? 'false' : exact(v)));
      case 'string': return orNull((v) => (typeof v === 'string' ? quoteJson(v) : exact(v)));
      case 'bytes':
        return orNull((v) => (v instanceof Uint8Array ? `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"` : exact(v)));
      case 'array': {
        if (!schema.valueSchema) return exact;
        const item = this.writerFor(schema.valueSchema);
        return orNull((v) => {
          if (!Array.isArray(v)) return exact(v);
          let out = '[';
          for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + item(v[i]);
          return out + ']';
        });
      }
      case 'struct': {
        const fields = (schema.fields ?? []).map((f, i) => ({ f, prefix: `${i > 0 ? ',' : ''}${quoteJson(f.name)}:`, write: this.writerFor(f.schema) }));
        const withDefault = this.replaceNullWithDefault;
        return orNull((v) => {
          // Another (equal or mismatching) schema object: the exact path checks and writes it.
          if (!(v instanceof Struct) || v.schema !== schema) return exact(v);
          let out = '{';
          for (const { f, prefix, write } of fields) out += prefix + write(v.fieldValue(f, withDefault));
          return out + '}';
        });
      }
      default:
        return exact;
    }
  }

  private readonly schemaTextCache = new WeakMap<Schema, string>();
  private schemaText(schema: Schema | null): string {
    if (!schema) return 'null';
    let t = this.schemaTextCache.get(schema);
    if (t === undefined) {
      t = writeJson(this.asJsonSchema(schema));
      this.schemaTextCache.set(schema, t);
    }
    return t;
  }

  private deserialize(bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return { schema: null, value: null };
    let root: JsonNode | undefined;
    if (!this.schemasEnabled) {
      // Fast path: the native parser gives the same values as the exact one (below) when the
      // text is valid and no integer literal was beyond 2^53.
      let text: string | undefined;
      try { text = UTF8.decode(bytes); } catch { text = undefined; }
      if (text !== undefined) {
        let value: unknown;
        let parsed = false;
        try {
          value = JSON.parse(text);
          parsed = true;
        } catch { /* the exact parser says why */ }
        if (parsed && !mayBeRounded(value)) return { schema: null, value, json: text };
      }
    } else if (this.envelopes.length) {
      const known = this.knownEnvelope(bytes);
      if (known) return known;
    }
    try {
      root = parseJson(UTF8.decode(bytes));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new DataException(`Converting byte[] to Kafka Connect data failed due to serialization error: ${reason}`, { cause: e });
    }
    if (!this.schemasEnabled) return { schema: null, value: this.toConnect(null, root) };
    if (!(root instanceof Map) || root.size !== 2 || !root.has('schema') || !root.has('payload')) {
      throw new DataException(ENVELOPE_REQUIRED_MESSAGE);
    }
    const schemaNode = root.get('schema')!;
    const schema = this.asConnectSchema(schemaNode);
    const value = this.toConnect(schema, root.get('payload'));
    this.rememberEnvelope(bytes, schemaNode, schema);
    return { schema, value };
  }

  /**
   * Envelopes whose schema part is a text seen before: `{"schema":` + that text + `,"payload":`
   * + P + `}`. Connect writes every record of a schema with the same schema text, so the schema
   * (most of the envelope's bytes) is recognized by comparing bytes, and only P is read: by the
   * schema's compiled reader (json-reader.ts) when P is in the compact form Connect writes, else
   * parsed and converted exactly. Any other shape (spaces, other key order, extra fields, invalid
   * P) takes the exact path.
   */
  private envelopes: Array<{ prefix: Buffer; schema: Schema | null; read: PayloadReader | null }> = [];
  private readonly cursor: Cursor = { s: '', i: 0 };
  private envelopeSlots = 16;
  private static readonly HEAD = Buffer.from('{"schema":');
  private static readonly TAIL = Buffer.from(',"payload":');

  private knownEnvelope(bytes: Buffer): SchemaAndValue | undefined {
    const list = this.envelopes;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      const n = e.prefix.length;
      if (bytes.length <= n || bytes[bytes.length - 1] !== 0x7d || bytes.compare(e.prefix, 0, n, 0, n) !== 0) continue;
      let text: string;
      try {
        text = UTF8.decode(bytes.subarray(n, bytes.length - 1));
      } catch {
        return undefined;
      }
      if (i > 0) list.unshift(...list.splice(i, 1));
      if (e.read) {
        const value = readWhole(e.read, this.cursor, text);
        if (value !== MISS) return { schema: e.schema, value };
      }
      let payload: JsonNode | undefined;
      try {
        payload = parseJson(text);
      } catch {
        return undefined;
      }
      if (payload === undefined) return undefined;
      return { schema: e.schema, value: this.toConnect(e.schema, payload) };
    }
    return undefined;
  }

  /** One compiled payload reader per schema object (the schema cache hands out one object per schema text). */
  private readers = new WeakMap<Schema, PayloadReader | null>();
  private readerFor(schema: Schema): PayloadReader | null {
    let r = this.readers.get(schema);
    if (r === undefined) {
      r = compileReader(schema, { replaceNullWithDefault: this.replaceNullWithDefault, exact: (s, node) => this.toConnect(s, node) });
      this.readers.set(schema, r);
    }
    return r;
  }

  private rememberEnvelope(bytes: Buffer, schemaNode: JsonNode, schema: Schema | null): void {
    if (this.envelopeSlots === 0) return;
    const prefix = Buffer.concat([JsonConverter.HEAD, Buffer.from(writeJson(schemaNode), 'utf8'), JsonConverter.TAIL]);
    if (bytes.length <= prefix.length || bytes.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return;
    this.envelopes.unshift({ prefix, schema, read: schema && this.readerFor(schema) });
    if (this.envelopes.length > this.envelopeSlots) this.envelopes.length = this.envelopeSlots;
  }

  /** Connect data to a JSON node (Connect's convertToJson). */
  private toJson(schema: Schema | null | undefined, value: unknown): JsonNode {
    if (value === null || value === undefined) {
      if (!schema) return null;
      if (schema.defaultValue != null && this.replaceNullWithDefault) return this.toJson(schema, schema.defaultValue);
      if (schema.optional) return null;
      throw new DataException('Conversion error: null value for field that is required and has no default value');
    }
    if (schema?.name !== undefined) {
      switch (schema.name) {
        case LOGICAL.Decimal: {
          const d = decimalAtSchemaScale(schema, value);
          return this.decimalNumeric ? new JsonNumber(bigDecimalText(d)) : twosComplement(d.unscaled).toString('base64');
        }
        case LOGICAL.Date: return new JsonNumber(String(dateToDays(value)));
        case LOGICAL.Time: return new JsonNumber(String(timeToMillis(value)));
        case LOGICAL.Timestamp: return new JsonNumber(String(timestampToMillis(value)));
      }
    }
    if (!schema && value instanceof Struct) schema = value.schema;
    const type = schema ? schema.type : inferType(value);
    const wrongType = () => new DataException(`Invalid type for ${typeLabel(type)}: ${describeValue(value)}`);
    switch (type) {
      case 'int8': case 'int16': case 'int32': case 'int64':
        return integerNode(type, value, wrongType);
      case 'float32':
        if (typeof value !== 'number') throw wrongType();
        return floatNode(javaFloatText(value));
      case 'float64':
        if (typeof value !== 'number') throw wrongType();
        return floatNode(javaDoubleText(value));
      case 'boolean':
        if (typeof value !== 'boolean') throw wrongType();
        return value;
      case 'string':
        if (typeof value !== 'string') throw wrongType();
        return value;
      case 'bytes':
        if (!(value instanceof Uint8Array)) throw wrongType();
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      case 'array':
        if (!Array.isArray(value)) throw wrongType();
        return value.map((item) => this.toJson(schema?.valueSchema, item));
      case 'map':
        return this.mapToJson(schema ?? null, value, wrongType);
      case 'struct': {
        if (!(value instanceof Struct) || !schemasEqual(value.schema, schema)) throw new DataException('Mismatching schema.');
        const out: JsonObject = new Map();
        for (const f of value.schema.fields ?? []) {
          const fieldValue = this.replaceNullWithDefault ? value.get(f.name) : value.getWithoutDefault(f.name);
          out.set(f.name, this.toJson(f.schema, fieldValue));
        }
        return out;
      }
    }
  }

  /** String-keyed maps become JSON objects; any other keys an array of [key, value] pairs. */
  private mapToJson(schema: Schema | null, value: unknown, wrongType: () => DataException): JsonNode {
    const entries = mapEntries(value);
    if (!entries) throw wrongType();
    const objectMode = schema ? schema.keySchema?.type === 'string' : entries.every(([k]) => typeof k === 'string');
    if (objectMode) {
      return new Map(entries.map(([k, v]) => [nodeText(this.toJson(schema?.keySchema, k)), this.toJson(schema?.valueSchema, v)]));
    }
    return entries.map(([k, v]) => [this.toJson(schema?.keySchema, k), this.toJson(schema?.valueSchema, v)]);
  }

  /** A JSON node to Connect data (Connect's convertToConnect). */
  private toConnect(schema: Schema | null, node: JsonNode | undefined): unknown {
    if (!schema) return schemalessValue(node);
    if (node === undefined || node === null) {
      if (schema.defaultValue != null && this.replaceNullWithDefault) return schema.defaultValue;
      if (schema.optional) return null;
      throw new DataException(`Invalid null value for required ${typeLabel(schema.type)} field`);
    }
    switch (schema.name) {
      case LOGICAL.Decimal: return decimalFromJson(schema, node);
      case LOGICAL.Date: return daysToDate(Number(intNode(node, 'Date', 'integer', true)));
      case LOGICAL.Time: return millisToTime(Number(intNode(node, 'Time', 'integer', true)));
      case LOGICAL.Timestamp: {
        // Up to 15 digits: exact as a number and inside a Date's range.
        const ms = node instanceof JsonNumber ? smallInteger(node.text) : undefined;
        if (ms !== undefined) return new Date(ms);
        return millisToTimestamp(BigInt.asIntN(64, intNode(node, 'Timestamp', 'integral', false)));
      }
    }
    switch (schema.type) {
      case 'boolean':
        if (typeof node !== 'boolean') throw unexpectedNode(schema, node);
        return node;
      case 'int8': case 'int16': case 'int32': case 'int64': {
        if (!(node instanceof JsonNumber)) throw unexpectedNode(schema, node);
        const small = smallInteger(node.text);
        if (small !== undefined && (schema.type === 'int64' || (small >= -(2 ** (INT_BITS[schema.type]! - 1)) && small < 2 ** (INT_BITS[schema.type]! - 1)))) return small;
        // Fractions truncate as in Connect (Jackson's intValue); overflow fails where Connect would wrap silently.
        const n = integerPart(node.text);
        if (n === null || BigInt.asIntN(INT_BITS[schema.type]!, n) !== n) {
          throw new DataException(`Value ${node.text} is out of range for ${typeLabel(schema.type)}`);
        }
        return schema.type === 'int64' ? int64Value(n) : Number(n);
      }
      case 'float32': case 'float64': {
        const n = node instanceof JsonNumber ? Number(node.text) : nonFiniteFromText(node);
        if (n === undefined) throw unexpectedNode(schema, node);
        return schema.type === 'float32' ? Math.fround(n) : n;
      }
      case 'string':
        if (typeof node !== 'string') throw unexpectedNode(schema, node);
        return node;
      case 'bytes':
        if (typeof node !== 'string') throw unexpectedNode(schema, node);
        return Buffer.from(node, 'base64');
      case 'array':
        if (!Array.isArray(node)) throw unexpectedNode(schema, node);
        return node.map((item) => this.toConnect(schema.valueSchema ?? null, item));
      case 'map':
        return this.mapToConnect(schema, node);
      case 'struct': {
        if (!(node instanceof Map)) throw new DataException(`Structs should be encoded as JSON objects, but found ${nodeType(node)}`);
        const struct = new Struct(schema);
        for (const f of schema.fields ?? []) struct.put(f.name, this.toConnect(f.schema, node.get(f.name)));
        return struct;
      }
    }
  }

  private mapToConnect(schema: Schema, node: JsonNode): unknown {
    if (!schema.keySchema || schema.keySchema.type === 'string') {
      if (!(node instanceof Map)) throw new DataException(`Maps with string fields should be encoded as JSON objects, but found ${nodeType(node)}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of node) setOwn(out, k, this.toConnect(schema.valueSchema ?? null, v));
      return out;
    }
    if (!Array.isArray(node)) throw new DataException(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeType(node)}`);
    const out = new Map<unknown, unknown>();
    for (const entry of node) {
      if (!Array.isArray(entry)) throw new DataException(`Found invalid map entry instead of array tuple: ${nodeType(entry)}`);
      if (entry.length !== 2) throw new DataException(`Found invalid map entry, expected length 2 but found :${entry.length}`);
      out.set(this.toConnect(schema.keySchema, entry[0]!), this.toConnect(schema.valueSchema ?? null, entry[1]!));
    }
    return out;
  }
}

/** Schemaless types: what Connect's ConnectSchema.schemaType would pick for the Java value. */
function inferType(value: unknown): SchemaType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? 'int64' : 'float64';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map || isPlainObject(value)) return 'map';
  throw new DataException(`${describeValue(value)} does not have corresponding schema type.`);
}

function integerNode(type: SchemaType, value: unknown, wrongType: () => DataException): JsonNumber {
  const bits = INT_BITS[type]!;
  let n: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (bits < 64 || Number.isSafeInteger(value)) {
      if (value < -(2 ** (bits - 1)) || value >= 2 ** (bits - 1)) throw new DataException(`Value ${value} is out of range for ${typeLabel(type)}`);
      return new JsonNumber(String(value === 0 ? 0 : value));
    }
    n = BigInt(value);
  } else if (typeof value === 'bigint') {
    n = value;
  } else {
    throw wrongType();
  }
  if (BigInt.asIntN(bits, n) !== n) throw new DataException(`Value ${n} is out of range for ${typeLabel(type)}`);
  return new JsonNumber(n.toString());
}

/** A value's JSON text, written without building a JSON tree. */
type TextWriter = (value: unknown) => string;

/** floatNode's text: non-finite floats quoted. */
function floatText(text: string): string {
  return text === 'NaN' || text.endsWith('Infinity') ? `"${text}"` : text;
}

/** Jackson writes non-finite floats as strings ("NaN", "Infinity"). */
function floatNode(text: string): JsonNode {
  return text === 'NaN' || text.endsWith('Infinity') ? text : new JsonNumber(text);
}

function nonFiniteFromText(node: JsonNode): number | undefined {
  if (node === 'NaN') return NaN;
  if (node === 'Infinity') return Infinity;
  if (node === '-Infinity') return -Infinity;
  return undefined;
}

/** Date and Time need an int32 JSON integer (Jackson's isInt); Timestamp any integer. */
// A module function, not a closure per call: toConnect runs for every field of every record.
function unexpectedNode(schema: Schema, node: JsonNode): DataException {
  return new DataException(`Expected ${typeLabel(schema.type)} but found JSON ${nodeType(node)}`);
}

/** The value of an integer literal of at most 15 digits (always exact as a number); undefined for any other text. */
function smallInteger(text: string): number | undefined {
  const start = text.charCodeAt(0) === 45 ? 1 : 0;
  const digits = text.length - start;
  if (digits === 0 || digits > 15) return undefined;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(text);
  return n === 0 ? 0 : n;
}

function intNode(node: JsonNode, logical: string, want: string, int32: boolean): bigint {
  const n = node instanceof JsonNumber && node.integral ? BigInt(node.text) : undefined;
  if (n === undefined || (int32 && BigInt.asIntN(32, n) !== n)) {
    throw new DataException(`Invalid type for ${logical}, underlying representation should be ${want} but was ${nodeType(node)}`);
  }
  return n;
}

function decimalFromJson(schema: Schema, node: JsonNode): string {
  if (node instanceof JsonNumber) {
    const d = parseBigDecimal(node.text);
    if (!d) throw new DataException(`Invalid Decimal value ${node.text}`);
    return decimalFromText(schema, d);
  }
  if (typeof node === 'string') {
    const scale = decimalScale(schema);
    return plainText({ unscaled: fromTwosComplement(Buffer.from(node, 'base64')), scale });
  }
  throw new DataException(`Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeType(node)}`);
}

/** Without a schema: integers are int64, other numbers float64, objects string-keyed maps. */
function schemalessValue(node: JsonNode | undefined): unknown {
  if (node === undefined || node === null || typeof node === 'boolean' || typeof node === 'string') return node ?? null;
  if (node instanceof JsonNumber) return node.integral ? int64Value(BigInt(node.text)) : Number(node.text);
  if (Array.isArray(node)) return node.map(schemalessValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of node) setOwn(out, k, schemalessValue(v));
  return out;
}

/** Least-recently-used cache; Map keeps insertion order, so the first key is the oldest. */
class Lru<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(k: K): V | undefined {
    const v = this.entries.get(k);
    if (v !== undefined) {
      this.entries.delete(k);
      this.entries.set(k, v);
    }
    return v;
  }

  set(k: K, v: V): void {
    if (this.capacity <= 0) return;
    this.entries.delete(k);
    this.entries.set(k, v);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}
