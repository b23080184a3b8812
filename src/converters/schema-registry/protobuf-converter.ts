import protobuf from 'protobufjs';
import { defineConfig, key } from '../../config/define.js';
import { DataException, LOGICAL, Struct, type Field, type Schema } from '../../records/schema.js';
import { millisToTimestamp, timestampToMillis } from '../logical.js';
import { parseConverterConfig } from '../converter-config.js';
import { mapEntries } from '../schema-util.js';
import type { SchemaText } from './client.js';
import { registryKeys } from './config.js';
import { SchemaRegistryConverter, type SchemaFormat, type Writer } from './registry-converter.js';
import { decodeMessageIndexes, encodeMessageIndexes } from './wire.js';

/**
 * io.confluent.connect.protobuf.ProtobufConverter: Confluent's header, the message indexes, then
 * the protobuf message. Schemas follow ProtobufData's defaults: a Connect struct is a proto3
 * message (unnamed: ConnectDefault1; the name's namespace is the package), fields numbered in
 * order (or by their io.confluent.connect.protobuf.Tag), nested structs as nested messages, arrays
 * as repeated, maps as repeated key/value entry messages, Timestamp as google.protobuf.Timestamp;
 * on reading every field is optional and carries its tag, as Confluent's. Encoding and parsing are
 * protobufjs's. Not covered yet: Decimal, Date and Time (they need Confluent's and Google's type
 * files as schema references), enums, oneofs, wrapper types, the confluent.field_meta options.
 */

export const PROTOBUF_CONVERTER_CLASS = 'io.confluent.connect.protobuf.ProtobufConverter';
const NAMESPACE = 'io.confluent.connect.protobuf';
const TAG = `${NAMESPACE}.Tag`;
const DEFAULT_NAME = 'ConnectDefault';
const TIMESTAMP_TYPE = 'google.protobuf.Timestamp';

export const protobufConverterConfig = defineConfig({
  ...registryKeys,
  'enhanced.protobuf.schema.support': key.boolean({
    default: false, importance: 'MEDIUM', doc: 'Toggle for enabling/disabling enhanced protobuf schema support: package name preservation',
  }),
});

const SCALAR: Partial<Record<Schema['type'], string>> = {
  int8: 'int32', int16: 'int32', int32: 'int32', int64: 'int64', float32: 'float', float64: 'double', boolean: 'bool', string: 'string', bytes: 'bytes',
};

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Connect struct → .proto text (proto3), in the layout Confluent's schema printer uses. */
export function protoFromConnect(schema: Schema): { text: string; fullName: string } {
  if (schema.type !== 'struct') throw new DataException(`Unsupported root schema of type ${schema.type.toUpperCase()}`);
  const full = schema.name ?? `${DEFAULT_NAME}1`;
  const dot = full.lastIndexOf('.');
  const pkg = dot < 0 ? undefined : full.slice(0, dot);
  const name = dot < 0 ? full : full.slice(dot + 1);
  let usesTimestamp = false;
  let nameIndex = 1;

  const message = (msgName: string, s: Schema, indent: string): string[] => {
    const lines = [`${indent}message ${msgName} {`];
    const nested: string[] = [];
    let next = 1;
    const typeOf = (fs: Schema, fieldName: string): string => {
      if (fs.name === LOGICAL.Timestamp) {
        usesTimestamp = true;
        return TIMESTAMP_TYPE;
      }
      if (fs.name === LOGICAL.Decimal || fs.name === LOGICAL.Date || fs.name === LOGICAL.Time) {
        throw new DataException(`The ProtobufConverter does not support ${fs.name} fields yet (field ${fieldName})`);
      }
      if (fs.type === 'struct') {
        const nestedName = fs.name ? fs.name.slice(fs.name.lastIndexOf('.') + 1) : `${DEFAULT_NAME}${++nameIndex}`;
        if (!nested.some((l) => l === `${indent}  message ${nestedName} {`)) nested.push(...message(nestedName, fs, `${indent}  `));
        return nestedName;
      }
      const scalar = SCALAR[fs.type];
      if (!scalar) throw new DataException(`Array cannot be nested (field ${fieldName})`);
      return scalar;
    };
    for (const f of s.fields ?? []) {
      const tag = f.schema.parameters?.[TAG] !== undefined ? Number(f.schema.parameters[TAG]) : next++;
      if (f.schema.type === 'array') {
        lines.push(`${indent}  repeated ${typeOf(f.schema.valueSchema!, f.name)} ${f.name} = ${tag};`);
      } else if (f.schema.type === 'map') {
        const entry = `${capitalize(f.name)}Entry`;
        nested.push(`${indent}  message ${entry} {`, `${indent}    ${typeOf(f.schema.keySchema!, f.name)} key = 1;`, `${indent}    ${typeOf(f.schema.valueSchema!, f.name)} value = 2;`, `${indent}  }`);
        lines.push(`${indent}  repeated ${entry} ${f.name} = ${tag};`);
      } else {
        lines.push(`${indent}  ${typeOf(f.schema, f.name)} ${f.name} = ${tag};`);
      }
    }
    if (nested.length) lines.push(...nested);
    lines.push(`${indent}}`);
    return lines;
  };
  const body = message(name, schema, '');
  const head = ['syntax = "proto3";'];
  if (pkg) head.push(`package ${pkg};`);
  if (usesTimestamp) head.push('', 'import "google/protobuf/timestamp.proto";');
  return { text: `${head.join('\n')}\n\n${body.join('\n')}\n`, fullName: full };
}

/** protobufjs's root for a .proto text (google/protobuf well-known types resolve from protobufjs's own copies). */
function parseProto(text: string): protobuf.Root {
  const root = new protobuf.Root();
  root.addJSON(protobuf.common.get('google/protobuf/timestamp.proto')!.nested!);
  protobuf.parse(text, root, { keepCase: true });
  root.resolveAll();
  return root;
}

/** Message types in file order, as Confluent's message indexes count them. */
function messagesOf(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

function packageOf(root: protobuf.Root): protobuf.NamespaceBase {
  let ns: protobuf.NamespaceBase = root;
  // The file's package: a chain of namespaces that are not messages, ending where the messages are.
  while (messagesOf(ns).length === 0) {
    const inner = ns.nestedArray.filter((n) => n instanceof protobuf.Namespace && !(n instanceof protobuf.Type) && n.name !== 'google');
    if (inner.length !== 1) break;
    ns = inner[0] as protobuf.NamespaceBase;
  }
  return ns;
}

function typeByIndexes(root: protobuf.Root, indexes: number[]): protobuf.Type {
  let list = messagesOf(packageOf(root));
  let t: protobuf.Type | undefined;
  for (const i of indexes) {
    t = list[i];
    if (!t) throw new DataException(`Invalid message indexes: ${JSON.stringify(indexes)}`);
    list = messagesOf(t);
  }
  return t!;
}

function indexesOf(root: protobuf.Root, fullName: string): number[] {
  const path: number[] = [];
  let list = messagesOf(packageOf(root));
  const wanted = fullName.replace(/^\./, '');
  for (;;) {
    const i = list.findIndex((t) => wanted === t.fullName.replace(/^\./, '') || wanted.startsWith(`${t.fullName.replace(/^\./, '')}.`));
    if (i < 0) throw new DataException(`Message ${fullName} not found in the schema`);
    path.push(i);
    if (list[i]!.fullName.replace(/^\./, '') === wanted) return path;
    list = messagesOf(list[i]!);
  }
}

/** A protobufjs message type → Connect schema (ProtobufData.toConnectSchema: optional fields with their tags). */
function connectSchemaOf(t: protobuf.Type, version: number | undefined, seen = new Map<protobuf.Type, Schema>()): Schema {
  const known = seen.get(t);
  if (known) return known;
  const fields: Field[] = [];
  const schema: Schema = { type: 'struct', optional: false, name: t.fullName.replace(/^\./, ''), fields };
  if (version !== undefined) schema.version = version;
  seen.set(t, schema);
  for (const f of t.fieldsArray) {
    f.resolve();
    let fs: Schema;
    if (f.resolvedType instanceof protobuf.Type) {
      const rt = f.resolvedType;
      if (rt.fullName === `.${TIMESTAMP_TYPE}`) fs = { type: 'int64', optional: true, name: LOGICAL.Timestamp, version: 1 };
      else if (f.repeated && rt.fieldsArray.length === 2 && rt.fields.key && rt.fields.value && rt.name.endsWith('Entry')) {
        fs = { type: 'map', optional: true, keySchema: fieldOnly(rt.fields.key, seen), valueSchema: fieldOnly(rt.fields.value, seen) };
      } else fs = { ...connectSchemaOf(rt, undefined, seen), optional: true };
    } else if (f instanceof protobuf.MapField) {
      fs = { type: 'map', optional: true, keySchema: { type: scalarType(f.keyType), optional: true }, valueSchema: { type: scalarType(f.type), optional: true } };
    } else if (f.resolvedType instanceof protobuf.Enum) {
      fs = { type: 'string', optional: true };
    } else fs = { type: scalarType(f.type), optional: true };
    if (f.repeated && fs.type !== 'map') fs = { type: 'array', optional: true, valueSchema: { ...fs, optional: true } };
    fs = { ...fs, parameters: { ...(fs.parameters ?? {}), [TAG]: String(f.id) } };
    fields.push({ name: f.name, index: fields.length, schema: fs });
  }
  return schema;
}

function fieldOnly(f: protobuf.Field, seen: Map<protobuf.Type, Schema>): Schema {
  f.resolve();
  if (f.resolvedType instanceof protobuf.Type) return { ...connectSchemaOf(f.resolvedType, undefined, seen), optional: true };
  return { type: scalarType(f.type), optional: true };
}

function scalarType(t: string): Schema['type'] {
  switch (t) {
    case 'int32': case 'sint32': case 'sfixed32': return 'int32';
    case 'int64': case 'sint64': case 'sfixed64': case 'uint32': case 'fixed32': case 'uint64': case 'fixed64': return 'int64';
    case 'float': return 'float32';
    case 'double': return 'float64';
    case 'bool': return 'boolean';
    case 'string': return 'string';
    case 'bytes': return 'bytes';
    default: throw new DataException(`Unknown Connect schema type: ${t}`);
  }
}

/** Connect value → plain object protobufjs encodes (fields by name; nulls left out, as unset). */
function toProto(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (schema.name === LOGICAL.Timestamp) {
    const ms = timestampToMillis(value);
    return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
  }
  switch (schema.type) {
    case 'struct': {
      if (!(value instanceof Struct)) throw new DataException(`Invalid type for STRUCT: ${typeof value}`);
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) {
        const v = toProto(f.schema, value.get(f.name));
        if (v !== undefined) out[f.name] = v;
      }
      return out;
    }
    case 'array':
      if (!Array.isArray(value)) throw new DataException('Invalid type for ARRAY');
      return value.map((v) => toProto(schema.valueSchema!, v));
    case 'map':
      return (mapEntries(value) ?? []).map(([k, v]) => ({ key: toProto(schema.keySchema!, k), value: toProto(schema.valueSchema!, v) }));
    case 'int64':
      // protobufjs holds a 64-bit value beyond 2^53 as a long.js Long.
      return typeof value === 'bigint' ? (protobuf.util.Long as unknown as { fromString(s: string): unknown }).fromString(value.toString()) : value;
    case 'bytes':
      return Buffer.from(value as Uint8Array);
    default:
      return value;
  }
}

/** protobufjs's decoded object (defaults filled) → Connect value. */
function fromProto(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (schema.name === LOGICAL.Timestamp) {
    const ts = value as { seconds?: unknown; nanos?: number };
    return millisToTimestamp(BigInt(String(ts.seconds ?? 0)) * 1000n + BigInt(Math.trunc((ts.nanos ?? 0) / 1_000_000)));
  }
  switch (schema.type) {
    case 'struct': {
      const st = new Struct(schema);
      const obj = value as Record<string, unknown>;
      for (const f of schema.fields ?? []) st.put(f.name, fromProto(f.schema, obj[f.name]));
      return st;
    }
    case 'array': return (value as unknown[]).map((v) => fromProto(schema.valueSchema!, v));
    case 'map':
      if (Array.isArray(value)) return new Map(value.map((e: { key: unknown; value: unknown }) => [fromProto(schema.keySchema!, e.key), fromProto(schema.valueSchema!, e.value)]));
      return new Map(Object.entries(value as object).map(([k, v]) => [k, fromProto(schema.valueSchema!, v)]));
    case 'int64': {
      const n = BigInt(String(value));
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'bytes': return Buffer.from(value as Uint8Array);
    default: return value;
  }
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, bytes: Buffer as unknown as typeof String, defaults: true, arrays: true };

function protobufFormat(): SchemaFormat {
  const writerOf = (text: SchemaText, fullName: string, connect: Schema | null): Writer => {
    const root = parseProto(text.schema);
    const type = root.lookupType(fullName);
    const indexes = encodeMessageIndexes(indexesOf(root, fullName));
    return {
      text,
      recordName: fullName,
      encode: (value) => {
        const s = connect ?? (value as { schema?: Schema }).schema;
        if (!s) throw new DataException('Protobuf data without a Connect schema is not supported');
        const plain = toProto(s, value) as Record<string, unknown>;
        const problem = type.verify(plain);
        if (problem) throw new DataException(`Invalid Protobuf value: ${problem}`);
        return Buffer.concat([indexes, Buffer.from(type.encode(type.fromObject(plain)).finish())]);
      },
    };
  };
  const firstMessage = (text: SchemaText) => typeByIndexes(parseProto(text.schema), [0]).fullName.replace(/^\./, '');
  return {
    label: 'Protobuf',
    writerFor(schema) {
      if (!schema) throw new DataException('Protobuf data without a Connect schema is not supported');
      const { text, fullName } = protoFromConnect(schema);
      return writerOf({ schema: text, schemaType: 'PROTOBUF' }, fullName, schema);
    },
    writerFromRegistry: (text) => writerOf(text, firstMessage(text), null),
    recordNameOf: firstMessage,
    readerFor(text, version) {
      if (text.schemaType !== 'PROTOBUF') throw new DataException(`The schema of this record is ${text.schemaType}, not Protobuf`);
      const root = parseProto(text.schema);
      const byIndexes = new Map<string, { type: protobuf.Type; schema: Schema }>();
      return {
        decode(bytes, offset) {
          const { indexes, next } = decodeMessageIndexes(bytes, offset);
          const k = indexes.join('.');
          let entry = byIndexes.get(k);
          if (!entry) {
            const type = typeByIndexes(root, indexes);
            entry = { type, schema: connectSchemaOf(type, version) };
            byIndexes.set(k, entry);
          }
          const msg = entry.type.decode(bytes.subarray(next));
          return { schema: entry.schema, value: fromProto(entry.schema, entry.type.toObject(msg, TO_OBJECT)) };
        },
      };
    },
  };
}

export class ProtobufConverter extends SchemaRegistryConverter {
  constructor() {
    super(
      PROTOBUF_CONVERTER_CLASS,
      () => protobufFormat(),
      (config) => parseConverterConfig(protobufConverterConfig, PROTOBUF_CONVERTER_CLASS, config),
    );
  }
}
