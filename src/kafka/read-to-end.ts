import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { RetriableError } from '../errors.js';
import { kafkaError } from './client.js';

/**
 * Reads a whole topic once, from the beginning to the end it had when the read began, and calls
 * `onMessage` for each record in order per partition. With read_committed (the default) records of
 * aborted transactions are skipped, as a read_committed Java consumer skips them.
 *
 * kafkajs consumers always join a group: this one joins a group of its own, deleted afterwards.
 * It knows it reached the end also when the last records are transaction markers or aborted
 * records: kafkajs reports how far each fetch got, even when it hands out nothing.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  onMessage: (partition: number, m: KafkaMessage) => void,
  opts: { readUncommitted?: boolean; timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const admin = kafka.admin();
  const what = opts.what ?? `read topic ${topic}`;
  let ends: Array<{ partition: number; high: string; low: string }>;
  try {
    await admin.connect();
    ends = await admin.fetchTopicOffsets(topic);
  } catch (e) {
    await admin.disconnect().catch(() => undefined);
    throw kafkaError(what, e);
  }
  // How far each partition must be read (exclusive); an empty partition needs nothing.
  const remaining = new Map<number, bigint>();
  for (const e of ends) if (BigInt(e.high) > BigInt(e.low)) remaining.set(e.partition, BigInt(e.high));
  if (remaining.size === 0) {
    await admin.disconnect().catch(() => undefined);
    return;
  }
  const groupId = `tconnect-reader-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: opts.readUncommitted ?? false, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const end = remaining.get(e.payload.partition);
    if (end !== undefined && BigInt(e.payload.lastOffset) + 1n >= end) remaining.delete(e.payload.partition);
    if (remaining.size === 0) done();
  });
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition);
        for (const m of batch.messages) if (end === undefined || BigInt(m.offset) < end) onMessage(batch.partition, m);
      },
    });
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RetriableError(`${what}: did not reach the topic's end within ${timeoutMs} ms (a transaction there may still be open)`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    throw kafkaError(what, e);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
