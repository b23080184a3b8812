import { DataException, DECIMAL_SCALE, type Schema } from '../records/schema.js';
import { parseBigDecimal, plainText, rescale, type BigDecimalValue } from './number-text.js';

/**
 * Connect's logical types (org.apache.kafka.connect.data.Decimal, Date, Time, Timestamp):
 * between our in-memory values (decimal strings, JS Dates) and their underlying
 * bytes / int32 / int64 form, with Connect's checks and messages.
 */

export const MILLIS_PER_DAY = 86_400_000;

export function decimalScale(schema: Schema): number {
  const text = schema.parameters?.[DECIMAL_SCALE];
  if (text === undefined) throw new DataException('Invalid Decimal schema: scale parameter not found.');
  const scale = Number(text);
  if (!Number.isInteger(scale)) throw new DataException(`Invalid Decimal schema: scale parameter "${text}" is not an integer.`);
  return scale;
}

/**
 * A Decimal value (decimal string, number or bigint) at the schema's scale.
 * Extra trailing zeros or missing ones are fine; digits beyond the scale are not,
 * as Connect refuses a BigDecimal whose scale differs from the schema's.
 */
export function decimalAtSchemaScale(schema: Schema, value: unknown): BigDecimalValue {
  const scale = decimalScale(schema);
  let parsed: BigDecimalValue | null;
  if (typeof value === 'string') parsed = parseBigDecimal(value.trim());
  else if (typeof value === 'bigint') parsed = { unscaled: value, scale: 0 };
  else if (typeof value === 'number' && Number.isFinite(value)) parsed = parseBigDecimal(String(value));
  else throw new DataException(`Invalid type for Decimal, expected a decimal string but was ${describeValue(value)}`);
  if (!parsed) throw new DataException(`Invalid Decimal value ${JSON.stringify(String(value))}`);
  const atScale = rescale(parsed, scale);
  if (!atScale) {
    throw new DataException(`Decimal value ${String(value)} has mismatching scale for given Decimal schema. Schema has scale ${scale}`);
  }
  return atScale;
}

/** Our Decimal value for a decimal read from JSON text: at the schema's scale when exact, else as written. */
export function decimalFromText(schema: Schema, d: BigDecimalValue): string {
  return plainText(rescale(d, decimalScale(schema)) ?? d);
}

/** Unscaled value as BigInteger.toByteArray writes it: big-endian two's complement, fewest bytes. */
export function twosComplement(n: bigint): Buffer {
  let length = 1;
  while (n < -(1n << BigInt(8 * length - 1)) || n >= 1n << BigInt(8 * length - 1)) length++;
  let v = n < 0n ? (1n << BigInt(8 * length)) + n : n;
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function fromTwosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) throw new DataException('Invalid bytes for Decimal field: zero length');
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return (bytes[0]! & 0x80) !== 0 ? v - (1n << BigInt(8 * bytes.length)) : v;
}

function validDate(value: unknown, logical: string): Date {
  if (!(value instanceof Date)) throw new DataException(`Invalid type for ${logical}, expected Date but was ${describeValue(value)}`);
  if (Number.isNaN(value.getTime())) throw new DataException(`Invalid ${logical}: the Date is invalid`);
  return value;
}

/** Date: days since the epoch; the value must be a UTC midnight. */
export function dateToDays(value: unknown): number {
  const ms = validDate(value, 'Date').getTime();
  if (ms % MILLIS_PER_DAY !== 0) throw new DataException('Kafka Connect Date type should not have any time fields set to non-zero values.');
  return ms / MILLIS_PER_DAY;
}

export function daysToDate(days: number): Date {
  return new Date(days * MILLIS_PER_DAY);
}

/** Time: milliseconds of the day; the value must lie on 1970-01-01 UTC. */
export function timeToMillis(value: unknown): number {
  const ms = validDate(value, 'Time').getTime();
  if (ms < 0 || ms >= MILLIS_PER_DAY) throw new DataException('Kafka Connect Time type should not have any date fields set to non-zero values.');
  return ms;
}

export function millisToTime(ms: number): Date {
  if (ms < 0 || ms > MILLIS_PER_DAY) {
    throw new DataException(`Time values must use number of milliseconds greater than 0 and less than ${MILLIS_PER_DAY}`);
  }
  return new Date(ms);
}

export function timestampToMillis(value: unknown): number {
  return validDate(value, 'Timestamp').getTime();
}

export function millisToTimestamp(ms: bigint): Date {
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) throw new DataException(`Timestamp ${ms} is outside the range a Date can hold`);
  return d;
}

/** A short type description for error messages ("boolean", "Struct", "Uint8Array"). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
