import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ValidatedConnector } from '../activities/control.js';
import {
  SINK_TASK_WORKFLOW,
  SOURCE_TASK_WORKFLOW,
  alterOffsetsUpdate,
  configQuery,
  offsetsQuery,
  pauseSignal,
  reconfigureUpdate,
  resetOffsetsUpdate,
  restartSignal,
  resumeSignal,
  statusQuery,
  stopSignal,
  taskPauseSignal,
  taskReportSignal,
  taskRestartSignal,
  taskResumeSignal,
  taskStopSignal,
  taskWorkflowId,
  tasksQuery,
  storedConfigQuery,
  topicsQuery,
  resetTopicsSignal,
  restartTaskSignal,
  type ConnectorState,
  type InitialState,
  type PartitionOffset,
  type RawConfig,
  type RestartOptions,
} from './messages.js';
import { mergeOffsets, offsetsBodyProblem, partitionKey, statusOf, type TaskEntry } from './state.js';
import { MAX_HISTORY, type TaskInput } from './task.js';

export interface ConnectorInput {
  name: string;
  config: RawConfig;
  /** Kafka Connect's initial_state; RUNNING by default. */
  initialState?: InitialState;
  /** State carried through continue-as-new. */
  carried?: Carried;
}

interface Carried {
  state: ConnectorState;
  validated: ValidatedConnector & { workerId: string };
  generation: number;
  tasks: TaskEntry[];
  offsets: PartitionOffset[];
  topics?: string[];
}

const control = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ConfigError'] },
});

const STOP_TIMEOUT_MS = 60_000;

/**
 * A connector: validates its config, plans its tasks and runs each as a child workflow
 * (`connector:<name>:task-<n>`), then serves Kafka Connect's control operations. Children are
 * abandoned on continue-as-new and reached by workflow id, so they keep running through it.
 */
export async function connectorWorkflow(input: ConnectorInput): Promise<void> {
  const name = input.name;
  let v: Carried['validated'];
  let state: ConnectorState;
  let generation: number;
  let tasks: TaskEntry[];
  let offsets: Map<string, PartitionOffset>;
  let trace: string | undefined;
  const topics = new Set<string>(input.carried?.topics ?? []);

  if (input.carried) {
    ({ validated: v, state, generation, tasks } = input.carried);
    offsets = new Map(input.carried.offsets.map((o) => [partitionKey(o.partition), o]));
  } else {
    upsertSearchAttributes({ ConnectorName: [name], ConnectorState: ['UNASSIGNED'] });
    // An invalid config fails the start, naming every bad key.
    const validated = await control.validateConnector({ name, config: input.config });
    const { workerId } = await control.getWorkerQueue();
    v = { ...validated, workerId };
    state = input.initialState ?? 'RUNNING';
    generation = 0;
    tasks = [];
    offsets = new Map();
  }

  const setState = (s: ConnectorState) => {
    state = s;
    upsertSearchAttributes({ ConnectorName: [name], ConnectorState: [s], ConnectorClass: [v.className] });
  };
  setState(state);

  // ---- queries
  setHandler(statusQuery, () => statusOf(name, state, v.type, v.workerId, tasks, trace));
  setHandler(configQuery, () => v.masked);
  setHandler(offsetsQuery, () => ({ offsets: [...offsets.values()] }));
  setHandler(storedConfigQuery, () => v.config);
  setHandler(topicsQuery, () => [...topics].sort());
  setHandler(resetTopicsSignal, () => topics.clear());
  setHandler(tasksQuery, () =>
    tasks.map((t) => ({ id: { connector: name, task: t.id }, config: maskLike(t.config, v) })),
  );

  // ---- task reports (by workflow id, so they reach the latest run)
  setHandler(taskReportSignal, (r) => {
    if (r.generation !== generation) return;
    const t = tasks.find((x) => x.id === r.taskId);
    if (!t) return;
    t.state = r.state;
    t.workerId = r.workerId;
    t.trace = r.state === 'FAILED' ? r.trace : undefined;
    if (r.offsets) for (const o of r.offsets) offsets.set(partitionKey(o.partition), o);
    if (r.topics) for (const topic of r.topics) topics.add(topic);
  });

  // ---- control operations run one at a time, in arrival order
  let lock: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = lock.then(fn);
    lock = p.catch(() => undefined);
    return p;
  }

  /** Runs a signal's operation; a failure marks the connector FAILED with its trace (never an unhandled rejection). */
  function fromSignal(fn: () => Promise<void>): void {
    exclusive(fn).catch((e: unknown) => {
      trace = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      log.error('connector operation failed', { error: String(e) });
      setState('FAILED');
    });
  }

  async function signalTasks(sig: SignalDefinition<[]>, only?: (t: TaskEntry) => boolean): Promise<void> {
    await Promise.all(
      tasks.filter((t) => t.state !== 'STOPPED' && (!only || only(t))).map(async (t) => {
        try {
          await getExternalWorkflowHandle(taskWorkflowId(name, t.id)).signal(sig);
        } catch (e) {
          log.warn('task unreachable', { task: t.id, error: String(e) });
          t.state = 'STOPPED';
        }
      }),
    );
  }

  async function startTasks(): Promise<void> {
    const plans = await control.planTasks({ name, config: v.config });
    generation++;
    tasks = plans.map((config, id) => ({ id, state: 'UNASSIGNED', workerId: '', config }));
    const all = [...offsets.values()];
    for (const t of tasks) {
      const args: TaskInput = {
        connector: name,
        taskId: t.id,
        generation,
        taskConfig: t.config,
        offsets: all,
        paused: state === 'PAUSED',
      };
      await startChild(v.type === 'sink' ? SINK_TASK_WORKFLOW : SOURCE_TASK_WORKFLOW, {
        workflowId: taskWorkflowId(name, t.id),
        args: [args],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // Cancelling the connector must not cancel its tasks directly: it stops them itself,
        // so they finish their batch and report their final offsets.
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        // A task workflow cached on a worker that dies mid-step moves after this (default 10 s).
        workflowTaskTimeout: '3 seconds',
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
    }
  }

  /** Asks every task to finish its batch and stop; waits for their final offsets. */
  async function stopTasks(): Promise<void> {
    if (tasks.length === 0) return;
    await signalTasks(taskStopSignal);
    const done = await condition(() => tasks.every((t) => t.state === 'STOPPED'), STOP_TIMEOUT_MS);
    if (!done) {
      log.warn('tasks did not stop in time; cancelling them', { tasks: tasks.filter((t) => t.state !== 'STOPPED').map((t) => t.id) });
      await Promise.all(
        tasks.filter((t) => t.state !== 'STOPPED').map((t) => getExternalWorkflowHandle(taskWorkflowId(name, t.id)).cancel().catch(() => undefined)),
      );
    }
    tasks = [];
  }

  setHandler(pauseSignal, () =>
    fromSignal(async () => {
      if (state !== 'RUNNING') return;
      setState('PAUSED');
      await signalTasks(taskPauseSignal);
    }),
  );

  setHandler(resumeSignal, () =>
    fromSignal(async () => {
      if (state === 'PAUSED') {
        setState('RUNNING');
        await signalTasks(taskResumeSignal);
      } else if (state === 'STOPPED') {
        setState('RUNNING');
        await startTasks();
      }
    }),
  );

  setHandler(stopSignal, () =>
    fromSignal(async () => {
      if (state === 'STOPPED') return;
      await stopTasks();
      setState('STOPPED');
    }),
  );

  setHandler(restartSignal, (opts?: RestartOptions) =>
    fromSignal(async () => {
      const includeTasks = opts?.includeTasks ?? false;
      const onlyFailed = opts?.onlyFailed ?? false;
      if (state === 'STOPPED') return;
      if (!onlyFailed || state === 'FAILED') {
        // Restarting the connector instance: re-validate, then re-plan if the plan changed.
        trace = undefined;
        if (state === 'FAILED') setState('RUNNING');
      }
      if (includeTasks) {
        const pick = (t: TaskEntry) => !onlyFailed || t.state === 'FAILED';
        for (const t of tasks) if (pick(t)) t.state = 'RESTARTING';
        await signalTasks(taskRestartSignal, (t) => t.state === 'RESTARTING');
      }
    }),
  );

  setHandler(restartTaskSignal, (id: number) =>
    fromSignal(async () => {
      const t = tasks.find((x) => x.id === id && x.state !== 'STOPPED');
      if (!t) return;
      t.state = 'RESTARTING';
      await signalTasks(taskRestartSignal, (x) => x.id === id);
    }),
  );

  setHandler(reconfigureUpdate, (config: RawConfig) =>
    exclusive(async () => {
      const validated = await control.validateConnector({ name, config });
      await stopTasks();
      v = { ...validated, workerId: v.workerId };
      setState(state === 'STOPPED' ? 'STOPPED' : state);
      if (state !== 'STOPPED') await startTasks();
      return statusOf(name, state, v.type, v.workerId, tasks, trace);
    }),
  );

  setHandler(alterOffsetsUpdate, (body) =>
    exclusive(async () => {
      requireStopped(state);
      const problem = offsetsBodyProblem(body);
      if (problem) throw ApplicationFailure.create({ type: 'BadRequest', message: problem, nonRetryable: true });
      await control.writeOffsets({ name, config: v.config, offsets: body.offsets });
      offsets = mergeOffsets(offsets, body.offsets);
      return { offsets: [...offsets.values()] };
    }),
  );

  setHandler(resetOffsetsUpdate, () =>
    exclusive(async () => {
      requireStopped(state);
      const tombstones = [...offsets.values()].map((o) => ({ partition: o.partition, offset: null }));
      await control.writeOffsets({ name, config: v.config, offsets: tombstones, reset: true });
      offsets = new Map();
      return { offsets: [] };
    }),
  );

  try {
    if (!input.carried && state !== 'STOPPED') await exclusive(startTasks);

    // Sources re-check their tables every table.poll.interval.ms; sinks their topics/partitions.
    const replanEvery = Number(v.config[v.type === 'source' ? 'table.poll.interval.ms' : 'temporal.topics.poll.interval.ms'] ?? (v.type === 'source' ? 60000 : 30000));
    const tooLong = () => {
      const info = workflowInfo();
      return info.continueAsNewSuggested || info.historyLength > (Number(v.config['temporal.history.max.events'] ?? MAX_HISTORY) || MAX_HISTORY);
    };
    for (;;) {
      await condition(tooLong, replanEvery);
      if (tooLong()) {
        await lock;
        await condition(allHandlersFinished);
        return await continueAsNew<typeof connectorWorkflow>({
          name,
          config: input.config,
          carried: { state, validated: v, generation, tasks, offsets: [...offsets.values()], topics: [...topics] },
        });
      }
      if (state === 'RUNNING') {
        await exclusive(async () => {
          const current = tasks.map((t) => t.config);
          if (state === 'RUNNING' && (await control.checkReplan({ name, config: v.config, tasks: current }))) {
            log.info('source partitions changed; re-planning tasks');
            await stopTasks();
            await startTasks();
          }
        });
      }
    }
  } catch (e) {
    if (!isCancellation(e)) throw e;
    // Cancelling the connector (= delete) stops its tasks cleanly first.
    await CancellationScope.nonCancellable(async () => {
      await lock;
      await stopTasks();
    });
    throw e;
  }
}

function requireStopped(state: ConnectorState): void {
  if (state !== 'STOPPED') {
    throw ApplicationFailure.create({
      type: 'Conflict',
      nonRetryable: true,
      message: 'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a \'PUT\' request to the \'/connectors/<name>/stop\' endpoint',
    });
  }
}

/** Task configs carry the connector's keys: mask the same secret keys. */
function maskLike(config: Record<string, string>, v: ValidatedConnector): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(config)) out[k] = v.masked[k] !== undefined && v.masked[k] !== v.config[k] ? v.masked[k] : val;
  return out;
}
