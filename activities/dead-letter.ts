import type { IHeaders } from 'kafkajs';
import type { RecordConverters } from '../src/converters/registry.js';
import { isInvalidReplicationFactor } from '../src/kafka/client.js';
import { DataError, errorSummary, type ErrorStage } from '../src/errors.js';
import type { PluginLogger } from '../src/connectors/types.js';
import type { ActivityDeps } from './deps.js';
import type { ErrorsSettings } from './errors-handling.js';

/**
 * The dead letter queue writer of both kinds (Kafka Connect's DeadLetterQueueReporter). Each
 * record goes to errors.deadletterqueue.topic.name with its own headers, and with
 * errors.deadletterqueue.context.headers.enable also these, as Connect writes them:
 * - __connect.errors.topic / partition / offset: where the failed record was consumed (a sink);
 * - __connect.errors.connector.name, __connect.errors.task.id;
 * - __connect.errors.stage: the stage that failed (KEY_CONVERTER, TRANSFORMATION, TASK_PUT, ...);
 * - __connect.errors.class.name: the class of the object that ran in that stage, not of the error:
 *   the configured converter's class (e.g. org.apache.kafka.connect.json.JsonConverter), the
 *   transform's class (e.g. org.apache.kafka.connect.transforms.Cast$Value), and
 *   org.apache.kafka.connect.sink.SinkTask for a record the sink task rejected in put;
 * - __connect.errors.exception.class.name / message / stacktrace: the error itself (the one the
 *   stage threw: our DataError's cause).
 * A context header the record already carries (a record read back from a DLQ) is kept and not
 * added again, as Connect does.
 *
 * Kafka Connect has no DLQ for source connectors; ours has one. A polled record has no consumed
 * coordinates: its headers name the topic it was bound for, its partition if it named one (else
 * -1) and offset -1; its key and value are JSON renderings, as it never had bytes.
 */

/** One record to dead-letter, in the terms both kinds share. */
export interface DeadRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
  timestamp?: string;
  /** The consumed record's coordinates (sink); the destination topic, partition or -1, and -1 (source). */
  origin: { topic: string; partition: number; offset: string };
  stage: ErrorStage;
  error: unknown;
}

/** What the writer needs of the task. */
export interface DeadLetterTask {
  connector: string;
  taskId: number;
  errors: ErrorsSettings;
  converters: Pick<RecordConverters, 'classNames'>;
}

/** The class Connect names in __connect.errors.class.name for a failure in `stage`. */
export function executingClass(stage: ErrorStage, error: unknown, converters: Pick<RecordConverters, 'classNames'>): string {
  const own = error instanceof DataError ? error.executingClass : undefined;
  switch (stage) {
    case 'KEY_CONVERTER':
      return converters.classNames.key;
    case 'VALUE_CONVERTER':
      return converters.classNames.value;
    case 'HEADER_CONVERTER':
      return converters.classNames.header;
    case 'TRANSFORMATION':
      return own ?? 'org.apache.kafka.connect.transforms.Transformation';
    case 'TASK_PUT':
      return 'org.apache.kafka.connect.sink.SinkTask';
    case 'TASK_POLL':
      return 'org.apache.kafka.connect.source.SourceTask';
    case 'KAFKA_PRODUCE':
      return 'org.apache.kafka.connect.runtime.WorkerSourceTask';
    case 'KAFKA_CONSUME':
      return 'org.apache.kafka.connect.runtime.WorkerSinkTask';
  }
}

/** The record's headers with the __connect.errors.* context added (an existing one is kept). */
export function contextHeaders(t: DeadLetterTask, r: DeadRecord, logger?: PluginLogger): IHeaders {
  const headers: IHeaders = { ...r.headers };
  const add = (key: string, value: string) => {
    if (headers[key] === undefined) headers[key] = value;
    else logger?.warn({ connector: t.connector, task: t.taskId, header: key }, 'dead letter record already has this header; kept as it was');
  };
  // The error the stage threw: ours wrap it (a DataError naming the stage, with it as the cause).
  const thrown = r.error instanceof Error && r.error.cause instanceof Error ? r.error.cause : r.error;
  const e = errorSummary(thrown);
  add('__connect.errors.topic', r.origin.topic);
  add('__connect.errors.partition', String(r.origin.partition));
  add('__connect.errors.offset', r.origin.offset);
  add('__connect.errors.connector.name', t.connector);
  add('__connect.errors.task.id', String(t.taskId));
  add('__connect.errors.stage', r.stage);
  add('__connect.errors.class.name', executingClass(r.stage, r.error, t.converters));
  add('__connect.errors.exception.class.name', e.className);
  add('__connect.errors.exception.message', e.message);
  add('__connect.errors.exception.stacktrace', e.stack);
  return headers;
}

/** Sends the records to the task's dead letter queue, if it has one. Returns how many were sent. */
export async function deadLetter(deps: ActivityDeps, t: DeadLetterTask, dead: DeadRecord[]): Promise<number> {
  const topic = t.errors.dlqTopic;
  if (!topic || dead.length === 0) return 0;
  const rf = t.errors.dlqReplicationFactor;
  await deps.kafka.ensureTopics([topic], { partitions: 1, replicationFactor: rf > 0 ? rf : undefined }).catch(async (e) => {
    // A single broker cannot hold 3 replicas (Connect's default): fall back to the broker default.
    if (rf <= 1 || !isInvalidReplicationFactor(e)) throw e;
    deps.logger.warn({ topic }, `the cluster has fewer than ${rf} brokers: dead letter queue ${topic} created with the broker's default replication factor; set errors.deadletterqueue.topic.replication.factor to choose one`);
    await deps.kafka.ensureTopics([topic], {});
  });
  const messages = dead.map((r) => ({
    topic,
    message: {
      key: r.key,
      value: r.value,
      headers: t.errors.dlqContextHeaders ? contextHeaders(t, r, deps.logger) : { ...r.headers },
      timestamp: r.timestamp,
    },
  }));
  await deps.kafka.send(`dlq-${t.connector}-${t.taskId}`, messages);
  return messages.length;
}
