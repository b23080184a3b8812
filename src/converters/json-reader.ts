import { LOGICAL, Struct, type Schema } from '../records/schema.js';
import { parseJsonValueAt, quoteJson, type JsonNode } from './json-tree.js';

// Reading a payload of a known schema straight from its text into Connect data, one pass, no
// JSON tree: the reading half of what compileWriter in json-converter.ts does for writing. A
// reader takes the compact form Connect writes (struct fields in schema order, no spaces) and
// answers MISS for anything else, without throwing; the converter then reads the text the exact
// way (parseJson + toConnect), so values and errors are the exact path's. Values that are rare or
// long to read (Decimal, maps, integers of more than 15 digits, non-finite floats) are parsed as
// one JSON node and converted by the exact path's own conversion.

/** A reader's answer when the text is not in a form it reads. */
export const MISS: unique symbol = Symbol('json-reader.miss');
type Miss = typeof MISS;

/** A position in the text being read. */
export interface Cursor {
  s: string;
  i: number;
}

/** Reads one value at c.i and moves c.i past it; MISS (c.i then anywhere) when it cannot. */
export type PayloadReader = (c: Cursor) => unknown;

export interface ReaderOptions {
  replaceNullWithDefault: boolean;
  /** The exact path's conversion of one parsed value (Connect's convertToConnect); may throw. */
  exact(schema: Schema, node: JsonNode): unknown;
}

const MILLIS_PER_DAY = 86_400_000;
const INT_MAX: Record<string, number> = { int8: 2 ** 7, int16: 2 ** 15, int32: 2 ** 31 };

/**
 * An integer literal of 1 to 15 digits (exact as a number), as JSON writes it (no leading zero,
 * no fraction or exponent following); MISS for any other text.
 */
function readSmallInt(c: Cursor): number | Miss {
  const s = c.s;
  let i = c.i;
  const negative = s.charCodeAt(i) === 45;
  if (negative) i++;
  const start = i;
  let n = 0;
  for (;;) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) break;
    n = n * 10 + d;
    i++;
  }
  const digits = i - start;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(start) === 48)) return MISS;
  const next = s.charCodeAt(i);
  // A fraction or an exponent: not an integer literal.
  if (next === 46 || next === 101 || next === 69) return MISS;
  c.i = i;
  return negative && n !== 0 ? -n : n;
}

/** A JSON number literal (RFC 8259's grammar) read as a double, as Number() reads its text. */
function readNumber(c: Cursor): number | Miss {
  const s = c.s;
  let i = c.i;
  const start = i;
  if (s.charCodeAt(i) === 45) i++;
  const first = s.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) while (isDigit(s.charCodeAt(i))) i++;
  else return MISS;
  if (s.charCodeAt(i) === 46) {
    i++;
    if (!isDigit(s.charCodeAt(i))) return MISS;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(s.charCodeAt(i))) return MISS;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  c.i = i;
  return Number(s.slice(start, i));
}

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

/** A JSON string: sliced when it has no escapes, JSON.parse'd (the same grammar as parseJson's) when it has. */
function readString(c: Cursor): string | Miss {
  const s = c.s;
  let i = c.i;
  if (s.charCodeAt(i) !== 34) return MISS;
  const start = ++i;
  let escaped = false;
  for (;;) {
    const ch = s.charCodeAt(i);
    if (ch === 34) break;
    if (ch === 92) {
      escaped = true;
      i += 2;
      continue;
    }
    // A control character (refused by JSON) or the end of the text.
    if (!(ch >= 0x20)) return MISS;
    i++;
  }
  c.i = i + 1;
  if (!escaped) return s.slice(start, i);
  try {
    return JSON.parse(s.slice(start - 1, i + 1)) as string;
  } catch {
    return MISS;
  }
}

/** One value of this schema at nesting depth `depth`: parsed as a JSON node, converted by the exact path. */
function nodeReader(schema: Schema, depth: number, o: ReaderOptions): PayloadReader {
  return (c) => {
    const r = parseJsonValueAt(c.s, c.i, depth);
    if (r === undefined) return MISS;
    c.i = r.end;
    try {
      return o.exact(schema, r.node);
    } catch {
      return MISS;
    }
  };
}

/**
 * The reader of a value of `schema`, or null when every value would take the node path anyway
 * (a schemaless envelope). `depth` is the value's nesting depth in the payload (the exact parser's
 * depth limit applies to the node path).
 */
export function compileReader(schema: Schema | null, o: ReaderOptions, depth = 0): PayloadReader | null {
  if (!schema) return null;
  const node = nodeReader(schema, depth, o);
  // null: the default (replace.null.with.default), null for optional fields, otherwise the exact path's error.
  const onNull: unknown = schema.defaultValue != null && o.replaceNullWithDefault ? schema.defaultValue : schema.optional ? null : MISS;
  const fast = fastReader(schema, o, depth);
  if (!fast) return node;
  return (c) => {
    const s = c.s;
    const at = c.i;
    if (s.charCodeAt(at) === 110) {
      if (onNull === MISS || !s.startsWith('null', at)) return MISS;
      c.i = at + 4;
      return onNull;
    }
    const v = fast(c);
    if (v !== MISS) return v;
    // An unusual value of this type (a long integer, "NaN", a wrong type): as one node, exactly.
    c.i = at;
    return node(c);
  };
}

/** The one-pass reader of a non-null value of the schemas read often; null for the rest (node path). */
function fastReader(schema: Schema, o: ReaderOptions, depth: number): PayloadReader | null {
  switch (schema.name) {
    case LOGICAL.Decimal:
      return null;
    case LOGICAL.Date:
      return (c) => {
        const n = readSmallInt(c);
        return n !== MISS && n >= -INT_MAX.int32 && n < INT_MAX.int32 ? new Date(n * MILLIS_PER_DAY) : MISS;
      };
    case LOGICAL.Time:
      return (c) => {
        const n = readSmallInt(c);
        return n !== MISS && n >= 0 && n <= MILLIS_PER_DAY ? new Date(n) : MISS;
      };
    case LOGICAL.Timestamp:
      // Up to 15 digits: inside a Date's range.
      return (c) => {
        const n = readSmallInt(c);
        return n === MISS ? MISS : new Date(n);
      };
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': {
      const max = INT_MAX[schema.type];
      return (c) => {
        const n = readSmallInt(c);
        return n !== MISS && n >= -max && n < max ? n : MISS;
      };
    }
    case 'int64':
      return readSmallInt;
    case 'float64':
      return readNumber;
    case 'float32':
      return (c) => {
        const n = readNumber(c);
        return n === MISS ? MISS : Math.fround(n);
      };
    case 'boolean':
      return (c) => {
        if (c.s.startsWith('true', c.i)) {
          c.i += 4;
          return true;
        }
        if (c.s.startsWith('false', c.i)) {
          c.i += 5;
          return false;
        }
        return MISS;
      };
    case 'string':
      return readString;
    case 'bytes':
      return (c) => {
        const text = readString(c);
        return text === MISS ? MISS : Buffer.from(text, 'base64');
      };
    case 'array': {
      const item = schema.valueSchema ? compileReader(schema.valueSchema, o, depth + 1) : null;
      if (!item) return null;
      return (c) => {
        const s = c.s;
        if (s.charCodeAt(c.i) !== 91) return MISS;
        c.i++;
        const out: unknown[] = [];
        if (s.charCodeAt(c.i) === 93) {
          c.i++;
          return out;
        }
        for (;;) {
          const v = item(c);
          if (v === MISS) return MISS;
          out.push(v);
          const ch = s.charCodeAt(c.i++);
          if (ch === 93) return out;
          if (ch !== 44) return MISS;
        }
      };
    }
    case 'struct': {
      // Each field's `"name":` as Connect writes it, after `{` or `,`: fields in schema order only.
      const fields = (schema.fields ?? []).map((f, k) => ({
        name: f.name, token: (k === 0 ? '{' : ',') + quoteJson(f.name) + ':', read: compileReader(f.schema, o, depth + 1)!,
      }));
      if (fields.length === 0) return null;
      return (c) => {
        const s = c.s;
        const struct = new Struct(schema);
        for (let k = 0; k < fields.length; k++) {
          const f = fields[k];
          if (!s.startsWith(f.token, c.i)) return MISS;
          c.i += f.token.length;
          const v = f.read(c);
          if (v === MISS) return MISS;
          struct.put(f.name, v);
        }
        if (s.charCodeAt(c.i) !== 125) return MISS;
        c.i++;
        return struct;
      };
    }
    default:
      return null;
  }
}

/** Reads a whole text with a compiled reader: the value, or MISS when the text is not wholly read. */
export function readWhole(read: PayloadReader, c: Cursor, text: string): unknown {
  c.s = text;
  c.i = 0;
  const v = read(c);
  return v !== MISS && c.i === text.length ? v : MISS;
}
