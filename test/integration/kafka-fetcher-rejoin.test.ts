import { describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import type { PluginLogger } from '../../src/connectors/types.js';
import { KafkaPool } from '../../src/kafka/client.js';
import { PartitionFetcher, type FetchedMessage } from '../../src/kafka/fetcher.js';
import { kafka } from '../helpers/clients.js';
import { deleteKafkaResources, produce } from '../helpers/connectors.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

// A sink task's reader when kafkajs rejoins its consumer group (the group's coordinator moved, e.g.
// back to a broker that restarted, or another member came and went). kafkajs then starts each
// partition again at the group's committed offset, and this group commits none: without a seek
// back, the fetcher read every partition again from its beginning before reaching new records.

async function takeUntil(fetcher: PartitionFetcher, count: number): Promise<FetchedMessage[]> {
  const got: FetchedMessage[] = [];
  await waitFor(async () => {
    const batch = await fetcher.take(1000, 200);
    got.push(...batch);
    fetcher.release(batch);
    return got.length >= count;
  }, { timeout: 60_000, what: `${count} fetched records (have ${got.length})` });
  return got;
}

describe('sink fetcher: its consumer group rebalances', () => {
  it('reads on from where it was after kafkajs rejoined the group, not from the partition beginning', async () => {
    const topic = uniqueIdent('rejoin');
    await produce(topic, 1, Array.from({ length: 1000 }, (_, i) => ({ value: `v${i}` })));
    const joins: string[] = [];
    const logger: PluginLogger = { debug: () => undefined, info: (_o, msg) => void joins.push(msg ?? ''), warn: () => undefined, error: () => undefined };
    const pool = new KafkaPool({ brokers: stackEnv().KAFKA_BOOTSTRAP_SERVERS.split(',') });
    const fetcher = new PartitionFetcher(pool, [{ topic, partition: 0 }], { clientId: uniqueIdent('rejoin'), logger });
    let other: Consumer | undefined;
    try {
      await fetcher.start(new Map([[`${topic}:0`, '990']]));
      expect((await takeUntil(fetcher, 10)).map((m) => m.message.offset)).toEqual(Array.from({ length: 10 }, (_, i) => String(990 + i)));
      const joined = () => joins.filter((m) => m === 'sink consumer joined its group').length;
      const before = joined();

      // A second member joins the fetcher's group and leaves again: the group rebalances twice.
      other = kafka().consumer({ groupId: fetcher.groupId!, sessionTimeout: 10_000 });
      await other.connect();
      await other.subscribe({ topic, fromBeginning: true });
      await other.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      await waitFor(() => joined() >= before + 1, { timeout: 60_000, what: 'the fetcher to rejoin beside the other member' });
      await other.disconnect();
      await waitFor(() => joined() >= before + 2, { timeout: 60_000, what: 'the fetcher to rejoin alone' });

      await produce(topic, 1, Array.from({ length: 5 }, (_, i) => ({ value: `new${i}` })));
      const after = await takeUntil(fetcher, 5);
      // Exactly the new records, in order, and none of the first 1000 fetched again on the way.
      expect(after.map((m) => `${m.message.offset}:${m.message.value?.toString()}`)).toEqual(Array.from({ length: 5 }, (_, i) => `${1000 + i}:new${i}`));
      expect(fetcher.refetched).toBe(0);
    } finally {
      await other?.disconnect().catch(() => undefined);
      await fetcher.close();
      await pool.close();
      await deleteKafkaResources([topic], fetcher.groupId ? [fetcher.groupId] : []);
    }
  }, 180_000);
});
