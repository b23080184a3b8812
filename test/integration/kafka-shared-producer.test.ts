import { describe, expect, it } from 'vitest';
import { KafkaPool } from '../../src/kafka/client.js';
import { kafka } from '../helpers/clients.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueName } from '../helpers/stack.js';

// The offsets store's producer is one per worker, shared by every source task: a send the broker
// refuses must fail alone. It used to close the producer under the other tasks' sends
// ("Connection pool is closed"), failing their batches too (hundreds at 200 connectors).
describe('KafkaPool.send on a producer key many callers share (real Kafka)', () => {
  it('a send the broker refuses fails alone: the concurrent sends on the same key all land', async () => {
    const topic = uniqueName('shared-producer');
    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const pool = new KafkaPool({ brokers: stackEnv().KAFKA_BOOTSTRAP_SERVERS.split(','), clientId: 'shared-producer-test' });
    try {
      const message = (v: string) => ({ topic, message: { key: null, value: Buffer.from(v) } });
      // Warm the producer up (metadata, connections), so the sends below go out together.
      await pool.send('shared', [message('first')]);
      const tooLarge = pool.send('shared', [message('x'.repeat(8192))]);
      const others = Array.from({ length: 40 }, (_, i) => pool.send('shared', [message(`m${i}`)]));
      await expect(tooLarge).rejects.toThrow(/too large|MESSAGE_TOO_LARGE|larger than/i);
      const outcomes = await Promise.allSettled(others);
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
      const read = await readTopic(topic, 41);
      expect(read.map((m) => m.value).sort()).toEqual(['first', ...Array.from({ length: 40 }, (_, i) => `m${i}`)].sort());
    } finally {
      await pool.close();
      const a = kafka().admin();
      await a.connect();
      await a.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await a.disconnect();
    }
  });
});
