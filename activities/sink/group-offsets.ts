import { ApplicationFailure } from '@temporalio/common';
import type { PartitionOffset } from '../../workflows/messages.js';
import { parseSinkOffsets } from '../../workflows/state.js';
import { kafkaError } from '../../src/kafka/client.js';
import type { TopicPartition } from '../../src/kafka/fetcher.js';
import { commitGroupOffsets, startingOffsets } from '../../src/kafka/group-offsets.js';
import type { ActivityDeps } from '../deps.js';
import { toFailure } from '../failures.js';

/**
 * A sink connector's offsets are its consumer group's, connect-<name>, as in Kafka Connect: where
 * a task starts, what each batch commits, what altering or resetting offsets writes. The group
 * has no members (tasks read their assigned partitions), so lag tools read it as they would
 * Connect's.
 */

export const sinkGroupId = (connector: string) => `connect-${connector}`;

/** Sink offsets in Kafka Connect's REST shape; kafka_offset is the next offset to read. */
export const sinkPartition = (tp: TopicPartition) => ({ kafka_topic: tp.topic, kafka_partition: tp.partition });

/**
 * Where each assigned partition starts: the workflow's offsets, else the group's committed ones,
 * else auto.offset.reset (the connector's consumer.override, the worker's consumer., earliest).
 */
export async function startPositions(
  deps: ActivityDeps,
  input: { connector: string; offsets: PartitionOffset[] },
  resolved: Record<string, string>,
  assignment: TopicPartition[],
): Promise<Map<string, string>> {
  const reset = (resolved['consumer.override.auto.offset.reset'] ?? deps.workerConfig['consumer.auto.offset.reset'] ?? 'earliest') === 'latest' ? 'latest' : 'earliest';
  const start = await startingOffsets(deps.kafka, sinkGroupId(input.connector), assignment, reset);
  for (const o of input.offsets) {
    const p = o.partition as { kafka_topic?: string; kafka_partition?: number };
    const off = (o.offset as { kafka_offset?: number } | null)?.kafka_offset;
    if (p.kafka_topic !== undefined && p.kafka_partition !== undefined && off !== undefined) start.set(`${p.kafka_topic}:${p.kafka_partition}`, String(off));
  }
  return start;
}

/** Commits what a batch wrote (or dead-lettered): the next offset per partition. */
export async function commitBatch(deps: ActivityDeps, connector: string, next: Array<TopicPartition & { offset: number }>): Promise<void> {
  await commitGroupOffsets(deps.kafka, sinkGroupId(connector), next.map((n) => ({ topic: n.topic, partition: n.partition, offset: String(n.offset) })));
}

/** Alters (or with reset, deletes) the group's offsets: PATCH and DELETE /connectors/{c}/offsets. */
export async function writeSinkOffsets(deps: ActivityDeps, input: { name: string; offsets: PartitionOffset[]; reset?: boolean }): Promise<void> {
  // Checked by the workflow before the update is accepted; checked again here so a bad entry
  // fails once, never retried as if Kafka were down.
  const parsed = parseSinkOffsets(input.offsets);
  if ('problem' in parsed) throw ApplicationFailure.create({ type: 'BadRequest', message: parsed.problem, nonRetryable: true });
  const group = sinkGroupId(input.name);
  try {
    const admin = await deps.kafka.getAdmin();
    if (input.reset) {
      const groups = await admin.listGroups();
      if (groups.groups.some((g) => g.groupId === group)) await admin.deleteGroups([group]);
      return;
    }
    const set = parsed.offsets
      .filter((o) => o.offset !== null)
      .map((o) => {
        const p = o.partition as { kafka_topic: string; kafka_partition: number };
        return { topic: p.kafka_topic, partition: p.kafka_partition, offset: String((o.offset as { kafka_offset: number }).kafka_offset) };
      });
    await commitGroupOffsets(deps.kafka, group, set);
    for (const o of parsed.offsets.filter((x) => x.offset === null)) {
      const p = o.partition as { kafka_topic: string; kafka_partition: number };
      await admin.resetOffsets({ groupId: group, topic: p.kafka_topic, earliest: true });
    }
  } catch (e) {
    throw toFailure(kafkaError('write sink offsets', e));
  }
}
