import { defineConfig, key } from '../config/define.js';
import { DataException, LOGICAL, Schemas, Struct, type Schema, type SchemaType } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import {
  base64, javaFloatToString, parseJavaBoolean, parseJavaFloat, parseJavaInt, toJavaInt, type NumberKind,
} from './util/java-values.js';
import { requireMap, requireStruct, toEntryMap, toMapLike, fieldOf, typeName } from './util/maps.js';
import { copySchemaBasics, memoBySchema, structOf } from './util/schemas.js';
import { formatTemporal, inferSchemaType, temporalToNumber } from './util/values.js';

const OUTPUT_TYPES = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'] as const;
type CastType = (typeof OUTPUT_TYPES)[number];
const INPUT_TYPES: ReadonlySet<SchemaType> = new Set<SchemaType>([...OUTPUT_TYPES, 'bytes']);
const PURPOSE = 'cast types';

const config = defineConfig({
  spec: key.list({
    required: true,
    importance: 'HIGH',
    doc: 'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. '
      + 'A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. '
      + 'Note that binary fields can only be cast to string.',
    example: 'id:int64,price:float64',
  }),
});

interface CastSpec {
  whole: CastType | null;
  fields: Map<string, CastType>;
}

function parseCastType(text: string): CastType {
  const t = text.trim().toLowerCase();
  if (!(OUTPUT_TYPES as readonly string[]).includes(t)) {
    throw configError('spec', `Cast transformation does not support casting to ${text.trim()}; supported types are ${OUTPUT_TYPES.join(', ')}`);
  }
  return t as CastType;
}

function parseSpec(mappings: string[]): CastSpec {
  if (mappings.length === 0) throw configError('spec', 'Must specify at least one field to cast.');
  const spec: CastSpec = { whole: null, fields: new Map() };
  for (const mapping of mappings) {
    // Java's String.split drops trailing empty parts.
    const parts = mapping.split(':');
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length > 2) throw configError('spec', `Invalid cast mapping: ${mapping}`);
    if (parts.length === 1) spec.whole = parseCastType(parts[0]);
    else spec.fields.set(parts[0].trim(), parseCastType(parts[1]));
  }
  if (spec.whole && mappings.length > 1) {
    throw configError('spec', 'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
  }
  return spec;
}

/** Cast.castValueToType: Java's conversions between primitives, with logical types encoded first. */
function castValue(schema: Schema | null, value: unknown, target: CastType): unknown {
  if (value === null || value === undefined) return null;
  const inputType = schema ? schema.type : inferSchemaType(value);
  if (!inputType) throw new DataException(`Cast transformation was passed a value of type ${typeName(value)} which is not supported by Connect's data API`);
  if (!INPUT_TYPES.has(inputType)) {
    throw new DataException(`Cast transformation does not support casting from ${inputType.toUpperCase()}; supported types are ${[...INPUT_TYPES].join(', ')}`);
  }
  let v = value;
  if (schema?.name && target !== 'string' && v instanceof Date) v = temporalToNumber(schema.name, v);
  const decimal = schema?.name === LOGICAL.Decimal && typeof v === 'string';
  // Java boxes float32/float64 fields and non-integral schemaless numbers as Float/Double.
  const kind: NumberKind = schema
    ? schema.type === 'float32' || schema.type === 'float64' ? 'floating' : 'integer'
    : typeof v === 'number' && !Number.isInteger(v) ? 'floating' : 'integer';
  const outOfRange = () => new DataException(`Value (${String(value)}) was out of range for requested data type`);
  const unexpected = () => new DataException(`Unexpected type in Cast transformation: ${typeName(v)}`);

  switch (target) {
    case 'int8': case 'int16': case 'int32': case 'int64': {
      if (typeof v === 'number' || typeof v === 'bigint') return toJavaInt(v, target, kind);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (decimal) return toJavaInt(decimalWhole(v as string), target);
      if (typeof v !== 'string') throw unexpected();
      const parsed = parseJavaInt(v, target);
      if (parsed === null) throw outOfRange();
      return parsed;
    }
    case 'float32': case 'float64': {
      const f32 = target === 'float32';
      let n: number | null;
      if (typeof v === 'number' || typeof v === 'bigint') n = Number(v);
      else if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'string') n = decimal ? Number(v) : parseJavaFloat(v, f32);
      else throw unexpected();
      if (n === null) throw outOfRange();
      return f32 ? Math.fround(n) : n;
    }
    case 'boolean': {
      // Number.longValue() != 0, so 0.5 casts to false as in Connect.
      if (typeof v === 'number' || typeof v === 'bigint') return toJavaInt(v, 'int64', kind) !== 0;
      if (typeof v === 'boolean') return v;
      if (decimal) return decimalWhole(v as string) !== 0n;
      if (typeof v === 'string') return parseJavaBoolean(v);
      throw unexpected();
    }
    case 'string': {
      if (v instanceof Date) return formatTemporal(v);
      if (v instanceof Uint8Array) return base64(v);
      if (typeof v === 'number' && kind === 'floating') return javaFloatToString(v, schema?.type === 'float32');
      return String(v);
    }
  }
}

/** BigDecimal.toBigInteger(): the integral part of a plain decimal string. */
function decimalWhole(s: string): bigint {
  const m = /^([+-]?)(\d*)/.exec(s.trim());
  return BigInt(`${m?.[1] === '-' ? '-' : ''}${m?.[2] || '0'}`);
}

function castSchema(spec: CastSpec, schema: Schema): Schema {
  let out: Schema;
  if (spec.whole) out = copySchemaBasics(schema, Schemas[spec.whole]());
  else {
    const fields = (schema.fields ?? []).map((f): [string, Schema] => {
      const target = spec.fields.get(f.name);
      if (!target) return [f.name, f.schema];
      const fieldSchema = Schemas[target]({ optional: f.schema.optional });
      if (f.schema.defaultValue !== undefined && f.schema.defaultValue !== null) {
        fieldSchema.defaultValue = castValue(f.schema, f.schema.defaultValue, target);
      }
      return [f.name, fieldSchema];
    });
    out = structOf(fields, schema);
  }
  if (schema.optional) out.optional = true;
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) {
    // Connect casts the default to the new type; a struct default cannot be cast and fails, as in Connect.
    if (!spec.whole) throw new DataException(`Cast transformation does not support casting from STRUCT; supported types are ${[...INPUT_TYPES].join(', ')}`);
    out.defaultValue = castValue(schema, schema.defaultValue, spec.whole);
  }
  return out;
}

export const [CastKey, CastValue] = defineKeyValueTransforms({
  name: 'Cast',
  summary: 'Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a smaller width.',
  config,
  create(cfg, side) {
    const spec = parseSpec(cfg.spec);
    const schemaFor = memoBySchema((s) => castSchema(spec, s));
    return {
      apply(record) {
        const value = operandValue(record, side);
        if (value === null) return record;
        const schema = operandSchema(record, side);
        if (!schema) {
          if (spec.whole) return withOperand(record, side, null, castValue(null, value, spec.whole));
          const map = requireMap(value, PURPOSE);
          const out = toEntryMap(map);
          // Like Connect, a field named in the spec but absent from the map is added as null.
          for (const [name, target] of spec.fields) out.set(name, castValue(null, fieldOf(map, name), target));
          return withOperand(record, side, null, toMapLike(map, out));
        }
        const updated = schemaFor(schema);
        if (spec.whole) return withOperand(record, side, updated, castValue(schema, value, spec.whole));
        const struct = requireStruct(value, PURPOSE);
        const out = new Struct(updated);
        for (const f of struct.schema.fields ?? []) {
          const target = spec.fields.get(f.name);
          const v = struct.get(f.name);
          out.put(f.name, target ? castValue(f.schema, v, target) : v);
        }
        return withOperand(record, side, updated, out);
      },
    };
  },
});
