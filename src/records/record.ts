import type { Schema } from './schema.js';

/** A header as Connect sees it: key, typed value, optional schema. */
export interface ConnectHeader {
  key: string;
  value: unknown;
  schema?: Schema | null;
}

/** A map that identifies where a source record came from, e.g. {table, protocol}. */
export type SourcePartition = Record<string, unknown>;
/** A map that says how far a source partition has been read, e.g. {incrementing: 42}. */
export type SourceOffset = Record<string, unknown>;

/** Kafka Connect's ConnectRecord: what connectors produce, transforms rewrite and converters serialize. */
export interface ConnectRecord {
  topic: string;
  kafkaPartition?: number | null;
  key: unknown;
  keySchema?: Schema | null;
  value: unknown;
  valueSchema?: Schema | null;
  headers: ConnectHeader[];
  /** epoch ms */
  timestamp?: number | null;
}

export interface SourceRecord extends ConnectRecord {
  sourcePartition: SourcePartition;
  sourceOffset: SourceOffset;
}

export interface SinkRecord extends ConnectRecord {
  kafkaPartition: number;
  kafkaOffset: number;
  /** Where the record was read from, kept when a transform renames its topic. */
  originalTopic: string;
  originalKafkaPartition: number;
  originalKafkaOffset: number;
  /**
   * The value's JSON text as it came from Kafka, set only while the value is exactly what that
   * text says (schemaless JSON, no transform ran): a sink may write it instead of serializing.
   */
  valueJson?: string;
}
