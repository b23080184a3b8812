import { defineConfig, key } from '../config/define.js';
import { DataException, LOGICAL, Schemas, Struct, type Schema } from '../records/schema.js';
import { defineKeyValueTransforms, operandSchema, operandValue, withOperand } from './operand.js';
import { configError } from './util/config-errors.js';
import { compileDateFormat, type DateFormat } from './util/date-format.js';
import { fromBigInt } from './util/java-values.js';
import { fieldOf, requireMap, requireStructOrNull, toEntryMap, toMapLike, typeName } from './util/maps.js';
import { memoBySchema, structOf } from './util/schemas.js';

const PURPOSE = 'converting timestamp formats';
const TARGET_TYPES = ['string', 'unix', 'Date', 'Time', 'Timestamp'] as const;
type TimestampType = (typeof TARGET_TYPES)[number];
const PRECISIONS = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'] as const;
type Precision = (typeof PRECISIONS)[number];
const MILLIS_PER_DAY = 86_400_000;

const config = defineConfig({
  field: key.string({ default: '', importance: 'HIGH', doc: 'The field containing the timestamp, or empty if the entire value is a timestamp' }),
  'target.type': key.enum(TARGET_TYPES, {
    required: true,
    importance: 'HIGH',
    doc: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
  }),
  format: key.string({
    default: '',
    doc: 'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string '
      + 'or used to parse the input if the input is a string.',
    example: "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
  }),
  'unix.precision': key.enum(PRECISIONS, {
    default: 'milliseconds',
    importance: 'LOW',
    doc: 'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. '
      + 'Used to generate the output when type=unix or used to parse the input if the input is a Long. '
      + 'Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.',
  }),
});

/** Milliseconds per unit of each precision, as bigint to keep nanoseconds exact. */
const UNIT_NANOS: Record<Precision, bigint> = { nanoseconds: 1n, microseconds: 1_000n, milliseconds: 1_000_000n, seconds: 1_000_000_000n };

function typeSchema(type: TimestampType, optional: boolean): Schema {
  const o = { optional };
  switch (type) {
    case 'string': return Schemas.string(o);
    case 'unix': return Schemas.int64(o);
    case 'Date': return Schemas.date(o);
    case 'Time': return Schemas.time(o);
    case 'Timestamp': return Schemas.timestamp(o);
  }
}

/** The timestamp type a schema stands for; a plain string is a formatted string, a plain int64 unix time. */
function typeFromSchema(schema: Schema): TimestampType {
  if (schema.name === LOGICAL.Timestamp) return 'Timestamp';
  if (schema.name === LOGICAL.Date) return 'Date';
  if (schema.name === LOGICAL.Time) return 'Time';
  if (schema.type === 'string') return 'string';
  if (schema.type === 'int64') return 'unix';
  throw new DataException(`Schema ${schema.type}${schema.name ? ` (${schema.name})` : ''} does not correspond to a known timestamp type format`);
}

/** Schemaless values: a Date is a Timestamp, an integer unix time, a string a formatted timestamp. */
function inferType(v: unknown): TimestampType {
  if (v instanceof Date) return 'Timestamp';
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'unix';
  if (typeof v === 'string') return 'string';
  throw new DataException(`TimestampConverter does not support ${typeName(v)} objects as timestamps`);
}

export const [TimestampConverterKey, TimestampConverterValue] = defineKeyValueTransforms({
  name: 'TimestampConverter',
  summary: 'Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp types. '
    + 'Applies to individual fields or to the entire value.',
  config,
  create(cfg, side) {
    const field = cfg.field ?? '';
    const target = cfg['target.type'];
    const precision = UNIT_NANOS[cfg['unix.precision'] ?? 'milliseconds'];
    const pattern = cfg.format ?? '';
    if (target === 'string' && pattern.trim() === '') {
      throw configError('format', 'TimestampConverter requires format option to be specified when using string timestamps');
    }
    let format: DateFormat | null = null;
    if (pattern.trim() !== '') {
      try {
        format = compileDateFormat(pattern);
      } catch (e) {
        throw configError('format', `TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern} (${(e as Error).message})`);
      }
    }

    /** Any supported representation to epoch millis. */
    function toMillis(v: unknown, type: TimestampType): number {
      switch (type) {
        case 'string': {
          if (typeof v !== 'string') throw new DataException(`Expected string timestamp to be a String, but found ${typeName(v)}`);
          const ms = format?.parse(v) ?? null;
          if (ms === null) throw new DataException(`Could not parse timestamp: value (${v}) does not match pattern (${pattern})`);
          return ms;
        }
        case 'unix': {
          if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v))) {
            throw new DataException(`Expected Unix timestamp to be a Long, but found ${typeName(v)}`);
          }
          // TimeUnit conversions: finer units truncate toward zero.
          const nanos = BigInt(v) * precision;
          return Number(nanos / 1_000_000n);
        }
        default: {
          if (!(v instanceof Date)) throw new DataException(`Expected ${type} to be a java.util.Date, but found ${typeName(v)}`);
          return v.getTime();
        }
      }
    }

    function fromMillis(ms: number): unknown {
      switch (target) {
        case 'string': return (format as DateFormat).format(new Date(ms));
        case 'unix': return fromBigInt((BigInt(ms) * 1_000_000n) / precision);
        case 'Date': return new Date(ms - mod(ms, MILLIS_PER_DAY));
        case 'Time': return new Date(mod(ms, MILLIS_PER_DAY));
        case 'Timestamp': return new Date(ms);
      }
    }

    const convert = (v: unknown, type: TimestampType | null): unknown =>
      v === null || v === undefined ? null : fromMillis(toMillis(v, type ?? inferType(v)));

    function convertStruct(struct: Struct | null, updated: Schema): Struct | null {
      if (!struct) return null;
      const out = new Struct(updated);
      for (const f of struct.schema.fields ?? []) {
        const v = struct.get(f.name);
        out.put(f.name, f.name === field ? convert(v, typeFromSchema(f.schema)) : v);
      }
      return out;
    }

    const structSchemaFor = memoBySchema((s) => {
      const fields = (s.fields ?? []).map((f): [string, Schema] => [f.name, f.name === field ? typeSchema(target, f.schema.optional) : f.schema]);
      const out = structOf(fields, s);
      if (s.optional) out.optional = true;
      if (s.defaultValue instanceof Struct) out.defaultValue = convertStruct(s.defaultValue, out);
      return out;
    });

    return {
      apply(record) {
        const schema = operandSchema(record, side);
        const value = operandValue(record, side);
        if (!schema) {
          if (value === null || field === '') return withOperand(record, side, null, convert(value, null));
          const map = requireMap(value, PURPOSE);
          const out = toEntryMap(map);
          out.set(field, convert(fieldOf(map, field), null));
          return withOperand(record, side, null, toMapLike(map, out));
        }
        if (field === '') return withOperand(record, side, typeSchema(target, schema.optional), convert(value, typeFromSchema(schema)));
        const updated = structSchemaFor(schema);
        return withOperand(record, side, updated, convertStruct(requireStructOrNull(value, PURPOSE), updated));
      },
    };
  },
});

/** Modulo that is never negative, so dates before 1970 truncate to their own midnight like Calendar does. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
