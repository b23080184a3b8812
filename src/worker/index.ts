import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type TLSConfig } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { createActivities } from '../../activities/index.js';
import { KafkaPool } from '../kafka/client.js';
import { closeRawCluster } from '../kafka/group-offsets.js';
import { createLogger, type Logger } from '../logging.js';
import { configProvidersFromWorkerConfig, unconfinedProviderWarnings } from '../config/providers.js';
import { scrubbingLogger } from './scrubbing-logger.js';
import { loadWorkerPlugins } from '../plugins/loader.js';
import { DEFAULT_TASK_QUEUE } from '../../workflows/messages.js';
import { SOURCE_EXT, WORKFLOWS_PATH } from './workflows-path.js';
import { ConfigError } from '../errors.js';
import { exactlyOnceSourceSupport } from '../config/exactly-once.js';
import { offsetsTopicCreation } from '../kafka/offsets-store.js';

export interface WorkerOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue?: string;
  kafkaBrokers: string[];
  /** Worker properties: converter defaults, config.providers, offset.storage.topic, ... */
  workerConfig?: Record<string, string>;
  signal?: AbortSignal;
  /** Shown as worker_id in status; default host:pid. */
  workerId?: string;
  /** Temporal Cloud / mTLS. */
  tls?: TLSConfig | boolean;
  apiKey?: string;
  /** The process logger (e.g. one the REST API's /admin/loggers controls); default a new one. */
  logger?: Logger;
}

export interface RunningWorker {
  workerId: string;
  /** This process's own queue, where the data activities of its batches run. */
  workerQueue: string;
  /** Resolves when both workers stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export { WORKFLOWS_PATH } from './workflows-path.js';
const requireFrom = createRequire(import.meta.url);

let runtimeInstalled = false;
/** The SDK's own logs: warnings and up unless TEMPORAL_SDK_LOG_LEVEL says otherwise (once per process). */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.TEMPORAL_SDK_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed by the embedding application: keep its choice.
  }
}

/** Worker property: how far V8 lets the heap grow past live data before collecting (percent). */
export const HEAP_GROWING_KEY = 'temporal.heap.growing.percent';
const DEFAULT_HEAP_GROWING_PERCENT = 100;

/**
 * V8 sizes the next heap at up to 4x the live data when a process allocates fast, as a sink
 * task does (a worker moving 25k records/s sat at 600+ MiB with ~120 MiB live). The worker tells
 * it to grow by DEFAULT_HEAP_GROWING_PERCENT (2x) instead: measured on the sink benchmark, RSS
 * ~400-480 MiB instead of 520-690 at about the same CPU (50 % cost ~25 % more CPU per record).
 * 0 leaves V8's own heuristics.
 */
function boundHeapGrowth(workerConfig: Record<string, string>, logger: Logger): void {
  const raw = workerConfig[HEAP_GROWING_KEY];
  const pct = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(pct) || pct < 0) {
    logger.warn({ key: HEAP_GROWING_KEY, value: raw }, `ignoring ${HEAP_GROWING_KEY}: not a whole number >= 0`);
    return;
  }
  if (pct > 0) v8.setFlagsFromString(`--heap-growing-percent=${pct}`);
}

/** The young generation (MiB per semi-space) of the workflow thread's V8 isolate; V8's default is 16. */
export const WORKFLOW_THREAD_SEMI_SPACE_MB = 1;

/**
 * Creates the SDK's workflow thread (inside `create`) with a small young generation. V8 reads
 * --max-semi-space-size when it creates an isolate, so the flag is set for the moment the SDK
 * starts the thread and put back after: to the size node was started with (NODE_OPTIONS or its
 * own flags; the main thread keeps that choice), else to V8's default. The thread runs workflow
 * code only: a few KiB per activation, no records, so 1 MiB semi-spaces cost it nothing
 * measurable and save 10-15 MiB of RSS (bench/README.md, Memory).
 */
export async function withSmallWorkflowThread<T>(create: () => Promise<T>): Promise<T> {
  let chosen = '0';
  for (const a of [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) chosen = m[1];
  }
  v8.setFlagsFromString(`--max-semi-space-size=${WORKFLOW_THREAD_SEMI_SPACE_MB}`);
  try {
    return await create();
  } finally {
    v8.setFlagsFromString(`--max-semi-space-size=${chosen}`);
  }
}

/** Kafka Connect's worker property: how long a stopping worker lets in-flight batches finish. */
export const SHUTDOWN_GRACE_KEY = 'task.shutdown.graceful.timeout.ms';
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

/** task.shutdown.graceful.timeout.ms as a number of ms; a value that is not a whole number >= 0 is refused. */
export function shutdownGraceMs(workerConfig: Record<string, string>): number {
  const raw = workerConfig[SHUTDOWN_GRACE_KEY];
  if (raw === undefined || raw.trim() === '') return DEFAULT_SHUTDOWN_GRACE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new ConfigError(`Invalid value ${raw} for configuration ${SHUTDOWN_GRACE_KEY}: must be a whole number of milliseconds >= 0`, [{ key: SHUTDOWN_GRACE_KEY, message: 'must be a whole number of milliseconds >= 0' }]);
  }
  return ms;
}

let bundle: Promise<string> | undefined;
/**
 * The path of the workflow bundle, built once per content: webpack runs in a short-lived child
 * process (its heap never enters the worker's RSS) and writes a file named after a hash of the
 * workflow sources and the SDK version, which later starts reuse.
 */
export function workflowBundlePath(): Promise<string> {
  bundle ??= (async () => {
    const dir = path.dirname(WORKFLOWS_PATH);
    const hash = createHash('sha256');
    for (const f of readdirSync(dir).filter((n) => n.endsWith(SOURCE_EXT)).sort()) hash.update(f).update(readFileSync(path.join(dir, f)));
    hash.update(JSON.parse(readFileSync(requireFrom.resolve('@temporalio/workflow/package.json'), 'utf8')).version);
    // The package's build writes the bundle to dist/workflow-bundle/, so an installed worker never runs webpack.
    const cacheDir = process.env.TCONNECT_BUNDLE_DIR ?? (SOURCE_EXT === '.js' ? path.join(dir, '..', 'workflow-bundle') : path.join(dir, '..', 'node_modules', '.cache', 'temporal-connect'));
    const file = path.join(cacheDir, `workflows-${hash.digest('hex').slice(0, 16)}.js`);
    if (existsSync(file)) return file;
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const script = `require('@temporalio/worker').bundleWorkflowCode({ workflowsPath: ${JSON.stringify(WORKFLOWS_PATH)}, logger: { log(){}, trace(){}, debug(){}, info(){}, warn(){}, error(){} } })
      .then((b) => require('fs').writeFileSync(${JSON.stringify(tmp)}, b.code)).catch((e) => { console.error(e); process.exit(1); });`;
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { cwd: path.join(dir, '..'), maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) =>
        err ? reject(new Error(`bundling the workflows failed: ${stderr || err.message}`)) : resolve());
    });
    renameSync(tmp, file);
    return file;
  })();
  bundle.catch(() => (bundle = undefined));
  return bundle;
}

/**
 * Starts a worker process's two Temporal workers: one on the shared queue (workflows and control
 * activities, any worker may take them) and one on a queue of its own (the data activities of the
 * batches it polls, so records stay in its memory).
 */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}`;
  const workerQueue = `${taskQueue}@${workerId}@${randomBytes(4).toString('hex')}`;
  installRuntime();
  const logger = opts.logger?.child({ workerId }) ?? createLogger({ workerId });
  boundHeapGrowth(opts.workerConfig ?? {}, logger);
  // Bad config.providers settings stop the worker at start, naming the key, not every connector
  // later; the providers are built once here and shared by every activity.
  const providers = configProvidersFromWorkerConfig(opts.workerConfig ?? {});
  for (const warning of unconfinedProviderWarnings(opts.workerConfig ?? {})) logger.warn({}, warning);
  // A bad exactly.once.source.support stops the worker at start, naming the property.
  exactlyOnceSourceSupport(opts.workerConfig ?? {});
  // So do bad offset.storage.replication.factor / offset.storage.partitions values.
  offsetsTopicCreation(opts.workerConfig ?? {});
  // plugin.path / plugins: third-party connectors, transforms and converters join the built-ins.
  await loadWorkerPlugins(opts.workerConfig ?? {}, logger);
  const kafka = new KafkaPool({ brokers: opts.kafkaBrokers, clientId: `tconnect-${workerId}` });
  kafka.onClose = () => closeRawCluster(kafka);
  // On SIGTERM (a Kubernetes pod stopping, a rolling upgrade) in-flight batches get this long to
  // finish and commit before their activities are cancelled (and retried on another worker).
  const shutdownGraceTime = shutdownGraceMs(opts.workerConfig ?? {});
  const connection = await NativeConnection.connect({ address: opts.temporalAddress, tls: opts.tls, apiKey: opts.apiKey });
  const activities = createActivities({
    kafka,
    // Values resolved from config providers never reach the log, whatever an activity logs.
    logger: scrubbingLogger(logger),
    workerConfig: opts.workerConfig ?? {},
    providers,
    workerId,
    workerQueue,
    taskQueue,
  });
  const codePath = await workflowBundlePath();
  const shared = await withSmallWorkflowThread(() => Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue,
    workflowBundle: { codePath },
    activities,
    identity: workerId,
    shutdownGraceTime,
    // A workflow cached on a worker that died waits this long before another worker takes it
    // (default 10 s): keep failover fast.
    stickyQueueScheduleToStartTimeout: '2 seconds',
  }));
  const own = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: workerQueue,
    activities,
    identity: workerId,
    shutdownGraceTime,
  });
  logger.info({ taskQueue, workerQueue }, 'worker started');

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      // Batches waiting for data (up to temporal.idle.wait.ms) end now; the others finish theirs.
      activities.interruptAllSourceBatches();
      activities.interruptAllSinkBatches();
      for (const w of [shared, own]) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    })();
    return stopping;
  };
  const done = (async () => {
    try {
      await Promise.all([shared.run(), own.run()]);
    } finally {
      await activities.closeAllSourceTasks().catch(() => undefined);
      await activities.closeAllSinkTasks().catch(() => undefined);
      await kafka.close();
      await connection.close();
      logger.info({}, 'worker stopped');
    }
  })();
  opts.signal?.addEventListener('abort', () => void shutdown(), { once: true });
  return { workerId, workerQueue, done, shutdown };
}

/** Runs a worker until the signal aborts (or SIGINT/SIGTERM in the CLI). */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const w = await startWorker(opts);
  await w.done;
}
