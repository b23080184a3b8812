import { DataError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import { Schemas, Struct, type Field, type Schema } from '../../records/schema.js';
import { DEFAULT_KAFKA_PK_NAMES, type PkMode } from './config.js';

// Which columns a record writes and with what values: Confluent's FieldsMetadata (pk.mode,
// pk.fields, fields.whitelist), extended to values without a schema (plain objects and Maps),
// whose fields then have no schema (schema: null) and can fill existing columns only.

export interface SinkField {
  name: string;
  /** null for schemaless values: no type to create or add a column with. */
  schema: Schema | null;
  primaryKey: boolean;
}

export interface FieldsMetadata {
  keyFields: string[];
  nonKeyFields: string[];
  /** Every field, in the order a CREATE TABLE lists them (Confluent's allFieldsOrdered). */
  all: SinkField[];
}

/** One record's row: its columns and their Connect values, in the order keyFields then nonKeyFields. */
export interface RowData {
  fields: FieldsMetadata;
  values: unknown[];
}

export interface FieldOptions {
  pkMode: PkMode;
  pkFields: string[];
  whitelist: string[];
}

/** Field access over a Struct, a struct-schema'd plain object, or a schemaless object/Map. */
interface FieldView {
  names: string[];
  schemaOf(name: string): Schema | null;
  has(name: string): boolean;
  get(name: string): unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function structView(value: unknown, schema: Schema | null | undefined): FieldView | null {
  if (value instanceof Struct) schema = value.schema;
  if (schema?.type === 'struct') {
    const fields = schema.fields ?? [];
    const byName = new Map(fields.map((f) => [f.name, f.schema]));
    const get = value instanceof Struct
      ? (n: string) => value.get(n)
      : (n: string) => (value as Record<string, unknown>)[n] ?? byName.get(n)?.defaultValue ?? null;
    return { names: fields.map((f) => f.name), schemaOf: (n) => byName.get(n) ?? null, has: (n) => byName.has(n), get };
  }
  if (schema) return null;
  if (value instanceof Map) {
    const names = [...value.keys()].map(String);
    return { names, schemaOf: () => null, has: (n) => value.has(n), get: (n) => value.get(n) ?? null };
  }
  if (isPlainObject(value)) {
    return { names: Object.keys(value), schemaOf: () => null, has: (n) => Object.hasOwn(value, n), get: (n) => value[n] ?? null };
  }
  return null;
}

function isPrimitiveKey(key: unknown, schema: Schema | null | undefined): boolean {
  if (schema) return !['struct', 'array', 'map'].includes(schema.type);
  return typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean' || key instanceof Uint8Array;
}

/** The primary key fields and their values for a record (pk.mode), Confluent's messages on failure. */
function primaryKey(r: SinkRecord, o: FieldOptions, table: string, value: FieldView | null): { fields: SinkField[]; values: unknown[] } {
  const fields: SinkField[] = [];
  const values: unknown[] = [];
  const add = (name: string, schema: Schema | null, v: unknown) => {
    fields.push({ name, schema, primaryKey: true });
    values.push(v);
  };
  switch (o.pkMode) {
    case 'none':
      break;
    case 'kafka': {
      const [t, p, off] = o.pkFields.length === 3 ? o.pkFields : DEFAULT_KAFKA_PK_NAMES;
      add(t, Schemas.string(), r.topic);
      add(p, Schemas.int32(), r.kafkaPartition);
      add(off, Schemas.int64(), r.kafkaOffset);
      break;
    }
    case 'record_key': {
      const keySchema = r.key instanceof Struct ? r.key.schema : r.keySchema ?? null;
      if (r.key === null || r.key === undefined) throw new DataError(`PK mode for table '${table}' is record_key, but the record has no key`, 'TASK_PUT');
      if (isPrimitiveKey(r.key, keySchema)) {
        if (o.pkFields.length !== 1) {
          throw new DataError(`Need exactly one PK column defined since the key schema for records is a primitive type, defined columns are: [${o.pkFields.join(', ')}]`, 'TASK_PUT');
        }
        add(o.pkFields[0], keySchema, r.key);
        break;
      }
      const key = structView(r.key, keySchema);
      if (!key) throw new DataError(`Key schema must be primitive type or Struct, but is of type: ${keySchema?.type ?? typeof r.key}`, 'TASK_PUT');
      for (const name of o.pkFields.length ? o.pkFields : key.names) {
        if (!key.has(name)) {
          throw new DataError(`PK mode for table '${table}' is record_key with configured PK fields [${o.pkFields.join(', ')}], but record key schema does not contain field: ${name}`, 'TASK_PUT');
        }
        add(name, key.schemaOf(name), key.get(name));
      }
      break;
    }
    case 'record_value': {
      if (!value) throw new DataError(`PK mode for table '${table}' is record_value, but record value schema is missing`, 'TASK_PUT');
      for (const name of o.pkFields.length ? o.pkFields : value.names) {
        if (!value.has(name)) {
          throw new DataError(`PK mode for table '${table}' is record_value with configured PK fields [${o.pkFields.join(', ')}], but record value schema does not contain field: ${name}`, 'TASK_PUT');
        }
        add(name, value.schemaOf(name), value.get(name));
      }
      break;
    }
  }
  return { fields, values };
}

/** Columns and values of a record that is written (not a tombstone). Throws DataError. */
export function extractRow(r: SinkRecord, o: FieldOptions, table: string): RowData {
  const value = structView(r.value, r.valueSchema);
  if (!value) {
    const what = r.valueSchema ? `of type ${r.valueSchema.type}` : `a ${r.value === null ? 'null' : typeof r.value}`;
    throw new DataError(`Value schema must be of type Struct (or the value a schemaless object), but the value is ${what}`, 'TASK_PUT');
  }
  const pk = primaryKey(r, o, table, value);
  const keyNames = new Set(pk.fields.map((f) => f.name));
  const nonKey: SinkField[] = [];
  const values = pk.values;
  for (const name of value.names) {
    if (keyNames.has(name)) continue;
    if (o.whitelist.length > 0 && !o.whitelist.includes(name)) continue;
    nonKey.push({ name, schema: value.schemaOf(name), primaryKey: false });
    values.push(value.get(name));
  }
  if (pk.fields.length + nonKey.length === 0) throw new DataError(`No fields found using key and value schemas for table: ${table}`, 'TASK_PUT');
  return { fields: metadata(pk.fields, nonKey, value.names), values };
}

/** The key columns and values a tombstone deletes by (pk.mode record_key, checked by the config). */
export function extractDeleteKey(r: SinkRecord, o: FieldOptions, table: string): RowData {
  const pk = primaryKey(r, o, table, null);
  return { fields: metadata(pk.fields, [], []), values: pk.values };
}

/** Confluent's column order: default Kafka coordinates first, then value order, then the rest sorted. */
function metadata(keys: SinkField[], nonKeys: SinkField[], valueOrder: string[]): FieldsMetadata {
  const byName = new Map<string, SinkField>();
  for (const f of [...keys, ...nonKeys]) byName.set(f.name, f);
  const ordered: SinkField[] = [];
  const take = (name: string) => {
    const f = byName.get(name);
    if (f) {
      ordered.push(f);
      byName.delete(name);
    }
  };
  for (const name of DEFAULT_KAFKA_PK_NAMES) take(name);
  for (const name of valueOrder) take(name);
  for (const name of [...byName.keys()].sort()) take(name);
  return { keyFields: keys.map((f) => f.name), nonKeyFields: nonKeys.map((f) => f.name), all: ordered };
}

/**
 * extractRow and extractDeleteKey for a task, with the columns of each record shape worked out
 * once: for Struct values (and Struct or schema'd keys) the fields a record writes depend only on
 * its key and value schemas, so records after the first of a shape only read their values.
 * Anything else (schemaless values, missing keys, failures) goes through the functions above.
 */
/** A record shape's columns, and the schema fields its values are read from (Struct.fieldValue: get() without the name lookup). */
interface Shape {
  fields: FieldsMetadata;
  /** The key Struct's fields of keyFields (record_key with a Struct key). */
  keyFrom: Field[];
  /** The value Struct's fields of keyFields (record_value) and of nonKeyFields. */
  valueKeyFrom: Field[];
  valueFrom: Field[];
}

function schemaFields(schema: Schema | null, names: string[]): Field[] {
  const byName = new Map((schema?.fields ?? []).map((f) => [f.name, f]));
  return names.map((n) => byName.get(n)!);
}

export class RowExtractor {
  /** value schema -> key schema (null: the key does not matter) -> the fields of that shape. */
  private readonly shapes = new WeakMap<Schema, Map<Schema | null, Shape>>();

  constructor(private readonly o: FieldOptions) {}

  row(r: SinkRecord, table: string): RowData {
    const value = r.value;
    if (!(value instanceof Struct)) return extractRow(r, this.o, table);
    const keySchema = this.keySchema(r);
    if (keySchema === undefined) return extractRow(r, this.o, table);
    let byKey = this.shapes.get(value.schema);
    const known = byKey?.get(keySchema);
    if (!known) {
      const first = extractRow(r, this.o, table);
      if (!byKey) this.shapes.set(value.schema, (byKey = new Map()));
      const f = first.fields;
      byKey.set(keySchema, {
        fields: f,
        keyFrom: r.key instanceof Struct ? schemaFields(r.key.schema, f.keyFields) : [],
        valueKeyFrom: this.o.pkMode === 'record_value' ? schemaFields(value.schema, f.keyFields) : [],
        valueFrom: schemaFields(value.schema, f.nonKeyFields),
      });
      return first;
    }
    const values: unknown[] = [];
    switch (this.o.pkMode) {
      case 'kafka':
        values.push(r.topic, r.kafkaPartition, r.kafkaOffset);
        break;
      case 'record_key':
        if (r.key instanceof Struct) for (const f of known.keyFrom) values.push(r.key.fieldValue(f, true));
        else values.push(r.key);
        break;
      case 'record_value':
        for (const f of known.valueKeyFrom) values.push(value.fieldValue(f, true));
        break;
      case 'none':
        break;
    }
    for (const f of known.valueFrom) values.push(value.fieldValue(f, true));
    return { fields: known.fields, values };
  }

  /** The key's part in a shape: its schema, null when the key plays none; undefined: no shape (the slow path decides). */
  private keySchema(r: SinkRecord): Schema | null | undefined {
    if (this.o.pkMode !== 'record_key') return null;
    if (r.key === null || r.key === undefined) return undefined;
    if (r.key instanceof Struct) return r.key.schema;
    const s = r.keySchema;
    return s && isPrimitiveKey(r.key, s) ? s : undefined;
  }
}
