// The plain-script baseline of bench/sink-es.ts: the same move (Kafka topic of schemaless JSON ->
// Elasticsearch index) with a kafkajs consumer and the Elasticsearch bulk helper
// (`client.helpers.bulk`), no Temporal, as a practical limit.
//
// - One kafkajs consumer in a group of its own, fromBeginning, all partitions of the topic,
//   `eachBatch`; offsets auto-committed (kafkajs' default: every 5 s, once a batch was handed
//   over), so its lag can be watched like the connector's.
// - Each message becomes an index action with the connector's document id for key.ignore=true,
//   `<topic>+<partition>+<offset>`, and the message value as the document source, passed through
//   as is (the helper takes a string payload without parsing it: no JSON round trip).
// - `client.helpers.bulk` with its defaults (flushBytes 5 MB, concurrency 5, retries 3) unless
//   the bench says otherwise; the datasource is an async generator fed by the consumer, bounded by
//   `maxQueued` messages (eachBatch waits while the queue is full, so memory stays bounded).
// - The datasource ends once `expect` messages were consumed, so the last partial request goes
//   out at once instead of after the helper's flushInterval.
//
// Run by the bench as a child process: it connects, prints {"ready":true}, waits for "go" on
// stdin, moves the messages, prints {"done":true,...} and waits for "exit". Options: one JSON argument.
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { stdinWords } from './lib/common.js';

export interface BaselineKafkaEsOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  esUrl: string;
  index: string;
  /** Messages to move; the datasource ends after this many. */
  expect: number;
  flushBytes?: number;
  concurrency?: number;
  /** Most messages waiting between the consumer and the bulk helper. */
  maxQueued?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as BaselineKafkaEsOptions;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

interface Item { id: string; doc: string }

async function main(): Promise<void> {
  const es = new Client({ node: opts.esUrl });
  const kafka = new Kafka({ clientId: 'bench-baseline-es', brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false, maxBytes: 32 * 1024 * 1024, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
  await es.indices.exists({ index: opts.index });

  const waitFor = stdinWords();

  out({ ready: true });
  await waitFor('go');
  const t0 = Date.now();

  // The queue between the consumer and the helper.
  const maxQueued = opts.maxQueued ?? 100_000;
  let queue: Item[] = [];
  let consumed = 0;
  let ended = false;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  let maxQueue = 0;

  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch, heartbeat }) => {
      const prefix = `${batch.topic}+${batch.partition}+`;
      for (const m of batch.messages) {
        queue.push({ id: prefix + m.offset, doc: m.value ? m.value.toString('utf8') : 'null' });
      }
      consumed += batch.messages.length;
      if (queue.length > maxQueue) maxQueue = queue.length;
      wakeReader?.();
      while (queue.length > maxQueued && !ended) {
        await new Promise<void>((r) => { wakeWriter = r; setTimeout(r, 1000); });
        await heartbeat();
      }
    },
  });

  async function* datasource(): AsyncGenerator<Item> {
    let taken = 0;
    while (taken < opts.expect) {
      if (queue.length === 0) {
        await new Promise<void>((r) => { wakeReader = r; setTimeout(r, 200); });
        wakeReader = undefined;
        continue;
      }
      const items = queue;
      queue = [];
      wakeWriter?.();
      for (const it of items) {
        taken++;
        yield it;
      }
    }
    ended = true;
  }

  const index = opts.index;
  let failed = 0;
  const stats = await es.helpers.bulk<Item>({
    datasource: datasource(),
    onDocument: (it) => [{ index: { _index: index, _id: it.id } }, it.doc as unknown as Item],
    onDrop: () => { failed++; },
    flushBytes: opts.flushBytes ?? 5_000_000,
    concurrency: opts.concurrency ?? 5,
    refreshOnCompletion: false,
  });
  out({ done: true, ms: Date.now() - t0, consumed, failed, maxQueue, stats: { total: stats.total, successful: stats.successful, failed: stats.failed, retry: stats.retry, bytes: stats.bytes, time: stats.time } });
  await waitFor('exit');
  await consumer.disconnect().catch(() => undefined);
  await es.close().catch(() => undefined);
}

main().then(
  () => process.exit(0),
  (e) => { out({ error: e instanceof Error ? e.message : String(e) }); process.exit(1); },
);
