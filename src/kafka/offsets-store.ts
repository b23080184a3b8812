import type { PartitionOffset } from '../../workflows/messages.js';
import type { KafkaPool } from './client.js';

export const DEFAULT_OFFSETS_TOPIC = 'connect-offsets';

/**
 * Writes source offsets to a compacted topic in Kafka Connect's format, so they can be inspected,
 * exported and migrated with Connect's tools: key `["<connector>",{partition}]`, value `{offset}`,
 * a tombstone for a removed offset. The workflow's state stays the source of truth.
 */
export class OffsetsStore {
  constructor(private readonly pool: KafkaPool, readonly topic = DEFAULT_OFFSETS_TOPIC) {}

  static key(connector: string, partition: Record<string, unknown>): string {
    return JSON.stringify([connector, partition]);
  }

  async write(connector: string, offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.pool.ensureTopics([this.topic], { partitions: 5, configs: { 'cleanup.policy': 'compact' } });
    await this.pool.send(
      `offsets:${this.topic}`,
      offsets.map((o) => ({
        topic: this.topic,
        message: {
          key: OffsetsStore.key(connector, o.partition),
          value: o.offset === null ? null : JSON.stringify(o.offset),
        },
      })),
    );
  }
}
