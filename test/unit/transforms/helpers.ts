import { expect } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import type { ConnectRecord, SinkRecord, SourceRecord } from '../../../src/records/record.js';
import { Struct } from '../../../src/records/schema.js';
import type { Predicate, PredicateDefinition, RecordTransformation, TransformDefinition } from '../../../src/transforms/types.js';

/** Parses a transform's config like the chain does and creates it; throws ConfigError on problems. */
export function make(def: TransformDefinition, raw: Record<string, string> = {}): RecordTransformation {
  const parsed = def.config.parse(raw);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((p) => p.message).join('; '), parsed.problems);
  return def.create(parsed.value);
}

export function makePredicate(def: PredicateDefinition, raw: Record<string, string> = {}): Predicate {
  const parsed = def.config.parse(raw);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((p) => p.message).join('; '), parsed.problems);
  return def.create(parsed.value);
}

/** The problems a config gives, by key (empty when it is fine). */
export function configProblems(def: TransformDefinition | PredicateDefinition, raw: Record<string, string>): Array<{ key: string; message: string }> {
  const parsed = def.config.parse(raw);
  if (!parsed.ok) return parsed.problems;
  try {
    def.create(parsed.value as never);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

export const TS = Date.UTC(2024, 0, 15, 10, 30, 45, 123);

export function sinkRecord(over: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 'orders', kafkaPartition: 3, kafkaOffset: 42,
    originalTopic: 'orders', originalKafkaPartition: 3, originalKafkaOffset: 42,
    key: null, keySchema: null, value: null, valueSchema: null, headers: [], timestamp: TS,
    ...over,
  };
}

export function sourceRecord(over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    topic: 'orders', kafkaPartition: null, key: null, keySchema: null, value: null, valueSchema: null,
    headers: [], timestamp: TS, sourcePartition: { table: 'orders' }, sourceOffset: { id: 1 },
    ...over,
  };
}

/** A deep, comparable picture of a value (Structs, Maps and Dates included). */
export function snapshot(v: unknown): unknown {
  if (v instanceof Struct) return { struct: snapshot(v.schema), values: snapshot(v.toObject()) };
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [snapshot(k), snapshot(x)]) };
  if (v instanceof Date) return { date: v.getTime() };
  if (Array.isArray(v)) return v.map(snapshot);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snapshot(x)]));
  return v;
}

/** Applies the transform and checks the input record was not mutated. */
export function applyPure<R extends ConnectRecord>(t: RecordTransformation, record: R): R | null {
  const before = snapshot(record);
  const out = t.apply(record);
  expect(snapshot(record)).toEqual(before);
  return out;
}

/** The transformed record, asserting it was not dropped. */
export function applied<R extends ConnectRecord>(t: RecordTransformation, record: R): R {
  const out = applyPure(t, record);
  if (out === null) throw new Error('record was dropped');
  return out;
}
