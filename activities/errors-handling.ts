import type { IHeaders } from 'kafkajs';
import type { SourceRecord } from '../src/records/record.js';
import { DataError, errorSummary } from '../src/errors.js';
import { Struct } from '../src/records/schema.js';
import type { ActivityDeps } from './deps.js';

/** Kafka Connect's errors.* settings as the runtime uses them. */
export interface ErrorsSettings {
  tolerance: 'none' | 'all';
  logEnable: boolean;
  logIncludeMessages: boolean;
  dlqTopic: string;
  dlqReplicationFactor: number;
  dlqContextHeaders: boolean;
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
}

export function errorsSettings(cfg: Record<string, string>): ErrorsSettings {
  return {
    tolerance: cfg['errors.tolerance'] === 'all' ? 'all' : 'none',
    logEnable: cfg['errors.log.enable'] === 'true',
    logIncludeMessages: cfg['errors.log.include.messages'] === 'true',
    dlqTopic: cfg['errors.deadletterqueue.topic.name'] ?? '',
    dlqReplicationFactor: Number(cfg['errors.deadletterqueue.topic.replication.factor'] ?? 3),
    dlqContextHeaders: cfg['errors.deadletterqueue.context.headers.enable'] === 'true',
    retryTimeoutMs: Number(cfg['errors.retry.timeout'] ?? 0),
    retryDelayMaxMs: Number(cfg['errors.retry.delay.max.ms'] ?? 60000),
  };
}

/** A source record has no original bytes: the DLQ gets a plain JSON rendering of it. */
function plainJson(v: unknown): Buffer | null {
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

/**
 * Sends records that failed conversion or transformation to the dead letter queue, with
 * Kafka Connect's __connect.errors.* headers when enabled. Returns how many were sent.
 */
export async function deadLetter(
  deps: ActivityDeps,
  t: { connector: string; taskId: number; errors: ErrorsSettings },
  dead: Array<{ record: SourceRecord; error: unknown }>,
): Promise<number> {
  const topic = t.errors.dlqTopic;
  if (!topic) return 0;
  const rf = t.errors.dlqReplicationFactor;
  await deps.kafka.ensureTopics([topic], { partitions: 1, replicationFactor: rf > 0 ? rf : undefined }).catch(async (e) => {
    // A single broker cannot hold 3 replicas (Connect's default): fall back to the broker default.
    if (rf > 1) await deps.kafka.ensureTopics([topic], {});
    else throw e;
  });
  const messages = dead.map(({ record, error }) => {
    const headers: IHeaders = {};
    if (t.errors.dlqContextHeaders) {
      const s = errorSummary(error);
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const c = errorSummary(cause);
      headers['__connect.errors.topic'] = record.topic;
      headers['__connect.errors.partition'] = String(record.kafkaPartition ?? -1);
      headers['__connect.errors.offset'] = '-1';
      headers['__connect.errors.connector.name'] = t.connector;
      headers['__connect.errors.task.id'] = String(t.taskId);
      headers['__connect.errors.stage'] = error instanceof DataError ? error.stage : 'TASK_POLL';
      headers['__connect.errors.class.name'] = s.className;
      headers['__connect.errors.exception.class.name'] = c.className;
      headers['__connect.errors.exception.message'] = c.message;
      headers['__connect.errors.exception.stacktrace'] = c.stack;
    }
    return {
      topic,
      message: {
        key: plainJson(record.key),
        value: plainJson(record.value),
        headers,
        timestamp: record.timestamp != null ? String(record.timestamp) : undefined,
      },
    };
  });
  await deps.kafka.send(`dlq-${t.connector}-${t.taskId}`, messages);
  return messages.length;
}
