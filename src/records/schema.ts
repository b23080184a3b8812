// Kafka Connect's schema model (org.apache.kafka.connect.data), kept to the same
// names so JsonConverter output is byte-compatible with Kafka Connect's.

export type SchemaType =
  | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float32' | 'float64'
  | 'boolean' | 'string' | 'bytes'
  | 'array' | 'map' | 'struct';

export interface Field {
  name: string;
  index: number;
  schema: Schema;
}

export interface Schema {
  type: SchemaType;
  optional: boolean;
  defaultValue?: unknown;
  /** Logical type or record name, e.g. org.apache.kafka.connect.data.Decimal */
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  /** struct only */
  fields?: Field[];
  /** map only */
  keySchema?: Schema;
  /** array and map */
  valueSchema?: Schema;
}

export const LOGICAL = {
  Decimal: 'org.apache.kafka.connect.data.Decimal',
  Date: 'org.apache.kafka.connect.data.Date',
  Time: 'org.apache.kafka.connect.data.Time',
  Timestamp: 'org.apache.kafka.connect.data.Timestamp',
} as const;

/** Scale parameter key of the Decimal logical type. */
export const DECIMAL_SCALE = 'scale';

const fieldIndexes = new WeakMap<Schema, Map<string, Field>>();
/** Field lookup by name, built once per schema object (rows of a table share one schema). */
function fieldIndex(schema: Schema): Map<string, Field> {
  let m = fieldIndexes.get(schema);
  if (!m) {
    m = new Map((schema.fields ?? []).map((f) => [f.name, f]));
    fieldIndexes.set(schema, m);
  }
  return m;
}

/** Marks Structs so `instanceof Struct` holds for one made by a plugin's own copy of this package. */
const STRUCT = Symbol.for('temporal-connect.Struct');

/**
 * Value representation in memory (what connectors, transforms and converters exchange):
 * - int8/16/32, float32/64: number; int64: number or bigint (bigint when beyond 2^53)
 * - boolean: boolean; string: string; bytes: Uint8Array (Buffer is fine)
 * - array: unknown[]; map: Map<unknown, unknown> or a plain object with string keys
 * - struct: Struct (below)
 * - Decimal: string in plain decimal notation ("-12.340"), scale from schema parameters
 * - Date / Time / Timestamp: Date (UTC; Date at midnight, Time on 1970-01-01)
 */
export class Struct {
  readonly schema: Schema;
  private readonly values: Map<string, unknown>;

  static [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || (typeof x === 'object' && x !== null && STRUCT in x);
  }

  constructor(schema: Schema, values?: Record<string, unknown>) {
    if (schema.type !== 'struct') throw new TypeError(`Struct needs a struct schema, got ${schema.type}`);
    this.schema = schema;
    this.values = new Map();
    if (values) for (const [k, v] of Object.entries(values)) this.put(k, v);
  }

  field(name: string): Field | undefined {
    return fieldIndex(this.schema).get(name);
  }

  get(name: string): unknown {
    const f = this.field(name);
    if (!f) throw new DataException(`${name} is not a valid field name`);
    // As Connect: a missing or null value reads as the field's default.
    const v = this.values.get(name);
    return v === undefined || v === null ? (f.schema.defaultValue ?? null) : v;
  }

  /** The value as put, without falling back to the default (Connect's getWithoutDefault). */
  getWithoutDefault(name: string): unknown {
    if (!this.field(name)) throw new DataException(`${name} is not a valid field name`);
    return this.values.get(name) ?? null;
  }

  /**
   * The value of one of this struct's own schema fields (no name check): get() with withDefault,
   * getWithoutDefault() without. For serializers walking `schema.fields`.
   */
  fieldValue(f: Field, withDefault: boolean): unknown {
    const v = this.values.get(f.name);
    return v === undefined || v === null ? (withDefault ? (f.schema.defaultValue ?? null) : null) : v;
  }

  put(name: string, value: unknown): this {
    if (!this.field(name)) throw new DataException(`${name} is not a valid field name`);
    this.values.set(name, value);
    return this;
  }

  /** Plain object view (field name -> value), structs nested as Struct. */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.schema.fields ?? []) out[f.name] = this.get(f.name);
    return out;
  }
}

// The mark on the prototype, not on each Struct: a property defined on every new object cost
// ~0.3 us per Struct, two Structs per record on a sink's path; `in` sees it either way.
Object.defineProperty(Struct.prototype, STRUCT, { value: true });

/** Errors about data shape (Connect's DataException). */
export class DataException extends Error {
  override name = 'DataException';
}

export interface SchemaOptions {
  optional?: boolean;
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  defaultValue?: unknown;
}

function prim(type: SchemaType, o: SchemaOptions = {}): Schema {
  return { type, optional: o.optional ?? false, ...strip(o) };
}

function strip(o: SchemaOptions): Partial<Schema> {
  const s: Partial<Schema> = {};
  if (o.name !== undefined) s.name = o.name;
  if (o.version !== undefined) s.version = o.version;
  if (o.doc !== undefined) s.doc = o.doc;
  if (o.parameters !== undefined) s.parameters = o.parameters;
  if (o.defaultValue !== undefined) s.defaultValue = o.defaultValue;
  return s;
}

/** Builders in the spirit of SchemaBuilder. */
export const Schemas = {
  int8: (o?: SchemaOptions) => prim('int8', o),
  int16: (o?: SchemaOptions) => prim('int16', o),
  int32: (o?: SchemaOptions) => prim('int32', o),
  int64: (o?: SchemaOptions) => prim('int64', o),
  float32: (o?: SchemaOptions) => prim('float32', o),
  float64: (o?: SchemaOptions) => prim('float64', o),
  boolean: (o?: SchemaOptions) => prim('boolean', o),
  string: (o?: SchemaOptions) => prim('string', o),
  bytes: (o?: SchemaOptions) => prim('bytes', o),
  array: (valueSchema: Schema, o?: SchemaOptions): Schema => ({ ...prim('array', o), valueSchema }),
  map: (keySchema: Schema, valueSchema: Schema, o?: SchemaOptions): Schema => ({ ...prim('map', o), keySchema, valueSchema }),
  struct: (fields: Array<[string, Schema]>, o?: SchemaOptions): Schema => ({
    ...prim('struct', o),
    fields: fields.map(([name, schema], index) => ({ name, index, schema })),
  }),
  decimal: (scale: number, o?: SchemaOptions): Schema =>
    prim('bytes', { ...o, name: LOGICAL.Decimal, version: 1, parameters: { ...(o?.parameters ?? {}), [DECIMAL_SCALE]: String(scale) } }),
  date: (o?: SchemaOptions) => prim('int32', { ...o, name: LOGICAL.Date, version: 1 }),
  time: (o?: SchemaOptions) => prim('int32', { ...o, name: LOGICAL.Time, version: 1 }),
  timestamp: (o?: SchemaOptions) => prim('int64', { ...o, name: LOGICAL.Timestamp, version: 1 }),
};
