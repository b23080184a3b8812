// Debezium's semantic types (io.debezium.time.*, io.debezium.data.*): Connect schemas with the
// names and versions Debezium gives them, shared by the CDC sources' column mappings.
import { Schemas, type Schema, type SchemaOptions } from '../../records/schema.js';

type Opts = Pick<SchemaOptions, 'optional' | 'defaultValue' | 'doc'>;

const named = (name: string) => ({ name, version: 1 });

export const DebeziumTypes = {
  /** io.debezium.time.Date: days since the epoch (int32). */
  date: (o?: Opts): Schema => Schemas.int32({ ...o, ...named('io.debezium.time.Date') }),
  /** io.debezium.time.Time: ms past midnight (int32). */
  time: (o?: Opts): Schema => Schemas.int32({ ...o, ...named('io.debezium.time.Time') }),
  /** io.debezium.time.MicroTime: µs past midnight (int64). */
  microTime: (o?: Opts): Schema => Schemas.int64({ ...o, ...named('io.debezium.time.MicroTime') }),
  /** io.debezium.time.NanoTime: ns past midnight (int64). */
  nanoTime: (o?: Opts): Schema => Schemas.int64({ ...o, ...named('io.debezium.time.NanoTime') }),
  /** io.debezium.time.Timestamp: ms since the epoch, no time zone (int64). */
  timestamp: (o?: Opts): Schema => Schemas.int64({ ...o, ...named('io.debezium.time.Timestamp') }),
  /** io.debezium.time.MicroTimestamp: µs since the epoch, no time zone (int64). */
  microTimestamp: (o?: Opts): Schema => Schemas.int64({ ...o, ...named('io.debezium.time.MicroTimestamp') }),
  /** io.debezium.time.NanoTimestamp (int64). */
  nanoTimestamp: (o?: Opts): Schema => Schemas.int64({ ...o, ...named('io.debezium.time.NanoTimestamp') }),
  /** io.debezium.time.ZonedTimestamp: ISO-8601 text with offset, e.g. 2024-01-15T10:30:45.123Z (string). */
  zonedTimestamp: (o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.time.ZonedTimestamp') }),
  /** io.debezium.time.ZonedTime (string). */
  zonedTime: (o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.time.ZonedTime') }),
  /** io.debezium.time.Year (int32). */
  year: (o?: Opts): Schema => Schemas.int32({ ...o, ...named('io.debezium.time.Year') }),
  /** io.debezium.time.MicroDuration (int64). */
  microDuration: (o?: Opts): Schema => Schemas.int64({ ...o, ...named('io.debezium.time.MicroDuration') }),
  /** io.debezium.data.Json: JSON text (string). */
  json: (o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.data.Json') }),
  /** io.debezium.data.Uuid (string). */
  uuid: (o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.data.Uuid') }),
  /** io.debezium.data.Xml (string). */
  xml: (o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.data.Xml') }),
  /** io.debezium.data.Enum: one of the allowed values (string, parameter "allowed"). */
  enum: (allowed: readonly string[], o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.data.Enum'), parameters: { allowed: allowed.join(',') } }),
  /** io.debezium.data.EnumSet: a comma-separated subset of the allowed values (string). */
  enumSet: (allowed: readonly string[], o?: Opts): Schema => Schemas.string({ ...o, ...named('io.debezium.data.EnumSet'), parameters: { allowed: allowed.join(',') } }),
  /** io.debezium.data.Bits: BIT(n) as little-endian bytes (parameter "length"). */
  bits: (length: number, o?: Opts): Schema => Schemas.bytes({ ...o, ...named('io.debezium.data.Bits'), parameters: { length: String(length) } }),
  /** Connect's Decimal with Debezium's "connect.decimal.precision" parameter when the precision is known. */
  decimal: (scale: number, precision: number | null, o?: Opts): Schema => {
    // Decimal.builder(scale).parameter(...): "scale" first, as Debezium's JSON shows it.
    const s = Schemas.decimal(scale, o);
    return precision === null ? s : { ...s, parameters: { ...s.parameters, 'connect.decimal.precision': String(precision) } };
  },
};

/** The three decimal.handling.mode values every Debezium relational connector has. */
export const DECIMAL_HANDLING_MODES = ['precise', 'double', 'string'] as const;
export type DecimalHandlingMode = (typeof DECIMAL_HANDLING_MODES)[number];

/** time.precision.mode values of the binlog connectors (connect = Connect's own logical types). */
export const TIME_PRECISION_MODES = ['adaptive_time_microseconds', 'connect'] as const;
export type TimePrecisionMode = (typeof TIME_PRECISION_MODES)[number];

/** A DECIMAL column's schema under decimal.handling.mode. */
export function decimalSchema(mode: DecimalHandlingMode, scale: number, precision: number | null, o?: Opts): Schema {
  if (mode === 'double') return Schemas.float64(o);
  if (mode === 'string') return Schemas.string(o);
  return DebeziumTypes.decimal(scale, precision, o);
}

/** A DECIMAL column's value (exact decimal text in) under decimal.handling.mode. */
export function decimalValue(mode: DecimalHandlingMode, text: string): string | number {
  return mode === 'double' ? Number(text) : text;
}
