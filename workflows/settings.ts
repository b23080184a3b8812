// The runtime keys the workflows and the batch activities act on: each default is written here
// once. The key declarations (src/config/connector-config.ts, the JDBC source's
// table.poll.interval.ms) take their defaults from here, validation checks every value when the
// connector is created, and each workflow run parses its keys once into the typed objects below.
// Pure and deterministic: imported by workflow code.

export const RUNTIME_DEFAULTS = {
  'temporal.history.max.events': 10_000,
  'temporal.topics.poll.interval.ms': 30_000,
  'table.poll.interval.ms': 60_000,
  'errors.retry.timeout': 0,
  'errors.retry.delay.max.ms': 60_000,
  'temporal.batch.max.records': 20_000,
  'temporal.batch.max.ms': 2_000,
  'temporal.idle.wait.ms': 30_000,
} as const;

export type RuntimeKey = keyof typeof RUNTIME_DEFAULTS;

type Config = Readonly<Record<string, string | undefined>>;

/** The key's value as a number, its default when unset (values were validated at create). */
function num(config: Config, key: RuntimeKey): number {
  return Number(config[key] ?? RUNTIME_DEFAULTS[key]);
}

/** What the connector workflow acts on. */
export interface ConnectorRuntime {
  /** History length past which the run continues as new. */
  historyMaxEvents: number;
  /** How often a running connector checks whether its plan changed (new tables, topics, partitions). */
  replanEveryMs: number;
}

/** A connector's runtime settings; without a validated config yet, the defaults a source would have. */
export function connectorRuntime(config: Config | undefined, type: 'source' | 'sink' | undefined): ConnectorRuntime {
  const history = num(config ?? {}, 'temporal.history.max.events') || RUNTIME_DEFAULTS['temporal.history.max.events'];
  if (!config) return { historyMaxEvents: history, replanEveryMs: RUNTIME_DEFAULTS['table.poll.interval.ms'] };
  return { historyMaxEvents: history, replanEveryMs: num(config, type === 'source' ? 'table.poll.interval.ms' : 'temporal.topics.poll.interval.ms') };
}

/** What a task workflow acts on. */
export interface TaskRuntime {
  historyMaxEvents: number;
  /** errors.retry.timeout: 0 or -1 retry transient failures for ever; a positive value fails the task after that long. */
  retryTimeoutMs: number;
  /** errors.retry.delay.max.ms: the cap of the backoff between failed batches. */
  retryDelayMaxMs: number;
}

export function taskRuntime(config: Config): TaskRuntime {
  return {
    historyMaxEvents: num(config, 'temporal.history.max.events') || RUNTIME_DEFAULTS['temporal.history.max.events'],
    retryTimeoutMs: num(config, 'errors.retry.timeout'),
    retryDelayMaxMs: num(config, 'errors.retry.delay.max.ms'),
  };
}
