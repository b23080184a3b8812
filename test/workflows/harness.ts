// Workflow tests without the data servers: the real workflows (bundled once per test file) on a
// Temporal dev server of their own (the `temporal` CLI the stack installs, started by
// @temporalio/testing on a free port), with stub activities in place of Kafka, MariaDB and
// Elasticsearch. The stubs are typed from the Activities factory, so a changed activity signature
// fails the type-check here.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../../activities/index.js';
import type { connectorWorkflow, ConnectorInput } from '../../workflows/connector.js';
import {
  CONNECTOR_WORKFLOW,
  connectorWorkflowId,
  statusQuery,
  taskWorkflowId,
  type ConnectorStatus,
  type PartitionOffset,
  type RawConfig,
} from '../../workflows/messages.js';
import { stackEnv, waitFor } from '../helpers/stack.js';

/** The activities the workflows call; each stub has the real activity's signature. */
export type StubbedActivities = Pick<Activities,
  | 'getWorkerQueue' | 'validateConnector' | 'planTasks' | 'checkReplan' | 'writeOffsets'
  | 'openSourceTask' | 'sourceBatch' | 'interruptSourceBatch' | 'closeSourceTask'
  | 'openSinkTask' | 'sinkBatch' | 'closeSinkTask'>;

type BatchFailure = { message: string; nonRetryable?: boolean; type?: string };

/** What one connector's stub activities do and what they saw; tests set and read it. */
export class StubConnector {
  /** When set, planTasks fails with this (a ConfigError: not retried). */
  planError?: string;
  /** Task id → the failure every batch of that task throws until the test deletes it. */
  readonly failing = new Map<number, BatchFailure>();
  /** Task id → worker queues getWorkerQueue hands out, in order (then the harness' default queue). */
  readonly queues = new Map<number, string[]>();
  /** Task id → the offsets each open of it got. */
  readonly opens = new Map<number, PartitionOffset[][]>();
  /** Task id → the worker queue each of its batches ran on. */
  readonly batchQueues = new Map<number, string[]>();
  plans = 0;
  readonly writes: Array<{ offsets: PartitionOffset[]; reset?: boolean }> = [];
  readonly interrupts: number[] = [];
  /** Task id → the offsets its source open answers (an exactly-once open's committed offsets). */
  readonly committedOnOpen = new Map<number, PartitionOffset[]>();

  opensOf(task: number): number {
    return this.opens.get(task)?.length ?? 0;
  }
}

/** A task workflow id's connector and task, or the connector's own id. */
function caller(): { connector: string; task?: number } {
  const id = Context.current().info.workflowExecution?.workflowId ?? '';
  const m = /^connector:([^:]+)(?::task-(\d+))?$/.exec(id);
  if (!m) throw new Error(`unexpected workflow id ${id}`);
  return { connector: m[1] ?? '', task: m[2] === undefined ? undefined : Number(m[2]) };
}

const configError = (message: string) => ApplicationFailure.create({ type: 'ConfigError', message, nonRetryable: true });

/** A source or sink connector the stubs know: `connector.class` says which; `tasks.max` how many tasks; `invalid` fails validation. */
export function stubConfig(type: 'source' | 'sink', extra: RawConfig = {}): RawConfig {
  return { 'connector.class': type === 'source' ? 'StubSource' : 'StubSink', 'tasks.max': 2, ...extra };
}

function stubActivities(h: { connector(name: string): StubConnector; defaultQueue: string; queueOfWorker: string }): StubbedActivities {
  const inFlight = new Map<string, AbortController>();
  let batchSeq = 0;
  async function batch(input: { connector: string; taskId: number; seq: number }) {
    const c = h.connector(input.connector);
    const queue = Context.current().info.taskQueue;
    const ran = c.batchQueues.get(input.taskId) ?? [];
    ran.push(queue);
    c.batchQueues.set(input.taskId, ran);
    const failure = c.failing.get(input.taskId);
    if (failure) throw ApplicationFailure.create({ type: failure.type ?? 'StubFailure', message: failure.message, nonRetryable: failure.nonRetryable ?? false });
    // A short poll, cut short by interruptSourceBatch (as the real one is on pause/stop).
    const ac = new AbortController();
    const key = `${input.connector}/${input.taskId}`;
    inFlight.set(key, ac);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 50);
      ac.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); });
    });
    inFlight.delete(key);
    batchSeq++;
    return {
      offsets: [{ partition: { task: input.taskId }, offset: { position: batchSeq } }],
      topics: [`${input.connector}-topic`],
      millis: 50,
    };
  }
  async function open(input: { connector: string; taskId: number; offsets: PartitionOffset[] }) {
    const c = h.connector(input.connector);
    c.opens.set(input.taskId, [...(c.opens.get(input.taskId) ?? []), input.offsets]);
    const committed = c.committedOnOpen.get(input.taskId);
    return committed ? { workerId: h.queueOfWorker, offsets: committed } : { workerId: h.queueOfWorker };
  }
  return {
    async getWorkerQueue() {
      const { connector, task } = caller();
      const planned = task === undefined ? undefined : h.connector(connector).queues.get(task)?.shift();
      const queue = planned ?? h.defaultQueue;
      return { queue, workerId: `stub-worker@${queue}` };
    },
    async validateConnector(input) {
      const raw = { ...input.config };
      // `[hidden]` keeps the stored value, as the real activity does.
      for (const [k, val] of Object.entries(raw)) if (val === '[hidden]' && input.stored?.[k] !== undefined) raw[k] = input.stored[k];
      if (raw.invalid !== undefined && raw.invalid !== null) throw configError(`Connector configuration is invalid and contains the following 1 error(s): invalid: ${String(raw.invalid)}`);
      const config: Record<string, string> = {};
      for (const [k, val] of Object.entries(raw)) if (val !== null) config[k] = String(val);
      const masked = { ...config };
      if (masked['stub.password'] !== undefined) masked['stub.password'] = '[hidden]';
      return { config, masked, type: config['connector.class'] === 'StubSink' ? 'sink' : 'source', className: config['connector.class'], tasksMax: Number(config['tasks.max'] ?? 1) };
    },
    async planTasks(input) {
      const c = h.connector(input.name);
      c.plans++;
      if (c.planError) throw configError(c.planError);
      const n = Number(input.config['tasks.max'] ?? 1);
      return Array.from({ length: n }, (_, i) => ({ ...input.config, 'stub.task': String(i) }));
    },
    async checkReplan() {
      return false;
    },
    async writeOffsets(input) {
      h.connector(input.name).writes.push({ offsets: input.offsets, reset: input.reset });
    },
    openSourceTask: open,
    async sourceBatch(input) {
      const r = await batch(input);
      return { polled: 1, produced: 1, skipped: 0, deadLettered: 0, ...r };
    },
    async interruptSourceBatch(input) {
      h.connector(input.connector).interrupts.push(input.taskId);
      const ac = inFlight.get(`${input.connector}/${input.taskId}`);
      ac?.abort();
      return ac !== undefined;
    },
    async closeSourceTask() {},
    openSinkTask: open,
    async sinkBatch(input) {
      const r = await batch(input);
      return { fetched: 1, written: 1, skipped: 0, deadLettered: 0, ...r };
    },
    async closeSinkTask() {},
  };
}

const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface Harness {
  env: TestWorkflowEnvironment;
  /** The control queue connector workflows run on (also the default data queue). */
  taskQueue: string;
  connector(name: string): StubConnector;
  /** Starts a connector workflow with a unique name; `before` sets up its stub first. */
  start(config: RawConfig, opts?: Partial<Omit<ConnectorInput, 'config' | 'name'>>, before?: (stub: StubConnector) => void): Promise<{ name: string; handle: WorkflowHandle<typeof connectorWorkflow>; stub: StubConnector }>;
  /** Polls the status until `ok` holds (never sleeps a fixed time). */
  statusUntil(handle: WorkflowHandle, ok: (s: ConnectorStatus) => boolean, what: string, timeout?: number): Promise<ConnectorStatus>;
  /** A worker running only the stub activities on a queue of its own (a second worker process). */
  dataWorker(queue: string): Promise<{ stop(): Promise<void> }>;
  stop(): Promise<void>;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export async function startHarness(): Promise<Harness> {
  const cli = process.env.TEMPORAL_CLI || stackEnv().TEMPORAL_CLI;
  if (!cli) throw new Error('TEMPORAL_CLI is not set: run `npm run stack -- up` (it installs the temporal CLI) and export `npm run stack -- env`');
  // Quiet the SDK's core logs: a workflow test's output is its assertions.
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  } catch {
    // Already installed in this process.
  }
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const [env, workflowBundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli },
        // The server's warnings (e.g. tasks of a worker shut down on purpose) are not the test's output.
        log: { format: 'pretty', level: 'error' },
        extraArgs: ['--search-attribute', 'ConnectorName=Keyword', '--search-attribute', 'ConnectorState=Keyword', '--search-attribute', 'ConnectorClass=Keyword'],
      },
    }),
    bundle,
  ]);
  const taskQueue = `wf-test-${randomBytes(4).toString('hex')}`;
  const connectors = new Map<string, StubConnector>();
  const connector = (name: string) => {
    let c = connectors.get(name);
    if (!c) connectors.set(name, (c = new StubConnector()));
    return c;
  };
  const activitiesFor = (queue: string) => stubActivities({ connector, defaultQueue: taskQueue, queueOfWorker: `stub-worker@${queue}` });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: activitiesFor(taskQueue),
  });
  const running = worker.run();
  const extra: Array<() => Promise<void>> = [];

  const harness: Harness = {
    env,
    taskQueue,
    connector,
    async start(config, opts = {}, before) {
      const name = `c${randomBytes(4).toString('hex')}`;
      before?.(connector(name));
      const handle = await env.client.workflow.start<typeof connectorWorkflow>(CONNECTOR_WORKFLOW, {
        taskQueue,
        workflowId: connectorWorkflowId(name),
        args: [{ name, config, ...opts }],
      });
      return { name, handle, stub: connector(name) };
    },
    statusUntil(handle, ok, what, timeout = 15_000) {
      let last: ConnectorStatus | undefined;
      return waitFor(async () => {
        last = await handle.query(statusQuery);
        return ok(last) ? last : undefined;
      }, { timeout, interval: 50, what: `${what} (status: ${JSON.stringify(last)})` });
    },
    async dataWorker(queue) {
      const w = await Worker.create({ connection: env.nativeConnection, taskQueue: queue, activities: activitiesFor(queue) });
      const p = w.run();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        w.shutdown();
        await p;
      };
      extra.push(stop);
      return { stop };
    },
    async stop() {
      for (const s of extra) await s();
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
  return harness;
}

/** A task workflow's handle (by id, so it follows continue-as-new). */
export const taskHandle = (h: Harness, name: string, task: number) => h.env.client.workflow.getHandle(taskWorkflowId(name, task));

export const running = (n: number) => (s: ConnectorStatus) =>
  s.connector.state === 'RUNNING' && s.tasks.length === n && s.tasks.every((t) => t.state === 'RUNNING');

/** One harness for the test file (one dev server, the workflows bundled once); the getter is valid inside tests. */
export function harnessPerFile(): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  }, 30_000);
  return () => {
    if (!h) throw new Error('the workflow test harness has not started');
    return h;
  };
}
