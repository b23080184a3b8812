import { DataError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import { LOGICAL, Struct, type Schema } from '../../records/schema.js';
import { PathFormat } from './path-format.js';

// Confluent's storage partitioners (kafka-connect-storage-common, io.confluent.connect.storage.
// partitioner): each turns a record into its encoded partition, the directory part of the file's
// path below <topics.dir>/<topic>/. Failures are DataErrors (Confluent's PartitionException),
// which the core hands to errors.tolerance and the dead letter queue.

export const PARTITIONER_PACKAGE = 'io.confluent.connect.storage.partitioner';
export const PARTITIONERS = ['DefaultPartitioner', 'FieldPartitioner', 'TimeBasedPartitioner', 'DailyPartitioner', 'HourlyPartitioner'] as const;
export type PartitionerName = (typeof PARTITIONERS)[number];

export const TIMESTAMP_EXTRACTORS = ['Record', 'RecordField', 'Wallclock'] as const;
export type TimestampExtractorName = (typeof TIMESTAMP_EXTRACTORS)[number];

export interface Partitioner {
  /** The directory part for the record, e.g. partition=3 or year=2026/month=12. */
  encodePartition(record: SinkRecord, now: number): string;
  /** <topic><delim><encoded>, as Confluent's generatePartitionedPath. */
  partitionedPath(topic: string, encoded: string): string;
  /** Time-based partitioners' timestamp of a record (for rotate.interval.ms), else undefined. */
  readonly timestamp?: (record: SinkRecord, now: number) => number;
}

export interface PartitionerSettings {
  partitioner: PartitionerName;
  directoryDelim: string;
  fieldNames: string[];
  pathFormat?: string;
  partitionDurationMs: number;
  locale: string;
  timezone: string;
  timestampExtractor: TimestampExtractorName;
  timestampField: string;
}

/** The short name of a partitioner class (full Confluent name, or any package ending in one of the known names). */
export function partitionerName(className: string): PartitionerName | undefined {
  const simple = className.slice(className.lastIndexOf('.') + 1).trim();
  return PARTITIONERS.find((p) => p === simple);
}

const partitionError = (message: string) => new DataError(message, 'TASK_PUT');

/** A (possibly dotted) field of a Struct or a schemaless map, with its schema when it has one. */
function nestedField(value: unknown, schema: Schema | null | undefined, name: string): { value: unknown; schema?: Schema; found: boolean } {
  let v: unknown = value;
  let s: Schema | undefined = schema ?? undefined;
  for (const part of name.split('.')) {
    if (v instanceof Struct) {
      const f = v.field(part);
      if (!f) return { value: undefined, found: false };
      s = f.schema;
      v = v.get(part);
    } else if (v instanceof Map) {
      if (!v.has(part)) return { value: undefined, found: false };
      v = v.get(part);
      s = undefined;
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      if (!(part in (v as object))) return { value: undefined, found: false };
      v = (v as Record<string, unknown>)[part];
      s = undefined;
    } else {
      return { value: undefined, found: false };
    }
  }
  return { value: v, schema: s, found: true };
}

const isRecordValue = (v: unknown) => v instanceof Struct || v instanceof Map || (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array));

class DefaultPartitioner implements Partitioner {
  constructor(protected readonly delim: string) {}
  encodePartition(record: SinkRecord, _now: number): string {
    return `partition=${record.kafkaPartition}`;
  }
  partitionedPath(topic: string, encoded: string): string {
    return topic + this.delim + encoded;
  }
}

class FieldPartitioner extends DefaultPartitioner {
  constructor(delim: string, private readonly fields: string[]) {
    super(delim);
  }
  override encodePartition(record: SinkRecord, _now: number): string {
    // Confluent's reads Structs only; a schemaless map (JsonConverter without schemas) works here too.
    if (!isRecordValue(record.value)) throw partitionError(`FieldPartitioner: the value of the record at offset ${record.kafkaOffset} is not a Struct or map`);
    return this.fields
      .map((name) => {
        const f = nestedField(record.value, record.valueSchema, name);
        if (!f.found) {
          if (record.value instanceof Struct) throw partitionError(`FieldPartitioner: field '${name}' is not present in the schema (partition.field.name)`);
          throw partitionError(`FieldPartitioner: field '${name}' is not present in the value (partition.field.name)`);
        }
        if (f.value === null || f.value === undefined) return `${name}=null`;
        const type = f.schema?.type;
        const v = f.value;
        if (type ? ['int8', 'int16', 'int32', 'int64'].includes(type) : typeof v === 'number' && Number.isInteger(v)) return `${name}=${String(v)}`;
        if (typeof v === 'bigint') return `${name}=${v.toString()}`;
        if (type ? type === 'string' : typeof v === 'string') return `${name}=${String(v)}`;
        if (type ? type === 'boolean' : typeof v === 'boolean') return `${name}=${String(v)}`;
        throw partitionError(`FieldPartitioner: field '${name}' is of type ${type ?? typeof v}, not supported as a partition key (integers, strings and booleans are)`);
      })
      .join(this.delim);
  }
}

const NUMERIC = /^-?[0-9]{1,19}$/;

function timestampFromString(s: string, field: string): number {
  if (NUMERIC.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw partitionError(`RecordField timestamp extractor: '${s}' in field '${field}' is neither epoch milliseconds nor an ISO-8601 date-time`);
  return ms;
}

export function timestampExtractor(name: TimestampExtractorName, field: string): (record: SinkRecord, now: number) => number {
  switch (name) {
    case 'Wallclock':
      return (_r, now) => now;
    case 'Record':
      return (r) => {
        if (r.timestamp === null || r.timestamp === undefined || Number.isNaN(r.timestamp)) throw partitionError(`Record timestamp extractor: the record at offset ${r.kafkaOffset} has no timestamp`);
        return r.timestamp;
      };
    case 'RecordField':
      return (r) => {
        if (!isRecordValue(r.value)) throw partitionError(`RecordField timestamp extractor: the value of the record at offset ${r.kafkaOffset} is not a Struct or map`);
        const f = nestedField(r.value, r.valueSchema, field);
        if (!f.found || f.value === null || f.value === undefined) throw partitionError(`RecordField timestamp extractor: the record at offset ${r.kafkaOffset} has no field '${field}' (timestamp.field)`);
        const v = f.value;
        if (f.schema?.name === LOGICAL.Timestamp || v instanceof Date) return (v as Date).getTime();
        if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
        if (typeof v === 'bigint') return Number(v);
        if (typeof v === 'string') return timestampFromString(v, field);
        throw partitionError(`RecordField timestamp extractor: field '${field}' is of type ${f.schema?.type ?? typeof v}, not a timestamp (int32, int64, string or Timestamp)`);
      };
  }
}

class TimeBasedPartitioner extends DefaultPartitioner {
  private readonly format: PathFormat;
  readonly timestamp: (record: SinkRecord, now: number) => number;
  constructor(delim: string, pathFormat: string, private readonly durationMs: number, locale: string, timezone: string, extract: (record: SinkRecord, now: number) => number) {
    super(delim);
    // A trailing delimiter is dropped, as Confluent's does.
    const pattern = delim && pathFormat.endsWith(delim) ? pathFormat.slice(0, -delim.length) : pathFormat;
    this.format = new PathFormat(pattern, timezone, locale);
    this.timestamp = extract;
  }
  override encodePartition(record: SinkRecord, now: number): string {
    return this.format.format(this.format.bucketStart(this.timestamp(record, now), this.durationMs));
  }
}

/** Builds the configured partitioner; throws an Error naming what is wrong with the settings (the caller names the key). */
export function createPartitioner(s: PartitionerSettings): Partitioner {
  const extract = () => timestampExtractor(s.timestampExtractor, s.timestampField);
  const d = s.directoryDelim;
  switch (s.partitioner) {
    case 'DefaultPartitioner':
      return new DefaultPartitioner(d);
    case 'FieldPartitioner':
      return new FieldPartitioner(d, s.fieldNames);
    case 'TimeBasedPartitioner':
      return new TimeBasedPartitioner(d, s.pathFormat ?? '', s.partitionDurationMs, s.locale, s.timezone, extract());
    case 'DailyPartitioner':
      return new TimeBasedPartitioner(d, `'year'=YYYY${d}'month'=MM${d}'day'=dd`, 86_400_000, s.locale, s.timezone, extract());
    case 'HourlyPartitioner':
      return new TimeBasedPartitioner(d, `'year'=YYYY${d}'month'=MM${d}'day'=dd${d}'hour'=HH`, 3_600_000, s.locale, s.timezone, extract());
  }
}
