import { Struct, type Schema, type SchemaType } from '../records/schema.js';

/** Connect's enum name for a type, as its error messages print it ("INT32", "FLOAT64"). */
export function typeLabel(type: SchemaType): string {
  return type.toUpperCase();
}

/** ConnectSchema.equals: same type, optionality, metadata, default and nested schemas. */
export function schemasEqual(a: Schema | null | undefined, b: Schema | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.type === b.type
    && a.optional === b.optional
    && a.name === b.name
    && a.version === b.version
    && a.doc === b.doc
    && recordsEqual(a.parameters, b.parameters)
    && valuesEqual(a.defaultValue ?? null, b.defaultValue ?? null)
    && schemasEqual(a.keySchema, b.keySchema)
    && schemasEqual(a.valueSchema, b.valueSchema)
    && (a.fields ?? []).length === (b.fields ?? []).length
    && (a.fields ?? []).every((f, i) => f.name === b.fields?.[i]?.name && schemasEqual(f.schema, b.fields[i]!.schema));
}

function recordsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b ?? {}).length && ak.every((k) => a?.[k] === b?.[k]);
}

/** Deep equality for default values (bytes, dates, arrays, maps, structs). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (a instanceof Struct && b instanceof Struct) return schemasEqual(a.schema, b.schema) && valuesEqual(a.toObject(), b.toObject());
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]));
  const ea = mapEntries(a);
  const eb = mapEntries(b);
  if (!ea || !eb || ea.length !== eb.length) return false;
  return ea.every(([k, v]) => eb.some(([k2, v2]) => valuesEqual(k, k2) && valuesEqual(v, v2)));
}

/** A plain `{...}` object, the string-keyed form of a map value. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Entries of a map value (a Map or a plain object); null when the value is neither. */
export function mapEntries(value: unknown): Array<[unknown, unknown]> | null {
  if (value instanceof Map) return [...value.entries()];
  if (isPlainObject(value)) return Object.entries(value);
  return null;
}

/** Sets a key on a plain object even when it is "__proto__" (plain assignment would change the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

