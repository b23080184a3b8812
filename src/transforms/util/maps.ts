import { DataException, Struct } from '../../records/schema.js';

/**
 * A schemaless map value: a plain object (what JSON decoding gives) or a Map.
 * Transforms keep the caller's representation: a Map in gives a Map out.
 */
export type SchemalessMap = Record<string, unknown> | Map<unknown, unknown>;

export function isSchemalessMap(v: unknown): v is SchemalessMap {
  if (v instanceof Map) return true;
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Short type name for error messages, in the spirit of Connect's class names. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'Object';
}

/** Connect's Requirements.requireMap: schemaless transforms only work on maps. */
export function requireMap(v: unknown, purpose: string): SchemalessMap {
  if (!isSchemalessMap(v)) throw new DataException(`Only Map objects supported in absence of schema for [${purpose}], found: ${typeName(v)}`);
  return v;
}

export function requireMapOrNull(v: unknown, purpose: string): SchemalessMap | null {
  return v === null || v === undefined ? null : requireMap(v, purpose);
}

export function requireStruct(v: unknown, purpose: string): Struct {
  if (!(v instanceof Struct)) throw new DataException(`Only Struct objects supported for [${purpose}], found: ${typeName(v)}`);
  return v;
}

export function requireStructOrNull(v: unknown, purpose: string): Struct | null {
  return v === null || v === undefined ? null : requireStruct(v, purpose);
}

/** Entries in insertion order, keys as strings. */
export function entriesOf(m: SchemalessMap): Array<[string, unknown]> {
  return m instanceof Map ? [...m].map(([k, v]) => [String(k), v]) : Object.entries(m);
}

/** A field of a schemaless map; a missing field reads as null, like Java's Map.get. */
export function fieldOf(m: SchemalessMap, name: string): unknown {
  const v = m instanceof Map ? m.get(name) : Object.prototype.hasOwnProperty.call(m, name) ? m[name] : undefined;
  return v === undefined ? null : v;
}

/** A mutable working copy; build the result back with toMapLike. */
export function toEntryMap(m: SchemalessMap): Map<string, unknown> {
  return new Map(entriesOf(m));
}

/** A new map of the same representation as `like` (Map or plain object). */
export function toMapLike(like: SchemalessMap | null, entries: Iterable<[string, unknown]>): SchemalessMap {
  if (like instanceof Map) return new Map<unknown, unknown>(entries);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}
