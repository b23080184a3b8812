import type { PartitionOffset, RawConfig } from '../workflows/messages.js';
import { validateConnectorConfig } from '../src/config/connector-config.js';
import { resolveConfigValues } from '../src/config/providers.js';
import { maskConfig, secretKeys } from '../src/config/secrets.js';
import { hiddenSecretError, hiddenSecretKeys } from '../src/config/hidden-secrets.js';
import { findConnectorPlugin } from '../src/connectors/registry.js';
import { ConfigError } from '../src/errors.js';
import type { ConnectorPlugin } from '../src/connectors/types.js';
import type { ActivityDeps } from './deps.js';
import { toFailure } from './failures.js';
import type { KindControl } from './kind.js';
import { sinkControl } from './sink/control.js';
import { sourceControl, writeSourceOffsets } from './source/control.js';
import { exactlyOnceSourceSupport } from '../src/config/exactly-once.js';

export interface ValidatedConnector {
  /** Flat string map, unresolved (config-provider references kept as written). */
  config: Record<string, string>;
  /** The same with secret values masked: what queries and REST answers show. */
  masked: Record<string, string>;
  type: 'source' | 'sink';
  className: string;
  tasksMax: number;
}

/**
 * Plugins may return resolved values in task configs (they see the resolved config); put the
 * config-provider reference back wherever a value came from one, so secrets never reach history.
 */
function unresolve(task: Record<string, string>, raw: Record<string, string>, resolved: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(task)) out[k] = raw[k] !== undefined && resolved[k] === v ? raw[k] : v;
  for (const [k, v] of Object.entries(resolved)) {
    if (raw[k] !== v && Object.values(out).includes(v) && v.length >= 4) {
      throw new ConfigError(`The connector put the resolved value of ${k} into a task config; refusing to store it`);
    }
  }
  return out;
}

/**
 * A reconfigure's config with each secret sent as `[hidden]` replaced by its stored value. With
 * no stored value (a new connector, or a key that was never set) it is a ConfigError saying what
 * to send instead.
 */
export function keepHiddenSecrets(config: RawConfig, stored: Record<string, string> | undefined): RawConfig {
  const plugin = findConnectorPlugin(String(config['connector.class'] ?? ''));
  const hidden = hiddenSecretKeys(config, secretKeys(plugin, config));
  if (hidden.length === 0) return config;
  const missing = hidden.filter((k) => stored?.[k] === undefined);
  if (missing.length) throw toFailure(hiddenSecretError(missing));
  const out = { ...config };
  for (const k of hidden) out[k] = stored![k];
  return out;
}

/** Control-plane activities: run on the shared task queue, by any worker. */
export function controlActivities(deps: ActivityDeps) {
  const source = sourceControl(deps);
  const sink = sinkControl(deps);
  /** The one place the control activities tell source and sink apart. */
  const kindOf = (plugin: ConnectorPlugin): KindControl => (plugin.type === 'sink' ? sink : source(plugin));

  return {
    /** The worker-specific queue of whichever worker picked this up: data activities go there. */
    async getWorkerQueue(): Promise<{ queue: string; workerId: string }> {
      return { queue: deps.workerQueue, workerId: deps.workerId };
    },

    /**
     * Validates a config as Kafka Connect's validate does; throws ConfigError (non-retryable) naming
     * every bad key. In a reconfigure (`stored` is the running config), a secret sent as `[hidden]`
     * (the masked value every answer shows) keeps its stored value, so a config read back and sent
     * again works; with nothing stored (a new connector) it is refused.
     */
    async validateConnector(input: { name: string; config: RawConfig; stored?: Record<string, string> }): Promise<ValidatedConnector> {
      const r = validateConnectorConfig(input.name, keepHiddenSecrets(input.config, input.stored), { exactlyOnceSourceSupport: exactlyOnceSourceSupport(deps.workerConfig) });
      if (!r.ok || !r.plugin) {
        const list = r.problems.map((p) => `${p.key}: ${p.message}`).join('; ');
        throw toFailure(new ConfigError(`Connector configuration is invalid and contains the following ${r.problems.length} error(s): ${list}`, r.problems));
      }
      const keys = secretKeys(r.plugin, r.config);
      return {
        config: r.config,
        masked: maskConfig(r.config, keys),
        type: r.plugin.type,
        className: r.plugin.className,
        tasksMax: Number(r.config['tasks.max'] ?? 1),
      };
    },

    /** The plugin's taskConfigs(config, tasks.max), with config-provider references kept unresolved. */
    async planTasks(input: { name: string; config: Record<string, string> }): Promise<Array<Record<string, string>>> {
      const plugin = findConnectorPlugin(input.config['connector.class'] ?? '');
      if (!plugin) throw toFailure(new ConfigError(`Unknown connector.class ${input.config['connector.class']}`));
      let secrets: string[] = [];
      try {
        const { config: resolved, values } = await resolveConfigValues(input.config, deps.providers);
        secrets = [...values, ...secretKeys(plugin, resolved).map((k) => resolved[k]).filter(Boolean)];
        const maxTasks = Number(input.config['tasks.max'] ?? 1);
        const tasks = await plugin.taskConfigs(resolved, maxTasks, {
          connectorName: input.name,
          logger: deps.logger.child({ connector: input.name }),
        });
        const plans = tasks.map((t) => unresolve({ ...input.config, ...t }, input.config, resolved));
        return await kindOf(plugin).plan(input, plans, maxTasks);
      } catch (e) {
        throw toFailure(e, secrets);
      }
    },

    /** Whether the connector should re-plan: a source's partitions changed (e.g. new tables), a sink's topics or partitions did. */
    async checkReplan(input: { name: string; config: Record<string, string>; tasks: Array<Record<string, string>> }): Promise<boolean> {
      const plugin = findConnectorPlugin(input.config['connector.class'] ?? '');
      return plugin ? kindOf(plugin).needsReplan(input) : false;
    },

    /** Writes altered or reset offsets where the kind keeps them: the offsets topic (source), the consumer group (sink). */
    async writeOffsets(input: { name: string; config: Record<string, string>; offsets: PartitionOffset[]; reset?: boolean }): Promise<void> {
      const plugin = findConnectorPlugin(input.config['connector.class'] ?? '');
      // An unknown class (a plugin no longer installed) is written as a source's, to the offsets topic.
      return plugin ? kindOf(plugin).writeOffsets(input) : writeSourceOffsets(deps, input);
    },
  };
}
