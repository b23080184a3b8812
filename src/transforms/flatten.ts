import { defineConfig, key } from '../config/define.js';
import { DataException, Struct, type Schema } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { entriesOf, isSchemalessMap, requireMap, requireStructOrNull, toMapLike, typeName, type SchemalessMap } from './util/maps.js';
import { copySchemaShape, memoBySchema, structOf } from './util/schemas.js';
import { inferSchemaType } from './util/values.js';

const PURPOSE = 'flattening';
const DELIMITER_DEFAULT = '.';
/** Field types copied as they are; structs are flattened, maps are rejected with a schema. */
const LEAF_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes', 'array']);

const config = defineConfig({
  delimiter: key.string({
    default: DELIMITER_DEFAULT,
    doc: 'Delimiter to insert between field names from the input record when generating field names for the output record',
  }),
});

export const [FlattenKey, FlattenValue] = defineKeyValueTransforms({
  name: 'Flatten',
  summary: 'Flatten a nested data structure, generating names for each field by concatenating the field names at each level '
    + "with a configurable delimiter character. Array fields and their contents are not modified. The default delimiter is '.'.",
  config,
  create(cfg, side) {
    const delimiter = cfg.delimiter ?? DELIMITER_DEFAULT;
    const join = (prefix: string, name: string) => (prefix === '' ? name : prefix + delimiter + name);

    function flattenMap(map: SchemalessMap, prefix: string, out: Array<[string, unknown]>): void {
      for (const [k, v] of entriesOf(map)) {
        const name = join(prefix, k);
        if (v === null || v === undefined) { out.push([name, null]); continue; }
        const type = inferSchemaType(v);
        // Dates are not a Connect schemaless type; they pass through here rather than fail.
        if (type && LEAF_TYPES.has(type) || v instanceof Date) out.push([name, v]);
        else if (type === 'map' && isSchemalessMap(v)) flattenMap(v, name, out);
        else throw new DataException(`Flatten transformation does not support ${typeName(v)} for record without schemas (for field ${name}).`);
      }
    }

    /** Nested fields become optional when an ancestor is, and inherit defaults from an ancestor's default struct. */
    function flattenSchema(schema: Schema, prefix: string, optional: boolean, parentDefault: Struct | null, out: Array<[string, Schema]>): void {
      for (const f of schema.fields ?? []) {
        const name = join(prefix, f.name);
        const fieldOptional = optional || f.schema.optional;
        const fieldDefault = f.schema.defaultValue ?? (parentDefault ? parentDefault.get(f.name) : null);
        if (LEAF_TYPES.has(f.schema.type)) {
          const s = copySchemaShape(f.schema);
          if (fieldOptional) s.optional = true;
          if (fieldDefault !== null && fieldDefault !== undefined) s.defaultValue = fieldDefault;
          out.push([name, s]);
        } else if (f.schema.type === 'struct') {
          flattenSchema(f.schema, name, fieldOptional, fieldDefault instanceof Struct ? fieldDefault : null, out);
        } else {
          throw new DataException(`Flatten transformation does not support ${f.schema.type.toUpperCase()} for record with schemas (for field ${name}).`);
        }
      }
    }

    function flattenStruct(struct: Struct | null, prefix: string, out: Struct): void {
      if (!struct) return;
      for (const f of struct.schema.fields ?? []) {
        const name = join(prefix, f.name);
        if (f.schema.type === 'struct') flattenStruct(requireStructOrNull(struct.get(f.name), PURPOSE), name, out);
        else out.put(name, struct.get(f.name));
      }
    }

    const schemaFor = memoBySchema((schema) => {
      const fields: Array<[string, Schema]> = [];
      const parentDefault = schema.defaultValue instanceof Struct ? schema.defaultValue : null;
      flattenSchema(schema, '', schema.optional, parentDefault, fields);
      // copySchemaBasics: name, version, doc, parameters; Connect does not carry optional-ness to the top level.
      return structOf(fields, schema);
    });

    return {
      apply(record) {
        const value = operandValue(record, side);
        if (value === null) return record;
        const schema = operandSchema(record, side);
        if (!schema) {
          const map = requireMap(value, PURPOSE);
          const out: Array<[string, unknown]> = [];
          flattenMap(map, '', out);
          return withOperand(record, side, null, toMapLike(map, out));
        }
        const struct = requireStructOrNull(value, PURPOSE);
        const updated = schemaFor(schema);
        const out = new Struct(updated);
        flattenStruct(struct, '', out);
        return withOperand(record, side, updated, out);
      },
    };
  },
});
