import { DataError } from '../../errors.js';
import { LOGICAL, type Schema, type SchemaType } from '../../records/schema.js';

/**
 * An index mapping derived from a Connect schema, as Confluent's Mapping.buildMapping does:
 * struct → properties, map → properties {key, value}, array → its element's mapping,
 * Decimal → double, Date/Time/Timestamp → date, string → text with a `keyword` sub-field
 * (ignore_above 256), and a schema default as the field's null_value where ES supports one.
 */

export type FieldMapping = { [name: string]: unknown };

const PRIMITIVE: Partial<Record<SchemaType, string>> = {
  boolean: 'boolean',
  int8: 'byte',
  int16: 'short',
  int32: 'integer',
  int64: 'long',
  float32: 'float',
  float64: 'double',
  string: 'text',
  bytes: 'binary',
};

/** The `mappings` body for an index whose documents have this (struct or map) schema. */
export function indexMapping(schema: Schema | null | undefined): FieldMapping {
  if (!schema) throw new DataError('Cannot infer mapping without schema. Set schema.ignore=true for records without a schema.', 'TASK_PUT');
  const root = fieldMapping(schema);
  // A document is a JSON object: only a struct or map value can give one (and a root mapping).
  if (!('properties' in root)) {
    throw new DataError(`Cannot create a mapping for a top-level ${schema.name ?? schema.type.toUpperCase()} value: Elasticsearch documents are JSON objects.`, 'TASK_PUT');
  }
  return root;
}

export function fieldMapping(schema: Schema): FieldMapping {
  switch (schema.name) {
    case LOGICAL.Date: case LOGICAL.Time: case LOGICAL.Timestamp:
      return primitive('date', schema.defaultValue);
    case LOGICAL.Decimal:
      return primitive('double', schema.defaultValue);
  }
  switch (schema.type) {
    case 'array':
      if (!schema.valueSchema) throw new DataError('Array schema without an element schema', 'TASK_PUT');
      return fieldMapping(schema.valueSchema);
    case 'map':
      if (!schema.keySchema || !schema.valueSchema) throw new DataError('Map schema without key or value schema', 'TASK_PUT');
      return { properties: { key: fieldMapping(schema.keySchema), value: fieldMapping(schema.valueSchema) } };
    case 'struct': {
      const properties: FieldMapping = {};
      for (const f of schema.fields ?? []) properties[f.name] = fieldMapping(f.schema);
      return { properties };
    }
    default: {
      const type = PRIMITIVE[schema.type];
      if (!type) throw new DataError(`Invalid primitive type ${schema.type}.`, 'TASK_PUT');
      return primitive(type, schema.defaultValue);
    }
  }
}

function primitive(type: string, defaultValue: unknown): FieldMapping {
  const out: FieldMapping = { type };
  // Per https://www.elastic.co/blog/strings-are-dead-long-live-strings, as Confluent.
  if (type === 'text') out.fields = { keyword: { type: 'keyword', ignore_above: 256 } };
  const nullValue = nullValueOf(type, defaultValue);
  if (nullValue !== undefined) out.null_value = nullValue;
  return out;
}

/** ES has no null_value for text and binary fields, so their defaults are left out (as Confluent). */
function nullValueOf(type: string, v: unknown): unknown {
  if (v === null || v === undefined || type === 'text' || type === 'binary') return undefined;
  if (v instanceof Date) return v.getTime();
  // A Decimal default is a decimal string; a bigint does not survive JSON.stringify: both as numbers
  // when exact, else as text, which ES parses for numeric fields.
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'string' && type === 'double') return Number(v);
  return v;
}
