// A captured table's columns as Debezium's MySQL connector maps them (MySqlValueConverters /
// BinlogValueConverters): the Connect schema of each column and the conversion of the values the
// snapshot query (mysql2) and the binlog reader (zongji) give, which are configured to agree
// (dateStrings, TIMESTAMP in UTC, DECIMAL as exact text, BIGINT exact).
import { Schemas, type Schema } from '../../records/schema.js';
import { DebeziumTypes, decimalSchema, decimalValue, type DecimalHandlingMode, type TimePrecisionMode } from '../debezium/types.js';

/** One row of information_schema.COLUMNS, as read. */
export interface ColumnInfo {
  name: string;
  /** DATA_TYPE, lower case: int, varchar, decimal, … */
  dataType: string;
  /** COLUMN_TYPE: int(10) unsigned, enum('a','b'), … */
  columnType: string;
  nullable: boolean;
  /** NUMERIC_PRECISION or CHARACTER_MAXIMUM_LENGTH, whichever applies. */
  length: number | null;
  scale: number | null;
  datetimePrecision: number | null;
  position: number;
  charset: string | null;
  autoIncrement: boolean;
  generated: boolean;
  comment: string;
  defaultExpression: string | null;
}

export interface TypeOptions {
  decimal: DecimalHandlingMode;
  time: TimePrecisionMode;
}

/** A column's Connect schema and how a read value becomes a Connect value. */
export interface MappedColumn {
  info: ColumnInfo;
  schema: Schema;
  convert(v: unknown): unknown;
}

const MS_PER_DAY = 86_400_000;

/** ENUM('a','b') / SET('x','y') member list, with MySQL's '' quote doubling undone. */
export function enumValues(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const inner = columnType.slice(open + 1, columnType.lastIndexOf(')'));
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(inner); m; m = re.exec(inner)) out.push(m[1]!.replace(/''/g, "'").replace(/\\\\/g, '\\'));
  return out;
}

/** 'YYYY-MM-DD' -> days since the epoch (zero dates read as null, as Debezium does). */
function epochDays(s: string): number | null {
  const ms = Date.parse(`${s.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(ms) ? null : Math.round(ms / MS_PER_DAY);
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' read as UTC -> µs since the epoch, or null for zero dates. */
function epochMicros(s: string): number | null {
  const [date, time = '00:00:00'] = s.split(' ');
  const [hms, frac = ''] = time.split('.');
  const ms = Date.parse(`${date}T${hms}Z`);
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number((frac + '000000').slice(0, 6));
}

/** '[-]HHH:MM:SS[.ffffff]' -> µs (MySQL TIME may be negative or beyond 24 h). */
function timeMicros(s: string): number {
  const neg = s.startsWith('-');
  const [hms, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const [h, m, sec] = hms!.split(':').map(Number);
  const micros = ((h! * 60 + m!) * 60 + sec!) * 1_000_000 + Number((frac + '000000').slice(0, 6));
  return neg ? -micros : micros;
}

/** io.debezium.time.ZonedTimestamp text for a UTC 'YYYY-MM-DD HH:MM:SS[.f]': ISO-8601 with Z, fraction as the column's precision. */
function zonedTimestamp(s: string, precision: number): string | null {
  const micros = epochMicros(s);
  if (micros === null) return null;
  const iso = new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19);
  const frac = (s.split('.')[1] ?? '').padEnd(precision, '0').slice(0, precision);
  return `${iso}${precision > 0 ? `.${frac}` : ''}Z`;
}

function asString(v: unknown): string {
  return v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : String(v);
}

function bytes(v: unknown): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'binary') : (v as Uint8Array);
}

/** BIT(n) bytes (big-endian from the server) -> Debezium's Bits (little-endian). */
function bitsLittleEndian(v: unknown, n: number): Buffer {
  const b = Buffer.from(bytes(v));
  const size = Math.ceil(n / 8);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size && i < b.length; i++) out[i] = b[b.length - 1 - i]!;
  return out;
}

function int64(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  const b = BigInt(String(v));
  // BIGINT UNSIGNED beyond 2^63 wraps as Debezium's long mode does.
  const wrapped = b > 9223372036854775807n ? b - 18446744073709551616n : b;
  return wrapped >= BigInt(Number.MIN_SAFE_INTEGER) && wrapped <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wrapped) : wrapped;
}


/** Debezium's column mapping; unknown types are carried as strings. */
export function mapColumn(info: ColumnInfo, o: TypeOptions): MappedColumn {
  const opt = { optional: info.nullable, ...(info.comment ? { doc: info.comment } : {}) };
  const unsigned = /\bunsigned\b/i.test(info.columnType);
  const t = info.dataType.toLowerCase();
  const mk = (schema: Schema, convert: (v: unknown) => unknown): MappedColumn => ({ info, schema, convert });
  switch (t) {
    case 'tinyint': return mk(Schemas.int16(opt), Number);
    case 'smallint': return mk(unsigned ? Schemas.int32(opt) : Schemas.int16(opt), Number);
    case 'mediumint': return mk(Schemas.int32(opt), Number);
    case 'int': case 'integer': return mk(unsigned ? Schemas.int64(opt) : Schemas.int32(opt), Number);
    case 'bigint': return mk(Schemas.int64(opt), int64);
    case 'float': return mk(Schemas.float32(opt), Number);
    case 'double': case 'real': return mk(Schemas.float64(opt), Number);
    case 'decimal': case 'numeric': {
      const scale = info.scale ?? 0;
      return mk(decimalSchema(o.decimal, scale, info.length, opt), (v) => decimalValue(o.decimal, String(v)));
    }
    case 'bit': {
      const n = info.length ?? 1;
      if (n === 1) return mk(Schemas.boolean(opt), (v) => bytes(v).some((x) => x !== 0));
      return mk(DebeziumTypes.bits(n, opt), (v) => bitsLittleEndian(v, n));
    }
    case 'year': return mk(DebeziumTypes.year(opt), Number);
    case 'date':
      return o.time === 'connect'
        ? mk(Schemas.date(opt), (v) => { const d = epochDays(asString(v)); return d === null ? null : new Date(d * MS_PER_DAY); })
        : mk(DebeziumTypes.date(opt), (v) => epochDays(asString(v)));
    case 'time':
      return o.time === 'connect'
        ? mk(Schemas.time(opt), (v) => new Date(Math.floor(timeMicros(asString(v)) / 1000)))
        : mk(DebeziumTypes.microTime(opt), (v) => timeMicros(asString(v)));
    case 'datetime': {
      const p = info.datetimePrecision ?? 0;
      if (o.time === 'connect') return mk(Schemas.timestamp(opt), (v) => { const us = epochMicros(asString(v)); return us === null ? null : new Date(Math.floor(us / 1000)); });
      return p <= 3
        ? mk(DebeziumTypes.timestamp(opt), (v) => { const us = epochMicros(asString(v)); return us === null ? null : Math.floor(us / 1000); })
        : mk(DebeziumTypes.microTimestamp(opt), (v) => epochMicros(asString(v)));
    }
    case 'timestamp': {
      const p = info.datetimePrecision ?? 0;
      return mk(DebeziumTypes.zonedTimestamp(opt), (v) => zonedTimestamp(asString(v), p));
    }
    case 'enum': return mk(DebeziumTypes.enum(enumValues(info.columnType), opt), (v) => String(v));
    case 'set': return mk(DebeziumTypes.enumSet(enumValues(info.columnType), opt), (v) => (Array.isArray(v) ? v.join(',') : String(v)));
    case 'json': return mk(DebeziumTypes.json(opt), (v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob':
      return mk(Schemas.bytes(opt), bytes);
    case 'char': case 'varchar': case 'tinytext': case 'text': case 'mediumtext': case 'longtext':
      return mk(Schemas.string(opt), (v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
    default:
      return mk(Schemas.string(opt), (v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
  }
}

/** The Connect value of every column present in a row read from the server; absent columns stay absent. */
export function convertRow(columns: MappedColumn[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c.info.name];
    out[c.info.name] = v === null || v === undefined ? null : c.convert(v);
  }
  return out;
}
