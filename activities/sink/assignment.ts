import type { ActivityDeps } from '../deps.js';
import { kafkaError } from '../../src/kafka/client.js';
import { tpKey, type TopicPartition } from '../../src/kafka/fetcher.js';
import { compileJavaRegex } from '../../src/transforms/util/java-regex.js';

/**
 * Which sink task reads which partition. The connector decides, not Kafka's group protocol: the
 * plan gives each task config its partitions under ASSIGNMENT_KEY, and a task reads exactly those.
 */

/** Task config key holding the topic-partitions the connector assigned to a sink task. */
export const ASSIGNMENT_KEY = 'temporal.assignment';

export function parseAssignment(s: string | undefined): TopicPartition[] {
  if (!s) return [];
  return s.split(',').filter(Boolean).map((x) => {
    const i = x.lastIndexOf(':');
    return { topic: x.slice(0, i), partition: Number(x.slice(i + 1)) };
  });
}

export const formatAssignment = (tps: TopicPartition[]): string => tps.map(tpKey).join(',');

/** The partitions of `topics` or of the topics matching `topics.regex`, sorted. */
export async function sinkPartitions(deps: ActivityDeps, config: Record<string, string>): Promise<TopicPartition[]> {
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

/**
 * The plugin's task configs, each with its share of the partitions (round robin); no more tasks
 * than partitions, at least one.
 */
export function assignPartitions(
  plans: Array<Record<string, string>>,
  partitions: TopicPartition[],
  maxTasks: number,
  config: Record<string, string>,
): Array<Record<string, string>> {
  const n = Math.max(1, Math.min(plans.length || 1, maxTasks, partitions.length || 1));
  const split: TopicPartition[][] = Array.from({ length: n }, () => []);
  partitions.forEach((tp, i) => split[i % n].push(tp));
  return split.map((tps, i) => ({ ...(plans[i] ?? plans[0] ?? config), [ASSIGNMENT_KEY]: formatAssignment(tps) }));
}

/** Whether the partitions now differ from those the tasks were given (new topics matching topics.regex, partitions added). */
export async function assignmentChanged(deps: ActivityDeps, config: Record<string, string>, tasks: Array<Record<string, string>>): Promise<boolean> {
  const now = (await sinkPartitions(deps, config)).map(tpKey).sort();
  const planned = tasks.flatMap((t) => parseAssignment(t[ASSIGNMENT_KEY])).map(tpKey).sort();
  return now.join(',') !== planned.join(',');
}
