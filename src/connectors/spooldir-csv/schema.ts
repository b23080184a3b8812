import { DataError } from '../../errors.js';
import { Schemas, Struct, type Schema } from '../../records/schema.js';

// spooldir's schema JSON (value.schema / key.schema): {"name": …, "type": "STRUCT", "fieldSchemas":
// {"id": {"type": "INT64", "isOptional": false}, …}} with Connect's type names.

const BUILDERS: Record<string, (o: { optional: boolean }) => Schema> = {
  STRING: Schemas.string, BOOLEAN: Schemas.boolean, INT8: Schemas.int8, INT16: Schemas.int16, INT32: Schemas.int32,
  INT64: Schemas.int64, FLOAT32: Schemas.float32, FLOAT64: Schemas.float64,
};

/** Parses a declared struct schema; throws Error with what is wrong (the caller names the key). */
export function parseDeclaredSchema(json: string): Schema {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`, { cause: e });
  }
  const s = raw as { name?: unknown; type?: unknown; fieldSchemas?: Record<string, { type?: unknown; isOptional?: unknown }> };
  if (s?.type !== 'STRUCT' || typeof s.fieldSchemas !== 'object' || s.fieldSchemas === null) throw new Error('must be {"type": "STRUCT", "fieldSchemas": {…}}');
  const fields: Array<[string, Schema]> = Object.entries(s.fieldSchemas).map(([name, f]) => {
    const build = BUILDERS[String(f?.type)];
    if (!build) throw new Error(`field ${name}: type ${String(f?.type)} is not one of ${Object.keys(BUILDERS).join(', ')}`);
    return [name, build({ optional: f.isOptional !== false })];
  });
  return Schemas.struct(fields, typeof s.name === 'string' ? { name: s.name } : {});
}

/** All header columns as optional strings (schema.generation.enabled). */
export function generatedSchema(header: string[]): Schema {
  return Schemas.struct(header.map((h) => [h, Schemas.string({ optional: true })]));
}

function convert(text: string, schema: Schema, field: string): unknown {
  if (text === '') {
    if (schema.optional) return null;
    throw new DataError(`field ${field} is empty but not optional`, 'TASK_POLL');
  }
  switch (schema.type) {
    case 'string': return text;
    case 'boolean': {
      const v = text.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') throw new DataError(`field ${field}: "${text}" is not a boolean`, 'TASK_POLL');
      return v === 'true';
    }
    case 'float32':
    case 'float64': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new DataError(`field ${field}: "${text}" is not a number`, 'TASK_POLL');
      return n;
    }
    default: {
      if (!/^\s*-?\d+\s*$/.test(text)) throw new DataError(`field ${field}: "${text}" is not a whole number`, 'TASK_POLL');
      return schema.type === 'int64' ? Number(text) : Number.parseInt(text, 10);
    }
  }
}

/** A row as a Struct of `schema`, matching columns by header name. */
export function rowToStruct(header: string[], row: string[], schema: Schema): Struct {
  const s = new Struct(schema);
  for (const f of schema.fields ?? []) {
    const i = header.indexOf(f.name);
    s.put(f.name, convert(i === -1 ? '' : (row[i] ?? ''), f.schema, f.name));
  }
  return s;
}
