import { DataException, LOGICAL, Schemas, Struct, type Schema, type SchemaType } from '../records/schema.js';
import { MILLIS_PER_DAY } from './logical.js';
import { int64Value, javaDoubleText, javaFloatText, parseBigDecimal, plainText, rescale } from './number-text.js';
import { mapEntries, setOwn } from './schema-util.js';
import type { SchemaAndValue } from './types.js';

/**
 * Connect's Values.convertToString and Values.parseString: the text form
 * SimpleHeaderConverter writes headers in, and its reading back with an inferred schema.
 */

/** Text for a value: strings as they are, numbers as the JVM prints them, collections JSON-like ({"a":1}, [1,2]). */
export function convertToString(schema: Schema | null | undefined, value: unknown): string {
  const out: string[] = [];
  append(out, schema ?? null, value, false);
  return out.join('');
}

function append(out: string[], schema: Schema | null | undefined, value: unknown, embedded: boolean): void {
  if (value === null || value === undefined) out.push('null');
  else if (typeof value === 'string') {
    // A Decimal is a Number in Connect: never quoted.
    out.push(embedded && schema?.name !== LOGICAL.Decimal ? `"${escape(value)}"` : value);
  } else if (typeof value === 'number') out.push(numberText(schema?.type, value));
  else if (typeof value === 'bigint' || typeof value === 'boolean') out.push(String(value));
  else if (value instanceof Uint8Array) {
    const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    out.push(embedded ? `"${b64}"` : b64);
  } else if (value instanceof Date) out.push(dateText(value));
  else if (value instanceof Struct) {
    out.push('{');
    (value.schema.fields ?? []).forEach((f, i) => {
      if (i > 0) out.push(',');
      out.push(`"${escape(f.name)}":`);
      append(out, f.schema, value.get(f.name), true);
    });
    out.push('}');
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      append(out, schema?.valueSchema, item, true);
    });
    out.push(']');
  } else {
    const entries = mapEntries(value);
    if (!entries) throw new DataException(`Failed to serialize unexpected value type ${(value as object).constructor?.name ?? typeof value}`);
    out.push('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.push(',');
      append(out, schema?.keySchema, k, true);
      out.push(':');
      append(out, schema?.valueSchema, v, true);
    });
    out.push('}');
  }
}

function numberText(type: SchemaType | undefined, n: number): string {
  if (type === 'float32') return javaFloatText(n);
  if (type === 'float64' || !Number.isInteger(n)) return javaDoubleText(n);
  return String(n === 0 ? 0 : n);
}

function escape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Connect picks the format from the millis alone: under a day a time, whole days a date, else a timestamp (UTC). */
function dateText(d: Date): string {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new DataException('Failed to serialize an invalid Date');
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  if (ms < MILLIS_PER_DAY) return time;
  if (ms % MILLIS_PER_DAY === 0) return date;
  return `${date}T${time}`;
}

const STRING = Schemas.string();
const BOOLEAN = Schemas.boolean();
const NULL: SchemaAndValue = { schema: null, value: null };
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_TEXT = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses header text back into a schema and value: null, booleans, integers (the
 * narrowest of int8..int64), floats (float32 when it fits, as Connect does), Date/Time/
 * Timestamp in Connect's ISO formats, arrays and maps of those; anything else is a string.
 */
export function parseString(text: string): SchemaAndValue {
  if (text === '') return { schema: STRING, value: text };
  const trimmed = text.trim();
  if (trimmed === '') return { schema: STRING, value: text };
  if (trimmed === 'null') return NULL;
  if (trimmed === 'true' || trimmed === 'false') return { schema: BOOLEAN, value: trimmed === 'true' };
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const scanner = new Scanner(trimmed);
      const parsed = scanner.value();
      if (scanner.atEnd() && parsed) return parsed;
    } catch (e) {
      if (!(e instanceof DataException)) throw e;
      // Not a well-formed array or map: Connect falls back to the plain string.
    }
    return { schema: STRING, value: text };
  }
  return scalar(trimmed) ?? { schema: STRING, value: text };
}

/** A temporal or numeric literal, or null. */
function scalar(token: string): SchemaAndValue | null {
  const first = token[0] ?? '';
  if (/\d/.test(first)) {
    const temporal = parseTemporal(token.replace(/\\:/g, ':'));
    if (temporal) return temporal;
  }
  if (/[\d+-]/.test(first) && NUMBER_TEXT.test(token)) return parseNumber(token);
  return null;
}

function parseTemporal(token: string): SchemaAndValue | null {
  let m = TIMESTAMP_TEXT.exec(token);
  if (m) return { schema: Schemas.timestamp(), value: utcDate(m.slice(1)) };
  m = TIME_TEXT.exec(token);
  if (m) return { schema: Schemas.time(), value: utcDate(['1970', '01', '01', ...m.slice(1)]) };
  m = DATE_TEXT.exec(token);
  if (m) return { schema: Schemas.date(), value: utcDate(m.slice(1)) };
  return null;
}

/** A UTC date from year, month, day[, h, m, s, ms] texts (setUTCFullYear keeps years below 100 as written). */
function utcDate(parts: string[]): Date {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0] = parts.map(Number);
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date;
}

const INT_RANGES: Array<[SchemaType, bigint]> = [['int8', 1n << 7n], ['int16', 1n << 15n], ['int32', 1n << 31n], ['int64', 1n << 63n]];

/** Connect's order: exact integer of the narrowest type, else float32, float64, else a Decimal. */
function parseNumber(token: string): SchemaAndValue | null {
  const d = parseBigDecimal(token);
  if (!d) return null;
  const whole = rescale(d, 0);
  if (whole) {
    for (const [type, limit] of INT_RANGES) {
      if (whole.unscaled >= -limit && whole.unscaled < limit) {
        return { schema: { type, optional: false }, value: type === 'int64' ? int64Value(whole.unscaled) : Number(whole.unscaled) };
      }
    }
  }
  const asDouble = Number(token);
  if (d.scale !== 0 && Number.isFinite(Math.fround(asDouble))) return { schema: Schemas.float32(), value: Math.fround(asDouble) };
  if (d.scale !== 0 && Number.isFinite(asDouble)) return { schema: Schemas.float64(), value: asDouble };
  return { schema: Schemas.decimal(d.scale), value: plainText(d) };
}

/** Order of widening among numbers when array elements or map entries mix them. */
const NUMERIC_RANK: Partial<Record<SchemaType, number>> = { int8: 0, int16: 1, int32: 2, int64: 3, float32: 4, float64: 5 };

/** Connect's SchemaMerger: the common schema of a collection's elements, or null when there is none. */
class SchemaMerger {
  private common: Schema | null = null;
  private compatible = true;

  merge(latest: SchemaAndValue | null): void {
    if (!latest?.schema || !this.compatible) return;
    if (!this.common) {
      this.common = latest.schema;
      return;
    }
    this.common = mergeSchemas(this.common, latest.schema);
    this.compatible = this.common !== null;
  }

  get schema(): Schema | null {
    return this.common;
  }
}

function mergeSchemas(previous: Schema, next: Schema): Schema | null {
  if (previous.type !== next.type) {
    const a = NUMERIC_RANK[previous.type];
    const b = NUMERIC_RANK[next.type];
    if (a === undefined || b === undefined || previous.name || next.name) return null;
    return a >= b ? previous : next;
  }
  if (previous.name !== next.name) return null;
  return previous.optional ? previous : next;
}

/** A value brought to the common element type (Connect aligns e.g. ints to float). */
function align(schema: Schema, value: unknown): unknown {
  if (value === null) return null;
  if (schema.type === 'float32' || schema.type === 'float64') {
    const n = Number(value);
    return schema.type === 'float32' ? Math.fround(n) : n;
  }
  return value;
}

/** Reads the JSON-ish text of arrays and maps, Connect's ValueParser for embedded values. */
class Scanner {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    this.space();
    return this.i >= this.s.length;
  }

  private space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private fail(message: string): never {
    throw new DataException(`${message}: ${this.s}`);
  }

  /** One embedded value; null for a null literal. */
  value(): SchemaAndValue | null {
    this.space();
    const c = this.s[this.i];
    if (c === '[') return this.array();
    if (c === '{') return this.map();
    if (c === '"') return this.quoted();
    return this.literal();
  }

  private array(): SchemaAndValue {
    this.i++;
    const items: unknown[] = [];
    const merger = new SchemaMerger();
    this.space();
    if (this.s[this.i] === ']') this.i++;
    else {
      for (;;) {
        const item = this.value();
        merger.merge(item);
        items.push(item?.value ?? null);
        this.space();
        const c = this.s[this.i++];
        if (c === ']') break;
        if (c !== ',') this.fail("Array elements missing ',' delimiter or terminating ']'");
      }
    }
    const common = merger.schema;
    if (!common) return { schema: { type: 'array', optional: false }, value: items };
    return { schema: Schemas.array(common), value: items.map((v) => align(common, v)) };
  }

  private map(): SchemaAndValue {
    this.i++;
    const entries: Array<[unknown, unknown]> = [];
    const keys = new SchemaMerger();
    const values = new SchemaMerger();
    this.space();
    if (this.s[this.i] === '}') this.i++;
    else {
      for (;;) {
        const k = this.value();
        if (!k || k.value === null) this.fail('Map entry may not have a null key');
        this.space();
        if (this.s[this.i++] !== ':') this.fail("Map entry is missing ':'");
        const v = this.value();
        entries.push([k.value, v?.value ?? null]);
        keys.merge(k);
        values.merge(v);
        this.space();
        const c = this.s[this.i++];
        if (c === '}') break;
        if (c !== ',') this.fail("Map entries missing ',' delimiter or terminating '}'");
      }
    }
    const keySchema = keys.schema;
    const valueSchema = values.schema;
    const aligned = entries.map(([k, v]): [unknown, unknown] => [keySchema ? align(keySchema, k) : k, valueSchema ? align(valueSchema, v) : v]);
    const schema: Schema = { type: 'map', optional: false };
    if (keySchema) schema.keySchema = keySchema;
    if (keySchema && valueSchema) schema.valueSchema = valueSchema;
    // String keys give the plain-object form of a map, as JsonConverter reads them.
    if (aligned.every(([k]) => typeof k === 'string')) {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of aligned) setOwn(obj, k as string, v);
      return { schema, value: obj };
    }
    return { schema, value: new Map(aligned) };
  }

  /** A quoted string (\" and \\ unescaped); it may hold a date, time or timestamp. */
  private quoted(): SchemaAndValue {
    let out = '';
    for (this.i++; ; this.i++) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('Unterminated string');
      if (c === '"') break;
      if (c === '\\' && (this.s[this.i + 1] === '"' || this.s[this.i + 1] === '\\')) this.i++;
      out += this.s[this.i];
    }
    this.i++;
    return parseTemporal(out) ?? { schema: STRING, value: out };
  }

  /** An unquoted literal: null, true, false, a number or a temporal value. */
  private literal(): SchemaAndValue | null {
    // Times hold ':' which also separates map entries, so try them before cutting at delimiters.
    const rest = this.s.slice(this.i);
    const temporal = /^(\d{4}-\d{2}-\d{2}T\d{2}\\?:\d{2}\\?:\d{2}\.\d{3}Z|\d{2}\\?:\d{2}\\?:\d{2}\.\d{3}Z)/.exec(rest);
    const raw = temporal ? temporal[0] : /^[^,:{}[\]"]*/.exec(rest)![0];
    this.i += raw.length;
    const token = raw.trim();
    if (token === 'null') return null;
    if (token === 'true' || token === 'false') return { schema: BOOLEAN, value: token === 'true' };
    const parsed = token === '' ? null : scalar(token);
    if (!parsed) this.fail('Failed to parse embedded value');
    return parsed;
  }
}
