import { Context } from '@temporalio/activity';
import type { IHeaders, Message, Transaction } from 'kafkajs';
import type { PartitionOffset } from '../../workflows/messages.js';
import { partitionKey } from '../../workflows/state.js';
import type { SourcePlugin, SourceTask } from '../../src/connectors/types.js';
import type { RecordConverters } from '../../src/converters/registry.js';
import { isPromise } from '../../src/converters/types.js';
import { ConfigError, DataError, errorSummary } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/record.js';
import { OffsetsStore, withLongsAsStrings } from '../../src/kafka/offsets-store.js';
import { readCommittedSourceOffsets } from '../../src/kafka/offsets-reader.js';
import { kafkaError } from '../../src/kafka/client.js';
import {
  DEFAULT_TRANSACTION_INTERVAL_MS, EXACTLY_ONCE_SOURCE_SUPPORT_KEY, exactlyOnceSourceSupport, taskTransactionalId, transactionBoundary,
} from '../../src/config/exactly-once.js';
import { DEFAULT_TASK_QUEUE } from '../../workflows/messages.js';
import { sourceOffsetsStore } from './control.js';
import type { ActivityDeps } from '../deps.js';
import { toFailure } from '../failures.js';
import { forgetTask, recordBatch } from '../../src/metrics.js';
import { OpenTasks, beginOpen, type TaskBasics } from '../open-tasks.js';
import { logSkippedRecord, plainJson, polledRecord } from '../errors-handling.js';
import { deadLetter, type DeadRecord } from '../dead-letter.js';
import { abortableWait } from '../../src/wait.js';

export interface OpenSourceTaskInput {
  connector: string;
  taskId: number;
  /** Changes on every (re)open: a batch from an older open is refused. */
  loadId: string;
  taskConfig: Record<string, string>;
  offsets: PartitionOffset[];
}

export interface SourceBatchInput {
  connector: string;
  taskId: number;
  loadId: string;
  /** Number of batches this open has completed; a mismatch means a batch was lost. */
  seq: number;
}

export interface SourceBatchResult {
  /** Records read from the source (before transforms dropped any). */
  polled: number;
  produced: number;
  skipped: number;
  deadLettered: number;
  /** Latest committed offset of each source partition this batch advanced. */
  offsets: PartitionOffset[];
  topics: string[];
  millis: number;
}

interface OpenTask extends TaskBasics {
  task: SourceTask;
  topicCreation: { partitions?: number; replicationFactor?: number };
  offsetsStore: OffsetsStore;
  /** Set when the worker has exactly.once.source.support=enabled: each batch is one transaction. */
  eos?: ExactlyOnce;
}

interface ExactlyOnce {
  /** The pool key of this open's transactional producer (one per load: an older load's is fenced). */
  producerKey: string;
  transactionalId: string;
  /** transaction.boundary=interval: a batch (one transaction) lasts this long, whatever it holds. */
  intervalMs?: number;
}

export interface OpenSourceTaskResult {
  workerId: string;
  /**
   * Exactly-once mode: the committed offsets read back from the offsets topic (read_committed)
   * that differ from the workflow's, for the partitions the task holds. A batch whose transaction
   * committed before its worker died is known here, and not produced again.
   */
  offsets?: PartitionOffset[];
}

/**
 * A task's exactly-once settings on this worker: none unless exactly.once.source.support=enabled
 * (Connect's rule: the worker decides). A connector that requires exactly once is refused on a
 * worker that cannot give it, rather than silently delivered at least once.
 */
function exactlyOnceOf(deps: ActivityDeps, resolved: Record<string, string>, input: OpenSourceTaskInput): ExactlyOnce | undefined {
  const support = exactlyOnceSourceSupport(deps.workerConfig);
  if (support !== 'enabled') {
    if ((resolved['exactly.once.support'] ?? '').trim().toLowerCase() === 'required') {
      throw new ConfigError(`Connector ${input.connector} has exactly.once.support=required but worker ${deps.workerId} has ${EXACTLY_ONCE_SOURCE_SUPPORT_KEY}=${support}: `
        + `set ${EXACTLY_ONCE_SOURCE_SUPPORT_KEY}=enabled on every worker of the task queue, or exactly.once.support=requested`, [{ key: 'exactly.once.support', message: 'This worker does not have exactly-once source support enabled.' }]);
    }
    return undefined;
  }
  const boundary = transactionBoundary(resolved);
  const interval = resolved['transaction.boundary.interval.ms'];
  return {
    producerKey: `eos:${input.connector}:${input.taskId}:${input.loadId}`,
    transactionalId: taskTransactionalId(deps.taskQueue ?? DEFAULT_TASK_QUEUE, input.connector, input.taskId),
    intervalMs: boundary === 'interval' ? (interval ? Number(interval) : DEFAULT_TRANSACTION_INTERVAL_MS) : undefined,
  };
}

/** Records asked of one poll() call within a batch. */
const POLL_CHUNK = 2000;

function headersOf(rec: SourceRecord, conv: RecordConverters): IHeaders | undefined {
  if (!rec.headers?.length) return undefined;
  const out: IHeaders = {};
  for (const h of rec.headers) {
    const bytes = conv.header.fromConnectHeader(rec.topic, h.key, h.schema ?? null, h.value);
    const v = bytes ?? Buffer.alloc(0);
    const prev = out[h.key];
    out[h.key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Source-side activities. They run on the worker-specific queue of the worker that opened the task. */
export function sourceActivities(deps: ActivityDeps) {
  const open = new OpenTasks<OpenTask>('source', deps.workerId, async (e, key) => {
    forgetTask(e.connector, e.taskId);
    if (e.eos) await deps.kafka.dropProducer(e.eos.producerKey);
    await e.task.close().catch((err) => deps.logger.warn({ err: errorSummary(err).message, task: key }, 'closing source task failed'));
  });

  return {
    /** Starts (or restarts) a task in this worker from the workflow's committed offsets. */
    async openSourceTask(input: OpenSourceTaskInput): Promise<OpenSourceTaskResult> {
      await open.close(input.connector, input.taskId);
      const { plugin, resolved, secrets, logger, basics } = await beginOpen<SourcePlugin>('source', deps, input);
      try {
        const common = basics();
        const offsetsStore = sourceOffsetsStore(deps, resolved);
        const eos = exactlyOnceOf(deps, resolved, input);
        const offsets = new Map(input.offsets.map((o) => [partitionKey(o.partition), o]));
        const changed = new Map<string, PartitionOffset>();
        if (eos) {
          // Fence first (InitProducerId aborts an older instance's open transaction), then read
          // what was committed: nothing a zombie still writes can be committed after this point.
          await deps.kafka.producer(eos.producerKey, { transactionalId: eos.transactionalId });
          await offsetsStore.ensureTopic();
          for (const o of await readCommittedSourceOffsets(deps.kafka, offsetsStore.topic, input.connector)) {
            const k = partitionKey(o.partition);
            if (JSON.stringify(withLongsAsStrings(offsets.get(k)?.offset ?? null)) !== JSON.stringify(withLongsAsStrings(o.offset))) changed.set(k, o);
            offsets.set(k, o);
          }
        }
        const asked = new Set<string>(input.offsets.map((o) => partitionKey(o.partition)));
        const task = await plugin.startTask(resolved, {
          connectorName: input.connector,
          taskId: input.taskId,
          offsetFor: (p) => {
            const k = partitionKey(p);
            asked.add(k);
            return (offsets.get(k)?.offset as Record<string, unknown> | null | undefined) ?? null;
          },
          logger,
        });
        const partitions = resolved['topic.creation.default.partitions'];
        const rf = resolved['topic.creation.default.replication.factor'];
        open.set(input.connector, input.taskId, {
          ...common,
          task,
          topicCreation: {
            partitions: partitions ? Number(partitions) : undefined,
            replicationFactor: rf ? Number(rf) : undefined,
          },
          offsetsStore,
          eos,
        });
        // Only the partitions this task holds: the topic has every task's, and the workflow's report merges them.
        const reconciled = [...changed].filter(([k]) => asked.has(k)).map(([, o]) => o);
        logger.info({ loadId: input.loadId, partitions: input.offsets.length, exactlyOnce: !!eos, reconciled: reconciled.length }, 'source task opened');
        return eos ? { workerId: deps.workerId, offsets: withLongsAsStrings(reconciled) } : { workerId: deps.workerId };
      } catch (e) {
        throw toFailure(e, secrets);
      }
    },

    /**
     * Polls up to temporal.batch.max.records records (several poll() calls, within
     * temporal.batch.max.ms), transforms and converts them, produces them with acks=all, then
     * writes the offsets to the offsets topic. Records never leave this worker: the workflow
     * gets counts and offsets only.
     */
    async sourceBatch(input: SourceBatchInput): Promise<SourceBatchResult> {
      return open.runBatch(input, pollAndProduce);
    },

    /**
     * Ends a task's in-flight batch early (pause, stop): it stops polling, produces what it has
     * polled, commits its offsets and returns as usual. Runs on the task's worker queue beside the
     * batch; when no batch is in flight yet, the next one ends at once.
     */
    async interruptSourceBatch(input: { connector: string; taskId: number }): Promise<boolean> {
      return open.interrupt(input.connector, input.taskId);
    },

    async closeSourceTask(input: { connector: string; taskId: number }): Promise<void> {
      await open.close(input.connector, input.taskId);
    },

    /** For worker shutdown: batches waiting for data end now instead of holding the shutdown. */
    interruptAllSourceBatches(): void {
      open.interruptAll();
    },

    /** For worker shutdown. */
    async closeAllSourceTasks(): Promise<void> {
      await open.closeAll();
    },
  };

  /** A failed exactly-once batch aborts its transaction (the task is then closed and reopened, fencing this producer). */
  async function pollAndProduce(t: OpenTask, interrupted: AbortSignal): Promise<SourceBatchResult> {
    const tx: { current?: Transaction } = {};
    try {
      return await pollAndProduceIn(t, interrupted, tx);
    } catch (e) {
      await tx.current?.abort().catch(() => undefined);
      throw e;
    }
  }

  async function pollAndProduceIn(t: OpenTask, interrupted: AbortSignal, tx: { current?: Transaction }): Promise<SourceBatchResult> {
    const ctx = Context.current();
    const signal = AbortSignal.any([ctx.cancellationSignal, interrupted]);
    const started = Date.now();
    const producerKey = `connector-producer-${t.connector}-${t.taskId}`;
    // transaction.boundary=interval: the batch runs for the interval and is not cut by record count.
    const maxMillis = t.eos?.intervalMs ?? t.maxMillis;
    const maxRecords = t.eos?.intervalMs !== undefined ? Number.MAX_SAFE_INTEGER : t.maxRecords;
    // An interval transaction lasts its interval from the start; other batches may fill for
    // maxMillis from their first record, after waiting up to temporal.idle.wait.ms for one.
    const interval = t.eos?.intervalMs !== undefined;
    let deadline = interval ? started + maxMillis : Number.POSITIVE_INFINITY;
    /** Exactly-once mode: the batch's transaction, begun at its first write. */
    const transaction = async (): Promise<Transaction> => {
      if (!tx.current) {
        const prod = await deps.kafka.producer(t.eos!.producerKey, { transactionalId: t.eos!.transactionalId });
        try {
          tx.current = await prod.transaction();
        } catch (e) {
          throw kafkaError('begin transaction', e);
        }
      }
      return tx.current;
    };
    const send = async (messages: Array<{ topic: string; message: Message }>) =>
      t.eos ? deps.kafka.sendInTransaction(await transaction(), messages) : deps.kafka.send(producerKey, messages);
    const latest = new Map<string, PartitionOffset>();
    const topics = new Set<string>();
    let polled = 0, produced = 0, skipped = 0, deadLettered = 0;
    let inFlight: Promise<void> = Promise.resolve();

    // Poll until the batch is full or its time is up; when nothing comes, wait a little for data
    // so an idle task does not fill its history with empty batches.
    for (;;) {
      if (signal.aborted) break;
      const want = maxRecords - polled;
      if (want <= 0) break;
      // Poll in chunks so producing one chunk overlaps reading the next and memory stays bounded.
      const records = await t.task.poll(Math.min(want, POLL_CHUNK), signal);
      if (records.length === 0) {
        // An interval transaction stays open for its interval; other batches end once the source has nothing more.
        if ((polled > 0 && !interval) || (polled === 0 && Date.now() - started >= t.idleWaitMillis) || Date.now() >= deadline) break;
        // The batch heartbeats on a timer (OpenTasks.runBatch): an idle wait costs a timer only.
        await abortableWait({ ms: 50, signal });
        continue;
      }
      if (polled === 0 && !interval) deadline = Date.now() + maxMillis;
      polled += records.length;
      const messages: Array<{ topic: string; message: Message }> = [];
      const dead: DeadRecord[] = [];
      let lastPartition: unknown;
      let lastKey = '';
      for (const rec of records) {
        // Records of one partition usually share the partition object: key it once per run.
        if (rec.sourcePartition !== lastPartition) {
          lastPartition = rec.sourcePartition;
          lastKey = partitionKey(rec.sourcePartition);
        }
        latest.set(lastKey, { partition: rec.sourcePartition, offset: rec.sourceOffset });
        try {
          const out = t.chain.apply(rec);
          if (out === null) { skipped++; continue; }
          // A registry converter answers later only on a cache miss: await only then.
          let keyBytes = t.converters.key.fromConnectData(out.topic, out.keySchema ?? null, out.key);
          if (isPromise(keyBytes)) keyBytes = await keyBytes;
          let valueBytes = t.converters.value.fromConnectData(out.topic, out.valueSchema ?? null, out.value);
          if (isPromise(valueBytes)) valueBytes = await valueBytes;
          const headers = headersOf(out, t.converters);
          topics.add(out.topic);
          messages.push({
            topic: out.topic,
            message: {
              key: keyBytes,
              value: valueBytes,
              headers,
              partition: out.kafkaPartition ?? undefined,
              timestamp: out.timestamp != null ? String(out.timestamp) : undefined,
            },
          });
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          if (t.errors.tolerance !== 'all') {
            // As on the sink side: the trace names the stage and the record, not just the cause.
            const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
            throw new DataError(
              `Tolerance exceeded in error handler: stage ${e.stage} failed on the record of source partition ${json(rec.sourcePartition)} at offset ${json(rec.sourceOffset)}: ${e.message}`,
              e.stage,
              { cause: e },
            );
          }
          logSkippedRecord(deps.logger, t, { stage: e.stage, error: e, ...polledRecord(rec) });
          dead.push(polledDeadRecord(rec, e));
        }
      }
      if (dead.length) {
        skipped += dead.length;
        deadLettered += await deadLetter(deps, t, dead);
      }
      // One send in flight while the next poll runs; per-partition order is kept because sends
      // are issued in order on an idempotent producer with one request in flight.
      await inFlight;
      if (messages.length) {
        await deps.kafka.ensureTopics([...new Set(messages.map((m) => m.topic))], t.topicCreation);
        inFlight = send(messages).then(() => { produced += messages.length; });
        inFlight.catch(() => undefined);
      }
      ctx.heartbeat({ polled });
      if (Date.now() >= deadline) break;
    }
    await inFlight;
    const offsets = [...latest.values()];
    if (t.eos) {
      // The records and their offsets in one transaction: both are committed, or neither.
      if (offsets.length) await deps.kafka.sendInTransaction(await transaction(), t.offsetsStore.records(t.connector, offsets));
      const txn = tx.current;
      if (txn) {
        try {
          await txn.commit();
        } catch (e) {
          throw kafkaError('commit transaction', e);
        }
        tx.current = undefined;
      }
    } else {
      // Kafka acknowledged every record: now the offsets may be committed.
      await t.offsetsStore.write(t.connector, offsets);
    }
    if (t.task.commit && offsets.length) await t.task.commit(offsets.map((o) => ({ partition: o.partition, offset: o.offset ?? {} })));
    const millis = Date.now() - started;
    recordBatch('source', t.connector, t.taskId, { read: polled, written: produced, failed: skipped, deadLettered, millis });
    return { polled, produced, skipped, deadLettered, offsets: withLongsAsStrings(offsets), topics: [...topics], millis };
  }
}

/** A polled record for the dead letter queue: JSON renderings, bound for its topic (see dead-letter.ts). */
export function polledDeadRecord(record: SourceRecord, error: DataError): DeadRecord {
  return {
    key: plainJson(record.key),
    value: plainJson(record.value),
    headers: {},
    timestamp: record.timestamp != null ? String(record.timestamp) : undefined,
    origin: { topic: record.topic, partition: record.kafkaPartition ?? -1, offset: '-1' },
    stage: error.stage,
    error,
  };
}
