// The plain-script baseline of bench/sink-s3.ts: the same move (a Kafka topic of schemaless JSON ->
// JSON-lines objects in S3, flush.size records per object, named <prefix>/<topic>/partition=<p>/
// <topic>+<p>+<offset padded to 10>.json like the S3 sink's) with a kafkajs consumer and
// @aws-sdk/client-s3 PutObject, no Temporal, no exactly-once bookkeeping, as a practical limit.
//
// - One kafkajs consumer in a group of its own, fromBeginning, `eachBatch`; per partition the
//   message values are appended (as is, no JSON round trip) to a buffer, which goes up as one
//   PutObject once it holds flush.size records; up to `concurrency` uploads run at once.
// - Offsets are auto-committed by kafkajs (not tied to the uploads: a crash may lose or repeat).
//
// Run by the bench as a child process: it connects, prints {"ready":true}, waits for "go" on
// stdin, moves `expect` messages, prints {"done":true,...} and waits for "exit". Options: one JSON argument.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { stdinWords } from './lib/common.js';

export interface BaselineKafkaS3Options {
  brokers: string[];
  topic: string;
  groupId: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  prefix: string;
  flushSize: number;
  expect: number;
  concurrency?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as BaselineKafkaS3Options;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const NL = Buffer.from('\n');

async function main(): Promise<void> {
  const s3 = new S3Client({ endpoint: opts.endpoint, region: opts.region, forcePathStyle: true, credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } });
  const kafka = new Kafka({ clientId: 'bench-baseline-s3', brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false, maxBytes: 32 * 1024 * 1024, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });

  const waitFor = stdinWords();

  out({ ready: true });
  await waitFor('go');
  const t0 = Date.now();
  const files = new Map<number, { start: string; chunks: Buffer[] }>();
  const inFlight = new Set<Promise<void>>();
  let consumed = 0;
  let uploaded = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => { done = r; });

  const upload = async (partition: number, start: string, chunks: Buffer[], records: number) => {
    const key = `${opts.prefix}/${opts.topic}/partition=${partition}/${opts.topic}+${partition}+${start.padStart(10, '0')}.json`;
    await s3.send(new PutObjectCommand({ Bucket: opts.bucket, Key: key, Body: Buffer.concat(chunks), ContentType: 'application/json' }));
    uploaded += records;
    if (uploaded >= opts.expect) done();
  };

  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch, heartbeat }) => {
      for (const m of batch.messages) {
        let f = files.get(batch.partition);
        if (!f) {
          f = { start: m.offset, chunks: [] };
          files.set(batch.partition, f);
        }
        f.chunks.push(m.value ?? Buffer.from('null'), NL);
        consumed++;
        if (f.chunks.length / 2 >= opts.flushSize) {
          files.delete(batch.partition);
          while (inFlight.size >= (opts.concurrency ?? 4)) await Promise.race(inFlight);
          const p = upload(batch.partition, f.start, f.chunks, opts.flushSize).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
      }
      await heartbeat();
    },
  });
  await finished;
  out({ done: true, ms: Date.now() - t0, consumed, uploaded });
  await waitFor('exit');
  await consumer.disconnect().catch(() => undefined);
  s3.destroy();
}

main().then(
  () => process.exit(0),
  (e) => { out({ error: e instanceof Error ? e.message : String(e) }); process.exit(1); },
);
