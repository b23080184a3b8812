import { LOGICAL, Schemas, Struct, type Schema, type SchemaType } from '../../records/schema.js';
import { compileDateFormat } from './date-format.js';
import { isSchemalessMap } from './maps.js';

/** What Connect's Values class does with strings and temporal values, for the transforms that use it. */

const MILLIS_PER_DAY = 86_400_000;
const ISO_DATE = compileDateFormat('yyyy-MM-dd');
const ISO_TIME = compileDateFormat("HH:mm:ss.SSS'Z'");
const ISO_TIMESTAMP = compileDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

/** Values.dateFormatFor: a Date prints as a time, a date or a timestamp depending on its value. */
export function formatTemporal(d: Date): string {
  const ms = d.getTime();
  if (ms < MILLIS_PER_DAY) return ISO_TIME.format(d);
  if (ms % MILLIS_PER_DAY === 0) return ISO_DATE.format(d);
  return ISO_TIMESTAMP.format(d);
}

/**
 * ConnectSchema.schemaType for a schemaless value, or null when Connect's data API has
 * no such type. Integral numbers count as int64 (JsonConverter reads JSON integers as
 * Long), other numbers as float64.
 */
export function inferSchemaType(v: unknown): SchemaType | null {
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? 'int64' : 'float64';
    case 'bigint': return 'int64';
    case 'boolean': return 'boolean';
    case 'string': return 'string';
  }
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Struct) return 'struct';
  if (isSchemalessMap(v)) return 'map';
  return null;
}

export interface SchemaAndValue {
  schema: Schema | null;
  value: unknown;
}

/**
 * Values.parseString for the literals people put in configs (InsertHeader's
 * value.literal): null, booleans, ISO dates/times/timestamps, and numbers as the
 * smallest type that holds them; everything else, arrays and maps included, is a string.
 */
export function parseLiteral(s: string): SchemaAndValue {
  const token = s.trim();
  if (token === '') return { schema: Schemas.string(), value: s };
  const lower = token.toLowerCase();
  if (lower === 'null') return { schema: null, value: null };
  if (lower === 'true' || lower === 'false') return { schema: Schemas.boolean(), value: lower === 'true' };
  if (/^\d/.test(token)) {
    const temporal = parseTemporal(token);
    if (temporal) return temporal;
  }
  const num = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(token) ? parseNumberLiteral(token) : null;
  return num ?? { schema: Schemas.string(), value: s };
}

function parseTemporal(token: string): SchemaAndValue | null {
  const candidates: Array<[number, ReturnType<typeof compileDateFormat>, Schema]> = [
    [13, ISO_TIME, Schemas.time()],
    [24, ISO_TIMESTAMP, Schemas.timestamp()],
    [10, ISO_DATE, Schemas.date()],
  ];
  for (const [length, format, schema] of candidates) {
    if (token.length !== length) continue;
    const ms = format.parse(token);
    if (ms !== null) return { schema, value: new Date(ms) };
  }
  return null;
}

function parseNumberLiteral(token: string): SchemaAndValue {
  const [mantissa, expPart] = token.toLowerCase().split('e');
  const exp = Number(expPart ?? 0);
  const [intPart, fracPart = ''] = mantissa.replace(/^[+]/, '').split('.');
  const scale = fracPart.length - exp;
  // The exact value as digits * 10^-scale, to tell whole numbers from fractions like BigDecimal does.
  const digits = BigInt((intPart.replace('-', '') || '0') + fracPart);
  const negative = intPart.startsWith('-');
  let whole: bigint | null = null;
  if (scale <= 0) whole = digits * 10n ** BigInt(-scale);
  else if (digits % 10n ** BigInt(scale) === 0n) whole = digits / 10n ** BigInt(scale);
  if (whole !== null) {
    if (negative) whole = -whole;
    for (const [type, bits] of [['int8', 8], ['int16', 16], ['int32', 32], ['int64', 64]] as const) {
      if (BigInt.asIntN(bits, whole) === whole) {
        return { schema: Schemas[type](), value: bits === 64 && (whole > BigInt(Number.MAX_SAFE_INTEGER) || whole < BigInt(Number.MIN_SAFE_INTEGER)) ? whole : Number(whole) };
      }
    }
  }
  const n = Number(token);
  if (scale !== 0 && Number.isFinite(Math.fround(n))) return { schema: Schemas.float32(), value: Math.fround(n) };
  if (scale !== 0 && Number.isFinite(n)) return { schema: Schemas.float64(), value: n };
  // Beyond int64 and float64: a Decimal (kept as its plain string, see records/schema.ts).
  return { schema: Schemas.decimal(Math.max(scale, 0)), value: token.replace(/^\+/, '') };
}

/** The int value a temporal logical type is stored as: days, millis of day, or epoch millis. */
export function temporalToNumber(schemaName: string, d: Date): number {
  if (schemaName === LOGICAL.Date) return Math.floor(d.getTime() / MILLIS_PER_DAY);
  if (schemaName === LOGICAL.Time) return d.getTime() % MILLIS_PER_DAY;
  return d.getTime();
}
