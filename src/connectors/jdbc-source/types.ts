import { DataError } from '../../errors.js';
import { Schemas, type Schema } from '../../records/schema.js';
import type { NumericMapping } from './config.js';
import { isZeroDate, wallToInstant, UTC, type Instant, type Zone } from '../jdbc/time.js';

// MariaDB/MySQL result columns -> Connect schemas and values, following what Kafka Connect
// JDBC produces with MySQL Connector/J (GenericDatabaseDialect), so topics look the same.
// mysql2 is configured to hand us exact text for DECIMAL, BIGINT and date-times
// (bigNumberStrings, dateStrings), so no precision is lost before we convert.

/** mysql2 column type codes (MySQL protocol). */
export const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8,
  INT24: 9, DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16,
  TIMESTAMP2: 17, DATETIME2: 18, TIME2: 19, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248,
  TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

export const FLAG = { NOT_NULL: 1, UNSIGNED: 32, AUTO_INCREMENT: 512 } as const;
const BINARY_CHARSET = 63;
const PRECISION_PARAM = 'connect.decimal.precision';
/** Largest precision an int64 always holds (Connect's MAX_INTEGER_TYPE_PRECISION). */
const MAX_INTEGER_PRECISION = 18;
const INT64_MAX = 9223372036854775807n;

/** What the server says about a result column (mysql2's FieldPacket, normalised). */
export interface ColumnMeta {
  name: string;
  type: number;
  flags: number;
  /** Display length: digits (+ sign, point) for numbers, bits for BIT, bytes for strings. */
  length: number;
  /** Scale for DECIMAL, fractional digits for time types. */
  decimals: number;
  charset: number;
}

export function columnMetaFromField(f: {
  name: string; columnType?: number; type?: number; flags: number | string[];
  columnLength?: number; length?: number; decimals: number; characterSet?: number;
}): ColumnMeta {
  return {
    name: f.name,
    type: f.columnType ?? f.type ?? T.NULL,
    flags: typeof f.flags === 'number' ? f.flags : 0,
    length: f.columnLength ?? f.length ?? 0,
    decimals: f.decimals,
    charset: f.characterSet ?? 0,
  };
}

export function isNullable(c: ColumnMeta): boolean {
  return (c.flags & FLAG.NOT_NULL) === 0;
}

export interface MappingOptions {
  numericMapping: NumericMapping;
  /** Zone of DATETIME wall-clock values (db.timezone). TIMESTAMP values arrive in UTC (the session zone). */
  zone: Zone;
}

export interface ColumnMapping {
  name: string;
  schema: Schema;
  /** mysql2's value (never null) -> the Connect value. */
  convert(raw: unknown): unknown;
  /** For DATETIME/TIMESTAMP/DATE: the exact instant (microseconds kept), for offsets. */
  instant?(raw: unknown): Instant | null;
}

/** Maps a column; null when Connect has no type for it (the field is left out, as Connect does). */
export function mapColumn(c: ColumnMeta, o: MappingOptions): ColumnMapping | null {
  const optional = isNullable(c);
  const unsigned = (c.flags & FLAG.UNSIGNED) !== 0;
  const m = (schema: Schema, convert: (raw: unknown) => unknown, instant?: (raw: unknown) => Instant | null): ColumnMapping =>
    ({ name: c.name, schema, convert, ...(instant ? { instant } : {}) });
  const num = (raw: unknown) => Number(raw);

  switch (c.type) {
    case T.TINY:
      return m(unsigned ? Schemas.int16({ optional }) : Schemas.int8({ optional }), num);
    case T.SHORT:
      return m(unsigned ? Schemas.int32({ optional }) : Schemas.int16({ optional }), num);
    // Connector/J reports MEDIUMINT as INTEGER, so it maps like INT.
    case T.INT24:
    case T.LONG:
      return m(unsigned ? Schemas.int64({ optional }) : Schemas.int32({ optional }), num);
    case T.LONGLONG:
      return m(Schemas.int64({ optional }), (raw) => int64(raw, c.name));
    case T.FLOAT:
      return m(Schemas.float32({ optional }), num);
    case T.DOUBLE:
      return m(Schemas.float64({ optional }), num);
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return mapDecimal(c, o.numericMapping, optional);
    case T.BIT:
      // BIT(1) is Connect's INT8 (as Connector/J's Types.BIT); wider BIT columns keep their bytes.
      return c.length <= 1
        ? m(Schemas.int8({ optional }), (raw) => (Buffer.isBuffer(raw) ? raw[raw.length - 1] ?? 0 : Number(raw)))
        : m(Schemas.bytes({ optional }), (raw) => raw);
    case T.DATE:
    case T.NEWDATE:
      return m(Schemas.date({ optional }), (raw) => toDate(String(raw), c.name, optional),
        (raw) => (isZeroDate(String(raw)) ? null : wallToInstant(`${String(raw)} 00:00:00`, o.zone)));
    case T.YEAR:
      // Connector/J's default yearIsDateType=true: YEAR is a DATE on January 1st.
      return m(Schemas.date({ optional }), (raw) => (Number(raw) === 0 ? zero(c.name, optional) : new Date(Date.UTC(Number(raw), 0, 1))));
    case T.TIME:
    case T.TIME2:
      return m(Schemas.time({ optional }), (raw) => toTime(String(raw), c.name));
    case T.DATETIME:
    case T.DATETIME2:
    case T.TIMESTAMP:
    case T.TIMESTAMP2: {
      const zone = c.type === T.TIMESTAMP || c.type === T.TIMESTAMP2 ? UTC : o.zone;
      const instant = (raw: unknown) => (isZeroDate(String(raw)) ? null : wallToInstant(String(raw), zone));
      return m(Schemas.timestamp({ optional }), (raw) => {
        const i = instant(raw);
        return i ? new Date(i.ms) : zero(c.name, optional);
      }, instant);
    }
    case T.VARCHAR:
    case T.VAR_STRING:
    case T.STRING:
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
      return c.charset === BINARY_CHARSET
        ? m(Schemas.bytes({ optional }), (raw) => raw)
        : m(Schemas.string({ optional }), (raw) => (Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw)));
    case T.JSON:
    case T.ENUM:
    case T.SET:
      return m(Schemas.string({ optional }), (raw) => String(raw));
    default:
      // NULL-typed expressions, GEOMETRY, VECTOR: Connect JDBC leaves these out too.
      return null;
  }
}

function mapDecimal(c: ColumnMeta, mapping: NumericMapping, optional: boolean): ColumnMapping {
  const scale = c.decimals;
  const unsigned = (c.flags & FLAG.UNSIGNED) !== 0;
  // The display length counts a sign (unless unsigned) and a decimal point (when scale > 0).
  const precision = Math.max(1, c.length - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1));
  // Connect applies numeric.mapping to NUMERIC only, and Connector/J reports MySQL's DECIMAL
  // as DECIMAL, so with Confluent's connector the setting silently does nothing on MySQL.
  // MySQL's NUMERIC *is* DECIMAL, so we apply it: that is what users who set it expect.
  return decimalMapping(c.name, precision, scale, mapping, optional);
}

/** A NUMERIC column of this precision and scale under numeric.mapping (Connect's NUMERIC rules). */
export function decimalMapping(name: string, precision: number, scale: number, mapping: NumericMapping, optional: boolean): ColumnMapping {
  const asInteger = (): ColumnMapping => {
    const schema = integerSchema(precision, optional);
    return { name, schema, convert: (raw) => (schema.type === 'int64' ? int64(raw, name) : Number(raw)) };
  };
  const asDouble = (): ColumnMapping => ({ name, schema: Schemas.float64({ optional }), convert: (raw) => Number(raw) });

  if (mapping === 'precision_only' && scale === 0 && precision <= MAX_INTEGER_PRECISION) return asInteger();
  if (mapping === 'best_fit' && precision <= MAX_INTEGER_PRECISION) return scale === 0 ? asInteger() : asDouble();
  if (mapping === 'best_fit_eager_double') {
    if (scale === 0 && precision <= MAX_INTEGER_PRECISION) return asInteger();
    if (scale > 0) return asDouble();
  }
  const base = Schemas.decimal(scale, { optional });
  // Parameter order as Connect's Decimal.builder(scale).parameter(precision): scale first.
  const schema: Schema = { ...base, parameters: { ...base.parameters, [PRECISION_PARAM]: String(precision) } };
  return { name, schema, convert: (raw) => plainDecimal(String(raw), scale) };
}

function integerSchema(precision: number, optional: boolean): Schema {
  if (precision > 9) return Schemas.int64({ optional });
  if (precision > 4) return Schemas.int32({ optional });
  if (precision > 2) return Schemas.int16({ optional });
  return Schemas.int8({ optional });
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** int64 values: a number while exact, a bigint beyond 2^53 (see records/schema.ts). */
export function int64(raw: unknown, column: string): number | bigint {
  if (typeof raw === 'number') return raw;
  // Up to 15 digits is always exact as a number: skip BigInt on the hot path.
  if (typeof raw === 'string' && raw.length <= 15) return Number(raw);
  const v = typeof raw === 'bigint' ? raw : BigInt(String(raw));
  if (v > INT64_MAX) throw new DataError(`Column ${column}: ${v} does not fit Connect's INT64 (BIGINT UNSIGNED above 2^63-1)`, 'TASK_POLL');
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.(\d+))?$/;

/** Decimal text with exactly `scale` fraction digits, as records/schema.ts wants Decimals. */
export function plainDecimal(text: string, scale: number): string {
  // The server already writes canonical text with `scale` digits: keep it as is.
  const c = CANONICAL_DECIMAL.exec(text);
  if (c && (c[1]?.length ?? 0) === scale && !(text[0] === '-' && !/[1-9]/.test(text))) return text;
  let s = text.trim();
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) s = s.slice(1);
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.length > scale ? frac.slice(0, scale) : frac.padEnd(scale, '0');
  const out = scale > 0 ? `${int}.${frac}` : int;
  return neg && /[1-9]/.test(out) ? `-${out}` : out;
}

function zero(column: string, optional: boolean): null {
  if (!optional) throw new DataError(`Column ${column} holds a zero date, which has no Connect value, and is NOT NULL`, 'TASK_POLL');
  return null;
}

function toDate(text: string, column: string, optional: boolean): Date | null {
  if (isZeroDate(text)) return zero(column, optional);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) throw new DataError(`Column ${column}: cannot read date ${text}`, 'TASK_POLL');
  const d = new Date(0);
  d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
  return d;
}

/** Connect's Time is a time of day; MySQL's TIME is a duration (-838:59:59..838:59:59). */
function toTime(text: string, column: string): Date {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new DataError(`Column ${column}: cannot read time ${text}`, 'TASK_POLL');
  const ms = ((+m[2] * 60 + +m[3]) * 60 + +m[4]) * 1000 + (m[5] ? Math.floor(Number(m[5].padEnd(3, '0').slice(0, 3))) : 0);
  if (m[1] === '-' && ms !== 0 || ms >= 86_400_000) {
    throw new DataError(`Column ${column}: TIME ${text} is not a time of day, which is all Connect's Time type can hold`, 'TASK_POLL');
  }
  return new Date(ms);
}
