import type { PartitionOffset } from '../../workflows/messages.js';
import type { SourcePlugin } from '../../src/connectors/types.js';
import { resolveConfig, resolveConfigValues } from '../../src/config/providers.js';
import { secretKeys } from '../../src/config/secrets.js';
import { OffsetsStore, DEFAULT_OFFSETS_TOPIC, offsetsTopicCreation } from '../../src/kafka/offsets-store.js';
import type { ActivityDeps } from '../deps.js';
import { toFailure } from '../failures.js';
import type { KindControl } from '../kind.js';

/** The offsets topic of a source connector: its own offsets.storage.topic, else the worker's, else Connect's default. */
export function sourceOffsetsTopic(deps: ActivityDeps, config: Record<string, string>): string {
  return config['offsets.storage.topic'] || deps.workerConfig['offset.storage.topic'] || DEFAULT_OFFSETS_TOPIC;
}

/** The Connect-format offsets store of a source connector, its topic created as the worker's offset.storage.* say. */
export function sourceOffsetsStore(deps: ActivityDeps, config: Record<string, string>): OffsetsStore {
  return new OffsetsStore(deps.kafka, sourceOffsetsTopic(deps, config), offsetsTopicCreation(deps.workerConfig), (m) => deps.logger.warn({}, m));
}

/** Writes altered or reset offsets to the Connect-format offsets topic (null offset = tombstone). */
export async function writeSourceOffsets(deps: ActivityDeps, input: { name: string; config: Record<string, string>; offsets: PartitionOffset[] }): Promise<void> {
  try {
    await sourceOffsetsStore(deps, input.config).write(input.name, input.offsets);
  } catch (e) {
    throw toFailure(e);
  }
}

/** The source side of the control activities: the plugin's plan as is, its own re-plan check, offsets in the offsets topic. */
export const sourceControl = (deps: ActivityDeps) => (plugin: SourcePlugin): KindControl => ({
  plan: async (_input, plans) => plans,

  async needsReplan(input) {
    if (!plugin.needsReplan) return false;
    let secrets: string[] = [];
    try {
      const { config: resolved, values } = await resolveConfigValues(input.config, deps.providers);
      secrets = [...values, ...secretKeys(plugin, resolved).map((k) => resolved[k]).filter(Boolean)];
      const tasks = await Promise.all(input.tasks.map((t) => resolveConfig(t, deps.providers)));
      return await plugin.needsReplan(resolved, tasks, { connectorName: input.name, logger: deps.logger.child({ connector: input.name }) });
    } catch (e) {
      throw toFailure(e, secrets);
    }
  },

  writeOffsets: (input) => writeSourceOffsets(deps, input),
});
