// Kafka topic -> S3 (MinIO): our S3 sink beside a plain kafkajs + @aws-sdk/client-s3 script
// (bench/baseline-kafka-s3.ts), N records (--records, default 1,000,000) of schemaless JSON in
// P partitions (--partitions, default 2), JSON-lines objects of flush.size records (--flush,
// default 10,000), R runs (--runs, default 3) in alternating order. Each side is timed from its
// go (baseline: "go" on stdin once connected; ours: creating the connector, the worker already
// running) until the bucket holds all N/flush objects under its prefix (listed every 250 ms).
// Peak RSS of each child sampled every 500 ms. Medians are printed and written to
// bench/results/sink-s3-<stamp>.json. `npx tsx bench/sink-s3.ts --help`.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { ConnectClient } from '../src/client/index.js';
import { minioEnv } from '../test/helpers/s3.js';
import { RESULTS_DIR, RssSampler, childEnv, fileStamp, loadavg, machine, median, mib, round, sleep, spawnNode, stackEnv, stopChild, waitForLine } from './lib/common.js';

interface Options { records: number; partitions: number; flush: number; runs: number; timeoutSec: number }

function parseArgs(argv: string[]): Options {
  const o: Options = { records: 1_000_000, partitions: 2, flush: 10_000, runs: 3, timeoutSec: 900 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if (a === '--help') {
      process.stdout.write('npx tsx bench/sink-s3.ts [--records N] [--partitions P] [--flush F] [--runs R] [--timeout SEC]\n');
      process.exit(0);
    } else if (a === '--records') o.records = v;
    else if (a === '--partitions') o.partitions = v;
    else if (a === '--flush') o.flush = v;
    else if (a === '--runs') o.runs = v;
    else if (a === '--timeout') o.timeoutSec = v;
    else throw new Error(`unknown flag ${a}`);
    i++;
  }
  if (o.records % (o.partitions * o.flush) !== 0) throw new Error('--records must be a multiple of --partitions x --flush (whole objects only)');
  return o;
}

async function countObjects(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    n += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return n;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const env = stackEnv();
  const m = minioEnv();
  const id = Date.now().toString(36);
  const topic = `bench-s3-${id}`;
  const bucket = `bench-s3-${id}`;
  const s3 = new S3Client({ endpoint: m.S3_ENDPOINT, region: m.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: m.AWS_ACCESS_KEY_ID, secretAccessKey: m.AWS_SECRET_ACCESS_KEY } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const kafka = new Kafka({ clientId: 'bench-s3', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: o.partitions }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  process.stdout.write(`loading ${o.records.toLocaleString('en')} records into ${topic} ...\n`);
  for (let i = 0; i < o.records; i += 5000) {
    await producer.send({ topic, messages: Array.from({ length: 5000 }, (_, j) => ({ partition: (i + j) % o.partitions, value: JSON.stringify({ id: i + j, name: `customer-${i + j}`, amount: (i + j) % 997, note: 'x'.repeat(40) }) })) });
  }
  await producer.disconnect();
  const expected = o.records / o.flush;
  const logDir = path.join(RESULTS_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });

  async function waitObjects(prefix: string, t0: number): Promise<number> {
    for (;;) {
      if (await countObjects(s3, bucket, prefix) >= expected) return Date.now() - t0;
      if (Date.now() - t0 > o.timeoutSec * 1000) throw new Error(`timed out after ${o.timeoutSec} s waiting for ${expected} objects under ${prefix}`);
      await sleep(250);
    }
  }

  async function baseline(run: number): Promise<{ ms: number; peakRss: number }> {
    const prefix = `baseline-${run}`;
    const child = spawnNode(['--import', 'tsx', 'bench/baseline-kafka-s3.ts', JSON.stringify({
      brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), topic, groupId: `bench-s3-base-${id}-${run}`, endpoint: m.S3_ENDPOINT, region: m.AWS_REGION,
      accessKeyId: m.AWS_ACCESS_KEY_ID, secretAccessKey: m.AWS_SECRET_ACCESS_KEY, bucket, prefix, flushSize: o.flush, expect: o.records,
    })], childEnv(env, {}));
    try {
      await waitForLine(child, (l) => (l.includes('"ready"') ? true : undefined), 60_000, 'baseline ready');
      const rss = new RssSampler(child.pid!, 1.5 * 1024 ** 3).start();
      const t0 = Date.now();
      child.stdin!.write('go\n');
      const ms = await waitObjects(`${prefix}/`, t0);
      return { ms, peakRss: rss.stop() };
    } finally {
      child.stdin!.write('exit\n');
      await stopChild(child, 'SIGTERM', 10_000, 5_000);
    }
  }

  async function ours(run: number): Promise<{ ms: number; peakRss: number; idleRss: number }> {
    const prefix = `ours-${run}`;
    const taskQueue = `bench-s3-${id}-${run}`;
    const child = spawnNode(['bin/tconnect.mjs', 'worker'], childEnv(env, { TCONNECT_TASK_QUEUE: taskQueue, TCONNECT_LOG_LEVEL: 'warn' }));
    const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
    const name = `bench-s3-${id}-${run}`;
    try {
      // The worker is up once it answers on its REST port or after it printed its first line; give it a moment to poll.
      await sleep(8000);
      const idleRss = new RssSampler(child.pid!, 1.5 * 1024 ** 3).stop();
      const rss = new RssSampler(child.pid!, 1.5 * 1024 ** 3).start();
      const t0 = Date.now();
      await sdk.create({ name, config: {
        'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: topic, 's3.bucket.name': bucket, 's3.region': m.AWS_REGION, 'store.url': m.S3_ENDPOINT,
        'aws.access.key.id': m.AWS_ACCESS_KEY_ID, 'aws.secret.access.key': m.AWS_SECRET_ACCESS_KEY, 'topics.dir': prefix,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
        'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': String(o.flush),
      } });
      const ms = await waitObjects(`${prefix}/`, t0);
      return { ms, peakRss: rss.stop(), idleRss };
    } finally {
      await sdk.delete(name).catch(() => undefined);
      await sdk.close();
      await stopChild(child);
    }
  }

  const runs: Array<{ run: number; order: string; baselineMs: number; oursMs: number; baselineRss: number; oursRss: number; oursIdleRss: number; load: number[] }> = [];
  for (let run = 1; run <= o.runs; run++) {
    const load = loadavg();
    let b: { ms: number; peakRss: number };
    let u: { ms: number; peakRss: number; idleRss: number };
    if (run % 2) {
      b = await baseline(run);
      u = await ours(run);
    } else {
      u = await ours(run);
      b = await baseline(run);
    }
    runs.push({ run, order: run % 2 ? 'baseline first' : 'ours first', baselineMs: b.ms, oursMs: u.ms, baselineRss: b.peakRss, oursRss: u.peakRss, oursIdleRss: u.idleRss, load });
    process.stdout.write(`run ${run}: baseline ${Math.round(o.records / (b.ms / 1000)).toLocaleString('en')} rec/s (${mib(b.peakRss)} MiB), ours ${Math.round(o.records / (u.ms / 1000)).toLocaleString('en')} rec/s (${mib(u.peakRss)} MiB peak, ${mib(u.idleRss)} MiB idle), load ${load.join(' ')}\n`);
  }
  const baselineRps = median(runs.map((r) => o.records / (r.baselineMs / 1000)));
  const oursRps = median(runs.map((r) => o.records / (r.oursMs / 1000)));
  const result = {
    benchmark: 'sink-s3', options: o, machine: machine(), runs,
    medians: { baselineRecordsPerSec: Math.round(baselineRps), oursRecordsPerSec: Math.round(oursRps), ratio: round(oursRps / baselineRps, 2), baselinePeakRssMiB: mib(median(runs.map((r) => r.baselineRss))), oursPeakRssMiB: mib(median(runs.map((r) => r.oursRss))) },
  };
  const file = path.join(RESULTS_DIR, `sink-s3-${fileStamp()}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`medians: baseline ${result.medians.baselineRecordsPerSec.toLocaleString('en')} rec/s, ours ${result.medians.oursRecordsPerSec.toLocaleString('en')} rec/s, ratio ${result.medians.ratio}; peak RSS baseline ${result.medians.baselinePeakRssMiB} MiB, ours ${result.medians.oursPeakRssMiB} MiB\nwritten to ${file}\n`);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  s3.destroy();
}

main().then(
  () => process.exit(0),
  (e) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); },
);
