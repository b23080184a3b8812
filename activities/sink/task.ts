import { Context } from '@temporalio/activity';
import type { PartitionOffset } from '../../workflows/messages.js';
import type { SinkPlugin, SinkTask } from '../../src/connectors/types.js';
import { DataError, errorSummary, type ErrorStage } from '../../src/errors.js';
import type { ConnectHeader, SinkRecord } from '../../src/records/record.js';
import { FetchBudget, DEFAULT_BUFFER_BYTES, PartitionFetcher, tpKey, type FetchedMessage, type TopicPartition } from '../../src/kafka/fetcher.js';
import type { ActivityDeps } from '../deps.js';
import { toFailure } from '../failures.js';
import { forgetTask, recordBatch, watchSinkLag, type PartitionLag } from '../../src/metrics.js';
import { OpenTasks, beginOpen, intSetting, type BatchRequest, type TaskBasics } from '../open-tasks.js';
import { SinkPipeline, type ChunkResult, type Prepared, type WriteOutcome } from './pipeline.js';
import { consumedRecord, logSkippedRecord } from '../errors-handling.js';
import { within } from '../../src/wait.js';
import { deadLetter, type DeadRecord } from '../dead-letter.js';
import { ASSIGNMENT_KEY, formatAssignment, parseAssignment } from './assignment.js';
import { commitBatch, sinkPartition, startPositions } from './group-offsets.js';
import { isPromise } from '../../src/converters/types.js';

/** Worker property: buffer memory the fetchers of all sink tasks of a worker share. */
export const SINK_BUFFER_KEY = 'temporal.sink.buffer.max.bytes';
/** Records per put when the sink task does not say. */
const DEFAULT_PUT_RECORDS = 2000;
/** How long a sink task keeps writing after a batch activity ended (the next one normally starts within tens of ms). */
const PIPELINE_LEASE_MS = 1000;

export interface OpenSinkTaskInput {
  connector: string;
  taskId: number;
  loadId: string;
  taskConfig: Record<string, string>;
  offsets: PartitionOffset[];
}

export interface SinkBatchResult {
  /** Topics read from (GET /connectors/{c}/topics). */
  topics: string[];
  fetched: number;
  written: number;
  skipped: number;
  deadLettered: number;
  offsets: PartitionOffset[];
  millis: number;
}

interface OpenSink extends TaskBasics {
  task: SinkTask;
  fetcher: PartitionFetcher;
  /** Next offset committed per partition (start offsets, then what batches committed). */
  committed: Map<string, number>;
  /** Next offset to read per partition after what batches claimed (written or dead-lettered). */
  consumed: Map<string, TopicPartition & { offset: number }>;
  pipeline: SinkPipeline<RecordFailure, PreparedRecords>;
}

interface PreparedRecords {
  records: SinkRecord[];
  /** The fetched message of each record, for the dead letter queue. */
  sources: FetchedMessage[];
}

/** The failure of one record, with where it came from (Connect's ProcessingContext). */
class RecordFailure {
  constructor(readonly m: FetchedMessage, readonly error: unknown, readonly stage: ErrorStage) {}
}

/** Sink-side activities, on the worker-specific queue of the worker that opened the task. */
export function sinkActivities(deps: ActivityDeps) {
  // Fetch buffers of all sink tasks of this worker share one budget.
  const budget = new FetchBudget(intSetting(deps.workerConfig, SINK_BUFFER_KEY, DEFAULT_BUFFER_BYTES));
  const open = new OpenTasks<OpenSink>('sink', deps.workerId, async (e, key) => {
    forgetTask(e.connector, e.taskId);
    await e.pipeline.close();
    await e.fetcher.close();
    await e.task.close().catch((err) => deps.logger.warn({ err: errorSummary(err).message, task: key }, 'closing sink task failed'));
  });

  /** Converts and transforms fetched messages; records that fail here are kept with their stage. */
  async function prepare(t: Pick<TaskBasics, 'converters' | 'chain'>, fetched: FetchedMessage[]): Promise<Prepared<RecordFailure, PreparedRecords>> {
    const failures: RecordFailure[] = [];
    const records: SinkRecord[] = [];
    const sources: FetchedMessage[] = [];
    for (const m of fetched) {
      let stage: ErrorStage = 'KEY_CONVERTER';
      try {
        // A registry converter answers later only on a cache miss: await only then.
        let key = t.converters.key.toConnectData(m.topic, m.message.key ?? null);
        if (isPromise(key)) key = await key;
        stage = 'VALUE_CONVERTER';
        let value = t.converters.value.toConnectData(m.topic, m.message.value ?? null);
        if (isPromise(value)) value = await value;
        stage = 'HEADER_CONVERTER';
        const headers: ConnectHeader[] = [];
        const raw = m.message.headers;
        if (raw) {
          // for-in, not Object.entries: most messages have no headers, and this runs for each.
          for (const hk in raw) {
            const hv = raw[hk];
            for (const one of Array.isArray(hv) ? hv : [hv]) {
              if (one === undefined) continue;
              const sv = t.converters.header.toConnectHeader(m.topic, hk, Buffer.isBuffer(one) ? one : Buffer.from(String(one)));
              headers.push({ key: hk, value: sv.value, schema: sv.schema });
            }
          }
        }
        stage = 'TRANSFORMATION';
        const offset = Number(m.message.offset);
        const rec: SinkRecord = {
          topic: m.topic,
          kafkaPartition: m.partition,
          kafkaOffset: offset,
          key: key.value,
          keySchema: key.schema,
          value: value.value,
          valueSchema: value.schema,
          headers,
          timestamp: Number(m.message.timestamp),
          originalTopic: m.topic,
          originalKafkaPartition: m.partition,
          originalKafkaOffset: offset,
        };
        // Without transforms the value is what its text says: sinks may write the text as is.
        if (t.chain.aliases.length === 0 && value.json !== undefined) rec.valueJson = value.json;
        const out = t.chain.apply(rec);
        if (out === null) continue;
        records.push(out);
        sources.push(m);
      } catch (e) {
        if (!(e instanceof DataError) && !(e instanceof Error && e.name === 'DataException')) throw e;
        failures.push(new RecordFailure(m, e, e instanceof DataError ? e.stage : stage));
      }
    }
    return { work: { records, sources }, failures };
  }

  /** Puts one chunk; records the sink rejected join the chunk's failures. */
  async function write(task: SinkTask, prepared: Prepared<RecordFailure, PreparedRecords>, signal: AbortSignal): Promise<WriteOutcome<RecordFailure>> {
    const { records, sources } = prepared.work;
    const failures = prepared.failures;
    if (records.length === 0) return { written: 0, failures };
    const r = await task.put(records, signal);
    for (const f of r.failed) failures.push(new RecordFailure(sources[f.index], f.error, 'TASK_PUT'));
    if (task.flush) await task.flush();
    return { written: records.length - r.failed.length, failures };
  }

  async function runBatch(t: OpenSink, interrupted: AbortSignal): Promise<SinkBatchResult> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const started = Date.now();
    const next = new Map<string, TopicPartition & { offset: number }>();
    const topics = new Set<string>();
    let fetched = 0;
    let written = 0;
    let skipped = 0;
    let deadLettered = 0;
    const p = t.pipeline;
    p.hold();
    try {
      // Claim finished chunks in order until the batch is full or its time is up; an idle task
      // returns after temporal.idle.wait.ms with nothing.
      while (fetched < t.maxRecords) {
        if (signal.aborted) throw signal.reason ?? new Error('batch cancelled');
        const head = p.head();
        const now = Date.now();
        if (!head) {
          // Pause, stop, restart and worker shutdown end an idle wait (OpenTasks.interrupt).
          if (interrupted.aborted) break;
          const until = started + (fetched === 0 ? t.idleWaitMillis : t.maxMillis);
          if (now >= until) break;
          await p.waitForChunk(until - now, AbortSignal.any([signal, interrupted]));
          continue;
        }
        let chunk: ChunkResult<RecordFailure> | undefined;
        if (fetched > 0) {
          if (now >= started + t.maxMillis) break;
          chunk = await within(head.result, started + t.maxMillis - now, signal);
          if (!chunk) break;
        } else {
          // Nothing claimed yet: wait for the oldest write (bounded by flush.timeout.ms and the heartbeat).
          chunk = await within(head.result, undefined, signal);
          if (!chunk) throw signal.reason ?? new Error('batch cancelled');
        }
        if (chunk.failures.length) {
          const first = chunk.failures[0];
          if (t.errors.tolerance !== 'all') {
            const e = first.error instanceof Error ? first.error : new Error(String(first.error));
            throw new DataError(
              `Tolerance exceeded in error handler: stage ${first.stage} failed on the record at topic ${first.m.topic}, partition ${first.m.partition}, offset ${first.m.message.offset}: ${e.message}`,
              first.stage,
              { cause: e },
            );
          }
          for (const f of chunk.failures) logSkippedRecord(deps.logger, t, { stage: f.stage, error: f.error, ...consumedRecord(f.m) });
          deadLettered += await deadLetter(deps, t, chunk.failures.map((f) => consumedDeadRecord(f.m, f.error, f.stage)));
          skipped += chunk.failures.length;
        }
        p.shift();
        fetched += chunk.fetched;
        written += chunk.written;
        for (const [k, v] of chunk.next) next.set(k, v);
        for (const tp of chunk.topics) topics.add(tp);
        ctx.heartbeat({ fetched });
      }
    } finally {
      p.release();
    }
    for (const [k, v] of next) t.consumed.set(k, v);
    // Everything up to these offsets is written (or dead-lettered), or, for a task with
    // preCommit, what it says is durable: commit them where lag tools look.
    const commit = t.task.preCommit ? await safeOffsets(t, t.task.preCommit.bind(t.task)) : [...next.values()];
    await commitBatch(deps, t.connector, commit);
    recordBatch('sink', t.connector, t.taskId, { read: fetched, written, failed: skipped, deadLettered, millis: Date.now() - started });
    for (const n of commit) t.committed.set(tpKey(n), n.offset);
    deps.logger.debug({ connector: t.connector, task: t.taskId, fetched, written, committed: commit.map((n) => `${tpKey(n)}@${n.offset}`).join(','), lag: sinkLag(t).map((l) => `${l.topic}:${l.partition}+${l.lag}`).join(',') }, 'sink batch');
    return {
      topics: [...topics],
      fetched,
      written,
      skipped,
      deadLettered,
      offsets: commit.map((n) => ({ partition: sinkPartition(n), offset: { kafka_offset: n.offset } })),
      millis: Date.now() - started,
    };
  }

  return {
    async openSinkTask(input: OpenSinkTaskInput): Promise<{ workerId: string }> {
      await open.close(input.connector, input.taskId);
      const { plugin, resolved, secrets, logger, basics } = await beginOpen<SinkPlugin>('sink', deps, input);
      let fetcher: PartitionFetcher | undefined;
      let task: SinkTask | undefined;
      try {
        const common = basics();
        const assignment = parseAssignment(resolved[ASSIGNMENT_KEY]);
        task = await plugin.startTask(resolved, { connectorName: input.connector, taskId: input.taskId, logger });
        const start = await startPositions(deps, input, resolved, assignment);
        fetcher = new PartitionFetcher(deps.kafka, assignment, { clientId: `connector-consumer-${input.connector}-${input.taskId}`, budget, logger });
        if (task.open) await task.open(assignment.map((tp) => ({ ...tp, offset: Number(start.get(tpKey(tp)) ?? 0) })));
        if (assignment.length) await fetcher.start(start);
        const sinkTask = task;
        const pipeline = new SinkPipeline<RecordFailure, PreparedRecords>(
          fetcher,
          (messages) => prepare(common, messages),
          (prepared, signal) => write(sinkTask, prepared, signal),
          {
            chunkRecords: Math.max(1, Math.min(task.putBatchSize ?? DEFAULT_PUT_RECORDS, common.maxRecords)),
            concurrency: Math.max(1, task.maxConcurrentPuts ?? 1),
            window: 2 * common.maxRecords,
            leaseMs: PIPELINE_LEASE_MS,
            stopOnFailure: common.errors.tolerance !== 'all',
          },
        );
        const entry: OpenSink = { ...common, task, fetcher, pipeline, committed: new Map([...start].map(([k, v]) => [k, Number(v)])), consumed: new Map() };
        open.set(input.connector, input.taskId, entry);
        watchSinkLag(input.connector, input.taskId, () => sinkLag(entry));
        logger.info({ loadId: input.loadId, assignment: formatAssignment(assignment) }, 'sink task opened');
        return { workerId: deps.workerId };
      } catch (e) {
        await fetcher?.close();
        await task?.close().catch(() => undefined);
        throw toFailure(e, secrets);
      }
    },

    async sinkBatch(input: BatchRequest): Promise<SinkBatchResult> {
      return open.runBatch(input, runBatch);
    },

    /** Ends a task's batch that waits for records (pause, stop, restart); see OpenTasks.interrupt. */
    async interruptSinkBatch(input: { connector: string; taskId: number }): Promise<boolean> {
      return open.interrupt(input.connector, input.taskId);
    },

    async closeSinkTask(input: { connector: string; taskId: number }): Promise<void> {
      await open.close(input.connector, input.taskId);
    },

    /** For worker shutdown: batches waiting for records end now instead of holding the shutdown. */
    interruptAllSinkBatches(): void {
      open.interruptAll();
    },

    async closeAllSinkTasks(): Promise<void> {
      await open.closeAll();
    },
  };
}

/**
 * The offsets a task with preCommit lets the batch commit: its answer for the partitions whose
 * position is ahead of the committed offset, each no further than that position (records the
 * pipeline put ahead of what batches claimed have not had their failures dead-lettered yet) and
 * only where it moves forward.
 */
async function safeOffsets(t: OpenSink, preCommit: NonNullable<SinkTask['preCommit']>): Promise<Array<TopicPartition & { offset: number }>> {
  const current = [...t.consumed.values()].filter((c) => c.offset > (t.committed.get(tpKey(c)) ?? -1));
  const answer = await preCommit(current.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset })));
  const out: Array<TopicPartition & { offset: number }> = [];
  for (const a of answer) {
    const k = tpKey(a);
    const at = t.consumed.get(k);
    if (!at || !Number.isSafeInteger(a.offset)) continue;
    const offset = Math.min(a.offset, at.offset);
    if (offset > (t.committed.get(k) ?? -1)) out.push({ topic: at.topic, partition: at.partition, offset });
  }
  return out;
}

/** Per owned partition: its end as of the latest fetch minus the committed offset. */
function sinkLag(t: OpenSink): PartitionLag[] {
  const out: PartitionLag[] = [];
  for (const tp of t.fetcher.assignment) {
    const end = t.fetcher.highWatermark(tp);
    const at = t.committed.get(tpKey(tp));
    if (end !== undefined && at !== undefined) out.push({ topic: tp.topic, partition: tp.partition, lag: end - at });
  }
  return out;
}

/** A consumed record for the dead letter queue: its own bytes, headers and coordinates. */
export function consumedDeadRecord(fetched: FetchedMessage, error: unknown, stage: ErrorStage): DeadRecord {
  const m = fetched.message;
  return {
    key: m.key,
    value: m.value,
    headers: m.headers ?? {},
    timestamp: m.timestamp,
    origin: { topic: fetched.topic, partition: fetched.partition, offset: m.offset },
    stage,
    error,
  };
}
