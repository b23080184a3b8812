import type { PluginLogger } from '../src/connectors/types.js';
import type { FetchedMessage } from '../src/kafka/fetcher.js';
import type { SourceRecord } from '../src/records/record.js';
import { errorsConfig } from '../src/config/connector-config.js';
import { ConfigError, errorSummary } from '../src/errors.js';
import { Struct } from '../src/records/schema.js';

/** Kafka Connect's errors.* settings as the runtime uses them. */
export interface ErrorsSettings {
  tolerance: 'none' | 'all';
  logEnable: boolean;
  logIncludeMessages: boolean;
  dlqTopic: string;
  dlqReplicationFactor: number;
  dlqContextHeaders: boolean;
}

/** The errors.* keys as validation reads them (booleans in any case, defaults from the declaration). */
export function errorsSettings(cfg: Record<string, string>): ErrorsSettings {
  const r = errorsConfig.parse(cfg);
  if (!r.ok) throw new ConfigError(`Invalid error handling configuration: ${r.problems.map((p) => p.message).join(' ')}`, r.problems);
  const c = r.value;
  return {
    tolerance: c['errors.tolerance'],
    logEnable: c['errors.log.enable'],
    logIncludeMessages: c['errors.log.include.messages'],
    dlqTopic: (c['errors.deadletterqueue.topic.name'] ?? '').trim(),
    dlqReplicationFactor: c['errors.deadletterqueue.topic.replication.factor'],
    dlqContextHeaders: c['errors.deadletterqueue.context.headers.enable'],
  };
}

/** A source record has no original bytes: the DLQ and the log get a plain JSON rendering of it. */
export function plainJson(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  const text = JSON.stringify(v, (_k, x) => {
    if (typeof x === 'bigint') return x.toString();
    if (x instanceof Struct) return x.toObject();
    if (x instanceof Map) return Object.fromEntries(x);
    if (x instanceof Uint8Array) return Buffer.from(x).toString('base64');
    return x;
  });
  return Buffer.from(text ?? 'null');
}

/** Longest rendering of a key, value or header logged for a skipped record. */
const LOGGED_CONTENT_CHARS = 2048;

function clipped(text: string): string {
  return text.length <= LOGGED_CONTENT_CHARS ? text : `${text.slice(0, LOGGED_CONTENT_CHARS)}… (${text.length} characters)`;
}

/** Consumed bytes as text when they are UTF-8, else base64. */
function bytesText(b: Buffer | string | null | undefined): string | null {
  if (b === null || b === undefined) return null;
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  const text = buf.toString('utf8');
  return clipped(Buffer.from(text, 'utf8').equals(buf) ? text : `base64:${buf.toString('base64')}`);
}

/** What a skipped record's log line says about it: where it is, and its content only when asked. */
export interface SkippedRecord {
  stage: string;
  error: unknown;
  /** Coordinates, always logged (topic, partition, offset): Connect's docs say as much is logged either way. */
  where: Record<string, unknown>;
  /** Key, value, headers and the like: logged only with errors.log.include.messages=true. */
  content: () => Record<string, unknown>;
}

/**
 * Connect's LogReporter: with errors.log.enable, one line per record skipped under
 * errors.tolerance=all; the record's key, value and headers only with errors.log.include.messages.
 */
export function logSkippedRecord(logger: PluginLogger, t: { connector: string; taskId: number; errors: ErrorsSettings }, r: SkippedRecord): void {
  if (!t.errors.logEnable) return;
  const content = t.errors.logIncludeMessages ? r.content() : {};
  logger.warn({ connector: t.connector, task: t.taskId, stage: r.stage, ...r.where, ...content, err: errorSummary(r.error).message }, 'record skipped');
}

/** A consumed record's coordinates and content, for logSkippedRecord. */
export function consumedRecord(m: FetchedMessage): Pick<SkippedRecord, 'where' | 'content'> {
  return {
    where: { topic: m.topic, partition: m.partition, offset: m.message.offset },
    content: () => ({
      timestamp: m.message.timestamp,
      key: bytesText(m.message.key),
      value: bytesText(m.message.value),
      headers: Object.fromEntries(Object.entries(m.message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => bytesText(x)) : bytesText(v)])),
    }),
  };
}

/** A source record's destination and content (with its source partition and offset), for logSkippedRecord. */
export function polledRecord(r: SourceRecord): Pick<SkippedRecord, 'where' | 'content'> {
  const text = (v: unknown) => {
    const b = plainJson(v);
    return b === null ? null : clipped(b.toString('utf8'));
  };
  return {
    where: { topic: r.topic },
    content: () => ({
      sourcePartition: text(r.sourcePartition),
      sourceOffset: text(r.sourceOffset),
      key: text(r.key),
      value: text(r.value),
      headers: Object.fromEntries(r.headers.map((h) => [h.key, text(h.value)])),
    }),
  };
}
