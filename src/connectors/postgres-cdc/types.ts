import { DataError } from '../../errors.js';
import { Schemas, Struct, type Schema } from '../../records/schema.js';
import { wallToInstant, UTC } from '../jdbc/time.js';
import { DebeziumTypes, decimalSchema, decimalValue, type DecimalHandlingMode } from '../debezium/types.js';

// PostgreSQL column values (the server's text, as pgoutput and a text-mode SELECT deliver them)
// as Debezium's PostgreSQL connector writes them with its defaults (time.precision.mode=adaptive,
// binary.handling.mode=bytes, interval.handling.mode=numeric): semantic types of
// src/connectors/debezium/types.ts. Types outside this list are left out of the events (Debezium's
// include.unknown.datatypes=false), and the task logs them once.

const OID = {
  BOOL: 16, BYTEA: 17, CHAR: 18, NAME: 19, INT8: 20, INT2: 21, INT4: 23, TEXT: 25, OID: 26, JSON: 114, XML: 142,
  CIDR: 650, FLOAT4: 700, FLOAT8: 701, MACADDR8: 774, MONEY: 790, MACADDR: 829, INET: 869, BPCHAR: 1042, VARCHAR: 1043,
  DATE: 1082, TIME: 1083, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, INTERVAL: 1186, TIMETZ: 1266, BIT: 1560, VARBIT: 1562,
  NUMERIC: 1700, UUID: 2950, JSONB: 3802,
} as const;

/** Debezium's placeholder for an unchanged TOASTed value the WAL does not carry (unavailable.value.placeholder). */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

export interface CdcColumnType {
  schema: Schema;
  /** Server text (never null) -> the Connect value. */
  convert(text: string): unknown;
}

export interface ColumnTypeOptions {
  decimalMode: DecimalHandlingMode;
  optional: boolean;
}

/** io.debezium.data.VariableScaleDecimal: numeric without a declared scale, as {scale, value} (the unscaled two's-complement bytes). */
const VARIABLE_SCALE_DECIMAL = (optional: boolean): Schema =>
  Schemas.struct([['scale', Schemas.int32()], ['value', Schemas.bytes()]], { name: 'io.debezium.data.VariableScaleDecimal', version: 1, doc: 'Variable scaled decimal', optional });

/** The schema and converter of a column of this type, or null when Debezium has none (the column is left out). */
export function cdcColumnType(typeOid: number, typmod: number, o: ColumnTypeOptions): CdcColumnType | null {
  const opt = { optional: o.optional };
  const t = (schema: Schema, convert: (text: string) => unknown): CdcColumnType => ({ schema, convert });
  switch (typeOid) {
    case OID.BOOL: return t(Schemas.boolean(opt), (s) => s === 't' || s === 'true');
    case OID.INT2: return t(Schemas.int16(opt), Number);
    case OID.INT4: return t(Schemas.int32(opt), Number);
    case OID.INT8:
    case OID.OID: return t(Schemas.int64(opt), int64);
    case OID.FLOAT4: return t(Schemas.float32(opt), pgFloat);
    case OID.FLOAT8: return t(Schemas.float64(opt), pgFloat);
    case OID.NUMERIC: {
      if (typmod < 4) {
        if (o.decimalMode !== 'precise') return t(decimalSchema(o.decimalMode, 0, null, opt), (s) => decimalValue(o.decimalMode, s));
        const schema = VARIABLE_SCALE_DECIMAL(o.optional);
        return t(schema, (s) => variableScaleDecimal(schema, s));
      }
      const precision = ((typmod - 4) >> 16) & 0xffff;
      const scale = (typmod - 4) & 0xffff;
      return t(decimalSchema(o.decimalMode, scale, precision, opt), (s) => (o.decimalMode === 'precise' ? fixedScale(s, scale) : decimalValue(o.decimalMode, s)));
    }
    case OID.MONEY:
      // money.fraction.digits=2: a Decimal of scale 2 from the locale-formatted text ($1,234.50).
      return t(decimalSchema(o.decimalMode, 2, null, opt), (s) => {
        const plain = fixedScale(s.replace(/[^0-9.-]/g, ''), 2);
        return o.decimalMode === 'precise' ? plain : decimalValue(o.decimalMode, plain);
      });
    case OID.CHAR:
    case OID.NAME:
    case OID.TEXT:
    case OID.BPCHAR:
    case OID.VARCHAR:
    case OID.INET:
    case OID.CIDR:
    case OID.MACADDR:
    case OID.MACADDR8:
      return t(Schemas.string(opt), (s) => s);
    case OID.JSON:
    case OID.JSONB: return t(DebeziumTypes.json(opt), (s) => s);
    case OID.UUID: return t(DebeziumTypes.uuid(opt), (s) => s);
    case OID.XML: return t(DebeziumTypes.xml(opt), (s) => s);
    case OID.BYTEA: return t(Schemas.bytes(opt), byteaFromText);
    case OID.BIT:
    case OID.VARBIT: {
      const length = typmod > 0 ? typmod : 1;
      if (typeOid === OID.BIT && length === 1) return t(Schemas.boolean(opt), (s) => s === '1');
      return t(DebeziumTypes.bits(length, opt), bitsLittleEndian);
    }
    case OID.DATE: return t(DebeziumTypes.date(opt), epochDays);
    case OID.TIME: {
      const p = typmod < 0 ? 6 : typmod;
      return p <= 3 ? t(DebeziumTypes.time(opt), (s) => Math.floor(microsOfDay(s) / 1000)) : t(DebeziumTypes.microTime(opt), microsOfDay);
    }
    case OID.TIMETZ: {
      const p = typmod < 0 ? 6 : typmod;
      return t(DebeziumTypes.zonedTime(opt), (s) => zonedTimeText(s, p));
    }
    case OID.TIMESTAMP: {
      const p = typmod < 0 ? 6 : typmod;
      return p <= 3 ? t(DebeziumTypes.timestamp(opt), (s) => safe(floorDiv(micros(s), 1000n))) : t(DebeziumTypes.microTimestamp(opt), (s) => safe(micros(s)));
    }
    case OID.TIMESTAMPTZ: {
      const p = typmod < 0 ? 6 : typmod;
      return t(DebeziumTypes.zonedTimestamp(opt), (s) => zonedTimestampText(s, p));
    }
    case OID.INTERVAL: return t(DebeziumTypes.microDuration(opt), (s) => safe(intervalMicros(s)));
    default:
      return null;
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
function safe(v: bigint): number | bigint {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function int64(s: string): number | bigint {
  return s.length <= 15 ? Number(s) : safe(BigInt(s));
}

function pgFloat(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  return Number(s);
}

/** Decimal text with exactly `scale` fraction digits (PostgreSQL already writes numeric(p,s) so). */
function fixedScale(s: string, scale: number): string {
  if (s === 'NaN') throw new DataError('numeric NaN has no Connect Decimal value (use decimal.handling.mode=double or string)', 'TASK_POLL');
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const f = frac.length >= scale ? frac.slice(0, scale) : frac.padEnd(scale, '0');
  return `${neg ? '-' : ''}${int || '0'}${scale > 0 ? `.${f}` : ''}`;
}

/** {scale, value}: the digits as a big-endian two's-complement integer, as BigDecimal.unscaledValue().toByteArray(). */
function variableScaleDecimal(schema: Schema, s: string): Struct {
  if (s === 'NaN') throw new DataError('numeric NaN has no VariableScaleDecimal value (use decimal.handling.mode=double or string)', 'TASK_POLL');
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  let unscaled = BigInt(`${int}${frac}` || '0');
  if (neg) unscaled = -unscaled;
  return new Struct(schema, { scale: frac.length, value: twosComplement(unscaled) });
}

export function twosComplement(v: bigint): Buffer {
  // The fewest bytes that hold v with its sign bit (BigInteger.toByteArray).
  let bytes = 1;
  while (v < -(1n << BigInt(bytes * 8 - 1)) || v >= 1n << BigInt(bytes * 8 - 1)) bytes++;
  const out = Buffer.alloc(bytes);
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function byteaFromText(s: string): Buffer {
  if (s.startsWith('\\x')) return Buffer.from(s.slice(2), 'hex');
  throw new DataError('bytea arrived in escape format; the connector reads the hex format (bytea_output=hex, the default)', 'TASK_POLL');
}

/** bit strings as io.debezium.data.Bits: the bits' value, little-endian, in ceil(length/8) bytes. */
function bitsLittleEndian(s: string): Buffer {
  const out = Buffer.alloc(Math.max(1, Math.ceil(s.length / 8)));
  for (let i = 0; i < s.length; i++) {
    const bit = s.length - 1 - i; // the last character is bit 0
    if (s[i] === '1') out[bit >> 3] |= 1 << (bit & 7);
  }
  return out;
}

function finite(s: string): string {
  if (s === 'infinity' || s === '-infinity' || s.endsWith(' BC')) throw new DataError(`${s} has no Debezium date-time value`, 'TASK_POLL');
  return s;
}

function epochDays(s: string): number {
  const ms = wallToInstant(`${finite(s)} 00:00:00`, UTC).ms;
  return Math.floor(ms / 86_400_000);
}

/** 'HH:MM:SS[.ffffff]' as microseconds past midnight (24:00:00 is a whole day). */
function microsOfDay(s: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(s);
  if (!m) throw new DataError(`cannot read time ${s}`, 'TASK_POLL');
  return ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1_000_000 + (m[4] ? Number(m[4].padEnd(6, '0')) : 0);
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no zone) as microseconds since the epoch. */
function micros(s: string): bigint {
  const i = wallToInstant(finite(s), UTC);
  return BigInt(Math.floor(i.ms / 1000)) * 1_000_000n + BigInt(Math.floor(i.nanos / 1000));
}

/** timestamptz text in the session's UTC ('… 01:02:03.4+00') as ISO-8601 with Z and `precision` fraction digits. */
function zonedTimestampText(s: string, precision: number): string {
  const m = /^(.*?)([+-]\d{2}(?::?\d{2})?(?::\d{2})?)?$/.exec(finite(s))!;
  const offset = m[2] ?? '+00';
  const us = micros(m[1]) - offsetMicros(offset);
  const secondsUs = floorDiv(us, 1_000_000n) * 1_000_000n;
  const iso = new Date(Number(secondsUs / 1000n)).toISOString().slice(0, 19);
  return `${iso}${fraction(Number(us - secondsUs), precision)}Z`;
}

function zonedTimeText(s: string, precision: number): string {
  const m = /^(\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}(?::?\d{2})?(?::\d{2})?)?$/.exec(s);
  if (!m) throw new DataError(`cannot read time with time zone ${s}`, 'TASK_POLL');
  const day = 86_400_000_000;
  const us = (((microsOfDay(m[1]) - Number(offsetMicros(m[2] ?? '+00'))) % day) + day) % day;
  const sec = Math.floor(us / 1_000_000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(Math.floor(sec / 3600))}:${p2(Math.floor(sec / 60) % 60)}:${p2(sec % 60)}${fraction(us % 1_000_000, precision)}Z`;
}

function fraction(micro: number, precision: number): string {
  if (precision <= 0) return '';
  return `.${String(micro).padStart(6, '0').slice(0, Math.min(6, precision))}`;
}

function offsetMicros(offset: string): bigint {
  const m = /^([+-])(\d{2}):?(\d{2})?:?(\d{2})?$/.exec(offset);
  if (!m) return 0n;
  const secs = (+m[2] * 60 + +(m[3] ?? 0)) * 60 + +(m[4] ?? 0);
  return BigInt((m[1] === '-' ? -1 : 1) * secs) * 1_000_000n;
}

/**
 * interval text (IntervalStyle postgres: '1 year 2 mons 3 days 04:05:06.789') as Debezium's
 * MicroDuration: a month is 30.4375 days (365.25 / 12), as Debezium's MicroDuration.durationMicros.
 */
function intervalMicros(s: string): bigint {
  let total = 0;
  const unit = /(-?\d+) (year|mon|day)s?/g;
  for (const m of s.matchAll(unit)) {
    const n = Number(m[1]);
    if (m[2] === 'year') total += n * 12 * 30.4375 * 86_400_000_000;
    else if (m[2] === 'mon') total += n * 30.4375 * 86_400_000_000;
    else total += n * 86_400_000_000;
  }
  const t = /(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(s);
  if (t) {
    const us = ((+t[2] * 60 + +t[3]) * 60 + +t[4]) * 1_000_000 + (t[5] ? Number(t[5].padEnd(6, '0')) : 0);
    total += t[1] ? -us : us;
  }
  return BigInt(Math.round(total));
}
