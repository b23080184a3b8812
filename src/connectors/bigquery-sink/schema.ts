import { DataError } from '../../errors.js';
import { isPlainObject } from '../../converters/schema-util.js';
import { LOGICAL, Struct, type Schema } from '../../records/schema.js';

/**
 * BigQuery table schemas from Connect schemas, as WePay's BigQuerySchemaConverter builds them,
 * and the rules of SchemaManager for changing an existing table's schema.
 *
 * Connect → BigQuery: int8/16/32/64 INTEGER, float32/64 FLOAT, boolean BOOLEAN, string STRING,
 * bytes BYTES, struct RECORD, array REPEATED (of its element), map REPEATED RECORD {key, value};
 * logical Date DATE, Time TIME, Timestamp TIMESTAMP, Decimal FLOAT (as WePay). A field is REQUIRED
 * unless its schema is optional (or allBQFieldsNullable); arrays and maps are REPEATED.
 */

export type FieldMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';
export type FieldType = 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'STRING' | 'BYTES' | 'RECORD' | 'DATE' | 'TIME' | 'TIMESTAMP' | 'NUMERIC' | 'BIGNUMERIC' | 'DATETIME' | 'GEOGRAPHY' | 'JSON';

export interface BqField {
  name: string;
  type: FieldType;
  mode?: FieldMode;
  fields?: BqField[];
  description?: string;
}

export interface ConvertOptions {
  allFieldsNullable: boolean;
  sanitizeFieldNames: boolean;
}

/** WePay's FieldNameSanitizer: letters, digits and _ only; a leading _ when the name starts otherwise. */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[^a-zA-Z_]/.test(s) || s === '' ? `_${s}` : s;
}

const PRIMITIVE: Partial<Record<Schema['type'], FieldType>> = {
  boolean: 'BOOLEAN', float32: 'FLOAT', float64: 'FLOAT', int8: 'INTEGER', int16: 'INTEGER', int32: 'INTEGER', int64: 'INTEGER', string: 'STRING', bytes: 'BYTES',
};

const LOGICAL_TYPES: Record<string, { type: FieldType; encoding: Schema['type'] }> = {
  [LOGICAL.Date]: { type: 'DATE', encoding: 'int32' },
  [LOGICAL.Time]: { type: 'TIME', encoding: 'int32' },
  [LOGICAL.Timestamp]: { type: 'TIMESTAMP', encoding: 'int64' },
  [LOGICAL.Decimal]: { type: 'FLOAT', encoding: 'bytes' },
};

const conversionError = (message: string) => new DataError(message, 'TASK_PUT');

/** The fields of a table for a top-level struct schema (the value's, or the key's). */
export function fieldsFromConnect(schema: Schema, opts: ConvertOptions): BqField[] {
  if (schema.type !== 'struct') throw conversionError(`Top-level Kafka Connect schema must be of type 'struct', not ${schema.type}`);
  return structFields(schema, opts, new Set());
}

function structFields(schema: Schema, opts: ConvertOptions, seen: Set<Schema>): BqField[] {
  if (seen.has(schema)) throw conversionError('Kafka Connect schema contains cycle');
  seen.add(schema);
  const out: BqField[] = [];
  for (const f of schema.fields ?? []) {
    const field = convertField(f.schema, f.name, opts, seen);
    if (field) out.push(field);
  }
  seen.delete(schema);
  return out;
}

function convertField(schema: Schema, rawName: string, opts: ConvertOptions, seen: Set<Schema>): BqField | null {
  const name = opts.sanitizeFieldNames ? sanitizeName(rawName) : rawName;
  let field: BqField | null;
  const logical = schema.name ? LOGICAL_TYPES[schema.name] : undefined;
  if (logical) {
    if (schema.type !== logical.encoding) throw conversionError(`Logical type ${schema.name} must be encoded as ${logical.encoding}, not ${schema.type}`);
    field = { name, type: logical.type };
  } else if (PRIMITIVE[schema.type]) {
    field = { name, type: PRIMITIVE[schema.type]! };
  } else if (schema.type === 'struct') {
    const fields = structFields(schema, opts, seen);
    // An empty struct has no BigQuery equivalent: WePay leaves the field out.
    field = fields.length > 0 ? { name, type: 'RECORD', fields } : null;
  } else if (schema.type === 'array') {
    const element = convertField(schema.valueSchema!, rawName, opts, seen);
    return element ? { ...element, name, mode: 'REPEATED' } : null;
  } else if (schema.type === 'map') {
    const k = convertField(schema.keySchema!, 'key', opts, seen);
    const v = convertField(schema.valueSchema!, 'value', opts, seen);
    return k && v ? { name, type: 'RECORD', mode: 'REPEATED', fields: [k, v], ...(schema.doc ? { description: schema.doc } : {}) } : null;
  } else {
    throw conversionError(`Unrecognized schema type: ${String(schema.type)}`);
  }
  if (!field) return null;
  field.mode = opts.allFieldsNullable || schema.optional ? 'NULLABLE' : 'REQUIRED';
  if (schema.doc) field.description = schema.doc;
  return field;
}

/**
 * Ours: fields inferred from a schemaless value (JSON without schemas), all NULLABLE:
 * integers INTEGER, other numbers FLOAT, booleans BOOLEAN, strings STRING, objects RECORD, arrays
 * REPEATED of their first non-null element. Nulls and empty objects/arrays say nothing and are
 * left out until a value shows their type. WePay cannot create tables for schemaless records.
 */
export function fieldsFromValue(value: unknown, opts: ConvertOptions): BqField[] {
  if (value instanceof Struct) return fieldsFromConnect(value.schema, opts);
  const entries = value instanceof Map ? [...value.entries()] : isPlainObject(value) ? Object.entries(value) : null;
  if (!entries) throw conversionError(`A schemaless record value must be a JSON object to become a row, not ${describe(value)}`);
  const out: BqField[] = [];
  for (const [k, v] of entries) {
    const f = inferField(String(k), v, opts, 0);
    if (f) out.push(f);
  }
  return out;
}

function inferField(rawName: string, v: unknown, opts: ConvertOptions, depth: number): BqField | null {
  if (depth > 15) throw conversionError('A schemaless value nests deeper than BigQuery allows (15 levels of RECORD)');
  const name = opts.sanitizeFieldNames ? sanitizeName(rawName) : rawName;
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) {
    const first = v.find((x) => x !== null && x !== undefined);
    if (first === undefined || Array.isArray(first)) return null;
    const element = inferField(rawName, first, opts, depth);
    return element ? { ...element, mode: 'REPEATED' } : null;
  }
  switch (typeof v) {
    case 'string': return { name, type: 'STRING', mode: 'NULLABLE' };
    case 'boolean': return { name, type: 'BOOLEAN', mode: 'NULLABLE' };
    case 'bigint': return { name, type: 'INTEGER', mode: 'NULLABLE' };
    case 'number': return { name, type: Number.isInteger(v) ? 'INTEGER' : 'FLOAT', mode: 'NULLABLE' };
  }
  if (v instanceof Uint8Array) return { name, type: 'BYTES', mode: 'NULLABLE' };
  if (v instanceof Date) return { name, type: 'TIMESTAMP', mode: 'NULLABLE' };
  if (v instanceof Struct) {
    const fields = fieldsFromConnect(v.schema, opts);
    return fields.length ? { name, type: 'RECORD', mode: 'NULLABLE', fields } : null;
  }
  if (isPlainObject(v) || v instanceof Map) {
    const fields = fieldsFromValue(v, opts);
    return fields.length ? { name, type: 'RECORD', mode: 'NULLABLE', fields } : null;
  }
  throw conversionError(`Cannot infer a BigQuery type for field ${name} from ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `a ${typeof v}`;
}

/** The fields WePay's KafkaDataBuilder adds under kafkaDataFieldName. */
export function kafkaDataField(name: string): BqField {
  return {
    name, type: 'RECORD', mode: 'NULLABLE', fields: [
      { name: 'topic', type: 'STRING', mode: 'REQUIRED' },
      { name: 'partition', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'offset', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'insertTime', type: 'TIMESTAMP', mode: 'NULLABLE' },
    ],
  };
}

const modeOf = (f: BqField): FieldMode => f.mode ?? 'NULLABLE';
const byName = (fields: BqField[]) => new Map(fields.map((f) => [f.name.toLowerCase(), f]));

export interface EvolutionRules {
  allowNewFields: boolean;
  allowRelaxation: boolean;
}

/**
 * SchemaManager.validateSchemaChange: a proposed schema may add fields (allowNewBigQueryFields;
 * REQUIRED ones only with allowBigQueryRequiredFieldRelaxation) and relax REQUIRED to NULLABLE
 * (allowBigQueryRequiredFieldRelaxation). Returns the problem, or null when the change is allowed.
 * For schemas inferred from schemaless values (all NULLABLE) only new fields count.
 */
export function schemaChangeProblem(existing: BqField[], proposed: BqField[], rules: EvolutionRules, newFieldsOnly = false): string | null {
  const before = byName(existing);
  for (const f of proposed) {
    const old = before.get(f.name.toLowerCase());
    if (!old) {
      const ok = rules.allowNewFields && (modeOf(f) !== 'REQUIRED' || rules.allowRelaxation);
      if (!ok) {
        return `New Field found with the name ${f.name} Ensure that allowNewBigQueryFields is true and allowBigQueryRequiredFieldRelaxation is true if ${f.name} has mode REQUIRED in order to update the Schema`;
      }
    } else if (!newFieldsOnly && modeOf(old) === 'REQUIRED' && modeOf(f) === 'NULLABLE' && !rules.allowRelaxation) {
      return `${f.name} has mode REQUIRED. Set allowBigQueryRequiredFieldRelaxation to true, to change the mode to NULLABLE`;
    }
  }
  return null;
}

/**
 * The schema to give the table after a proposal that schemaChangeProblem allowed: the existing
 * fields in their order (REQUIRED relaxed to NULLABLE where the proposal has it NULLABLE, RECORDs
 * gaining the proposal's new sub-fields), then the proposal's new fields, made NULLABLE when
 * relaxation is allowed (relaxFieldsWhereNecessary). Fields the proposal lacks are kept: BigQuery
 * cannot drop columns, and rows without them stay valid when they are NULLABLE.
 */
export function evolvedSchema(existing: BqField[], proposed: BqField[], rules: EvolutionRules): BqField[] {
  const next = byName(proposed);
  const out = existing.map((old) => {
    const f = next.get(old.name.toLowerCase());
    if (!f) return old;
    const mode = modeOf(old) === 'REQUIRED' && modeOf(f) === 'NULLABLE' ? 'NULLABLE' : modeOf(old);
    const merged: BqField = { ...old, mode };
    if (old.type === 'RECORD' && old.fields && f.fields) merged.fields = evolvedSchema(old.fields, f.fields, rules);
    return merged;
  });
  const names = new Set(existing.map((f) => f.name.toLowerCase()));
  for (const f of proposed) {
    if (!names.has(f.name.toLowerCase())) out.push(rules.allowRelaxation && modeOf(f) !== 'REPEATED' ? { ...f, mode: 'NULLABLE' } : f);
  }
  return out;
}

/**
 * SchemaManager.unionizeSchemas: every field of both, a field present on one side only becomes
 * NULLABLE (unless REPEATED), REQUIRED relaxes to NULLABLE when either side is NULLABLE; RECORDs
 * are unionized field by field.
 */
export function unionize(first: BqField[], second: BqField[]): BqField[] {
  const other = byName(second);
  const out: BqField[] = [];
  for (const f of first) {
    const s = other.get(f.name.toLowerCase());
    if (!s) {
      out.push(modeOf(f) !== 'REPEATED' ? { ...f, mode: 'NULLABLE' } : f);
      continue;
    }
    const mode = modeOf(f) === 'REQUIRED' && modeOf(s) === 'NULLABLE' ? 'NULLABLE' : modeOf(f);
    const merged: BqField = { ...f, mode };
    if (f.type === 'RECORD' && f.fields) merged.fields = unionize(f.fields, s.fields ?? []);
    out.push(merged);
  }
  const names = new Set(first.map((f) => f.name.toLowerCase()));
  for (const s of second) {
    if (!names.has(s.name.toLowerCase())) out.push(modeOf(s) !== 'REPEATED' ? { ...s, mode: 'NULLABLE' } : s);
  }
  return out;
}

/** Whether two schemas are the same for BigQuery (names case-insensitively, order kept). */
export function sameSchema(a: BqField[], b: BqField[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((f, i) => {
    const g = b[i]!;
    return f.name.toLowerCase() === g.name.toLowerCase() && f.type === g.type && modeOf(f) === modeOf(g)
      && sameSchema(f.fields ?? [], g.fields ?? []);
  });
}

/** Normalizes what the API returns (type aliases, absent modes) to compare with our schemas. */
export function normalizeFields(fields: ReadonlyArray<{ name?: string | null; type?: string | null; mode?: string | null; fields?: unknown }> | undefined): BqField[] {
  const alias: Record<string, FieldType> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN', STRUCT: 'RECORD', BIGDECIMAL: 'BIGNUMERIC' };
  return (fields ?? []).map((f) => {
    const type = String(f.type ?? 'STRING').toUpperCase();
    const out: BqField = { name: String(f.name), type: (alias[type] ?? type) as FieldType, mode: (String(f.mode ?? 'NULLABLE').toUpperCase()) as FieldMode };
    if (Array.isArray(f.fields) && f.fields.length > 0) out.fields = normalizeFields(f.fields as never);
    return out;
  });
}
