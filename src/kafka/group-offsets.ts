import type { KafkaPool } from './client.js';
import { kafkaError } from './client.js';
import { ConfigError } from '../errors.js';
import type { TopicPartition } from './fetcher.js';

// Offsets of a consumer group that has no members (a sink connector's connect-<name>): read where
// to start, commit what was written. The reader itself (PartitionFetcher) never commits.

/** The next offset to read per partition: the group's committed offset, else earliest/latest. */
export async function startingOffsets(
  pool: KafkaPool,
  groupId: string,
  assignment: TopicPartition[],
  reset: 'earliest' | 'latest',
): Promise<Map<string, string>> {
  const admin = await pool.getAdmin();
  const out = new Map<string, string>();
  const topics = [...new Set(assignment.map((a) => a.topic))];
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const t of committed) {
      for (const p of t.partitions) if (Number(p.offset) >= 0) out.set(`${t.topic}:${p.partition}`, p.offset);
    }
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const p of ends) {
        const k = `${topic}:${p.partition}`;
        if (!out.has(k)) out.set(k, reset === 'earliest' ? p.low : p.high);
      }
    }
  } catch (e) {
    throw kafkaError('read committed offsets', e);
  }
  return out;
}

interface RawCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(a: { groupId: string }): Promise<{
    offsetCommit(a: { groupId: string; groupGenerationId: number; memberId: string; retentionTime?: number; topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }): Promise<unknown>;
  }>;
}

const clusters = new WeakMap<KafkaPool, Promise<RawCluster>>();

/**
 * kafkajs exposes no member-less offset commit (what Java's consumers do after assign()): its
 * admin.setOffsets joins the group with a temporary consumer, which is slow and collides when two
 * tasks commit at once. Kafka accepts an OffsetCommit with generation -1 and no member id for a
 * group without members, so we send that request through kafkajs' own cluster object (reached
 * through the Kafka instance's private factory; kafkajs 2.2.4 is pinned).
 */
async function rawCluster(pool: KafkaPool): Promise<RawCluster> {
  let c = clusters.get(pool);
  if (!c) {
    c = (async () => {
      const sym = Object.getOwnPropertySymbols(pool.kafka).find((s) => s.description === 'private:Kafka:createCluster');
      if (!sym) throw new ConfigError('this kafkajs version has no cluster factory; pin kafkajs 2.2.x');
      const create = (pool.kafka as unknown as Record<symbol, (o: object) => RawCluster>)[sym];
      const cluster = create({});
      await cluster.connect();
      return cluster;
    })();
    c.catch(() => clusters.delete(pool));
    clusters.set(pool, c);
  }
  return c;
}

/** Commits next-offsets to a consumer group that has no members (connect-<name>), so lag tools read them. */
export async function commitGroupOffsets(pool: KafkaPool, groupId: string, offsets: Array<TopicPartition & { offset: string }>): Promise<void> {
  if (offsets.length === 0) return;
  const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const o of offsets) {
    let l = byTopic.get(o.topic);
    if (!l) byTopic.set(o.topic, (l = []));
    l.push({ partition: o.partition, offset: o.offset });
  }
  try {
    const cluster = await rawCluster(pool);
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.offsetCommit({
      groupId,
      groupGenerationId: -1,
      memberId: '',
      retentionTime: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
  } catch (e) {
    // The next commit starts on a new connection; this one is closed, not left open.
    await closeRawCluster(pool);
    throw kafkaError(`commit offsets of group ${groupId}`, e);
  }
}

/** Closes the raw cluster connection of a pool, if one was opened. */
export async function closeRawCluster(pool: KafkaPool): Promise<void> {
  const c = clusters.get(pool);
  clusters.delete(pool);
  if (c) await c.then((x) => x.disconnect()).catch(() => undefined);
}
