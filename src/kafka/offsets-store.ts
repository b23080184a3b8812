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
    return jsonWithLongs([connector, partition]);
  }

  async write(connector: string, offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.ensureTopic();
    await this.pool.send(`offsets:${this.topic}`, this.records(connector, offsets));
  }

  /** Creates the topic (compacted, as Connect's) when it does not exist yet. */
  async ensureTopic(): Promise<void> {
    await this.pool.ensureTopics([this.topic], { partitions: 5, configs: { 'cleanup.policy': 'compact' } });
  }

  /** The offsets as records of this topic (for a transaction that writes them with the data). */
  records(connector: string, offsets: PartitionOffset[]): Array<{ topic: string; message: { key: string; value: string | null } }> {
    return offsets.map((o) => ({
      topic: this.topic,
      message: {
        key: jsonWithLongs([connector, o.partition]),
        value: o.offset === null ? null : jsonWithLongs(o.offset),
      },
    }));
  }
}

/** JSON with bigint values written as plain numbers, as Connect writes longs beyond 2^53. */
export function jsonWithLongs(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `\u0000long:${x}` : x)).replace(/"\\u0000long:(-?\d+)"/g, '$1');
}

/** The same value with bigints as decimal strings: Temporal's JSON payloads cannot carry bigint. */
export function withLongsAsStrings<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))) as T;
}
