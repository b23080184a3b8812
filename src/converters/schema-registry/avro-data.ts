import avro from 'avsc';
import { DataException, LOGICAL, Struct, type Schema } from '../../records/schema.js';
import {
  dateToDays, daysToDate, decimalAtSchemaScale, decimalScale, fromTwosComplement, millisToTime, millisToTimestamp,
  timestampToMillis, timeToMillis, twosComplement,
} from '../logical.js';
import { plainText } from '../number-text.js';
import { isPlainObject, mapEntries } from '../schema-util.js';

/**
 * Connect schemas and values ↔ Avro, as Confluent's io.confluent.connect.avro.AvroData does it
 * (schema names, connect.* properties, optional fields as unions with null, logical types, map
 * encodings, ConnectDefault names), and the Avro schema text as Java Avro's Schema.toString()
 * writes it, so the registry sees the same schema a Connect worker would register. The binary
 * encoding itself is avsc's. Not covered: schemaless values (Connect's "Anything" record),
 * generalized sum types and Avro unions other than [null, T] on the write side.
 */

export const NAMESPACE = 'io.confluent.connect.avro';
const DEFAULT_SCHEMA_NAME = 'ConnectDefault';
const DEFAULT_SCHEMA_FULL_NAME = `${NAMESPACE}.${DEFAULT_SCHEMA_NAME}`;
const MAP_ENTRY_TYPE_NAME = 'MapEntry';
const CONNECT_NAME = 'connect.name';
const CONNECT_DOC = 'connect.doc';
const CONNECT_VERSION = 'connect.version';
const CONNECT_DEFAULT = 'connect.default';
const CONNECT_PARAMETERS = 'connect.parameters';
const CONNECT_TYPE = 'connect.type';
const CONNECT_INTERNAL_TYPE = 'connect.internal.type';
const AVRO_RECORD_DOC = `${NAMESPACE}.record.doc`;
const AVRO_FIELD_DOC_PREFIX = `${NAMESPACE}.field.doc.`;
const AVRO_FIELD_DEFAULT_FLAG = `${NAMESPACE}.field.default`;
const AVRO_ENUM_DOC_PREFIX = `${NAMESPACE}.enum.doc.`;
const AVRO_ENUM_DEFAULT_PREFIX = `${NAMESPACE}.enum.default.`;
export const AVRO_TYPE_ENUM = `${NAMESPACE}.Enum`;
const AVRO_TYPE_UNION = `${NAMESPACE}.Union`;
const FIXED_SIZE = 'connect.fixed.size';
const DECIMAL_PRECISION = 'connect.decimal.precision';
const DECIMAL_PRECISION_DEFAULT = 64;

export interface AvroDataOptions {
  connectMetaData: boolean;
  enhancedSchemaSupport: boolean;
  scrubInvalidNames: boolean;
}

// ---------------------------------------------------------------- the Avro schema model

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Props = Array<[string, Json]>;

interface AvroField { name: string; type: AvroSchema; doc?: string; default?: Json; attrs: Props }
type AvroSchema =
  | { kind: 'primitive'; type: string; attrs: Props }
  | { kind: 'record'; name: string; namespace?: string; doc?: string; fields: AvroField[]; attrs: Props }
  | { kind: 'enum'; name: string; namespace?: string; doc?: string; symbols: string[]; default?: string; attrs: Props }
  | { kind: 'fixed'; name: string; namespace?: string; size: number; attrs: Props }
  | { kind: 'array'; items: AvroSchema; attrs: Props }
  | { kind: 'map'; values: AvroSchema; attrs: Props }
  | { kind: 'union'; types: AvroSchema[] };

const fullName = (s: { name: string; namespace?: string }) => (s.namespace ? `${s.namespace}.${s.name}` : s.name);

/** Java Avro's Schema.toString(): key order, namespaces written only where they change, named types once. */
export function avroSchemaText(schema: AvroSchema): string {
  const defined = new Set<string>();
  const write = (s: AvroSchema, space: string | undefined): string => {
    const attrs = (p: Props) => p.map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
    switch (s.kind) {
      case 'primitive':
        return s.attrs.length ? `{"type":${JSON.stringify(s.type)}${attrs(s.attrs)}}` : JSON.stringify(s.type);
      case 'union':
        return `[${s.types.map((t) => write(t, space)).join(',')}]`;
      case 'array':
        return `{"type":"array","items":${write(s.items, space)}${attrs(s.attrs)}}`;
      case 'map':
        return `{"type":"map","values":${write(s.values, space)}${attrs(s.attrs)}}`;
      default: {
        const full = fullName(s);
        if (defined.has(full)) return JSON.stringify(s.namespace === space ? s.name : full);
        defined.add(full);
        let name = `"name":${JSON.stringify(s.name)}`;
        if (s.namespace !== undefined && s.namespace !== space) name += `,"namespace":${JSON.stringify(s.namespace)}`;
        else if (s.namespace === undefined && space !== undefined) name += ',"namespace":""';
        const inner = s.namespace;
        if (s.kind === 'fixed') return `{"type":"fixed",${name},"size":${s.size}${attrs(s.attrs)}}`;
        if (s.kind === 'enum') {
          return `{"type":"enum",${name}${s.doc !== undefined ? `,"doc":${JSON.stringify(s.doc)}` : ''},"symbols":${JSON.stringify(s.symbols)}${attrs(s.attrs)}${s.default !== undefined ? `,"default":${JSON.stringify(s.default)}` : ''}}`;
        }
        const fields = s.fields.map((f) => {
          let out = `{"name":${JSON.stringify(f.name)},"type":${write(f.type, inner)}`;
          if (f.doc !== undefined) out += `,"doc":${JSON.stringify(f.doc)}`;
          if (f.default !== undefined) out += `,"default":${JSON.stringify(f.default)}`;
          return `${out}${attrs(f.attrs)}}`;
        });
        return `{"type":"record",${name}${s.doc !== undefined ? `,"doc":${JSON.stringify(s.doc)}` : ''},"fields":[${fields.join(',')}]${attrs(s.attrs)}}`;
      }
    }
  };
  return write(schema, undefined);
}

function splitName(full: string): { namespace?: string; name: string } {
  const i = full.lastIndexOf('.');
  return i < 0 ? { name: full } : { namespace: full.slice(0, i), name: full.slice(i + 1) };
}

/** Confluent's doScrubName: URL-encode, then every character but [A-Za-z0-9_] becomes _, and a leading digit gets an x. */
export function scrubName(name: string): string {
  if (name === '' || (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))) return name;
  let encoded = encodeURIComponent(name).replace(/%20/g, '+').replace(/[!'()~*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (/^[0-9]/.test(encoded)) encoded = `x${encoded}`;
  return encoded.replace(/[^A-Za-z0-9_]/g, '_');
}

// ---------------------------------------------------------------- Connect → Avro schema

const isDecimal = (s: Schema) => s.name?.toLowerCase() === LOGICAL.Decimal.toLowerCase();
const named = (s: Schema, logical: string) => s.name?.toLowerCase() === logical.toLowerCase();
const isEnum = (s: Schema) => s.type === 'string' && s.parameters?.[AVRO_TYPE_ENUM] !== undefined;
const isFixed = (s: Schema) => s.type === 'bytes' && s.parameters?.[FIXED_SIZE] !== undefined;

/** Confluent's connect.default / field default: the value in Avro's JSON form. */
function defaultJson(schema: Schema, value: unknown, o: AvroDataOptions): Json {
  if (value === null || value === undefined) return null;
  if (isDecimal(schema)) return twosComplement(decimalAtSchemaScale(schema, value).unscaled).toString('latin1');
  if (named(schema, LOGICAL.Date)) return dateToDays(value);
  if (named(schema, LOGICAL.Time)) return timeToMillis(value);
  if (named(schema, LOGICAL.Timestamp)) return timestampToMillis(value);
  switch (schema.type) {
    case 'int64': return typeof value === 'bigint' ? Number(value) : (value as number);
    case 'bytes': return Buffer.from(value as Uint8Array).toString('latin1');
    case 'array': return (value as unknown[]).map((v) => defaultJson(schema.valueSchema!, v, o));
    case 'map': {
      const entries = mapEntries(value) ?? [];
      if (schema.keySchema!.type === 'string' && !schema.keySchema!.optional) {
        return Object.fromEntries(entries.map(([k, v]) => [String(k), defaultJson(schema.valueSchema!, v, o)]));
      }
      return entries.map(([k, v]) => [defaultJson(schema.keySchema!, k, o), defaultJson(schema.valueSchema!, v, o)]);
    }
    case 'struct': {
      const out: { [k: string]: Json } = {};
      for (const f of schema.fields ?? []) out[o.scrubInvalidNames ? scrubName(f.name) : f.name] = defaultJson(f.schema, (value as Struct).get(f.name), o);
      return out;
    }
    default: return value as Json;
  }
}

function parametersJson(params: Record<string, string>): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(params)) if (k !== AVRO_FIELD_DEFAULT_FLAG) out[k] = v;
  return out;
}

/** Connect schema → Avro schema, as AvroData.fromConnectSchema (one context per top-level schema). */
export function fromConnectSchema(schema: Schema, o: AvroDataOptions): AvroSchema {
  let nameIndex = 0;
  const nameOrDefault = (name: string | undefined) => {
    if (name !== undefined) {
      const split = splitName(name);
      return o.scrubInvalidNames ? { namespace: split.namespace?.split('.').map(scrubName).join('.'), name: scrubName(split.name) } : split;
    }
    nameIndex++;
    return { namespace: NAMESPACE, name: DEFAULT_SCHEMA_NAME + (nameIndex > 1 ? String(nameIndex) : '') };
  };
  const seen = new Map<Schema, AvroSchema>();

  const convert = (s: Schema, ignoreOptional: boolean): AvroSchema => {
    if (!s.optional) {
      const known = seen.get(s);
      if (known) return known;
    }
    let connectType: string | undefined;
    let base: AvroSchema;
    switch (s.type) {
      case 'int8': connectType = 'int8'; base = prim('int'); break;
      case 'int16': connectType = 'int16'; base = prim('int'); break;
      case 'int32': base = prim('int'); break;
      case 'int64': base = prim('long'); break;
      case 'float32': base = prim('float'); break;
      case 'float64': base = prim('double'); break;
      case 'boolean': base = prim('boolean'); break;
      case 'string':
        if (o.enhancedSchemaSupport && isEnum(s)) {
          const params = s.parameters!;
          const symbols = Object.keys(params).filter((k) => k.startsWith(`${AVRO_TYPE_ENUM}.`)).map((k) => k.slice(AVRO_TYPE_ENUM.length + 1));
          const { name } = nameOrDefault(s.name);
          const enumName = splitName(params[AVRO_TYPE_ENUM]!);
          base = { kind: 'enum', ...enumName, doc: params[AVRO_ENUM_DOC_PREFIX + name], symbols, default: params[AVRO_ENUM_DEFAULT_PREFIX + name], attrs: [] };
        } else base = prim('string');
        break;
      case 'bytes': {
        base = isFixed(s) ? { kind: 'fixed', ...nameOrDefault(s.name), size: Number(s.parameters![FIXED_SIZE]), attrs: [] } : prim('bytes');
        if (isDecimal(s)) {
          base.attrs.push(['scale', decimalScale(s)]);
          const p = s.parameters?.[DECIMAL_PRECISION];
          base.attrs.push(['precision', p !== undefined ? Number(p) : DECIMAL_PRECISION_DEFAULT]);
        }
        break;
      }
      case 'array':
        base = { kind: 'array', items: convert(s.valueSchema!, false), attrs: [] };
        break;
      case 'map':
        if (s.keySchema!.type === 'string' && !s.keySchema!.optional) {
          base = { kind: 'map', values: convert(s.valueSchema!, false), attrs: [] };
        } else {
          const entry: AvroSchema = s.name === undefined
            ? { kind: 'record', name: MAP_ENTRY_TYPE_NAME, namespace: NAMESPACE, fields: [], attrs: [] }
            : { kind: 'record', ...nameOrDefault(s.name), fields: [], attrs: [[CONNECT_INTERNAL_TYPE, MAP_ENTRY_TYPE_NAME]] };
          entry.fields.push(field('key', s.keySchema!, undefined), field('value', s.valueSchema!, undefined));
          base = { kind: 'array', items: entry, attrs: [] };
        }
        break;
      case 'struct':
        if (s.name === AVRO_TYPE_UNION) {
          base = { kind: 'union', types: [...(s.optional ? [prim('null')] : []), ...(s.fields ?? []).map((f) => convert({ ...f.schema, optional: false }, true))] };
        } else if (s.optional) {
          base = { kind: 'union', types: [prim('null'), convert({ ...s, optional: false }, false)] };
        } else {
          const rec: AvroSchema = { kind: 'record', ...nameOrDefault(s.name), doc: s.parameters?.[AVRO_RECORD_DOC], fields: [], attrs: [] };
          seen.set(s, rec);
          for (const f of s.fields ?? []) {
            rec.fields.push(field(o.scrubInvalidNames ? scrubName(f.name) : f.name, f.schema, s.parameters?.[AVRO_FIELD_DOC_PREFIX + f.name]));
          }
          base = rec;
        }
        break;
      default:
        throw new DataException(`Unknown schema type: ${String(s.type)}`);
    }

    let result = base;
    if (base.kind !== 'union') {
      const attrs = base.attrs;
      if (o.connectMetaData) {
        if (s.doc !== undefined) attrs.push([CONNECT_DOC, s.doc]);
        if (s.version !== undefined) attrs.push([CONNECT_VERSION, s.version]);
        if (s.parameters) {
          const p = parametersJson(s.parameters);
          if (Object.keys(p).length) attrs.push([CONNECT_PARAMETERS, p]);
        }
        if (s.defaultValue !== undefined && s.defaultValue !== null && s.parameters?.[AVRO_FIELD_DEFAULT_FLAG] === undefined) {
          attrs.push([CONNECT_DEFAULT, defaultJson(s, s.defaultValue, o)]);
        }
        if (s.name !== undefined) attrs.push([CONNECT_NAME, s.name]);
        if (connectType) attrs.push([CONNECT_TYPE, connectType]);
      }
      let legacyDecimal = false;
      if (s.name !== undefined) {
        if (isDecimal(s)) {
          const precisionText = s.parameters?.[DECIMAL_PRECISION];
          const precision = precisionText === undefined ? DECIMAL_PRECISION_DEFAULT : Number(precisionText);
          const scale = Number(s.parameters?.scale ?? 0);
          if (scale < 0 || scale > precision) legacyDecimal = true;
          else addLogical(attrs, 'decimal');
        } else if (named(s, LOGICAL.Time)) addLogical(attrs, 'time-millis');
        else if (named(s, LOGICAL.Timestamp)) addLogical(attrs, 'timestamp-millis');
        else if (named(s, LOGICAL.Date)) addLogical(attrs, 'date');
        // The older way, kept by Confluent beside the above: a plain logicalType property.
        if (isDecimal(s) && (s.parameters?.[DECIMAL_PRECISION] !== undefined || legacyDecimal)) addLogical(attrs, 'decimal');
      }
      for (const [k, v] of Object.entries(s.parameters ?? {})) if (k.startsWith('avro')) setProp(attrs, k, v);
      if (!ignoreOptional) result = optional(s, base);
    }
    if (!s.optional) seen.set(s, result);
    return result;
  };

  const field = (name: string, fs: Schema, doc: string | undefined): AvroField => {
    let def: Json | undefined;
    if (fs.defaultValue !== undefined && fs.defaultValue !== null) def = defaultJson(fs, fs.defaultValue, o);
    else if (fs.optional) def = null;
    return { name, type: convert(fs, false), doc, default: def, attrs: [] };
  };

  return convert(schema, false);
}

function prim(type: string): AvroSchema & { kind: 'primitive' } {
  return { kind: 'primitive', type, attrs: [] };
}

/** Avro's addProp: a key set once keeps its place and value. */
function setProp(attrs: Props, k: string, v: Json): void {
  if (!attrs.some(([key]) => key === k)) attrs.push([k, v]);
}

function addLogical(attrs: Props, name: string): void {
  setProp(attrs, 'logicalType', name);
}

/** An optional Connect schema as a union with null: null first, unless the schema has a default (then it must come first). */
function optional(s: Schema, base: AvroSchema): AvroSchema {
  if (!s.optional) return base;
  return { kind: 'union', types: s.defaultValue !== undefined && s.defaultValue !== null ? [base, prim('null')] : [prim('null'), base] };
}

// ---------------------------------------------------------------- Avro schema (from the registry) → Connect

type Parsed = string | Json[] | { [k: string]: Json };

/** Avro schema JSON → Connect schema, as AvroData.toConnectSchema. Named types are resolved by name. */
export function toConnectSchema(text: string, version: number | undefined, o: AvroDataOptions): Schema {
  const names = new Map<string, { [k: string]: Json }>();
  const root = JSON.parse(text) as Parsed;
  const collect = (s: Json, space: string | undefined): void => {
    if (Array.isArray(s)) return s.forEach((t) => collect(t, space));
    if (!isObj(s)) return;
    const t = s.type;
    if (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') {
      const name = String(s.name);
      const ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : (typeof s.namespace === 'string' ? s.namespace || undefined : space);
      const full = name.includes('.') ? name : ns ? `${ns}.${name}` : name;
      names.set(full, { ...s, name: full.slice(full.lastIndexOf('.') + 1), namespace: ns ?? '', __full: full });
      if (Array.isArray(s.fields)) for (const f of s.fields) if (isObj(f)) collect(f.type ?? null, ns);
    } else if (t === 'array') collect(s.items ?? null, space);
    else if (t === 'map') collect(s.values ?? null, space);
    else if (isObj(t) || Array.isArray(t)) collect(t, space);
  };
  collect(root, undefined);

  const resolve = (s: Json, space: string | undefined): { [k: string]: Json } | Json[] => {
    if (typeof s === 'string') {
      const found = names.get(s) ?? (space ? names.get(`${space}.${s}`) : undefined);
      if (found) return found;
      return { type: s };
    }
    if (Array.isArray(s)) return s;
    if (isObj(s) && (s.type === 'record' || s.type === 'error' || s.type === 'enum' || s.type === 'fixed')) {
      const name = String(s.name);
      const full = name.includes('.') ? name : (typeof s.namespace === 'string' ? s.namespace : space) ? `${typeof s.namespace === 'string' ? s.namespace : space}.${name}` : name;
      return names.get(full) ?? s;
    }
    if (isObj(s) && (isObj(s.type) || Array.isArray(s.type))) return resolve(s.type, space);
    return s as { [k: string]: Json };
  };
  const spaceOf = (s: { [k: string]: Json }, space: string | undefined) => (typeof s.__full === 'string' ? (s.namespace as string) || undefined : space);

  const convert = (raw: Json, forceOptional: boolean, fieldDefault: Json | undefined, docDefault: string | undefined, space: string | undefined, topVersion?: number): Schema => {
    const r = resolve(raw, space);
    if (Array.isArray(r)) {
      // Unions: [null, T] is an optional T; anything else a Connect union struct.
      if (r.length === 1) return convert(r[0]!, false, undefined, docDefault, space);
      const isNull = (t: Json) => t === 'null' || (isObj(t) && t.type === 'null');
      if (r.length === 2 && r.some(isNull)) return convert(r.find((t) => !isNull(t))!, true, undefined, docDefault, space);
      const fields: Schema['fields'] = [];
      let opt = false;
      r.forEach((t, i) => {
        if (isNull(t)) opt = true;
        else {
          const member = convert(t, true, undefined, undefined, space);
          fields.push({ name: unionMemberName(resolve(t, space), i), index: fields.length, schema: member });
        }
      });
      return { type: 'struct', optional: opt || forceOptional, name: AVRO_TYPE_UNION, fields };
    }
    const s = r;
    const type = s.type as string;
    const logical = typeof s.logicalType === 'string' ? s.logicalType : undefined;
    const out: Schema = { type: 'string', optional: false };
    const params: Record<string, string> = {};
    let name: string | undefined;
    let ver: number | undefined;
    const inner = spaceOf(s, space);
    switch (type) {
      case 'boolean': out.type = 'boolean'; break;
      case 'bytes': case 'fixed':
        out.type = 'bytes';
        if (logical?.toLowerCase() === 'decimal') {
          name = LOGICAL.Decimal; ver = 1;
          params.scale = String(typeof s.scale === 'number' ? s.scale : 0);
          if (s.precision !== undefined && s.precision !== null) {
            if (typeof s.precision !== 'number') throw new DataException('precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal');
            if (s.precision !== DECIMAL_PRECISION_DEFAULT) params[DECIMAL_PRECISION] = String(s.precision);
          }
        }
        if (type === 'fixed') params[FIXED_SIZE] = String(s.size);
        break;
      case 'double': out.type = 'float64'; break;
      case 'float': out.type = 'float32'; break;
      case 'int': {
        const ct = s[CONNECT_TYPE];
        if (logical?.toLowerCase() === 'date') { out.type = 'int32'; name = LOGICAL.Date; ver = 1; }
        else if (logical?.toLowerCase() === 'time-millis') { out.type = 'int32'; name = LOGICAL.Time; ver = 1; }
        else if (logical === undefined && ct !== undefined) {
          if (ct !== 'int8' && ct !== 'int16') throw new DataException('Connect type annotation for Avro int field is null');
          out.type = ct;
        } else out.type = 'int32';
        break;
      }
      case 'long':
        out.type = 'int64';
        if (logical?.toLowerCase() === 'timestamp-millis') { name = LOGICAL.Timestamp; ver = 1; }
        break;
      case 'string': out.type = 'string'; break;
      case 'array': {
        const items = resolve(s.items!, inner);
        if (!Array.isArray(items) && items.type === 'record' && ((items.__full === `${NAMESPACE}.${MAP_ENTRY_TYPE_NAME}`) || items[CONNECT_INTERNAL_TYPE] === MAP_ENTRY_TYPE_NAME)) {
          const fs = items.fields as Array<{ [k: string]: Json }>;
          const k = fs.find((f) => f.name === 'key');
          const v = fs.find((f) => f.name === 'value');
          if (fs.length !== 2 || !k || !v) throw new DataException('Found map encoded as array of key-value pairs, but array elements do not match the expected format.');
          const entrySpace = spaceOf(items, inner);
          out.type = 'map';
          out.keySchema = convert(k.type!, false, undefined, undefined, entrySpace);
          out.valueSchema = convert(v.type!, false, undefined, undefined, entrySpace);
        } else {
          out.type = 'array';
          out.valueSchema = convert(s.items!, false, undefined, undefined, inner);
        }
        break;
      }
      case 'map':
        out.type = 'map';
        out.keySchema = { type: 'string', optional: false };
        out.valueSchema = convert(s.values!, false, undefined, undefined, inner);
        break;
      case 'record': case 'error': {
        out.type = 'struct';
        if (o.connectMetaData && typeof s.doc === 'string') params[AVRO_RECORD_DOC] = s.doc;
        out.fields = [];
        for (const f of (s.fields as Array<{ [k: string]: Json }>)) {
          const fname = String(f.name);
          if (o.connectMetaData && typeof f.doc === 'string') params[AVRO_FIELD_DOC_PREFIX + fname] = f.doc;
          let fs = convert(f.type!, false, 'default' in f ? f.default! : undefined, typeof f.doc === 'string' ? f.doc : undefined, inner);
          const fieldParams = f[CONNECT_PARAMETERS];
          if (o.connectMetaData && isObj(fieldParams)) fs = { ...fs, parameters: { ...(fs.parameters ?? {}), ...Object.fromEntries(Object.entries(fieldParams).map(([k, v]) => [k, String(v)])) } };
          out.fields.push({ name: fname, index: out.fields.length, schema: fs });
        }
        break;
      }
      case 'enum': {
        out.type = 'string';
        const short = String(s.name);
        if (o.connectMetaData) {
          if (typeof s.doc === 'string') params[AVRO_ENUM_DOC_PREFIX + short] = s.doc;
          if (typeof s.default === 'string') params[AVRO_ENUM_DEFAULT_PREFIX + short] = s.default;
        }
        params[AVRO_TYPE_ENUM] = String(s.__full ?? s.name);
        for (const sym of s.symbols as string[]) params[`${AVRO_TYPE_ENUM}.${sym}`] = sym;
        break;
      }
      case 'null':
        throw new DataException('Standalone null schemas are not supported by this converter');
      default:
        throw new DataException(`Couldn't translate unsupported schema type ${type}.`);
    }
    if (o.connectMetaData && typeof s[CONNECT_DOC] === 'string') out.doc = s[CONNECT_DOC];
    void docDefault;
    let v = -1;
    const vn = s[CONNECT_VERSION];
    if (vn !== undefined && vn !== null) {
      if (typeof vn !== 'number') throw new DataException(`Invalid Connect version found: ${JSON.stringify(vn)}`);
      v = vn;
    } else if (topVersion !== undefined) v = topVersion;
    if (v >= 0) {
      if (ver !== undefined && ver !== v) throw new DataException(`Mismatched versions: version already added to SchemaBuilder (${ver}) differs from version in source schema (${v})`);
      ver = v;
    }
    const cp = s[CONNECT_PARAMETERS];
    if (o.connectMetaData && cp !== undefined && cp !== null) {
      if (!isObj(cp)) throw new DataException(`Expected JSON object for schema parameters but found: ${JSON.stringify(cp)}`);
      for (const [k, pv] of Object.entries(cp)) {
        if (typeof pv !== 'string') throw new DataException(`Expected schema parameter values to be strings but found: ${JSON.stringify(pv)}`);
        params[k] = pv;
      }
    }
    for (const [k, pv] of Object.entries(s)) if (k.startsWith('avro') && pv !== undefined) params[k] = typeof pv === 'string' ? pv : JSON.stringify(pv);
    const connectDefault = s[CONNECT_DEFAULT];
    let def: Json | undefined = fieldDefault;
    if (def === undefined) def = connectDefault;
    else if (o.connectMetaData && connectDefault === undefined) params[AVRO_FIELD_DEFAULT_FLAG] = 'true';
    const cn = s[CONNECT_NAME];
    let n: string | undefined;
    if (cn !== undefined) {
      if (typeof cn !== 'string') throw new DataException(`Invalid schema name: ${JSON.stringify(cn)}`);
      n = cn;
    } else if (type === 'record' || type === 'error' || type === 'enum') n = String(s.__full ?? s.name);
    else if (type === 'fixed' && name !== LOGICAL.Decimal) n = String(s.__full ?? s.name);
    if (n !== undefined && !n.startsWith(DEFAULT_SCHEMA_FULL_NAME)) {
      if (name !== undefined && name !== n) throw new DataException(`Mismatched names: name already added to SchemaBuilder (${name}) differs from name in source schema (${n})`);
      name = n;
    }
    if (name !== undefined) out.name = name;
    if (ver !== undefined) out.version = ver;
    if (Object.keys(params).length) out.parameters = params;
    if (forceOptional) out.optional = true;
    if (def !== undefined && def !== null) {
      try {
        out.defaultValue = defaultFromJson(out, def);
      } catch {
        // As Confluent: an invalid default is ignored.
      }
    }
    return out;
  };
  return convert(root as Json, false, undefined, undefined, undefined, version);
}

function isObj(x: unknown): x is { [k: string]: Json } {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function unionMemberName(s: { [k: string]: Json } | Json[], _index: number): string {
  if (Array.isArray(s)) throw new DataException('Unions may not immediately contain other unions');
  const t = String(s.type);
  return t === 'record' || t === 'enum' || t === 'fixed' ? String(s.__full ?? s.name) : t;
}

/** An Avro JSON default as a Connect value. */
function defaultFromJson(s: Schema, v: Json): unknown {
  if (v === null) return null;
  if (s.name === LOGICAL.Decimal && typeof v === 'string') return decimalText(s, Buffer.from(v, 'latin1'));
  if (s.name === LOGICAL.Date && typeof v === 'number') return daysToDate(v);
  if (s.name === LOGICAL.Time && typeof v === 'number') return millisToTime(v);
  if (s.name === LOGICAL.Timestamp && typeof v === 'number') return millisToTimestamp(BigInt(v));
  switch (s.type) {
    case 'bytes': if (typeof v === 'string') return Buffer.from(v, 'latin1'); break;
    case 'boolean': if (typeof v === 'boolean') return v; break;
    case 'string': if (typeof v === 'string') return v; break;
    case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64': if (typeof v === 'number') return v; break;
    case 'array': if (Array.isArray(v)) return v.map((x) => defaultFromJson(s.valueSchema!, x)); break;
    case 'map':
      if (isObj(v)) return new Map(Object.entries(v).map(([k, x]) => [k, defaultFromJson(s.valueSchema!, x)]));
      if (Array.isArray(v)) return new Map(v.map((e) => [defaultFromJson(s.keySchema!, (e as Json[])[0]!), defaultFromJson(s.valueSchema!, (e as Json[])[1]!)]));
      break;
    case 'struct':
      if (isObj(v) && s.name !== AVRO_TYPE_UNION) {
        const st = new Struct(s);
        for (const f of s.fields ?? []) st.put(f.name, f.name in v ? defaultFromJson(f.schema, v[f.name]!) : (f.schema.defaultValue ?? null));
        return st;
      }
      break;
  }
  throw new DataException(`Invalid default for ${s.type}`);
}

function decimalText(s: Schema, bytes: Uint8Array): string {
  return plainText({ unscaled: fromTwosComplement(bytes), scale: decimalScale(s) });
}

// ---------------------------------------------------------------- values

/** avsc's long as a JS number when safe, a bigint beyond 2^53 (Connect's int64 values). */
const LongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE();
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  },
  toBuffer: (n: number | bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (x: unknown) => (typeof x === 'number' ? x : BigInt(String(x))),
  toJSON: (n: number | bigint) => Number(n),
  isValid: (n: unknown) => (typeof n === 'number' && Number.isInteger(n)) || typeof n === 'bigint',
  compare: (a: number | bigint, b: number | bigint) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0),
});

/** avsc's type for an Avro schema text (unions of null and one type taken unwrapped). */
export function avscType(text: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry: { long: LongType }, wrapUnions: 'auto' } as never);
}

/** A Connect value → the JS value avsc writes for the matching Avro schema (AvroData.fromConnectData). */
export function toAvroValue(schema: Schema, value: unknown, o: AvroDataOptions): unknown {
  if (value === null || value === undefined) {
    if (!schema.optional) throw new DataException('Found null value for non-optional schema');
    return null;
  }
  if (schema.name !== undefined) {
    if (isDecimal(schema)) {
      const bytes = twosComplement(decimalAtSchemaScale(schema, value).unscaled);
      const size = schema.parameters?.[FIXED_SIZE];
      return size === undefined ? bytes : padFixed(bytes, Number(size));
    }
    if (named(schema, LOGICAL.Date)) return dateToDays(value);
    if (named(schema, LOGICAL.Time)) return timeToMillis(value);
    if (named(schema, LOGICAL.Timestamp)) return timestampToMillis(value);
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'float32': case 'float64':
      if (typeof value !== 'number') throw invalid(schema, value);
      return value;
    case 'int64':
      if (typeof value !== 'number' && typeof value !== 'bigint') throw invalid(schema, value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(schema, value);
      return value;
    case 'string':
      if (typeof value !== 'string') throw invalid(schema, value);
      return value;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw invalid(schema, value);
      return Buffer.isBuffer(value) ? value : Buffer.from(value);
    case 'array':
      if (!Array.isArray(value)) throw invalid(schema, value);
      return value.map((v) => toAvroValue(schema.valueSchema!, v, o));
    case 'map': {
      const entries = mapEntries(value);
      if (!entries) throw invalid(schema, value);
      if (schema.keySchema!.type === 'string' && !schema.keySchema!.optional) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) out[String(k)] = toAvroValue(schema.valueSchema!, v, o);
        return out;
      }
      return entries.map(([k, v]) => ({ key: toAvroValue(schema.keySchema!, k, o), value: toAvroValue(schema.valueSchema!, v, o) }));
    }
    case 'struct': {
      if (!(value instanceof Struct)) throw invalid(schema, value);
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) out[o.scrubInvalidNames ? scrubName(f.name) : f.name] = toAvroValue(f.schema, value.get(f.name), o);
      return out;
    }
  }
}

function padFixed(bytes: Buffer, size: number): Buffer {
  if (bytes.length >= size) return bytes;
  const fill = (bytes[0]! & 0x80) !== 0 ? 0xff : 0;
  return Buffer.concat([Buffer.alloc(size - bytes.length, fill), bytes]);
}

function invalid(schema: Schema, value: unknown): DataException {
  const cls = value === null ? 'null' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  return new DataException(`Invalid type for ${schema.type.toUpperCase()}: ${cls}`);
}

/** avsc's decoded value → Connect value for the schema toConnectSchema gave (AvroData.toConnectData). */
export function fromAvroValue(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (!schema.optional) throw new DataException('Found null value for non-optional schema');
    return null;
  }
  if (schema.name === LOGICAL.Decimal) return decimalText(schema, value as Buffer);
  if (schema.name === LOGICAL.Date) return daysToDate(value as number);
  if (schema.name === LOGICAL.Time) return millisToTime(value as number);
  if (schema.name === LOGICAL.Timestamp) return millisToTimestamp(BigInt(value as number));
  switch (schema.type) {
    case 'array': return (value as unknown[]).map((v) => fromAvroValue(schema.valueSchema!, v));
    case 'map':
      if (Array.isArray(value)) return new Map(value.map((e: { key: unknown; value: unknown }) => [fromAvroValue(schema.keySchema!, e.key), fromAvroValue(schema.valueSchema!, e.value)]));
      return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromAvroValue(schema.valueSchema!, v)]));
    case 'struct': {
      if (schema.name === AVRO_TYPE_UNION) return unionValue(schema, value);
      const st = new Struct(schema);
      const rec = value as Record<string, unknown>;
      for (const f of schema.fields ?? []) st.put(f.name, fromAvroValue(f.schema, rec[f.name]));
      return st;
    }
    case 'bytes': return Buffer.from(value as Uint8Array);
    default: return value;
  }
}

/** A wrapped avsc union value ({"branch name": value}) as Connect's union Struct. */
function unionValue(schema: Schema, value: unknown): Struct {
  const st = new Struct(schema);
  if (!isPlainObject(value)) throw new DataException('Did not find matching union field for data');
  const [branch, v] = Object.entries(value)[0] ?? [];
  const f = schema.fields?.find((x) => x.name === branch);
  if (!f) throw new DataException('Did not find matching union field for data');
  st.put(f.name, fromAvroValue(f.schema, v));
  return st;
}
