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
  patched,
  proxyActivities,
  setHandler,
  sleep,
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
  type ConnectorOffsets,
  type ConnectorState,
  type InitialState,
  type PartitionOffset,
  type RawConfig,
  type RestartOptions,
} from './messages.js';
import {
  applyTaskReport,
  errorTrace,
  maskUnvalidated,
  mergeOffsets,
  offsetsBodyProblem,
  parseSinkOffsets,
  partitionKey,
  rawConfigProblem,
  statusOf,
  stringifyConfig,
  type TaskEntry,
} from './state.js';
import { connectorRuntime } from './settings.js';
import type { TaskInput } from './task.js';
import { maskLike, offsetsChangeRefusal, pauseStep, reportedTask, restartStep, resumeStep, taskToRestart } from './connector-state.js';

export interface ConnectorInput {
  name: string;
  config: RawConfig;
  /** Kafka Connect's initial_state; RUNNING by default. */
  initialState?: InitialState;
  /** The connector's type as the client that validated the config knows it: status shows it until the workflow has validated. */
  type?: 'source' | 'sink';
  /** State carried through continue-as-new. */
  carried?: Carried;
}

type Validated = ValidatedConnector & { workerId: string };

interface Carried {
  state: ConnectorState;
  /** Absent when the connector failed before its config was ever validated. */
  validated?: Validated;
  generation: number;
  tasks: TaskEntry[];
  offsets: PartitionOffset[];
  topics?: string[];
  trace?: string;
  /** The state the connector goes to once it can start (initial_state, pause/resume/stop while FAILED). */
  target?: InitialState;
}

const control = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ConfigError'] },
});

/**
 * Activities that talk to the connector's system or to Kafka on behalf of a control operation:
 * their retries are bounded, so a system that stays down fails the operation (the connector shows
 * FAILED, or the request gets the error) instead of holding every later operation for ever.
 */
const systemCalls = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3, nonRetryableErrorTypes: ['ConfigError', 'BadRequest'] },
});

const STOP_TIMEOUT_MS = 60_000;

const badRequest = (message: string) => ApplicationFailure.create({ type: 'BadRequest', message, nonRetryable: true });

/**
 * A connector: validates its config, plans its tasks and runs each as a child workflow
 * (`connector:<name>:task-<n>`), then serves Kafka Connect's control operations. Children are
 * abandoned on continue-as-new and reached by workflow id, so they keep running through it.
 *
 * Every handler is registered before the first await, so queries, signals and updates sent right
 * after the start are served (status UNASSIGNED until the connector has started). A failure while
 * validating or planning never ends the workflow: the connector shows FAILED with the error in its
 * trace, and restart (or a corrected config) starts it again.
 */
export async function connectorWorkflow(input: ConnectorInput): Promise<void> {
  const name = input.name;
  const carried = input.carried;
  let v: Validated | undefined = carried?.validated;
  let state: ConnectorState = carried?.state ?? 'UNASSIGNED';
  let target: InitialState = carried?.target ?? input.initialState ?? 'RUNNING';
  let generation = carried?.generation ?? 0;
  let tasks: TaskEntry[] = carried?.tasks ?? [];
  let offsets = new Map<string, PartitionOffset>((carried?.offsets ?? []).map((o) => [partitionKey(o.partition), o]));
  let trace: string | undefined = carried?.trace;
  const topics = new Set<string>(carried?.topics ?? []);

  const setState = (s: ConnectorState) => {
    state = s;
    upsertSearchAttributes({ ConnectorName: [name], ConnectorState: [s], ...(v ? { ConnectorClass: [v.className] } : {}) });
  };
  const status = () => statusOf(name, state, v?.type ?? input.type ?? 'unknown', v?.workerId ?? '', tasks, trace);

  // ---- control operations run one at a time, in arrival order
  let lock: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = lock.then(fn);
    lock = p.catch(() => undefined);
    return p;
  }

  function fail(e: unknown): void {
    trace = errorTrace(e);
    log.error('connector operation failed', { error: String(e) });
    setState('FAILED');
  }

  /** Runs a signal's operation; a failure marks the connector FAILED with its trace (never an unhandled rejection). */
  function fromSignal(fn: () => Promise<void>): void {
    exclusive(fn).catch(fail);
  }

  // Starting comes first in the queue, ahead of any operation sent right after the start.
  const handlersFirst = patched('handlers-before-start');
  const starting = carried ? Promise.resolve() : handlersFirst ? exclusive(start) : undefined;

  // ---- queries
  setHandler(statusQuery, status);
  setHandler(configQuery, () => v?.masked ?? maskUnvalidated(input.config));
  setHandler(offsetsQuery, () => ({ offsets: [...offsets.values()] }));
  setHandler(storedConfigQuery, () => v?.config ?? stringifyConfig(input.config));
  setHandler(topicsQuery, () => [...topics].sort());
  setHandler(resetTopicsSignal, () => topics.clear());
  setHandler(tasksQuery, () =>
    tasks.map((t) => ({ id: { connector: name, task: t.id }, config: v ? maskLike(t.config, v) : maskUnvalidated(t.config) })),
  );

  // ---- task reports (by workflow id, so they reach the latest run)
  setHandler(taskReportSignal, (r) => {
    const t = reportedTask(tasks, generation, r);
    if (!t) return;
    applyTaskReport(t, r);
    if (r.offsets) for (const o of r.offsets) offsets.set(partitionKey(o.partition), o);
    if (r.topics) for (const topic of r.topics) topics.add(topic);
  });

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

  /** Validates the submitted config the first time (and when an earlier try failed). */
  async function validated(): Promise<Validated> {
    if (!v) {
      const checked = await control.validateConnector({ name, config: input.config });
      const { workerId } = await control.getWorkerQueue();
      v = { ...checked, workerId };
    }
    return v;
  }

  /**
   * Brings a connector that runs nothing (new, FAILED at start, STOPPED) to its target state:
   * validate, plan, start the tasks. A failure leaves it FAILED with the error as its trace.
   */
  async function start(): Promise<void> {
    if (!carried && !v && state === 'UNASSIGNED') upsertSearchAttributes({ ConnectorName: [name], ConnectorState: ['UNASSIGNED'] });
    try {
      await validated();
      if (target === 'STOPPED') {
        trace = undefined;
        setState('STOPPED');
        return;
      }
      setState(target);
      // As Kafka Connect: a connector that starts PAUSED plans no tasks until it is resumed.
      if (target === 'PAUSED' && tasks.length === 0 && patched('paused-start-plans-on-resume')) {
        trace = undefined;
        return;
      }
      await launch(await plan());
      trace = undefined;
    } catch (e) {
      if (isCancellation(e)) throw e;
      fail(e);
    }
  }

  /** The plugin's task configs for the current config (it may check the system: credentials, tables, topics). */
  function plan(config = v?.config): Promise<Array<Record<string, string>>> {
    if (!config) throw badRequest('The connector has no valid config yet');
    return (patched('bounded-plan-retries') ? systemCalls : control).planTasks({ name, config });
  }

  async function launch(plans: Array<Record<string, string>>): Promise<void> {
    if (!v) return;
    const type = v.type;
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
      await startTask(type, t.id, args);
    }
  }

  /**
   * Starts a task's child workflow. A run of that id may still be open: a task of an earlier
   * plan that reported STOPPED but has not closed yet, or one left by an earlier connector run.
   * It is asked to stop (then cancelled) and ours started once it has closed; the connector never
   * fails because of it.
   */
  async function startTask(type: 'source' | 'sink', id: number, args: TaskInput): Promise<void> {
    const workflowId = taskWorkflowId(name, id);
    for (let attempt = 1; ; attempt++) {
      try {
        // A delete (cancel) that arrives while the child is being started must not leave the
        // start half done: the start is let finish, so the task is in `tasks` and stopTasks
        // (the cancel path) stops it. Cancelled mid-start, a task workflow was left running
        // and the connector waited for it forever (a DELETE right after a create).
        const start = () => startChild(type === 'sink' ? SINK_TASK_WORKFLOW : SOURCE_TASK_WORKFLOW, {
          workflowId,
          args: [args],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          // Cancelling the connector must not cancel its tasks directly: it stops them itself,
          // so they finish their batch and report their final offsets.
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          // A task workflow cached on a worker that dies mid-step moves after this (default 10 s).
          workflowTaskTimeout: '3 seconds',
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        await (patched('task-start-not-cancellable') ? CancellationScope.nonCancellable(start) : start());
        return;
      } catch (e) {
        if ((e as Error)?.name !== 'WorkflowExecutionAlreadyStartedError' || attempt > 60) throw e;
        log.warn('an earlier run of the task is still open; stopping it first', { task: id, attempt });
        const other = getExternalWorkflowHandle(workflowId);
        if (attempt === 1) await other.signal(taskStopSignal).catch(() => undefined);
        if (attempt === 20) await other.cancel().catch(() => undefined);
        await sleep(Math.min(250 * attempt, 2000));
      }
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
      const step = pauseStep(state);
      if (step === 'ignore') return;
      target = 'PAUSED';
      if (step === 'remember') return;
      setState('PAUSED');
      await signalTasks(taskPauseSignal);
    }),
  );

  setHandler(resumeSignal, () =>
    fromSignal(async () => {
      target = 'RUNNING';
      const step = resumeStep(state, tasks.length, v !== undefined, patched);
      if (step === 'start') {
        await start();
      } else if (step === 'resumeTasks') {
        setState('RUNNING');
        await signalTasks(taskResumeSignal);
      } else if (step === 'legacyLaunch') {
        setState('RUNNING');
        await launch(await plan());
      }
    }),
  );

  setHandler(stopSignal, () =>
    fromSignal(async () => {
      if (state === 'STOPPED') return;
      target = 'STOPPED';
      await stopTasks();
      setState('STOPPED');
    }),
  );

  setHandler(restartSignal, (opts?: RestartOptions) =>
    fromSignal(async () => {
      const step = restartStep(state, tasks, opts, patched);
      if (step.kind === 'ignore') return;
      if (step.kind === 'startAgain') {
        // Restarting a failed connector starts it again: validate, plan, start its tasks afresh.
        await stopTasks();
        await start();
        return;
      }
      if (step.clearTrace) trace = undefined;
      if (step.setRunning) setState('RUNNING');
      if (step.tasks) {
        for (const t of tasks) if (step.tasks.includes(t.id)) t.state = 'RESTARTING';
        await signalTasks(taskRestartSignal, (t) => t.state === 'RESTARTING');
      }
    }),
  );

  setHandler(restartTaskSignal, (id: number) =>
    fromSignal(async () => {
      const t = taskToRestart(tasks, id);
      if (!t) return;
      t.state = 'RESTARTING';
      await signalTasks(taskRestartSignal, (x) => x.id === id);
    }),
  );

  setHandler(
    reconfigureUpdate,
    (config: RawConfig) =>
      exclusive(async () => {
        // `[hidden]` for a secret keeps the stored value (a config read back and sent again).
        const checked = await control.validateConnector({ name, config, stored: v?.config });
        if (!patched('reconfigure-plans-first')) {
          await stopTasks();
          v = { ...checked, workerId: v?.workerId ?? '' };
          setState(state);
          if (state !== 'STOPPED') await launch(await plan());
          return status();
        }
        // Plan the new config before anything changes: if the system refuses it (credentials,
        // missing tables), the request gets the error and the connector keeps running as it was.
        const plans = state === 'STOPPED' ? undefined : await plan(checked.config);
        await stopTasks();
        v = { ...checked, workerId: v?.workerId ?? (await control.getWorkerQueue()).workerId };
        if (plans) {
          trace = undefined;
          setState(target);
          await launch(plans);
        }
        return status();
      }),
    {
      validator: (config: RawConfig) => {
        const problem = rawConfigProblem(config);
        if (problem) throw badRequest(problem);
      },
    },
  );

  /** An alter-offsets body checked as Kafka Connect checks it (sink offsets in its own terms); entries normalized. */
  function checkedOffsets(body: ConnectorOffsets): PartitionOffset[] {
    const problem = offsetsBodyProblem(body);
    if (problem) throw badRequest(problem);
    if (v?.type !== 'sink') return body.offsets;
    const parsed = parseSinkOffsets(body.offsets);
    if ('problem' in parsed) throw badRequest(parsed.problem);
    return parsed.offsets;
  }

  setHandler(
    alterOffsetsUpdate,
    (body) =>
      exclusive(async () => {
        requireStopped(state);
        const changes = checkedOffsets(body);
        if (!v) throw badRequest('The connector has no valid config yet');
        await (patched('bounded-plan-retries') ? systemCalls : control).writeOffsets({ name, config: v.config, offsets: changes });
        offsets = mergeOffsets(offsets, changes);
        return { offsets: [...offsets.values()] };
      }),
    { validator: (body) => void checkedOffsets(body) },
  );

  setHandler(resetOffsetsUpdate, () =>
    exclusive(async () => {
      requireStopped(state);
      if (!v) throw badRequest('The connector has no valid config yet');
      const tombstones = [...offsets.values()].map((o) => ({ partition: o.partition, offset: null }));
      await (patched('bounded-plan-retries') ? systemCalls : control).writeOffsets({ name, config: v.config, offsets: tombstones, reset: true });
      offsets = new Map();
      return { offsets: [] };
    }),
  );

  try {
    if (carried) setState(state);
    else await (starting ?? exclusive(start));

    // Parsed once per validated config (v changes only on start and reconfigure), not on every wake-up.
    let parsedFor: Validated | undefined | null = null;
    let parsed = connectorRuntime(undefined, undefined);
    const runtime = () => {
      if (parsedFor !== v) {
        parsedFor = v;
        parsed = connectorRuntime(v?.config, v?.type);
      }
      return parsed;
    };
    const tooLong = () => {
      const info = workflowInfo();
      return info.continueAsNewSuggested || info.historyLength > runtime().historyMaxEvents;
    };
    for (;;) {
      // Sources re-check their tables every table.poll.interval.ms; sinks their topics/partitions.
      const every = runtime().replanEveryMs;
      await condition(tooLong, every);
      if (tooLong()) {
        await lock;
        await condition(allHandlersFinished);
        return await continueAsNew<typeof connectorWorkflow>({
          name,
          config: input.config,
          type: input.type,
          carried: { state, validated: v, generation, tasks, offsets: [...offsets.values()], topics: [...topics], trace, target },
        });
      }
      if (state === 'RUNNING') await exclusive(replanIfChanged);
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

  /**
   * Re-plans when the source's tables or the sink's topics changed. A failed check (the system is
   * down) is tried again at the next interval; the running tasks are left alone meanwhile.
   */
  async function replanIfChanged(): Promise<void> {
    if (state !== 'RUNNING' || !v) return;
    const current = tasks.map((t) => t.config);
    const tolerant = patched('replan-failures-tolerated');
    try {
      if (!(await (tolerant ? systemCalls : control).checkReplan({ name, config: v.config, tasks: current }))) return;
    } catch (e) {
      if (!tolerant || isCancellation(e)) throw e;
      log.warn('checking for changed partitions failed; trying again later', { error: errorTrace(e) });
      return;
    }
    log.info('source partitions changed; re-planning tasks');
    if (!tolerant) {
      await stopTasks();
      await launch(await plan());
      return;
    }
    let plans: Array<Record<string, string>>;
    try {
      plans = await plan();
    } catch (e) {
      if (isCancellation(e)) throw e;
      log.warn('re-planning failed; the tasks keep their plan until the next check', { error: errorTrace(e) });
      return;
    }
    try {
      await stopTasks();
      await launch(plans);
    } catch (e) {
      if (isCancellation(e)) throw e;
      fail(e);
    }
  }
}

function requireStopped(state: ConnectorState): void {
  const refusal = offsetsChangeRefusal(state);
  if (refusal) throw ApplicationFailure.create({ type: 'Conflict', nonRetryable: true, message: refusal });
}
