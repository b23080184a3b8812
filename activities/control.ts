import type { PartitionOffset, RawConfig } from '../workflows/messages.js';
import { validateConnectorConfig } from '../src/config/connector-config.js';
import { resolveConfig, resolveConfigValues } from '../src/config/providers.js';
import { maskConfig, secretKeys } from '../src/config/secrets.js';
import { hiddenSecretError, hiddenSecretKeys } from '../src/config/hidden-secrets.js';
import { findConnectorPlugin } from '../src/connectors/registry.js';
import { ConfigError } from '../src/errors.js';
import { OffsetsStore, DEFAULT_OFFSETS_TOPIC } from '../src/kafka/offsets-store.js';
import type { ActivityDeps } from './deps.js';
import { ASSIGNMENT_KEY, formatAssignment, parseAssignment, sinkGroupId } from './sink.js';
import { commitGroupOffsets, type TopicPartition } from '../src/kafka/fetcher.js';
import { kafkaError } from '../src/kafka/client.js';
import { compileJavaRegex } from '../src/transforms/util/java-regex.js';
import { toFailure } from './failures.js';
import { ApplicationFailure } from '@temporalio/common';
import { parseSinkOffsets } from '../workflows/state.js';

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
  /** The partitions of `topics` or of the topics matching `topics.regex`, sorted. */
  async function sinkPartitions(config: Record<string, string>): Promise<TopicPartition[]> {
    const admin = await deps.kafka.getAdmin();
    try {
      let topics = (config['topics'] ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      // Blank counts as unset, as in Connect's validation.
      const regex = config['topics.regex']?.trim();
      if (regex) {
        const re = compileJavaRegex(regex, true, 'topics.regex');
        topics = (await admin.listTopics()).filter((t) => re.test(t) && !t.startsWith('__')).sort();
      } else {
        // Connect creates missing sink topics only by broker auto-creation; create them so the plan sees their partitions.
        await deps.kafka.ensureTopics(topics);
      }
      if (topics.length === 0) return [];
      const md = await admin.fetchTopicMetadata({ topics });
      return md.topics
        .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })))
        .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    } catch (e) {
      throw kafkaError('read sink topics', e);
    }
  }

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
      const r = validateConnectorConfig(input.name, keepHiddenSecrets(input.config, input.stored));
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
        const { config: resolved, values } = await resolveConfigValues(input.config, deps.workerConfig);
        secrets = [...values, ...secretKeys(plugin, resolved).map((k) => resolved[k]).filter(Boolean)];
        const maxTasks = Number(input.config['tasks.max'] ?? 1);
        const tasks = await plugin.taskConfigs(resolved, maxTasks, {
          connectorName: input.name,
          logger: deps.logger.child({ connector: input.name }),
        });
        const plans = tasks.map((t) => unresolve({ ...input.config, ...t }, input.config, resolved));
        if (plugin.type !== 'sink') return plans;
        // The connector, not Kafka's group protocol, decides which task reads which partition.
        const partitions = await sinkPartitions(input.config);
        const n = Math.max(1, Math.min(plans.length || 1, maxTasks, partitions.length || 1));
        const split: TopicPartition[][] = Array.from({ length: n }, () => []);
        partitions.forEach((tp, i) => split[i % n].push(tp));
        return split.map((tps, i) => ({ ...(plans[i] ?? plans[0] ?? input.config), [ASSIGNMENT_KEY]: formatAssignment(tps) }));
      } catch (e) {
        throw toFailure(e, secrets);
      }
    },

    /** Whether the source's partitions changed (e.g. new tables) so the connector should re-plan. */
    async checkReplan(input: { name: string; config: Record<string, string>; tasks: Array<Record<string, string>> }): Promise<boolean> {
      const plugin = findConnectorPlugin(input.config['connector.class'] ?? '');
      if (plugin?.type === 'sink') {
        // New topics matching topics.regex, or partitions added: re-plan.
        const now = (await sinkPartitions(input.config)).map((tp) => `${tp.topic}:${tp.partition}`).sort();
        const planned = input.tasks.flatMap((t) => parseAssignment(t[ASSIGNMENT_KEY])).map((tp) => `${tp.topic}:${tp.partition}`).sort();
        return now.join(',') !== planned.join(',');
      }
      if (!plugin || plugin.type !== 'source' || !plugin.needsReplan) return false;
      let secrets: string[] = [];
      try {
        const { config: resolved, values } = await resolveConfigValues(input.config, deps.workerConfig);
        secrets = [...values, ...secretKeys(plugin, resolved).map((k) => resolved[k]).filter(Boolean)];
        const tasks = await Promise.all(input.tasks.map((t) => resolveConfig(t, deps.workerConfig)));
        return await plugin.needsReplan(resolved, tasks, { connectorName: input.name, logger: deps.logger.child({ connector: input.name }) });
      } catch (e) {
        throw toFailure(e, secrets);
      }
    },

    /** Writes altered or reset offsets to the Connect-format offsets topic (null offset = tombstone). */
    async writeOffsets(input: { name: string; config: Record<string, string>; offsets: PartitionOffset[]; reset?: boolean }): Promise<void> {
      const plugin = findConnectorPlugin(input.config['connector.class'] ?? '');
      if (plugin?.type === 'sink') {
        // Checked by the workflow before the update is accepted; checked again here so a bad entry
        // fails once, never retried as if Kafka were down.
        const parsed = parseSinkOffsets(input.offsets);
        if ('problem' in parsed) throw ApplicationFailure.create({ type: 'BadRequest', message: parsed.problem, nonRetryable: true });
        // Sink offsets are the consumer group's (connect-<name>), as in Kafka Connect.
        try {
          const admin = await deps.kafka.getAdmin();
          if (input.reset) {
            const groups = await admin.listGroups();
            if (groups.groups.some((g) => g.groupId === sinkGroupId(input.name))) await admin.deleteGroups([sinkGroupId(input.name)]);
            return;
          }
          const set = parsed.offsets
            .filter((o) => o.offset !== null)
            .map((o) => {
              const p = o.partition as { kafka_topic: string; kafka_partition: number };
              return { topic: p.kafka_topic, partition: p.kafka_partition, offset: String((o.offset as { kafka_offset: number }).kafka_offset) };
            });
          await commitGroupOffsets(deps.kafka, sinkGroupId(input.name), set);
          for (const o of parsed.offsets.filter((x) => x.offset === null)) {
            const p = o.partition as { kafka_topic: string; kafka_partition: number };
            await admin.resetOffsets({ groupId: sinkGroupId(input.name), topic: p.kafka_topic, earliest: true });
          }
        } catch (e) {
          throw toFailure(kafkaError('write sink offsets', e));
        }
        return;
      }
      const topic = input.config['offsets.storage.topic'] || deps.workerConfig['offset.storage.topic'] || DEFAULT_OFFSETS_TOPIC;
      try {
        await new OffsetsStore(deps.kafka, topic).write(input.name, input.offsets);
      } catch (e) {
        throw toFailure(e);
      }
    },
  };
}
