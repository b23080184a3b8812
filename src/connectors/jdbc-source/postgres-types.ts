import { DataError } from '../../errors.js';
import { Schemas, type Schema } from '../../records/schema.js';
import type { PgColumn } from '../jdbc/postgres-session.js';
import { UTC, wallToInstant, type Instant } from '../jdbc/time.js';
import { decimalMapping, int64, type ColumnMapping, type MappingOptions } from './types.js';

// PostgreSQL result columns -> Connect schemas and values, as Kafka Connect JDBC's
// PostgreSqlDatabaseDialect does with PgJDBC's type reports: bool (Types.BIT, 1 bit) is BOOLEAN,
// numeric is a Decimal (unconstrained numeric with scale 127, Confluent's NUMERIC_TYPE_SCALE_HIGH)
// under numeric.mapping, json/jsonb/uuid/xml are strings, timestamp is wall-clock time in
// db.timezone and timestamptz an instant. Types Connect JDBC leaves out (arrays, intervals,
// geometric, network) are left out. Values arrive as the server's text (postgres-session.ts).

export const OID = {
  BOOL: 16, BYTEA: 17, CHAR: 18, NAME: 19, INT8: 20, INT2: 21, INT4: 23, TEXT: 25, OID: 26, JSON: 114, XML: 142,
  FLOAT4: 700, FLOAT8: 701, BPCHAR: 1042, VARCHAR: 1043, DATE: 1082, TIME: 1083, TIMESTAMP: 1114, TIMESTAMPTZ: 1184,
  TIMETZ: 1266, BIT: 1560, NUMERIC: 1700, UUID: 2950, JSONB: 3802,
} as const;

/** Confluent's NUMERIC_TYPE_SCALE_HIGH: the scale of a numeric column declared without one. */
const NUMERIC_SCALE_HIGH = 127;

/** numeric(p,s)'s precision and scale from its type modifier; unconstrained numeric is (0, 127). */
export function numericPrecisionScale(typmod: number): { precision: number; scale: number } {
  if (typmod < 4) return { precision: 0, scale: NUMERIC_SCALE_HIGH };
  const t = typmod - 4;
  return { precision: (t >> 16) & 0xffff, scale: t & 0xffff };
}

/** The offset column kinds: integers for incrementing, date-times for timestamp columns. */
export function isIntegral(c: PgColumn): boolean {
  return c.typeId === OID.INT2 || c.typeId === OID.INT4 || c.typeId === OID.INT8
    || (c.typeId === OID.NUMERIC && c.typmod >= 4 && numericPrecisionScale(c.typmod).scale === 0);
}

/** instant: timestamptz (compared in UTC); wall: timestamp and date (compared in db.timezone). */
export function temporalKind(c: PgColumn): 'instant' | 'wall' | null {
  if (c.typeId === OID.TIMESTAMPTZ) return 'instant';
  if (c.typeId === OID.TIMESTAMP || c.typeId === OID.DATE) return 'wall';
  return null;
}

/** Maps a column; null when Connect JDBC has no type for it (the field is left out). */
export function mapPgColumn(c: PgColumn, o: MappingOptions): ColumnMapping | null {
  const optional = !c.notNull;
  const m = (schema: Schema, convert: (raw: unknown) => unknown, instant?: (raw: unknown) => Instant | null): ColumnMapping =>
    ({ name: c.name, schema, convert, ...(instant ? { instant } : {}) });
  const num = (raw: unknown) => Number(raw);
  const text = (raw: unknown) => String(raw);
  switch (c.typeId) {
    case OID.BOOL:
      return m(Schemas.boolean({ optional }), (raw) => raw === 't' || raw === true);
    case OID.INT2:
      return m(Schemas.int16({ optional }), num);
    case OID.INT4:
      return m(Schemas.int32({ optional }), num);
    case OID.INT8:
    case OID.OID:
      return m(Schemas.int64({ optional }), (raw) => int64(raw, c.name));
    case OID.FLOAT4:
      return m(Schemas.float32({ optional }), (raw) => pgFloat(String(raw)));
    case OID.FLOAT8:
      return m(Schemas.float64({ optional }), (raw) => pgFloat(String(raw)));
    case OID.NUMERIC: {
      const { precision, scale } = numericPrecisionScale(c.typmod);
      const d = decimalMapping(c.name, precision, scale, o.numericMapping, optional);
      return { ...d, convert: (raw) => (raw === 'NaN' ? nanNumeric(c.name) : d.convert(raw)) };
    }
    case OID.BIT: {
      const bits = c.typmod > 0 ? c.typmod : 1;
      if (bits <= 1) return m(Schemas.boolean({ optional }), (raw) => raw === '1');
      if (bits <= 8) return m(Schemas.int8({ optional }), (raw) => { const v = parseInt(String(raw), 2); return v > 127 ? v - 256 : v; });
      return m(Schemas.bytes({ optional }), (raw) => bitBytes(String(raw)));
    }
    case OID.CHAR:
    case OID.NAME:
    case OID.TEXT:
    case OID.BPCHAR:
    case OID.VARCHAR:
    case OID.JSON:
    case OID.JSONB:
    case OID.UUID:
    case OID.XML:
      return m(Schemas.string({ optional }), text);
    case OID.BYTEA:
      return m(Schemas.bytes({ optional }), (raw) => raw);
    case OID.DATE:
      return m(Schemas.date({ optional }), (raw) => pgDate(String(raw), c.name),
        (raw) => wallToInstant(`${finite(String(raw), c.name)} 00:00:00`, o.zone));
    case OID.TIME:
    case OID.TIMETZ:
      return m(Schemas.time({ optional }), (raw) => pgTime(String(raw), c.name));
    case OID.TIMESTAMP: {
      const instant = (raw: unknown) => wallToInstant(finite(String(raw), c.name), o.zone);
      return m(Schemas.timestamp({ optional }), (raw) => new Date(instant(raw).ms), instant);
    }
    case OID.TIMESTAMPTZ: {
      const instant = (raw: unknown) => zonedToInstant(finite(String(raw), c.name));
      return m(Schemas.timestamp({ optional }), (raw) => new Date(instant(raw).ms), instant);
    }
    default:
      return null;
  }
}

function pgFloat(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  return Number(s);
}

function nanNumeric(column: string): never {
  throw new DataError(`Column ${column} holds NaN, which Connect's Decimal cannot carry`, 'TASK_POLL');
}

function finite(text: string, column: string): string {
  if (text === 'infinity' || text === '-infinity' || text.endsWith(' BC')) {
    throw new DataError(`Column ${column}: ${text} has no Connect date-time value`, 'TASK_POLL');
  }
  return text;
}

function pgDate(text: string, column: string): Date {
  const m = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(finite(text, column));
  if (!m) throw new DataError(`Column ${column}: cannot read date ${text}`, 'TASK_POLL');
  const d = new Date(0);
  d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
  return d;
}

/** time and timetz as Connect's Time (ms of a UTC day); timetz moves to UTC by its offset. */
function pgTime(text: string, column: string): Date {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::(\d{2}))?)?$/.exec(text);
  if (!m) throw new DataError(`Column ${column}: cannot read time ${text}`, 'TASK_POLL');
  let ms = ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 + (m[4] ? Math.floor(Number(m[4].padEnd(3, '0').slice(0, 3))) : 0);
  if (m[5]) ms -= (m[5] === '-' ? -1 : 1) * ((+m[6] * 60 + +(m[7] ?? 0)) * 60 + +(m[8] ?? 0)) * 1000;
  return new Date(((ms % 86_400_000) + 86_400_000) % 86_400_000);
}

/** timestamptz text ('2024-01-02 03:04:05.123456+00', +05:30 or +05:30:12 offsets) as an instant. */
export function zonedToInstant(text: string): Instant {
  const m = /([+-])(\d{2})(?::?(\d{2}))?(?::(\d{2}))?$/.exec(text.slice(19));
  if (!m) return wallToInstant(text, UTC);
  const wall = text.slice(0, 19 + m.index);
  const offsetMs = (m[1] === '-' ? -1 : 1) * ((+m[2] * 60 + +(m[3] ?? 0)) * 60 + +(m[4] ?? 0)) * 1000;
  const local = wallToInstant(wall, UTC);
  return { ms: local.ms - offsetMs, nanos: local.nanos };
}

/** bit(n) text ('0101…') as bytes, most significant bit first, the last byte padded with zeros. */
function bitBytes(bits: string): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}
