/**
 * A small JSON tree, parser and writer. JSON.parse/stringify lose int64 and decimal
 * precision and order nothing for us, so numbers stay as their source text, objects
 * are Maps (insertion order = Jackson's field order), and the writer escapes like
 * Jackson (upper-case \u00XX) so our bytes equal Kafka Connect's.
 */

/** A JSON number kept as text. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** Jackson's isIntegralNumber: no fraction and no exponent in the text. */
  get integral(): boolean {
    return INTEGER.test(this.text);
  }
}

export type JsonObject = Map<string, JsonNode>;
export type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | JsonObject;

const INTEGER = /^-?\d+$/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Jackson 2.15+ refuses deeper documents; so do we, before the stack does. */
const MAX_DEPTH = 1000;

/** Jackson's node type names, used in Connect's error messages. */
export function nodeType(node: JsonNode | undefined): string {
  if (node === undefined) return 'MISSING';
  if (node === null) return 'NULL';
  if (typeof node === 'boolean') return 'BOOLEAN';
  if (typeof node === 'string') return 'STRING';
  if (node instanceof JsonNumber) return 'NUMBER';
  return Array.isArray(node) ? 'ARRAY' : 'OBJECT';
}

/** Jackson's asText for scalar nodes (used for map keys). */
export function nodeText(node: JsonNode): string {
  if (typeof node === 'string') return node;
  if (node instanceof JsonNumber) return node.text;
  if (node === null || typeof node === 'boolean') return String(node);
  return '';
}

/** Parses one JSON document; undefined for blank input (Jackson's MissingNode). */
export function parseJson(text: string): JsonNode | undefined {
  const reader = new Reader(text);
  reader.skipSpace();
  if (reader.atEnd()) return undefined;
  const node = reader.value(0);
  reader.skipSpace();
  if (!reader.atEnd()) reader.fail('Unexpected content after the JSON value');
  return node;
}

/**
 * One JSON value starting at `start` (no leading or trailing space taken), at nesting depth
 * `depth` of its document: the node and where it ends, or undefined when the text there is not
 * one valid value.
 */
export function parseJsonValueAt(text: string, start: number, depth: number): { node: JsonNode; end: number } | undefined {
  const c = text.charCodeAt(start);
  if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return undefined;
  const reader = new Reader(text, start);
  try {
    const node = reader.value(depth);
    return { node, end: reader.position };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return undefined;
    throw e;
  }
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

class Reader {
  constructor(private readonly s: string, private i = 0) {}

  get position(): number {
    return this.i;
  }

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(`${message} at position ${this.i}`);
  }

  skipSpace(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`Document nesting depth exceeds ${MAX_DEPTH}`);
    this.skipSpace();
    const c = this.s[this.i];
    switch (c) {
      case '{': return this.object(depth);
      case '[': return this.array(depth);
      case '"': return this.string();
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'n': return this.literal('null', null);
      default: {
        NUMBER.lastIndex = this.i;
        const m = NUMBER.exec(this.s);
        if (!m) this.fail(c === undefined ? 'Unexpected end of input' : `Unexpected character '${c}'`);
        this.i += m[0].length;
        return new JsonNumber(m[0]);
      }
    }
  }

  private literal<T extends JsonNode>(word: string, node: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail(`Unrecognized token, expected '${word}'`);
    this.i += word.length;
    return node;
  }

  private object(depth: number): JsonObject {
    const out: JsonObject = new Map();
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === '}') { this.i++; return out; }
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] !== '"') this.fail('Expected a field name');
      const name = this.string();
      this.skipSpace();
      if (this.s[this.i] !== ':') this.fail("Expected ':'");
      this.i++;
      out.set(name, this.value(depth + 1));
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') { this.i--; this.fail("Expected ',' or '}'"); }
    }
  }

  private array(depth: number): JsonNode[] {
    const out: JsonNode[] = [];
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === ']') { this.i++; return out; }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') { this.i--; this.fail("Expected ',' or ']'"); }
    }
  }

  private string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let start = i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (Number.isNaN(c)) { this.i = i; this.fail('Unterminated string'); }
      if (c === 0x22) break;
      if (c < 0x20) { this.i = i; this.fail('Illegal unquoted control character in string'); }
      if (c !== 0x5c) { i++; continue; }
      out += s.slice(start, i);
      const e = s[i + 1];
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        this.i = i;
        this.fail('Invalid escape in string');
      }
      start = i;
    }
    this.i = i + 1;
    return out + s.slice(start, i);
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Compact JSON text, field order as inserted, escapes as Jackson writes them. */
export function writeJson(node: JsonNode): string {
  const parts: string[] = [];
  write(node, parts);
  return parts.join('');
}

function write(node: JsonNode, out: string[]): void {
  if (node === null || typeof node === 'boolean') out.push(String(node));
  else if (typeof node === 'string') out.push(quoteJson(node));
  else if (node instanceof JsonNumber) out.push(node.text);
  else if (Array.isArray(node)) {
    out.push('[');
    node.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const [name, value] of node) {
      if (!first) out.push(',');
      first = false;
      out.push(quoteJson(name), ':');
      write(value, out);
    }
    out.push('}');
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

export function quoteJson(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c < 0x20) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}
