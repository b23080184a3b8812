import { z } from 'zod';
import { defineConfig, key } from '../config/define.js';
import { DataException, DECIMAL_SCALE, LOGICAL, Struct, type Schema } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import { parseJavaFloat, toJavaInt, type IntType } from './util/java-values.js';
import { fieldOf, isSchemalessMap, requireMap, requireStruct, toEntryMap, toMapLike, typeName } from './util/maps.js';

const PURPOSE = 'mask fields';

const config = defineConfig({
  fields: key.list({ required: true, importance: 'HIGH', doc: 'Names of fields to mask.' }),
  // Connect rejects an empty replacement ("String must be non-empty") rather than treating it as unset.
  replacement: key.custom(
    { type: 'STRING', importance: 'LOW', documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)." },
    z.string().min(1, 'String must be non-empty').optional(),
  ),
});

/**
 * What a masked value becomes. Connect picks by the value's Java class; here the field
 * schema says the type when there is one, and the JavaScript type otherwise.
 */
type MaskKind = IntType | 'float32' | 'float64' | 'bigint' | 'boolean' | 'string' | 'decimal' | 'date' | 'array' | 'map' | 'bytes';

function maskKind(value: unknown, schema: Schema | null): MaskKind {
  if (schema) {
    if (schema.name === LOGICAL.Decimal) return 'decimal';
    if (value instanceof Date) return 'date';
    if (schema.type === 'struct') throw new DataException(`Cannot mask value of type: ${typeName(value)}`);
    return schema.type;
  }
  // Schemaless integers are Longs in Connect (JsonConverter), other numbers Doubles.
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'bigint') return 'bigint';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return 'array';
  if (isSchemalessMap(value)) return 'map';
  if (value instanceof Uint8Array) return 'bytes';
  throw new DataException(`Cannot mask value of type: ${typeName(value)}`);
}

/** The type's "null value": 0, false, "", epoch, empty list or map. */
function emptyValue(kind: MaskKind, value: unknown, schema: Schema | null): unknown {
  switch (kind) {
    case 'boolean': return false;
    case 'string': return '';
    case 'bigint': return 0n;
    case 'date': return new Date(0);
    case 'array': return [];
    case 'map': return value instanceof Map ? new Map() : {};
    // BigDecimal.ZERO, written at the schema's scale so the converter can still encode it.
    case 'decimal': {
      const scale = Number(schema?.parameters?.[DECIMAL_SCALE] ?? 0);
      return scale > 0 ? `0.${'0'.repeat(scale)}` : '0';
    }
    case 'bytes': throw new DataException(`Cannot mask value of type: ${typeName(value)}`);
    default: return 0;
  }
}

/** The configured replacement converted to the field's type; only numbers and strings can be replaced. */
function replacementValue(kind: MaskKind, replacement: string, value: unknown): unknown {
  const notNumber = () => new DataException(`Unable to convert ${replacement} (string) to number`);
  switch (kind) {
    case 'string': return replacement;
    case 'int8': case 'int16': case 'int32': case 'int64': {
      // Values.convertToX: parse the text as a number, take its long value, narrow it.
      const text = replacement.trim();
      if (/^[+-]?\d+$/.test(text)) return toJavaInt(BigInt(text), kind);
      const n = parseJavaFloat(text, false);
      if (n === null || !Number.isFinite(n)) throw notNumber();
      return toJavaInt(n, kind, 'floating');
    }
    case 'float32': case 'float64': {
      const n = parseJavaFloat(replacement, kind === 'float32');
      if (n === null) throw notNumber();
      return n;
    }
    case 'bigint': {
      if (!/^[+-]?\d+$/.test(replacement)) throw notNumber();
      return BigInt(replacement);
    }
    case 'decimal': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(replacement)) throw notNumber();
      return replacement;
    }
    default: throw new DataException(`Cannot mask value of type ${typeName(value)} with custom replacement.`);
  }
}

export const [MaskFieldKey, MaskFieldValue] = defineKeyValueTransforms({
  name: 'MaskField',
  summary: 'Mask specified fields with a valid null value for the field type (i.e. 0, false, empty string, and so on). '
    + 'For numeric and string fields, an optional replacement value can be specified that is converted to the correct type.',
  config,
  create(cfg, side) {
    if (cfg.fields.length === 0) throw configError('fields', 'Empty list');
    const masked = new Set(cfg.fields);
    const mask = (value: unknown, schema: Schema | null): unknown => {
      if (value === null || value === undefined) return null;
      const kind = maskKind(value, schema);
      return cfg.replacement === undefined ? emptyValue(kind, value, schema) : replacementValue(kind, cfg.replacement, value);
    };
    return {
      apply(record) {
        const schema = operandSchema(record, side);
        const value = operandValue(record, side);
        if (!schema) {
          const map = requireMap(value, PURPOSE);
          const out = toEntryMap(map);
          // Like Connect, a listed field missing from the map is added as null.
          for (const name of masked) out.set(name, mask(fieldOf(map, name), null));
          return withOperand(record, side, null, toMapLike(map, out));
        }
        const struct = requireStruct(value, PURPOSE);
        const out = new Struct(struct.schema);
        for (const f of struct.schema.fields ?? []) {
          const v = struct.get(f.name);
          out.put(f.name, masked.has(f.name) ? mask(v, f.schema) : v);
        }
        return withOperand(record, side, schema, out);
      },
    };
  },
});
