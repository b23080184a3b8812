import { DataException, Schemas, type Schema } from '../../records/schema.js';

/**
 * Connect's SchemaUtil.copySchemaBasics: name, version, doc and parameters of `source`
 * on top of `target`. Optional-ness and default are deliberately not copied; each
 * transform decides those the way Connect does.
 */
export function copySchemaBasics(source: Schema, target: Schema): Schema {
  const out: Schema = { ...target };
  if (source.name !== undefined) out.name = source.name;
  if (source.version !== undefined) out.version = source.version;
  if (source.doc !== undefined) out.doc = source.doc;
  if (source.parameters !== undefined) out.parameters = { ...source.parameters };
  return out;
}

/** Connect's copySchemaBasics(source) with a builder of the same type (arrays and maps keep their element schemas). */
export function copySchemaShape(source: Schema): Schema {
  const base: Schema = { type: source.type, optional: false };
  if (source.keySchema) base.keySchema = source.keySchema;
  if (source.valueSchema) base.valueSchema = source.valueSchema;
  return copySchemaBasics(source, base);
}

/** A struct schema from (name, schema) pairs, with the basics of `basicsFrom` when given. */
export function structOf(fields: Array<[string, Schema]>, basicsFrom?: Schema): Schema {
  const s = Schemas.struct(fields);
  return basicsFrom ? copySchemaBasics(basicsFrom, s) : s;
}

export function fieldsOf(schema: Schema): Array<[string, Schema]> {
  return (schema.fields ?? []).map((f) => [f.name, f.schema]);
}

export function requireSchema(schema: Schema | null, purpose: string): Schema {
  if (!schema) throw new DataException(`Schema required for [${purpose}]`);
  return schema;
}


/**
 * Caches a schema derivation per input schema object, like Connect's per-transform
 * schema cache: records sharing a schema get the same derived schema object.
 */
export function memoBySchema(derive: (schema: Schema) => Schema): (schema: Schema) => Schema {
  const cache = new WeakMap<Schema, Schema>();
  return (schema) => {
    let out = cache.get(schema);
    if (!out) cache.set(schema, (out = derive(schema)));
    return out;
  };
}
