import type { PartitionOffset, RawConfig } from '../workflows/messages.js';
import { validateConnectorConfig } from '../src/config/connector-config.js';
import { resolveConfig } from '../src/config/providers.js';
import { maskConfig, secretKeys } from '../src/config/secrets.js';
import { findConnectorPlugin } from '../src/connectors/registry.js';
import { ConfigError } from '../src/errors.js';
import { OffsetsStore, DEFAULT_OFFSETS_TOPIC } from '../src/kafka/offsets-store.js';
import type { ActivityDeps } from './deps.js';
import { toFailure } from './failures.js';

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

/** Control-plane activities: run on the shared task queue, by any worker. */
export function controlActivities(deps: ActivityDeps) {
  return {
    /** The worker-specific queue of whichever worker picked this up: data activities go there. */
    async getWorkerQueue(): Promise<{ queue: string; workerId: string }> {
      return { queue: deps.workerQueue, workerId: deps.workerId };
    },

    /** Validates a config as Kafka Connect's validate does; throws ConfigError (non-retryable) naming every bad key. */
    async validateConnector(input: { name: string; config: RawConfig }): Promise<ValidatedConnector> {
      const r = validateConnectorConfig(input.name, input.config);
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
        const resolved = await resolveConfig(input.config, deps.workerConfig);
        secrets = secretKeys(plugin, resolved).map((k) => resolved[k]).filter(Boolean);
        const tasks = await plugin.taskConfigs(resolved, Number(input.config['tasks.max'] ?? 1), {
          connectorName: input.name,
          logger: deps.logger.child({ connector: input.name }),
        });
        return tasks.map((t) => unresolve({ ...input.config, ...t }, input.config, resolved));
      } catch (e) {
        throw toFailure(e, secrets);
      }
    },

    /** Whether the source's partitions changed (e.g. new tables) so the connector should re-plan. */
    async checkReplan(input: { name: string; config: Record<string, string>; tasks: Array<Record<string, string>> }): Promise<boolean> {
      const plugin = findConnectorPlugin(input.config['connector.class'] ?? '');
      if (!plugin || plugin.type !== 'source' || !plugin.needsReplan) return false;
      let secrets: string[] = [];
      try {
        const resolved = await resolveConfig(input.config, deps.workerConfig);
        secrets = secretKeys(plugin, resolved).map((k) => resolved[k]).filter(Boolean);
        const tasks = await Promise.all(input.tasks.map((t) => resolveConfig(t, deps.workerConfig)));
        return await plugin.needsReplan(resolved, tasks, { connectorName: input.name, logger: deps.logger.child({ connector: input.name }) });
      } catch (e) {
        throw toFailure(e, secrets);
      }
    },

    /** Writes altered or reset offsets to the Connect-format offsets topic (null offset = tombstone). */
    async writeOffsets(input: { name: string; config: Record<string, string>; offsets: PartitionOffset[] }): Promise<void> {
      const topic = input.config['offsets.storage.topic'] || deps.workerConfig['offset.storage.topic'] || DEFAULT_OFFSETS_TOPIC;
      try {
        await new OffsetsStore(deps.kafka, topic).write(input.name, input.offsets);
      } catch (e) {
        throw toFailure(e);
      }
    },
  };
}
