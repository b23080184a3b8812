import { defineConfig, key } from '../../config/define.js';
import { DataException, LOGICAL, Struct, type Schema } from '../../records/schema.js';
import { parseConverterConfig } from '../converter-config.js';
import { JsonConverter } from '../json-converter.js';
import { mapEntries } from '../schema-util.js';
import type { SchemaText } from './client.js';
import { registryKeys } from './config.js';
import { SchemaRegistryConverter, type SchemaFormat, type Writer } from './registry-converter.js';

/**
 * io.confluent.connect.json.JsonSchemaConverter: the value as JSON text (what Connect's
 * JsonSchemaData writes: Connect's JSON encoding of values, decimals as base64 by default) after
 * Confluent's 5-byte header, and the Connect schema as a JSON Schema (Draft 7) with Confluent's
 * connect.type / connect.version / connect.parameters / connect.index annotations, optional
 * values as oneOf [null, T], names as titles, maps with non-string keys as arrays of key/value
 * objects. Not covered: $ref and allOf, generalized sum types.
 */

export const JSON_SCHEMA_CONVERTER_CLASS = 'io.confluent.connect.json.JsonSchemaConverter';
const NAMESPACE = 'io.confluent.connect.json';
const JSON_TYPE_ONE_OF = `${NAMESPACE}.OneOf`;

export const jsonSchemaConverterConfig = defineConfig({
  ...registryKeys,
  'object.additional.properties': key.boolean({ default: true, importance: 'MEDIUM', doc: 'Whether to allow additional properties for object schemas.' }),
  'use.optional.for.nonrequired': key.boolean({ default: false, importance: 'MEDIUM', doc: 'Whether to set non-required properties to be optional.' }),
  'decimal.format': key.enum(['BASE64', 'NUMERIC'] as const, {
    default: 'BASE64', caseInsensitive: true, importance: 'LOW',
    doc: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
  }),
});

type Obj = Record<string, unknown>;
const INT_TYPES = new Set(['int8', 'int16', 'int32', 'int64']);

interface Options { additionalProperties: boolean; optionalForNonRequired: boolean; decimalNumeric: boolean }

/** Connect schema → JSON Schema, as JsonSchemaData.fromConnectSchema. */
export function jsonSchemaFromConnect(schema: Schema, o: Options, index?: number, ignoreOptional = false): Obj {
  const attrs: Obj = {};
  let out: Obj;
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      out = { type: 'integer' }; attrs['connect.type'] = schema.type; break;
    case 'float32': case 'float64':
      out = { type: 'number' }; attrs['connect.type'] = schema.type; break;
    case 'boolean': out = { type: 'boolean' }; break;
    case 'string': out = { type: 'string' }; break;
    case 'bytes':
      out = { type: schema.name === LOGICAL.Decimal && o.decimalNumeric ? 'number' : 'string' }; attrs['connect.type'] = 'bytes'; break;
    case 'array': out = { type: 'array', items: jsonSchemaFromConnect(schema.valueSchema!, o) }; break;
    case 'map':
      if (schema.keySchema!.type === 'string' && !schema.keySchema!.optional) {
        out = { type: 'object', additionalProperties: jsonSchemaFromConnect(schema.valueSchema!, o) };
      } else {
        out = { type: 'array', items: { type: 'object', properties: { key: jsonSchemaFromConnect(schema.keySchema!, o, 0), value: jsonSchemaFromConnect(schema.valueSchema!, o, 1) } } };
      }
      attrs['connect.type'] = 'map';
      break;
    case 'struct':
      if (schema.name === JSON_TYPE_ONE_OF) {
        out = { oneOf: [...(schema.optional ? [{ type: 'null' }] : []), ...(schema.fields ?? []).map((f) => jsonSchemaFromConnect({ ...f.schema, optional: false }, o, f.index, true))] };
        return index === undefined ? out : { ...out, 'connect.index': index };
      }
      if (schema.optional && !ignoreOptional) {
        const inner = jsonSchemaFromConnect({ ...schema, optional: false }, o);
        return { oneOf: [{ type: 'null' }, inner], ...(index !== undefined ? { 'connect.index': index } : {}) };
      }
      out = { type: 'object', properties: Object.fromEntries((schema.fields ?? []).map((f) => [f.name, jsonSchemaFromConnect(f.schema, o, f.index)])) };
      if (!o.additionalProperties) out.additionalProperties = false;
      break;
  }
  if (schema.name !== undefined) out.title = schema.name;
  if (schema.version !== undefined) attrs['connect.version'] = schema.version;
  if (schema.doc !== undefined) out.description = schema.doc;
  const params = Object.entries(schema.parameters ?? {}).filter(([k]) => !k.startsWith(NAMESPACE));
  if (params.length) attrs['connect.parameters'] = Object.fromEntries(params);
  if (schema.optional && !ignoreOptional && schema.type !== 'struct') {
    return { oneOf: [{ type: 'null' }, { ...out, ...attrs }], ...(index !== undefined ? { 'connect.index': index } : {}) };
  }
  if (index !== undefined) attrs['connect.index'] = index;
  return { ...out, ...attrs };
}

/** JSON Schema → Connect schema, as JsonSchemaData.toConnectSchema (types, oneOf with null, connect.* annotations, titles). */
export function connectFromJsonSchema(js: unknown, o: Options, version?: number, forceOptional = false): Schema {
  if (typeof js !== 'object' || js === null) throw new DataException(`Unsupported JSON schema ${JSON.stringify(js)}`);
  const s = js as Obj;
  const combined = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  let out: Schema;
  if (combined) {
    const isNull = (x: unknown) => (x as Obj)?.type === 'null';
    if (combined.length === 1) return connectFromJsonSchema(combined[0], o);
    if (combined.length === 2 && combined.some(isNull)) return connectFromJsonSchema(combined.find((x) => !isNull(x)), o, version, true);
    const fields = combined.filter((x) => !isNull(x)).map((x, i) => ({ name: `${JSON_TYPE_ONE_OF}.field.${i}`, index: i, schema: connectFromJsonSchema(x, o, undefined, true) }));
    out = { type: 'struct', optional: combined.some(isNull), name: JSON_TYPE_ONE_OF, fields };
  } else {
    const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
    const ct = s['connect.type'] as string | undefined;
    switch (type) {
      case 'boolean': out = { type: 'boolean', optional: false }; break;
      case 'integer': case 'number':
        if (ct === 'bytes') out = { type: 'bytes', optional: false };
        else if (ct !== undefined) {
          if (!INT_TYPES.has(ct) && ct !== 'float32' && ct !== 'float64') throw new DataException(`Unsupported type ${ct}`);
          out = { type: ct as Schema['type'], optional: false };
        } else out = { type: type === 'integer' ? 'int64' : 'float64', optional: false };
        break;
      case 'string': out = { type: ct === 'bytes' ? 'bytes' : 'string', optional: false }; break;
      case 'array': {
        const items = s.items as Obj | undefined;
        if (!items) throw new DataException('Array schema did not specify the items type');
        const p = items.properties as Obj | undefined;
        out = ct === 'map' && items.type === 'object' && p
          ? { type: 'map', optional: false, keySchema: connectFromJsonSchema(p.key, o), valueSchema: connectFromJsonSchema(p.value, o) }
          : { type: 'array', optional: false, valueSchema: connectFromJsonSchema(items, o) };
        break;
      }
      case 'object':
        if (ct === 'map') {
          out = { type: 'map', optional: false, keySchema: { type: 'string', optional: false }, valueSchema: connectFromJsonSchema(s.additionalProperties, o) };
        } else {
          const properties = Object.entries((s.properties ?? {}) as Obj);
          const required = new Set((s.required ?? []) as string[]);
          const sorted = properties.map(([name, sub], i) => ({ name, sub, at: typeof (sub as Obj)['connect.index'] === 'number' ? ((sub as Obj)['connect.index'] as number) : i }))
            .sort((a, b) => a.at - b.at);
          out = {
            type: 'struct', optional: false,
            fields: sorted.map((p, index) => ({ name: p.name, index, schema: connectFromJsonSchema(p.sub, o, undefined, o.optionalForNonRequired && !required.has(p.name)) })),
          };
        }
        break;
      default:
        throw new DataException(`Unsupported schema type ${JSON.stringify(s.type ?? Object.keys(s))}`);
    }
  }
  if (typeof s.title === 'string' && out.name === undefined) out.name = s.title;
  const cv = s['connect.version'];
  if (typeof cv === 'number') out.version = cv;
  else if (version !== undefined) out.version = version;
  if (typeof s.description === 'string') out.doc = s.description;
  const cp = s['connect.parameters'];
  if (cp && typeof cp === 'object') out.parameters = Object.fromEntries(Object.entries(cp as Obj).map(([k, v]) => [k, String(v)]));
  if (forceOptional) out.optional = true;
  return out;
}

/**
 * JsonSchemaData writes a map with non-string keys as an array of {"key": …, "value": …} objects
 * (JsonConverter: [key, value] pairs): such maps are written and read through a schema where they
 * are arrays of key/value structs. Schemas without them are used as they are.
 */
const entrySchemas = new WeakMap<Schema, Schema | null>();
function withEntryStructs(s: Schema): Schema | null {
  const known = entrySchemas.get(s);
  if (known !== undefined) return known;
  let out: Schema | null = null;
  if (s.type === 'map' && !(s.keySchema!.type === 'string' && !s.keySchema!.optional)) {
    const k = withEntryStructs(s.keySchema!) ?? s.keySchema!;
    const v = withEntryStructs(s.valueSchema!) ?? s.valueSchema!;
    out = { type: 'array', optional: s.optional, valueSchema: { type: 'struct', optional: false, fields: [{ name: 'key', index: 0, schema: k }, { name: 'value', index: 1, schema: v }] } };
  } else if (s.type === 'map' || s.type === 'array') {
    const v = withEntryStructs(s.valueSchema!);
    if (v) out = { ...s, valueSchema: v };
  } else if (s.type === 'struct') {
    const fields = (s.fields ?? []).map((f) => ({ f, changed: withEntryStructs(f.schema) }));
    if (fields.some((x) => x.changed)) out = { ...s, fields: fields.map(({ f, changed }) => ({ ...f, schema: changed ?? f.schema })) };
  }
  entrySchemas.set(s, out);
  return out;
}

/** A value of `s` as a value of withEntryStructs(s) (to: true), or back. */
function convertEntries(s: Schema, t: Schema, v: unknown, to: boolean): unknown {
  if (v === null || v === undefined || s === t) return v;
  if (s.type === 'map' && t.type === 'array') {
    const entry = t.valueSchema!;
    const [ks, vs] = [entry.fields![0]!.schema, entry.fields![1]!.schema];
    if (to) return (mapEntries(v) ?? []).map(([k, x]) => new Struct(entry, { key: convertEntries(s.keySchema!, ks, k, to), value: convertEntries(s.valueSchema!, vs, x, to) }));
    return new Map((v as Struct[]).map((e) => [convertEntries(s.keySchema!, ks, e.get('key'), to), convertEntries(s.valueSchema!, vs, e.get('value'), to)]));
  }
  if (s.type === 'array') return (v as unknown[]).map((x) => convertEntries(s.valueSchema!, t.valueSchema!, x, to));
  if (s.type === 'map') return new Map((mapEntries(v) ?? []).map(([k, x]) => [k, convertEntries(s.valueSchema!, t.valueSchema!, x, to)]));
  if (s.type === 'struct') {
    const from = v as Struct;
    const out = new Struct(to ? t : s);
    s.fields!.forEach((f, i) => out.put(f.name, convertEntries(f.schema, t.fields![i]!.schema, from.get(f.name), to)));
    return out;
  }
  return v;
}

function jsonSchemaFormat(o: Options, reader: JsonConverter, writer: JsonConverter): SchemaFormat {
  const recordNameOf = (t: SchemaText) => {
    const title = (JSON.parse(t.schema) as Obj).title;
    return typeof title === 'string' ? title : undefined;
  };
  const writerOf = (text: SchemaText, schema: Schema | null): Writer => ({
    text,
    recordName: recordNameOf(text),
    encode: (value) => {
      const s = schema ?? (value as { schema?: Schema }).schema ?? null;
      const t = s && withEntryStructs(s);
      return (t ? writer.fromConnectData('', t, convertEntries(s, t, value, true)) : writer.fromConnectData('', s, value)) ?? Buffer.from('null');
    },
  });
  return {
    label: 'JSON Schema',
    writerFor(schema) {
      if (!schema) throw new DataException('JSON Schema data without a Connect schema is not supported (schemaless values)');
      return writerOf({ schema: JSON.stringify(jsonSchemaFromConnect(schema, o)), schemaType: 'JSON' }, schema);
    },
    writerFromRegistry: (text) => writerOf(text, null),
    recordNameOf,
    readerFor(text, version) {
      if (text.schemaType !== 'JSON') throw new DataException(`The schema of this record is ${text.schemaType}, not JSON Schema`);
      const schema = connectFromJsonSchema(JSON.parse(text.schema), o, version);
      const t = withEntryStructs(schema);
      return {
        decode: (bytes, offset) => ({
          schema,
          value: t ? convertEntries(schema, t, reader.readWithSchema(t, bytes.subarray(offset)), false) : reader.readWithSchema(schema, bytes.subarray(offset)),
        }),
      };
    },
  };
}

/** The JSON Schema format for a converter's (prefix-stripped) settings. */
export function jsonSchemaFormatFor(config: Record<string, string>): SchemaFormat {
  const c = parseConverterConfig(jsonSchemaConverterConfig, JSON_SCHEMA_CONVERTER_CLASS, config);
  const json = new JsonConverter();
  json.configure({ 'schemas.enable': 'false', 'decimal.format': c['decimal.format'], 'replace.null.with.default': 'true' }, false);
  return jsonSchemaFormat({ additionalProperties: c['object.additional.properties'], optionalForNonRequired: c['use.optional.for.nonrequired'], decimalNumeric: c['decimal.format'] === 'NUMERIC' }, json, json);
}

export class JsonSchemaConverter extends SchemaRegistryConverter {
  constructor() {
    super(JSON_SCHEMA_CONVERTER_CLASS, jsonSchemaFormatFor, (config) => parseConverterConfig(jsonSchemaConverterConfig, JSON_SCHEMA_CONVERTER_CLASS, config));
  }
}
