import type { ConfigDef, ConfigOf, KeyMap } from '../config/define.js';
import type { ConnectRecord } from '../records/record.js';

/**
 * Kafka Connect's Transformation. Pure: never mutates its input; returns a new
 * record, or null to drop it.
 */
export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  apply(record: R): R | null;
}

/**
 * What a declared transform creates. Generic per call because every transform
 * copies the record it is given (object spread), so a SinkRecord stays a
 * SinkRecord with its original topic-partition-offset.
 */
export interface RecordTransformation {
  apply<R extends ConnectRecord>(record: R): R | null;
}

/** Kafka Connect's Predicate, used to apply a transform conditionally. */
export interface Predicate {
  test(record: ConnectRecord): boolean;
}

interface PluginDeclaration<K extends KeyMap> {
  /** Short name, e.g. InsertField$Value */
  name: string;
  /** Kafka Connect's class name, e.g. org.apache.kafka.connect.transforms.InsertField$Value */
  className: string;
  aliases: string[];
  summary: string;
  config: ConfigDef<K>;
}

export interface TransformDefinition<K extends KeyMap = KeyMap> extends PluginDeclaration<K> {
  kind: 'transformation';
  /** Builds the transform from its parsed config; throws ConfigError for cross-key problems. */
  create(cfg: ConfigOf<K>): RecordTransformation;
}

export interface PredicateDefinition<K extends KeyMap = KeyMap> extends PluginDeclaration<K> {
  kind: 'predicate';
  create(cfg: ConfigOf<K>): Predicate;
}

export function defineTransform<K extends KeyMap>(d: Omit<TransformDefinition<K>, 'kind'>): TransformDefinition<K> {
  return { ...d, kind: 'transformation' };
}

export function definePredicate<K extends KeyMap>(d: Omit<PredicateDefinition<K>, 'kind'>): PredicateDefinition<K> {
  return { ...d, kind: 'predicate' };
}

export const TRANSFORMS_PACKAGE = 'org.apache.kafka.connect.transforms';
export const PREDICATES_PACKAGE = 'org.apache.kafka.connect.transforms.predicates';
