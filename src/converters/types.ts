import type { Schema } from '../records/schema.js';

/** What a converter hands back when reading: Connect's SchemaAndValue. */
export interface SchemaAndValue {
  schema: Schema | null;
  value: unknown;
  /** The JSON text the value was parsed from, when writing the value as JSON gives the same data (schemaless JSON). */
  json?: string;
}

/** A result now, or later when it needs I/O (a schema registry converter on a cache miss). */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(x: MaybePromise<T>): x is Promise<T> {
  return x instanceof Promise;
}

/**
 * Kafka Connect's Converter: turns a record's key or value into bytes and back.
 * Failures are DataError with stage KEY_CONVERTER or VALUE_CONVERTER (from isKey);
 * bad settings are ConfigError.
 *
 * Connect's converters block on I/O (a registry lookup); ours answer synchronously when they can
 * and return a Promise only when they must wait (the schema registry converters on a cache miss),
 * so the record loops stay synchronous for every other converter and for cached schemas.
 */
export interface Converter {
  /** Settings without their `key.converter.` / `value.converter.` prefix. */
  configure(config: Record<string, string>, isKey: boolean): void;
  /** null bytes for a null value with no schema (a tombstone). */
  fromConnectData(topic: string, schema: Schema | null | undefined, value: unknown): MaybePromise<Buffer | null>;
  /** null bytes (a tombstone) read as a null value. */
  toConnectData(topic: string, bytes: Buffer | null): MaybePromise<SchemaAndValue>;
}

/** Kafka Connect's HeaderConverter. Failures are DataError with stage HEADER_CONVERTER. */
export interface HeaderConverter {
  /** Settings without their `header.converter.` prefix. */
  configure(config: Record<string, string>): void;
  fromConnectHeader(topic: string, key: string, schema: Schema | null | undefined, value: unknown): Buffer | null;
  toConnectHeader(topic: string, key: string, bytes: Buffer | null): SchemaAndValue;
}
