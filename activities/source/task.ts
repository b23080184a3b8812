import { Context } from '@temporalio/activity';
import type { IHeaders, Message } from 'kafkajs';
import type { PartitionOffset } from '../../workflows/messages.js';
import { partitionKey } from '../../workflows/state.js';
import type { SourcePlugin, SourceTask } from '../../src/connectors/types.js';
import type { RecordConverters } from '../../src/converters/registry.js';
import { isPromise } from '../../src/converters/types.js';
import { DataError, errorSummary } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/record.js';
import { OffsetsStore, withLongsAsStrings } from '../../src/kafka/offsets-store.js';
import { sourceOffsetsTopic } from './control.js';
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
    await e.task.close().catch((err) => deps.logger.warn({ err: errorSummary(err).message, task: key }, 'closing source task failed'));
  });

  /** The in-flight batch of each open task, by OpenTasks key: pause and stop end it early. */
  const inFlightBatches = new Map<string, AbortController>();
  /**
   * Interrupts that arrived while no batch of the task was running here yet: the batch activity
   * and the interrupt are separate activities on this queue, and the interrupt may be picked up
   * first. The task's next batch then ends at once instead of polling for its whole duration.
   */
  const pendingInterrupts = new Set<string>();

  return {
    /** Starts (or restarts) a task in this worker from the workflow's committed offsets. */
    async openSourceTask(input: OpenSourceTaskInput): Promise<{ workerId: string }> {
      await open.close(input.connector, input.taskId);
      const { plugin, resolved, secrets, logger, basics } = await beginOpen<SourcePlugin>('source', deps, input);
      try {
        const common = basics();
        const offsets = new Map(input.offsets.map((o) => [partitionKey(o.partition), o.offset]));
        const task = await plugin.startTask(resolved, {
          connectorName: input.connector,
          taskId: input.taskId,
          offsetFor: (p) => (offsets.get(partitionKey(p)) as Record<string, unknown> | null | undefined) ?? null,
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
          offsetsStore: new OffsetsStore(deps.kafka, sourceOffsetsTopic(deps, resolved)),
        });
        logger.info({ loadId: input.loadId, partitions: input.offsets.length }, 'source task opened');
        return { workerId: deps.workerId };
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
      return open.runBatch(input, runBatch);
    },

    /**
     * Ends a task's in-flight batch early (pause, stop): it stops polling, produces what it has
     * polled, commits its offsets and returns as usual. Runs on the task's worker queue beside the
     * batch; when no batch is in flight yet, the next one ends at once.
     */
    async interruptSourceBatch(input: { connector: string; taskId: number }): Promise<boolean> {
      const key = OpenTasks.key(input.connector, input.taskId);
      const ac = inFlightBatches.get(key);
      if (!ac) {
        pendingInterrupts.add(key);
        return false;
      }
      ac.abort();
      return true;
    },

    async closeSourceTask(input: { connector: string; taskId: number }): Promise<void> {
      pendingInterrupts.delete(OpenTasks.key(input.connector, input.taskId));
      await open.close(input.connector, input.taskId);
    },

    /** For worker shutdown. */
    async closeAllSourceTasks(): Promise<void> {
      await open.closeAll();
    },
  };

  async function runBatch(t: OpenTask): Promise<SourceBatchResult> {
    const key = OpenTasks.key(t.connector, t.taskId);
    const interrupt = new AbortController();
    if (pendingInterrupts.delete(key)) interrupt.abort();
    inFlightBatches.set(key, interrupt);
    try {
      return await pollAndProduce(t, interrupt.signal);
    } finally {
      if (inFlightBatches.get(key) === interrupt) inFlightBatches.delete(key);
    }
  }

  async function pollAndProduce(t: OpenTask, interrupted: AbortSignal): Promise<SourceBatchResult> {
    const ctx = Context.current();
    const signal = AbortSignal.any([ctx.cancellationSignal, interrupted]);
    const started = Date.now();
    const deadline = started + t.maxMillis;
    const producerKey = `connector-producer-${t.connector}-${t.taskId}`;
    const latest = new Map<string, PartitionOffset>();
    const topics = new Set<string>();
    let polled = 0, produced = 0, skipped = 0, deadLettered = 0;
    let inFlight: Promise<void> = Promise.resolve();

    // Poll until the batch is full or its time is up; when nothing comes, wait a little for data
    // so an idle task does not fill its history with empty batches.
    for (;;) {
      if (signal.aborted) break;
      const want = t.maxRecords - polled;
      if (want <= 0) break;
      // Poll in chunks so producing one chunk overlaps reading the next and memory stays bounded.
      const records = await t.task.poll(Math.min(want, POLL_CHUNK), signal);
      if (records.length === 0) {
        if (polled > 0 || Date.now() - started >= t.idleWaitMillis) break;
        await abortableWait({ ms: 50, signal });
        ctx.heartbeat({ polled });
        continue;
      }
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
        inFlight = deps.kafka.send(producerKey, messages).then(() => { produced += messages.length; });
        inFlight.catch(() => undefined);
      }
      ctx.heartbeat({ polled });
      if (Date.now() >= deadline) break;
    }
    await inFlight;
    const offsets = [...latest.values()];
    // Kafka acknowledged every record: now the offsets may be committed.
    await t.offsetsStore.write(t.connector, offsets);
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
