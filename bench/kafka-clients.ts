// Kafka client micro-benchmark: the same records produced, then consumed, by each Node.js Kafka
// client, one child process per client and phase, sides alternated, medians of the runs.
//
//   npx tsx bench/kafka-clients.ts [--records 200000] [--runs 3] [--clients kafkajs,platformatic]
//        [--batch 2000] [--max-request-bytes 921600] [--value-bytes 250]
//
// kafkajs is the runtime's client; @platformatic/kafka is a devDependency for this benchmark.
// `--clients ...,confluent` also runs @confluentinc/kafka-javascript when it is installed: it is
// not a dependency, because it does not install from npm alone (its install downloads a prebuilt
// librdkafka, or builds it from source and then downloads zlib, outside the package registries).
//
// Records are shaped like the source's: a ~250-byte JSON value (the schemaless text of a
// bench/source-jdbc.ts row), a 16-byte key, one topic of one partition. Produce: acks=all on an
// idempotent producer, one send of `--batch` records at a time (cut at --max-request-bytes), the
// next send issued when the previous one was acknowledged, as the runtime's Kafka module does.
// Consume: from the beginning, no group commits, until every record was seen.
// Each side reports records/s and the CPU of its own process per record (user + system); values
// are built before the timed part (the client's work only is measured).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { REPO_ROOT, RESULTS_DIR, fileStamp, machine, median, round, stackEnv } from './lib/common.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const CLIENTS = ['kafkajs', 'platformatic', 'confluent'] as const;
type ClientName = (typeof CLIENTS)[number];

interface Options {
  records: number;
  runs: number;
  clients: ClientName[];
  batch: number;
  maxRequestBytes: number;
  valueBytes: number;
}

interface ChildJob {
  client: ClientName;
  phase: 'produce' | 'consume';
  brokers: string[];
  topic: string;
  records: number;
  batch: number;
  maxRequestBytes: number;
  valueBytes: number;
}

interface PhaseResult { ms: number; cpuMs: number; records: number }

const log = (s: string) => process.stderr.write(s + '\n');

function parseArgs(argv: string[]): Options {
  const o: Options = { records: 200_000, runs: 3, clients: ['kafkajs', 'platformatic'], batch: 2000, maxRequestBytes: 900 * 1024, valueBytes: 250 };
  for (let i = 0; i < argv.length; i++) {
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return x;
    };
    switch (argv[i]) {
      case '--records': o.records = Number(v()); break;
      case '--runs': o.runs = Number(v()); break;
      case '--batch': o.batch = Number(v()); break;
      case '--max-request-bytes': o.maxRequestBytes = Number(v()); break;
      case '--value-bytes': o.valueBytes = Number(v()); break;
      case '--clients': {
        const list = v().split(',').map((s) => s.trim()).filter(Boolean);
        for (const c of list) if (!(CLIENTS as readonly string[]).includes(c)) throw new Error(`--clients: unknown client ${c} (known: ${CLIENTS.join(', ')})`);
        o.clients = list as ClientName[];
        break;
      }
      case '--help':
        process.stdout.write('npx tsx bench/kafka-clients.ts [--records N] [--runs R] [--clients kafkajs,platformatic,confluent] [--batch N] [--max-request-bytes B] [--value-bytes B]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown flag ${argv[i]}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The child: one client, one phase.

/** ~valueBytes of JSON like a source-jdbc row, distinct per record. */
function records(n: number, valueBytes: number): Array<{ key: Buffer; value: Buffer }> {
  const out: Array<{ key: Buffer; value: Buffer }> = [];
  for (let i = 0; i < n; i++) {
    const head = `{"id":${i + 1},"customer":"customer-${String(i).padStart(10, '0')}","email":"user${i}@example.com","status":"PAID","quantity":${i % 1000},"amount":"AJY=","note":"`;
    const tail = `","created_at":${1704067200000 + i}}`;
    const note = 'x'.repeat(Math.max(0, valueBytes - head.length - tail.length));
    out.push({ key: Buffer.from(`key-${String(i).padStart(12, '0')}`), value: Buffer.from(head + note + tail) });
  }
  return out;
}

/** Sends of at most `batch` records and about maxRequestBytes each. */
function chunks<T extends { key: Buffer; value: Buffer }>(all: T[], batch: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const r of all) {
    const size = r.key.length + r.value.length + 70;
    if (cur.length && (cur.length >= batch || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

async function timed(fn: () => Promise<number>): Promise<PhaseResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), records: n };
}

async function kafkajsSide(job: ChildJob): Promise<PhaseResult> {
  const kafka = new Kafka({ clientId: 'bench-kc', brokers: job.brokers, logLevel: logLevel.NOTHING });
  if (job.phase === 'produce') {
    const sends = chunks(records(job.records, job.valueBytes), job.batch, job.maxRequestBytes);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    await producer.connect();
    const r = await timed(async () => {
      for (const messages of sends) await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic: job.topic, messages }] });
      return job.records;
    });
    await producer.disconnect();
    return r;
  }
  const consumer = kafka.consumer({ groupId: `bench-kc-${Date.now().toString(36)}`, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
  const r = await timed(() => new Promise<number>((resolve) => {
    let seen = 0;
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (m.value) seen++;
        if (seen >= job.records) resolve(seen);
      },
    });
  }));
  await consumer.disconnect();
  return r;
}

async function platformaticSide(job: ChildJob): Promise<PhaseResult> {
  const { Producer, Consumer, MessagesStreamModes } = await import('@platformatic/kafka');
  const bootstrapBrokers = job.brokers;
  if (job.phase === 'produce') {
    const sends = chunks(records(job.records, job.valueBytes).map((x) => ({ ...x, topic: job.topic, partition: 0 })), job.batch, job.maxRequestBytes);
    const producer = new Producer({ clientId: 'bench-kc', bootstrapBrokers, idempotent: true, acks: -1, autocreateTopics: true });
    const r = await timed(async () => {
      for (const messages of sends) await producer.send({ messages });
      return job.records;
    });
    await producer.close();
    return r;
  }
  const consumer = new Consumer({ clientId: 'bench-kc', groupId: `bench-kc-${Date.now().toString(36)}`, bootstrapBrokers, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 8 * 1024 * 1024 });
  const r = await timed(async () => {
    const stream = await consumer.consume({ topics: [job.topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
    let seen = 0;
    for await (const m of stream) {
      if (m.value) seen++;
      if (seen >= job.records) break;
    }
    await stream.close();
    return seen;
  });
  await consumer.close(true);
  return r;
}

async function confluentSide(job: ChildJob): Promise<PhaseResult> {
  // The KafkaJS-compatible API of @confluentinc/kafka-javascript (librdkafka underneath).
  const mod = (await import('@confluentinc/kafka-javascript' as string)) as { KafkaJS: { Kafka: new (c: unknown) => {
    producer(c: unknown): { connect(): Promise<void>; send(x: unknown): Promise<unknown>; disconnect(): Promise<void> };
    consumer(c: unknown): { connect(): Promise<void>; subscribe(x: unknown): Promise<void>; run(x: unknown): Promise<void>; disconnect(): Promise<void> };
  } } };
  const kafka = new mod.KafkaJS.Kafka({ kafkaJS: { brokers: job.brokers, clientId: 'bench-kc', logLevel: 0 } });
  if (job.phase === 'produce') {
    const sends = chunks(records(job.records, job.valueBytes), job.batch, job.maxRequestBytes);
    const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1 } });
    await producer.connect();
    const r = await timed(async () => {
      for (const messages of sends) await producer.send({ topic: job.topic, messages });
      return job.records;
    });
    await producer.disconnect();
    return r;
  }
  const consumer = kafka.consumer({ kafkaJS: { groupId: `bench-kc-${Date.now().toString(36)}`, fromBeginning: true, autoCommit: false } });
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic] });
  const r = await timed(() => new Promise<number>((resolve) => {
    let seen = 0;
    void consumer.run({
      eachBatch: async ({ batch }: { batch: { messages: Array<{ value: Buffer | null }> } }) => {
        for (const m of batch.messages) if (m.value) seen++;
        if (seen >= job.records) resolve(seen);
      },
    });
  }));
  await consumer.disconnect();
  return r;
}

async function child(job: ChildJob): Promise<void> {
  const side = job.client === 'kafkajs' ? kafkajsSide : job.client === 'platformatic' ? platformaticSide : confluentSide;
  const r = await side(job);
  process.stdout.write(JSON.stringify({ result: r }) + '\n');
}

// ---------------------------------------------------------------------------------------------
// The parent

function runChild(job: ChildJob, logFile: string): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d.toString(); });
    p.stderr.on('data', (d) => { err += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 600_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(logFile, out + err);
      const line = out.split('\n').find((l) => l.startsWith('{"result"'));
      if (code === 0 && line) resolve((JSON.parse(line) as { result: PhaseResult }).result);
      else reject(new Error(`${job.client} ${job.phase} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')} (log ${logFile})`));
    });
  });
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    await child(JSON.parse(process.argv[childAt + 1]) as ChildJob);
    process.exit(0);
  }
  const o = parseArgs(process.argv.slice(2));
  const env = stackEnv();
  const brokers = env.KAFKA_BOOTSTRAP_SERVERS.split(',');
  const kafka = new Kafka({ clientId: 'bench-kc-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const stamp = fileStamp();
  const logDir = path.join(os.tmpdir(), `tconnect-bench-kafka-clients-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const m = machine();
  log(`kafka-clients: ${o.records.toLocaleString('en')} records x ${o.runs} run(s), clients ${o.clients.join(', ')}; load ${m.loadavg.join(' ')}; logs in ${logDir}`);
  const results: Array<{ run: number; client: ClientName; produce?: PhaseResult; consume?: PhaseResult; error?: string }> = [];
  try {
    for (let run = 1; run <= o.runs; run++) {
      // Rotate the order so no client always goes first.
      const order = o.clients.map((_, i) => o.clients[(i + run - 1) % o.clients.length]);
      for (const client of order) {
        const topic = `bench-kc-${Date.now().toString(36)}-${client}`;
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
        const job: ChildJob = { client, phase: 'produce', brokers, topic, records: o.records, batch: o.batch, maxRequestBytes: o.maxRequestBytes, valueBytes: o.valueBytes };
        const r: (typeof results)[number] = { run, client };
        try {
          r.produce = await runChild(job, path.join(logDir, `${client}-produce-${run}.log`));
          const offs = await admin.fetchTopicOffsets(topic);
          const n = offs.reduce((a, p) => a + Number(p.high), 0);
          if (n !== o.records) throw new Error(`${client}: topic holds ${n} records after producing ${o.records}`);
          r.consume = await runChild({ ...job, phase: 'consume' }, path.join(logDir, `${client}-consume-${run}.log`));
          const f = (x: PhaseResult) => `${Math.round(x.records / (x.ms / 1000)).toLocaleString('en')} rec/s, ${round((x.cpuMs * 1000) / x.records, 2)} CPU us/rec`;
          log(`run ${run} ${client.padEnd(12)} produce ${f(r.produce)}; consume ${f(r.consume)}`);
        } catch (e) {
          r.error = (e as Error).message;
          log(`run ${run} ${client.padEnd(12)} failed: ${r.error}`);
        } finally {
          await admin.deleteTopics({ topics: [topic], timeout: 30_000 }).catch(() => undefined);
        }
        results.push(r);
      }
    }
  } finally {
    await admin.disconnect();
  }
  const summary: Record<string, unknown> = {};
  const lines = ['', 'client        produce rec/s  CPU us/rec   consume rec/s  CPU us/rec   (medians)'];
  for (const c of o.clients) {
    const ok = results.filter((r) => r.client === c && r.produce && r.consume);
    if (!ok.length) {
      const err = results.find((r) => r.client === c)?.error;
      summary[c] = { error: err };
      lines.push(`${c.padEnd(12)}  failed: ${err}`);
      continue;
    }
    const rate = (x: PhaseResult) => x.records / (x.ms / 1000);
    const us = (x: PhaseResult) => (x.cpuMs * 1000) / x.records;
    const s = {
      produceRecPerSec: Math.round(median(ok.map((r) => rate(r.produce!)))),
      produceCpuUsPerRec: round(median(ok.map((r) => us(r.produce!))), 2),
      consumeRecPerSec: Math.round(median(ok.map((r) => rate(r.consume!)))),
      consumeCpuUsPerRec: round(median(ok.map((r) => us(r.consume!))), 2),
      runs: ok.length,
    };
    summary[c] = s;
    lines.push(`${c.padEnd(12)}  ${s.produceRecPerSec.toLocaleString('en').padStart(13)}  ${String(s.produceCpuUsPerRec).padStart(10)}   ${s.consumeRecPerSec.toLocaleString('en').padStart(13)}  ${String(s.consumeCpuUsPerRec).padStart(10)}`);
  }
  const file = path.join(RESULTS_DIR, `kafka-clients-${stamp}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ benchmark: 'kafka-clients', date: new Date().toISOString(), machine: m, loadAfter: os.loadavg(), options: o, summary, runs: results }, null, 2) + '\n');
  lines.push(`results: ${path.relative(REPO_ROOT, file)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().then(() => process.exit(0), (e) => {
  log(`kafka-clients failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
