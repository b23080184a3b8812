import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
  log,
  patched,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  connectorWorkflowId,
  taskPauseSignal,
  taskReportSignal,
  taskRestartSignal,
  taskResumeSignal,
  taskStatusQuery,
  taskStopSignal,
  type PartitionOffset,
  type TaskReport,
  type TaskState,
} from './messages.js';
import { taskRuntime } from './settings.js';
import { backoffMs, classifyBatchFailure, partitionKey, retryingTrace } from './state.js';

export type TaskKind = 'source' | 'sink';

export interface TaskInput {
  connector: string;
  taskId: number;
  generation: number;
  taskConfig: Record<string, string>;
  offsets: PartitionOffset[];
  paused: boolean;
  /** State carried through continue-as-new. */
  carried?: {
    batches: number;
    records: number;
    queue?: string;
    workerId?: string;
    loadId?: string;
    seq?: number;
    failedTrace?: string;
    /** The trace of a task whose batches were failing (and being retried) when it continued as new. */
    retryingTrace?: string;
    topics?: string[];
  };
}

export interface TaskResult {
  offsets: PartitionOffset[];
}

const control = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ConfigError'] },
});

/** Data activities go to one worker's own queue: its records stay in its memory. */
function dataActivities(queue: string) {
  return proxyActivities<Activities>({
    taskQueue: queue,
    // A dead worker's queue is noticed fast; the task then moves to a live worker.
    scheduleToStartTimeout: '5 seconds',
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '8 seconds',
    // The workflow owns retries: it must reopen the task from committed offsets after any failure.
    retry: { maximumAttempts: 1 },
  });
}

/**
 * How often offsets are reported to the connector while they change: once a minute, as Kafka
 * Connect flushes offsets (offset.flush.interval.ms), since the patch offset-report-60s (5 s
 * before it). Each report is a signal and a workflow task on both workflows; GET offsets asks the
 * tasks for their latest (src/client/live-offsets.ts), and stop, pause and failure report at once.
 */
const OFFSET_REPORT_MS = 60_000;
const OFFSET_REPORT_MS_BEFORE = 5_000;

/**
 * One source task: poll → transform → convert → produce → commit, in a loop of batch activities
 * on the worker that holds the task. Offsets live here (and in the offsets topic); the connector
 * workflow gets state changes and, every few seconds, the offsets.
 */
export async function sourceTaskWorkflow(input: TaskInput): Promise<TaskResult> {
  return runTask('source', input, sourceTaskWorkflow);
}

/**
 * One sink task: fetch (from a consumer kept warm in the worker) → convert → transform → put →
 * DLQ → commit (here and to consumer group connect-<name>), for the partitions it was assigned.
 */
export async function sinkTaskWorkflow(input: TaskInput): Promise<TaskResult> {
  return runTask('sink', input, sinkTaskWorkflow);
}

/** The batch activities of each kind, on one worker's queue. */
function batchSteps(kind: TaskKind, queue: string) {
  const a = dataActivities(queue);
  return kind === 'source'
    ? { open: async (i: OpenInput) => (await a.openSourceTask(i)).offsets ?? [], batch: async (i: BatchInput) => { const r = await a.sourceBatch(i); return { offsets: r.offsets, count: r.produced, topics: r.topics ?? [] }; }, close: a.closeSourceTask }
    : { open: async (i: OpenInput) => { await a.openSinkTask(i); return [] as PartitionOffset[]; }, batch: async (i: BatchInput) => { const r = await a.sinkBatch(i); return { offsets: r.offsets, count: r.written, topics: r.topics ?? [] }; }, close: a.closeSinkTask };
}

interface OpenInput {
  connector: string;
  taskId: number;
  loadId: string;
  taskConfig: Record<string, string>;
  offsets: PartitionOffset[];
}

interface BatchInput {
  connector: string;
  taskId: number;
  loadId: string;
  seq: number;
}

async function runTask(kind: TaskKind, input: TaskInput, _self: (i: TaskInput) => Promise<TaskResult>): Promise<TaskResult> {
  const offsets = new Map<string, PartitionOffset>(input.offsets.map((o) => [partitionKey(o.partition), o]));
  let paused = input.paused;
  let stopping = false;
  let restartRequested = false;
  // A paused task starts as RUNNING so that the loop reports PAUSED (also after continue-as-new).
  let state = (input.carried?.failedTrace ? 'FAILED' : 'RUNNING') as TaskState;
  let trace = input.carried?.failedTrace ?? input.carried?.retryingTrace;
  let queue = input.carried?.queue;
  let workerId = input.carried?.workerId ?? '';
  let loadId = input.carried?.loadId;
  let seq = input.carried?.seq ?? 0;
  let batches = input.carried?.batches ?? 0;
  let records = input.carried?.records ?? 0;
  let attempt = 0;
  let offsetsDirty = false;
  const topics = new Set<string>(input.carried?.topics ?? []);
  let topicsDirty = false;
  let lastOffsetReport = Date.now();
  // errors.retry.timeout: 0 (Connect's default) or -1 keep retrying transient failures for ever
  // (the task stays RUNNING and loses nothing); a positive value fails the task once transient
  // failures have lasted that long without a successful batch.
  const { retryDelayMaxMs: retryDelayMax, retryTimeoutMs: retryTimeout, historyMaxEvents: maxHistory } = taskRuntime(input.taskConfig);
  let failingSince: number | undefined;
  /** Set while batches keep failing with transient errors; the task's trace then holds the last one. */
  let retrying = input.carried?.retryingTrace !== undefined;
  const parent = getExternalWorkflowHandle(connectorWorkflowId(input.connector));

  // A batch may wait for data for a while (temporal.idle.wait.ms, 30 s by default, so that an idle
  // task costs one activity per wait): pause, stop and restart end it early, so nothing is polled
  // once PAUSED is reported (after the batch returned). Sinks' batches are interrupted since the
  // patch interrupt-sink-batch; histories recorded before it replay without.
  let batchInFlight = false;
  const interruptBatch = () => {
    if (!batchInFlight || !queue) return;
    const task = { connector: input.connector, taskId: input.taskId };
    if (kind === 'source' && patched('interrupt-batch-on-pause')) dataActivities(queue).interruptSourceBatch(task).catch(() => undefined);
    else if (kind === 'sink' && patched('interrupt-sink-batch')) dataActivities(queue).interruptSinkBatch(task).catch(() => undefined);
  };
  setHandler(taskPauseSignal, () => {
    paused = true;
    interruptBatch();
  });
  setHandler(taskResumeSignal, () => void (paused = false));
  setHandler(taskStopSignal, () => {
    stopping = true;
    interruptBatch();
  });
  setHandler(taskRestartSignal, () => {
    restartRequested = true;
    if (batchInFlight && patched('interrupt-batch-on-restart')) interruptBatch();
  });
  setHandler(taskStatusQuery, () => ({ state, workerId, trace, offsets: [...offsets.values()], batches, records }));

  let parentGone = false;
  async function report(s: TaskState | 'STOPPED', withOffsets = false): Promise<void> {
    if (s !== 'STOPPED') state = s;
    const msg: TaskReport = { taskId: input.taskId, generation: input.generation, state: s, workerId, trace };
    if (withOffsets) {
      msg.offsets = [...offsets.values()];
      offsetsDirty = false;
      lastOffsetReport = Date.now();
    }
    if (topicsDirty) {
      msg.topics = [...topics];
      topicsDirty = false;
    }
    try {
      await parent.signal(taskReportSignal, msg);
    } catch (e) {
      // The connector workflow is gone (terminated): nobody can stop this task, so it stops itself.
      log.warn('connector workflow unreachable; stopping task', { error: String(e) });
      parentGone = true;
    }
  }

  const closeQuietly = async () => {
    if (!queue || !loadId) return;
    try {
      await batchSteps(kind, queue).close({ connector: input.connector, taskId: input.taskId });
    } catch {
      // The worker is gone; its resources went with it.
    }
    loadId = undefined;
  };

  if (!input.carried) await report(state);

  while (!stopping && !parentGone) {
    if (restartRequested) {
      restartRequested = false;
      await closeQuietly();
      trace = undefined;
      retrying = false;
      attempt = 0;
      failingSince = undefined;
      // The connector shows the task RESTARTING until it reports again, also when it is paused.
      if (state === 'FAILED' || state === 'RUNNING' || (state === 'PAUSED' && patched('restart-while-paused-reports'))) await report(paused ? 'PAUSED' : 'RUNNING');
      continue;
    }
    if (state === 'FAILED') {
      await condition(() => stopping || restartRequested);
      continue;
    }
    if (paused) {
      if (state !== 'PAUSED') await report('PAUSED', offsetsDirty);
      await condition(() => !paused || stopping || restartRequested);
      if (!paused && !stopping) await report('RUNNING');
      continue;
    }

    try {
      if (!queue) {
        const w = await control.getWorkerQueue();
        queue = w.queue;
        if (w.workerId !== workerId) {
          workerId = w.workerId;
          await report('RUNNING');
        }
      }
      const steps = batchSteps(kind, queue);
      if (!loadId) {
        loadId = uuid4();
        seq = 0;
        // Exactly-once sources answer with the offsets committed in Kafka that this history has not
        // seen (a batch whose transaction committed just before its worker died).
        const committed = await steps.open({
          connector: input.connector,
          taskId: input.taskId,
          loadId,
          taskConfig: input.taskConfig,
          offsets: [...offsets.values()],
        });
        for (const o of committed) offsets.set(partitionKey(o.partition), o);
        if (committed.length) offsetsDirty = true;
      }
      batchInFlight = true;
      const r = await steps.batch({ connector: input.connector, taskId: input.taskId, loadId, seq }).finally(() => void (batchInFlight = false));
      seq++;
      batches++;
      records += r.count;
      attempt = 0;
      failingSince = undefined;
      if (retrying) {
        // Batches succeed again: the status no longer shows the last error.
        retrying = false;
        trace = undefined;
        await report('RUNNING');
      }
      for (const o of r.offsets) offsets.set(partitionKey(o.partition), o);
      if (r.offsets.length) offsetsDirty = true;
      for (const t of r.topics) {
        if (!topics.has(t)) {
          topics.add(t);
          topicsDirty = true;
        }
      }
    } catch (e) {
      const failure = classifyBatchFailure(e);
      const f = failure.cause;
      if (failure.kind === 'workerLost') {
        // The worker died or is unreachable: take whichever worker answers next.
        log.warn('worker lost; moving task', { queue, error: String(f) });
        queue = undefined;
        loadId = undefined;
      } else if (failure.kind === 'notLoaded') {
        loadId = undefined;
      } else if (failure.kind === 'fatal') {
        loadId = undefined;
        trace = failure.trace;
        await report('FAILED', offsetsDirty);
      } else {
        // Transient (database or broker down): back off and reopen from the committed offsets.
        loadId = undefined;
        failingSince ??= Date.now();
        if (retryTimeout > 0 && Date.now() - failingSince >= retryTimeout) {
          trace = `${failure.trace}\n(retried for ${Date.now() - failingSince} ms, errors.retry.timeout is ${retryTimeout} ms)`;
          await report('FAILED', offsetsDirty);
          continue;
        }
        attempt++;
        if (patched('report-retrying')) {
          // Still RUNNING, as in Kafka Connect, but the status says what keeps failing.
          retrying = true;
          trace = retryingTrace(failure.trace, attempt, Date.now() - failingSince, retryTimeout);
          await report('RUNNING');
        }
        const delay = backoffMs(attempt, retryDelayMax);
        log.warn('batch failed; retrying', { attempt, delayMs: delay, error: f instanceof Error ? f.message : String(f) });
        await condition(() => stopping || paused || restartRequested, delay);
      }
    }

    // Reporting new topics came later: histories recorded before it replay without the patch.
    const reportTopics = topicsDirty && patched('report-topics');
    const sinceReport = Date.now() - lastOffsetReport;
    const offsetsDue = offsetsDirty && sinceReport >= OFFSET_REPORT_MS_BEFORE && (sinceReport >= OFFSET_REPORT_MS || !patched('offset-report-60s'));
    if (reportTopics || offsetsDue) await report(state, offsetsDirty);

    const info = workflowInfo();
    if (!stopping && (info.continueAsNewSuggested || info.historyLength > maxHistory)) {
      await condition(allHandlersFinished);
      if (offsetsDirty) await report(state, true);
      return continueAsNew<typeof _self>({
        ...input,
        offsets: [...offsets.values()],
        paused,
        carried: { batches, records, queue, workerId, loadId, seq, failedTrace: (state as TaskState) === 'FAILED' ? trace : undefined, retryingTrace: retrying ? trace : undefined, topics: [...topics] },
      });
    }
  }

  await closeQuietly();
  if (!parentGone) await report('STOPPED', true);
  return { offsets: [...offsets.values()] };
}
