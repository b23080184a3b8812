import { ApplicationFailure } from '@temporalio/common';
import type { ConnectorPlugin, PluginLogger } from '../src/connectors/types.js';
import { findConnectorPlugin } from '../src/connectors/registry.js';
import { convertersFromConfig, type RecordConverters } from '../src/converters/registry.js';
import { buildTransformChain, type TransformChain } from '../src/transforms/registry.js';
import { resolveConfigValues } from '../src/config/providers.js';
import { secretKeys } from '../src/config/secrets.js';
import { ConfigError } from '../src/errors.js';
import { FAILURE, type ActivityDeps } from './deps.js';
import { toFailure } from './failures.js';
import { withHeartbeat } from './heartbeat.js';
import { errorsSettings, type ErrorsSettings } from './errors-handling.js';
import { RUNTIME_DEFAULTS, type RuntimeKey } from '../workflows/settings.js';

/** Keys we add to Connect's; documented in the README. */
export const BATCH_MAX_RECORDS = 'temporal.batch.max.records' satisfies RuntimeKey;
export const BATCH_MAX_MS = 'temporal.batch.max.ms' satisfies RuntimeKey;
export const IDLE_WAIT_MS = 'temporal.idle.wait.ms' satisfies RuntimeKey;

/** A positive number setting; a clear ConfigError naming the key when it is not one. */
export function intSetting(cfg: Record<string, string>, key: string, def: number): number {
  const v = cfg[key];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`Invalid value ${v} for configuration ${key}: must be a positive number`, [{ key, message: 'must be a positive number' }]);
  return n;
}

/** What every task opened in a worker carries, source or sink. */
export interface OpenEntry {
  loadId: string;
  /** Batches completed since this open; the workflow asks for exactly the next one. */
  seq: number;
  /** Plain secrets and values resolved by config providers, scrubbed from error messages. */
  secrets: string[];
  /** Serializes batches of one task (a retried activity may overlap a stuck one). */
  busy: Promise<unknown>;
}

/** What every open task carries besides its plugin's task: converters, transforms, errors.* and batch settings. */
export interface TaskBasics extends OpenEntry {
  connector: string;
  taskId: number;
  converters: RecordConverters;
  chain: TransformChain;
  errors: ErrorsSettings;
  maxRecords: number;
  maxMillis: number;
  idleWaitMillis: number;
}

export interface OpenTaskInput {
  connector: string;
  taskId: number;
  loadId: string;
  taskConfig: Record<string, string>;
}

export interface Opening<P extends ConnectorPlugin> {
  plugin: P;
  /** The task config with config-provider references resolved (secrets in clear: never log or return it). */
  resolved: Record<string, string>;
  /** The secret and resolved values, scrubbed from any error message. */
  secrets: string[];
  logger: PluginLogger;
  /** The common part of the open task's entry. */
  basics(): TaskBasics;
}

/**
 * How every task opens: its plugin by connector.class, its config with providers resolved, the
 * secret values to scrub from errors, a logger naming it. Throws a Temporal failure (nothing to
 * scrub yet) when the class is unknown or a provider fails.
 */
export async function beginOpen<P extends ConnectorPlugin>(kind: P['type'], deps: ActivityDeps, input: OpenTaskInput): Promise<Opening<P>> {
  const raw = input.taskConfig;
  const plugin = findConnectorPlugin(raw['connector.class'] ?? '');
  if (!plugin || plugin.type !== kind) throw toFailure(new ConfigError(`connector.class ${raw['connector.class']} is not a known ${kind} connector`));
  let resolved: Record<string, string>;
  // Plain secrets and every value a provider handed out: no error leaving the task may carry one.
  const secrets: string[] = [];
  try {
    const r = await resolveConfigValues(raw, deps.providers);
    resolved = r.config;
    secrets.push(...r.values);
  } catch (e) {
    throw toFailure(e);
  }
  for (const k of secretKeys(plugin, resolved)) if (resolved[k]) secrets.push(resolved[k]);
  const logger = deps.logger.child({ connector: input.connector, task: input.taskId });
  return {
    plugin: plugin as P,
    resolved,
    secrets,
    logger,
    basics: () => ({
      loadId: input.loadId,
      seq: 0,
      connector: input.connector,
      taskId: input.taskId,
      secrets,
      busy: Promise.resolve(),
      converters: convertersFromConfig(resolved, deps.workerConfig),
      chain: buildTransformChain(resolved),
      errors: errorsSettings(resolved),
      maxRecords: intSetting(resolved, BATCH_MAX_RECORDS, RUNTIME_DEFAULTS[BATCH_MAX_RECORDS]),
      maxMillis: intSetting(resolved, BATCH_MAX_MS, RUNTIME_DEFAULTS[BATCH_MAX_MS]),
      idleWaitMillis: intSetting(resolved, IDLE_WAIT_MS, RUNTIME_DEFAULTS[IDLE_WAIT_MS]),
    }),
  };
}

export interface BatchRequest {
  connector: string;
  taskId: number;
  loadId: string;
  seq: number;
}

/**
 * The tasks a worker process holds open, by connector and task id. A batch runs only on the open
 * it was asked for and in order; a failure closes the task, since its position is unknown, and
 * the workflow reopens it from its committed offsets.
 */
export class OpenTasks<E extends OpenEntry> {
  private readonly open = new Map<string, E>();
  /** The in-flight batch of each open task, by key: interrupt() ends it early. */
  private readonly inFlight = new Map<string, AbortController>();
  /**
   * Interrupts that arrived while no batch of the task was running here yet: the batch activity
   * and the interrupt are separate activities on this queue, and the interrupt may be picked up
   * first. The task's next batch then ends at once instead of waiting for data.
   */
  private readonly pendingInterrupts = new Set<string>();
  /** Set once the worker shuts down: every batch, running or still to start, ends at once. */
  private draining = false;

  constructor(private readonly kind: string, private readonly workerId: string, private readonly closeTask: (e: E, key: string) => Promise<void>) {}

  static key(connector: string, taskId: number): string {
    return `${connector}/${taskId}`;
  }

  set(connector: string, taskId: number, entry: E): void {
    this.open.set(OpenTasks.key(connector, taskId), entry);
  }

  async close(connector: string, taskId: number): Promise<void> {
    await this.closeKey(OpenTasks.key(connector, taskId));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((k) => this.closeKey(k)));
  }

  /**
   * Ends the task's in-flight batch early (pause, stop, restart): it stops waiting for data, writes
   * what it has, commits and returns as usual. When no batch is in flight, the next one ends at once.
   * True when a batch was running.
   */
  interrupt(connector: string, taskId: number): boolean {
    const key = OpenTasks.key(connector, taskId);
    const ac = this.inFlight.get(key);
    if (!ac) {
      this.pendingInterrupts.add(key);
      return false;
    }
    ac.abort();
    return true;
  }

  /** Worker shutdown: every batch ends as an interrupted one, so idle waits do not hold the shutdown. */
  interruptAll(): void {
    this.draining = true;
    for (const ac of this.inFlight.values()) ac.abort();
  }

  private async closeKey(key: string): Promise<void> {
    const e = this.open.get(key);
    this.open.delete(key);
    this.pendingInterrupts.delete(key);
    if (e) await this.closeTask(e, key);
  }

  /** Runs the task's next batch; `interrupted` aborts when interrupt() asks it to end early. */
  async runBatch<R>(req: BatchRequest, run: (e: E, interrupted: AbortSignal) => Promise<R>): Promise<R> {
    const key = OpenTasks.key(req.connector, req.taskId);
    const t = this.open.get(key);
    if (!t || t.loadId !== req.loadId || t.seq !== req.seq) {
      throw ApplicationFailure.create({
        type: FAILURE.taskNotLoaded,
        nonRetryable: true,
        message: t
          ? `${this.kind} task ${key} is at batch ${t.seq} of load ${t.loadId}, asked for ${req.seq} of ${req.loadId}`
          : `${this.kind} task ${key} is not open on worker ${this.workerId}`,
      });
    }
    const p = t.busy.then(() => withHeartbeat(async () => {
      const interrupt = new AbortController();
      if (this.pendingInterrupts.delete(key) || this.draining) interrupt.abort();
      this.inFlight.set(key, interrupt);
      try {
        return await run(t, interrupt.signal);
      } finally {
        if (this.inFlight.get(key) === interrupt) this.inFlight.delete(key);
      }
    }));
    t.busy = p.catch(() => undefined);
    try {
      const r = await p;
      t.seq++;
      return r;
    } catch (e) {
      await this.closeKey(key);
      throw toFailure(e, t.secrets);
    }
  }
}
