import { describe, expect, it } from 'vitest';
import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Admin } from 'kafkajs';
import { RetriableError } from '../../../src/errors.js';
import { retryStaleMetadata, waitForLeaders } from '../../../src/kafka/client.js';

// ensureTopics' wait after CreateTopics, against scripted metadata answers (the real three-broker
// case is test/cluster/sink-pipeline.test.ts and test/cluster/kafka-broker-kill.test.ts on kafka3).

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
type Answer = Metadata | Error;

/** A broker answer as kafkajs throws it from a metadata request (its retriable flag as in kafkajs' error table). */
const answer = (type: string, message: string, retriable = false) => new KafkaJSProtocolError({ message, type, code: 0, retriable } as unknown as Error);
const unknownTopic = () => answer('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition', true);
const topicMd = (name: string, leaders: number[]) => ({
  name,
  partitions: leaders.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [] })),
});

/** An admin giving the answers in order (the last one again once they run out), recording what it was asked. */
function scripted(answers: Answer[]) {
  const asked: string[][] = [];
  let i = 0;
  const admin = {
    fetchTopicMetadata: async ({ topics }: { topics?: string[] } = {}) => {
      asked.push([...(topics ?? [])]);
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a;
    },
  } as Pick<Admin, 'fetchTopicMetadata'>;
  return { admin, asked };
}

/** A clock that moves only when the wait sleeps. */
function clock() {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { slept.push(ms); t += ms; }, slept };
}

describe('waitForLeaders', () => {
  it('retries "does not host this topic-partition" and leaderless partitions until every partition has a leader', async () => {
    const { admin, asked } = scripted([
      unknownTopic(),
      new KafkaJSNonRetriableError(answer('LEADER_NOT_AVAILABLE', 'There is no leader for this topic-partition', true)),
      { topics: [topicMd('a', [1, -1]), topicMd('b', [2])] },
      { topics: [topicMd('a', [1, 3])] },
    ]);
    const c = clock();
    await waitForLeaders(admin, ['a', 'b'], 30_000, c.sleep, c.now);
    // Each retry asks again, only for the topics still without leaders.
    expect(asked).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b'], ['a']]);
    expect(c.slept).toEqual([50, 100, 200]);
  });

  it('takes the answer kafkajs cannot read when no broker answered as transient too', async () => {
    const { admin } = scripted([new TypeError("Cannot read properties of null (reading 'topicMetadata')"), { topics: [topicMd('a', [1])] }]);
    const c = clock();
    await waitForLeaders(admin, ['a'], 30_000, c.sleep, c.now);
    expect(c.slept).toEqual([50]);
  });

  it('gives up at the deadline with an error naming the topic, the partitions and what to check', async () => {
    const { admin } = scripted([unknownTopic(), { topics: [topicMd('orders', [1, -1, -1])] }]);
    const c = clock();
    const e = await waitForLeaders(admin, ['orders'], 5000, c.sleep, c.now).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as Error).message).toBe(
      'Kafka topic orders created, but not every partition had a leader within 5 s (last answer: orders (partitions 1, 2 without a leader)): ' +
      'check that the brokers in bootstrap.servers are up and that enough of them are alive for the replication factor and min.insync.replicas',
    );
    // Backoff doubles up to a second and never sleeps past the deadline.
    expect(c.slept).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
    expect(c.now()).toBeLessThanOrEqual(5000);
  });

  it('throws what no wait fixes at once', async () => {
    const denied = answer('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics');
    const { admin, asked } = scripted([denied]);
    const c = clock();
    await expect(waitForLeaders(admin, ['a'], 30_000, c.sleep, c.now)).rejects.toBe(denied);
    expect(asked).toHaveLength(1);
    const bug = new TypeError('x is not a function');
    await expect(waitForLeaders(scripted([bug]).admin, ['a'], 30_000, c.sleep, c.now)).rejects.toBe(bug);
  });
});

describe('retryStaleMetadata', () => {
  it('retries a call while the broker asked does not know the topic yet, and gives the last failure up at the deadline', async () => {
    const c = clock();
    let calls = 0;
    const ok = await retryStaleMetadata(async () => {
      if (++calls < 3) throw unknownTopic();
      return 'subscribed';
    }, 30_000, c.sleep, c.now);
    expect(ok).toBe('subscribed');
    expect(c.slept).toEqual([50, 100]);

    const never = unknownTopic();
    await expect(retryStaleMetadata(async () => { throw never; }, 1000, c.sleep, c.now)).rejects.toBe(never);
  });

  it('throws any other failure at once', async () => {
    const c = clock();
    const denied = answer('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics');
    let calls = 0;
    await expect(retryStaleMetadata(async () => { calls++; throw denied; }, 30_000, c.sleep, c.now)).rejects.toBe(denied);
    expect(calls).toBe(1);
  });
});
