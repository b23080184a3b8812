import { describe, it, expect } from 'vitest';
import { kafka } from '../helpers/clients.js';
import { useWorker } from '../helpers/fixture.js';
import { sendJson } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

// The connector, not Kafka's group protocol, assigns partitions; it re-plans when topics or
// partitions appear.
describe('sink re-planning', () => {
  const env = stackEnv();
  const fx = useWorker({ sdk: true, es: true });

  const send = (topic: string, partition: number, n: number) => sendJson(topic, Array.from({ length: n }, (_, i) => ({ p: partition, i })), partition);

  async function count(index: string): Promise<number> {
    await fx.es.indices.refresh({ index, ignore_unavailable: true });
    return (await fx.es.count({ index, ignore_unavailable: true })).count;
  }

  it('picks up a new topic matching topics.regex and new partitions, spreading them over tasks', async () => {
    const base = uniqueIdent('replan');
    const admin = kafka().admin();
    await admin.connect();
    fx.cleanups.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: `${base}-a`, numPartitions: 1 }], waitForLeaders: true });
    fx.cleanups.push(() => fx.es.indices.delete({ index: `${base}-*`, ignore_unavailable: true }));
    await send(`${base}-a`, 0, 5);
    const name = `replan-${base}`;
    await fx.sdk.create({ name, config: {
      'connector.class': 'ElasticsearchSink',
      'connection.url': env.ELASTICSEARCH_URL,
      'topics.regex': `${base}-.*`,
      'tasks.max': '2',
      'key.ignore': 'true',
      'schema.ignore': 'true',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'temporal.topics.poll.interval.ms': '2000',
    } });
    fx.cleanups.push(() => fx.sdk.delete(name));
    await waitFor(async () => (await count(`${base}-a`)) === 5, { what: 'topic a', timeout: 60_000 });
    expect((await fx.sdk.status(name)).tasks).toHaveLength(1);

    await admin.createTopics({ topics: [{ topic: `${base}-b`, numPartitions: 1 }], waitForLeaders: true });
    await send(`${base}-b`, 0, 3);
    await waitFor(async () => (await count(`${base}-b`)) === 3, { what: 'new topic b', timeout: 60_000 });

    await admin.createPartitions({ topicPartitions: [{ topic: `${base}-a`, count: 3 }] });
    await send(`${base}-a`, 2, 4);
    await waitFor(async () => (await count(`${base}-a`)) === 9, { what: 'new partition a-2', timeout: 60_000 });

    const tasks = await fx.sdk.tasks(name);
    expect(tasks).toHaveLength(2);
    const assigned = tasks.flatMap((t) => (t.config['temporal.assignment'] ?? '').split(',')).sort();
    expect(assigned).toEqual([`${base}-a:0`, `${base}-a:1`, `${base}-a:2`, `${base}-b:0`].sort());
    // Nothing was read twice across the re-plans.
    expect(await count(`${base}-a`)).toBe(9);
    expect(await count(`${base}-b`)).toBe(3);
  });
});
