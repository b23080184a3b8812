import type { PartitionOffset } from '../../workflows/messages.js';
import { ConfigError } from '../errors.js';
import { isInvalidReplicationFactor, type KafkaPool } from './client.js';

export const DEFAULT_OFFSETS_TOPIC = 'connect-offsets';

/** Kafka Connect's worker properties for creating the offsets topic. */
export const OFFSET_STORAGE_REPLICATION_FACTOR_KEY = 'offset.storage.replication.factor';
export const OFFSET_STORAGE_PARTITIONS_KEY = 'offset.storage.partitions';
/** Connect's default replication factor of its internal topics. */
export const DEFAULT_OFFSETS_REPLICATION_FACTOR = 3;
/** Ours (Connect's is 25): the topic only mirrors offsets whose truth is the workflow's state. */
export const DEFAULT_OFFSETS_PARTITIONS = 5;

/** How the offsets topic is created when it does not exist; -1 is the broker's default, as in Connect. */
export interface OffsetsTopicCreation {
  partitions: number;
  replicationFactor: number;
  /** offset.storage.replication.factor was set: a cluster too small for it is an error, not a fallback. */
  replicationFactorSet: boolean;
}

/**
 * The worker's offset.storage.replication.factor and offset.storage.partitions (Connect's rule:
 * a positive number, or -1 for the broker's default); a ConfigError naming the property otherwise.
 */
export function offsetsTopicCreation(workerConfig: Readonly<Record<string, string | undefined>>): OffsetsTopicCreation {
  const read = (text: string | undefined, key: string, fallback: number, what: string): { value: number; set: boolean } => {
    const raw = text?.trim();
    if (raw === undefined || raw === '') return { value: fallback, set: false };
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value === 0 || value < -1 || value > 32767) {
      const message = `${what} must be positive, or -1 to use the broker's default`;
      throw new ConfigError(`Invalid value ${raw} for configuration ${key}: ${message} (set ${key}=-1 or a whole number from 1)`, [{ key, message }]);
    }
    return { value, set: true };
  };
  const rf = read(workerConfig[OFFSET_STORAGE_REPLICATION_FACTOR_KEY], OFFSET_STORAGE_REPLICATION_FACTOR_KEY, DEFAULT_OFFSETS_REPLICATION_FACTOR, 'Replication factor');
  const partitions = read(workerConfig[OFFSET_STORAGE_PARTITIONS_KEY], OFFSET_STORAGE_PARTITIONS_KEY, DEFAULT_OFFSETS_PARTITIONS, 'Number of partitions');
  return { partitions: partitions.value, replicationFactor: rf.value, replicationFactorSet: rf.set };
}

/**
 * Writes source offsets to a compacted topic in Kafka Connect's format, so they can be inspected,
 * exported and migrated with Connect's tools: key `["<connector>",{partition}]`, value `{offset}`,
 * a tombstone for a removed offset. The workflow's state stays the source of truth.
 */
export class OffsetsStore {
  constructor(
    private readonly pool: KafkaPool,
    readonly topic = DEFAULT_OFFSETS_TOPIC,
    readonly creation: OffsetsTopicCreation = offsetsTopicCreation({}),
    /** Told when the default replication factor does not fit the cluster and the broker's default is used. */
    private readonly onFallback?: (message: string) => void,
  ) {}

  static key(connector: string, partition: Record<string, unknown>): string {
    return jsonWithLongs([connector, partition]);
  }

  async write(connector: string, offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.ensureTopic();
    await this.pool.send(`offsets:${this.topic}`, this.records(connector, offsets));
  }

  /**
   * Creates the topic (compacted, as Connect's) when it does not exist yet, with the worker's
   * offset.storage.* settings. Left unset, the replication factor is Connect's 3, or the broker's
   * default on a cluster of fewer brokers (a one-broker development cluster, where Connect fails).
   */
  async ensureTopic(): Promise<void> {
    const { partitions, replicationFactor, replicationFactorSet } = this.creation;
    const opts = (rf: number) => ({ partitions: partitions > 0 ? partitions : undefined, replicationFactor: rf > 0 ? rf : undefined, configs: { 'cleanup.policy': 'compact' } });
    try {
      await this.pool.ensureTopics([this.topic], opts(replicationFactor));
    } catch (e) {
      if (replicationFactor <= 0 || !isInvalidReplicationFactor(e)) throw e;
      if (replicationFactorSet) {
        const message = `the Kafka cluster has fewer than ${replicationFactor} brokers to hold offsets topic ${this.topic}: create the topic yourself, or lower ${OFFSET_STORAGE_REPLICATION_FACTOR_KEY} (-1 is the broker's default)`;
        throw new ConfigError(`Invalid value ${replicationFactor} for configuration ${OFFSET_STORAGE_REPLICATION_FACTOR_KEY}: ${message}`, [{ key: OFFSET_STORAGE_REPLICATION_FACTOR_KEY, message }], { cause: e });
      }
      this.onFallback?.(`the cluster has fewer than ${replicationFactor} brokers: offsets topic ${this.topic} created with the broker's default replication factor; set ${OFFSET_STORAGE_REPLICATION_FACTOR_KEY} to choose one`);
      await this.pool.ensureTopics([this.topic], opts(-1));
    }
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
