// Sink-path throughput: N schemaless JSON messages from a 4-partition Kafka topic into
// Elasticsearch. In the same run, on the same topic: a plain kafkajs + `client.helpers.bulk`
// script (bench/baseline-kafka-es.ts, a child process) into index A, and ours (the
// ElasticsearchSink connector on Temporal, a `tconnect worker` child process) with tasks.max=1
// into index B and with tasks.max=4 into index C (all four tasks on the one worker process).
//
//   npx tsx bench/sink-es.ts [--messages 1000000] [--runs 3] [--tasks 1,4] [--only baseline|ours]
//        [--set key=value ...] [--profile] [--keep] [--quiet-wait 1200] [--max-load 3] [--cleanup]
//
// Every side is timed the same way: from its go (baseline: "go" on its stdin; ours: the SDK's
// create) until the index's _count (after a refresh) reaches N, polled every second. The lag of
// each side's consumer group (ours: connect-<name>) is sampled every 2 s while it runs.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as EsClient } from '@elastic/elasticsearch';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ConnectClient } from '../src/client/index.js';
import { taskWorkflowId } from '../workflows/messages.js';
import {
  REPO_ROOT, RESULTS_DIR, RssSampler, fileStamp, groupLag, loadavg, machine, machineBusySeconds, median, memAvailable, mib,
  procCpuSeconds, procMemory, round, sleep, spawnNode, stackEnv, stopChild, threadCpuSeconds, cpuByThreadDelta, waitForLine,
  waitForQuiet, type QuietWait, type StackEnv,
  childEnv, codeState, logTo, profileFlags, serverPids, benchMain, measureProcess,
} from './lib/common.js';
import type { BaselineKafkaEsOptions } from './baseline-kafka-es.js';
import { deleteConnector, loadTopic } from './lib/kafka-topics.js';
import { COMMON_USAGE, parseBenchFlags, type CommonBenchOptions } from './lib/flags.js';
import { installedPeers, parsePeers, startPeer, type PeerEngine } from './lib/peers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface SinkEsOptions extends CommonBenchOptions {
  messages: number;
  partitions: number;
  /** tasks.max values of ours, one side each. */
  tasks: number[];
  /** Bulk helper settings of the baseline (its defaults: 5 MB, 5). */
  baselineFlushBytes: number;
  baselineConcurrency: number;
  /**
   * Peers run beside ours on the same topic (bench/lib/peers.ts), default the installed ones: Benthos
   * (bench/peers/benthos/sink-es.yaml) into an index of its own. Kafka Connect has no Elasticsearch sink here.
   */
  peers: PeerEngine[];
}

export const DEFAULTS: SinkEsOptions = {
  messages: 1_000_000,
  runs: 3,
  partitions: 4,
  tasks: [1, 4],
  keep: false,
  profile: false,
  set: {},
  baselineFlushBytes: 5_000_000,
  baselineConcurrency: 5,
  rssGuardMiB: 1536,
  timeoutSec: 0,
  quietWaitSec: 1200,
  maxLoad: 3,
  cleanup: false,
  peers: [],
};

export function parseArgs(argv: string[]): SinkEsOptions {
  const usage = `npx tsx bench/sink-es.ts [--messages N] [--partitions P] [--tasks 1,4] [--baseline-flush-bytes B] [--baseline-concurrency C] [--peers benthos,connect|none] ${COMMON_USAGE}`;
  const o: SinkEsOptions = { ...DEFAULTS, set: {}, tasks: [...DEFAULTS.tasks], peers: installedPeers() };
  parseBenchFlags(argv, o, usage, (flag, value) => {
    switch (flag) {
      case '--peers': o.peers = parsePeers(value.text()); return true;
      case '--messages': case '--rows': o.messages = Math.round(value.num()); return true;
      case '--partitions': o.partitions = Math.round(value.num()); return true;
      case '--tasks': o.tasks = value.text().split(',').map((x) => Number(x)).filter((x) => Number.isInteger(x) && x > 0); return true;
      case '--baseline-flush-bytes': o.baselineFlushBytes = Math.round(value.num()); return true;
      case '--baseline-concurrency': o.baselineConcurrency = Math.round(value.num()); return true;
      default: return false;
    }
  });
  if (o.codeRoot) o.codeRoot = path.resolve(o.codeRoot);
  if (o.tasks.length === 0) throw new Error('--tasks needs at least one positive integer');
  if (!o.timeoutSec) o.timeoutSec = Math.max(300, Math.ceil(o.messages / 500));
  return o;
}

const log = (s: string) => process.stderr.write(s + '\n');
const fmt = (x: number) => x.toLocaleString('en');

// ---------------------------------------------------------------------------------------------
// Data: ~200-byte schemaless JSON values, no key, round-robin over the partitions.

const STATUSES = ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'];
const T0 = Date.UTC(2024, 0, 1);

export function messageValue(seq: number): string {
  const h = createHash('md5').update(String(seq)).digest('hex');
  return JSON.stringify({
    id: seq,
    customer: `customer-${String(seq).padStart(10, '0')}`,
    email: `user${seq}@example.com`,
    status: STATUSES[seq % 4],
    quantity: seq % 1000,
    amount: (seq % 1_000_000) / 100,
    note: seq % 50 === 0 ? null : (h + h).slice(0, 56),
    created_at: new Date(T0 + seq * 1000 + (seq % 1000)).toISOString(),
  });
}

// ---------------------------------------------------------------------------------------------
// Elasticsearch

/** The same settings for every side's index: one shard, no replica, no refresh during the load. */
const INDEX_SETTINGS = { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' };

export async function createIndex(es: EsClient, index: string): Promise<void> {
  await es.indices.delete({ index, ignore_unavailable: true });
  await es.indices.create({ index, settings: INDEX_SETTINGS });
}

async function countDocs(es: EsClient, index: string): Promise<number> {
  try {
    await es.indices.refresh({ index });
    return (await es.count({ index })).count;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Servers' CPU (read-only look at /proc)

const SERVERS: Array<[string, RegExp]> = [
    ['temporal', /temporal\0server\0start-dev/], ['kafka', /kafka\.Kafka/], ['elasticsearch', /org\.elasticsearch\.bootstrap\.Elasticsearch/],
  ];
const serverPidsOfRun = () => serverPids(SERVERS);
const cpuSnapshot = (pids: Record<string, number>) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procCpuSeconds(pid)]));
const cpuDelta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((k) => [k, round(b[k] - a[k], 1)]));

// ---------------------------------------------------------------------------------------------
// The sides

export interface LagSample {
  /** Seconds since the side's go. */
  t: number;
  /** Messages not yet committed by the side's group (null: not readable). */
  lag: number | null;
  /** Documents counted in the index at about that time. */
  docs: number;
}

export interface SideResult {
  side: string;
  index: string;
  ms: number;
  docsPerSec: number;
  firstDocMs: number | null;
  peakRssMiB: number;
  hwmMiB: number;
  idleRssMiB: number;
  cpuSec: number;
  cpuByThread: Record<string, number>;
  serverCpuSec: Record<string, number>;
  machineBusyCores: number;
  loadBefore: number[];
  loadAfter: number[];
  groupId: string;
  lag: LagSample[];
  /** Lag of the group when the index reached N (ours commits after each batch; the baseline auto-commits every 5 s). */
  lagAtDone: number | null;
  detail: Record<string, unknown>;
}

interface Ctx {
  env: StackEnv;
  o: SinkEsOptions;
  admin: Admin;
  es: EsClient;
  sdk: ConnectClient;
  logDir: string;
  servers: Record<string, number>;
}




/**
 * The timed part shared by all sides: polls the index's count every second and the group's lag
 * every 2 s from `t0` until N documents; logs progress every 10 s.
 */
async function watch(ctx: Ctx, label: string, index: string, groupId: string, topic: string, t0: number, alive: () => boolean): Promise<{ doneAt: number; firstAt: number | null; lag: LagSample[]; lagAtDone: number | null }> {
  const { o, es, admin } = ctx;
  const lag: LagSample[] = [];
  let docs = 0;
  let firstAt: number | null = null;
  let stopped = false;
  const lagLoop = (async () => {
    while (!stopped) {
      const at = Date.now();
      const l = await groupLag(admin, groupId, topic);
      lag.push({ t: round((at - t0) / 1000, 1), lag: l?.total ?? null, docs });
      const wait = 2000 - (Date.now() - at);
      if (wait > 0) await sleep(wait);
    }
  })();
  let lastLog = Date.now();
  try {
    for (;;) {
      const c = await countDocs(es, index);
      const now = Date.now();
      docs = c;
      if (c > 0 && firstAt === null) firstAt = now;
      if (c >= o.messages) {
        stopped = true;
        await lagLoop;
        const final = await groupLag(admin, groupId, topic);
        return { doneAt: now, firstAt, lag, lagAtDone: final?.total ?? null };
      }
      if (now - lastLog >= 10_000) {
        lastLog = now;
        const l = lag.at(-1);
        log(`    ${label}: ${fmt(c)} / ${fmt(o.messages)} docs after ${round((now - t0) / 1000, 1)} s (${fmt(Math.round(c / ((now - t0) / 1000)))} docs/s); lag of ${groupId}: ${l?.lag === null || l === undefined ? '-' : fmt(l.lag)}`);
      }
      if (now - t0 > o.timeoutSec * 1000) throw new Error(`${label}: ${c} of ${o.messages} documents in ${index} after ${o.timeoutSec} s`);
      if (!alive()) throw new Error(`${label}: the process died with ${c} of ${o.messages} documents in ${index}`);
      await sleep(Math.max(0, 1000 - (Date.now() - now)));
    }
  } finally {
    stopped = true;
    await lagLoop;
  }
}

async function runBaseline(ctx: Ctx, topic: string, tag: string): Promise<SideResult> {
  const { env, o, es } = ctx;
  const index = `${topic}-baseline`;
  const groupId = `bench-es-baseline-${tag}`;
  await createIndex(es, index);
  const opts: BaselineKafkaEsOptions = {
    brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), topic, groupId, esUrl: env.ELASTICSEARCH_URL, index,
    expect: o.messages, flushBytes: o.baselineFlushBytes, concurrency: o.baselineConcurrency,
  };
  const child = spawnNode([...profileFlags(ctx.o.profile, ctx.logDir, `baseline-${tag}`), '--import', 'tsx', path.join(REPO_ROOT, 'bench/baseline-kafka-es.ts'), JSON.stringify(opts)], childEnv(env, {}));
  logTo(child, path.join(ctx.logDir, `baseline-${tag}.log`));
  try {
    await waitForLine(child, (l) => (l.includes('"ready"') ? true : undefined), 60_000, 'baseline start');
    const pid = child.pid!;
    const idle = procMemory(pid).rss;
    const sampler = new RssSampler(pid, o.rssGuardMiB * 1024 * 1024).start();
    const cpu0 = procCpuSeconds(pid), threads0 = threadCpuSeconds(pid), srv0 = cpuSnapshot(ctx.servers), busy0 = machineBusySeconds();
    const loadBefore = loadavg();
    const done = waitForLine(child, (l) => (l.startsWith('{"done"') || l.startsWith('{"error"') ? JSON.parse(l) as Record<string, unknown> : undefined), o.timeoutSec * 1000, 'baseline');
    done.catch(() => undefined);
    const t0 = Date.now();
    child.stdin!.write('go\n');
    const w = await watch(ctx, 'baseline', index, groupId, topic, t0, () => child.exitCode === null || child.exitCode === 0);
    const cpu = procCpuSeconds(pid) - cpu0;
    const cpuByThread = cpuByThreadDelta(threads0, threadCpuSeconds(pid));
    const busy = machineBusySeconds() - busy0;
    const srv = cpuDelta(srv0, cpuSnapshot(ctx.servers));
    const peak = sampler.stop();
    const detail = await done;
    if (detail.error) throw new Error(`baseline failed: ${String(detail.error)}`);
    const hwm = procMemory(pid).hwm;
    child.stdin!.write('exit\n');
    const ms = w.doneAt - t0;
    return {
      side: 'baseline', index, ms, docsPerSec: Math.round(o.messages / (ms / 1000)), firstDocMs: w.firstAt === null ? null : w.firstAt - t0,
      peakRssMiB: mib(peak), hwmMiB: mib(hwm), idleRssMiB: mib(idle), cpuSec: round(cpu, 1), cpuByThread, serverCpuSec: srv,
      machineBusyCores: round(busy / (ms / 1000), 2), loadBefore, loadAfter: loadavg(), groupId, lag: w.lag, lagAtDone: w.lagAtDone, detail,
    };
  } finally {
    await stopChild(child, 'SIGTERM', 15_000, 5_000);
    await ctx.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

async function runOurs(ctx: Ctx, topic: string, tag: string, tasks: number): Promise<SideResult> {
  const { env, o, es, sdk } = ctx;
  const index = `${topic}-ours${tasks}`;
  const name = `bench-es-${tag}-t${tasks}`;
  const groupId = `connect-${name}`;
  // The connector writes to the index named after the topic: an alias of this side's index.
  await createIndex(es, index);
  await es.indices.updateAliases({ actions: [{ add: { index, alias: topic, is_write_index: true } }] });
  const workerLabel = `worker-${tag}-t${tasks}`;
  const child = spawnNode([...profileFlags(ctx.o.profile, ctx.logDir, workerLabel), path.join(o.codeRoot ?? REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], childEnv(env, {
    TCONNECT_TASK_QUEUE: sdk.taskQueue,
    // info, not warn: the bench waits for the "worker started" line (the data path logs nothing at info).
    TCONNECT_LOG_LEVEL: process.env.TCONNECT_LOG_LEVEL ?? 'info',
  }));
  logTo(child, path.join(ctx.logDir, `${workerLabel}.log`));
  let created = false;
  try {
    await waitForLine(child, (l) => (l.includes('worker started') ? true : undefined), 120_000, 'worker start');
    const pid = child.pid!;
    await sleep(1000);
    const idle = procMemory(pid).rss;
    const sampler = new RssSampler(pid, o.rssGuardMiB * 1024 * 1024).start();
    const cpu0 = procCpuSeconds(pid), threads0 = threadCpuSeconds(pid), srv0 = cpuSnapshot(ctx.servers), busy0 = machineBusySeconds();
    const loadBefore = loadavg();
    const config: Record<string, string> = {
      'connector.class': 'ElasticsearchSink',
      'connection.url': env.ELASTICSEARCH_URL,
      topics: topic,
      'tasks.max': String(tasks),
      'key.ignore': 'true',
      'schema.ignore': 'true',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      ...o.set,
    };
    const t0 = Date.now();
    await sdk.create({ name, config });
    created = true;
    const w = await watch(ctx, `ours (tasks.max=${tasks})`, index, groupId, topic, t0, () => child.exitCode === null);
    const cpu = procCpuSeconds(pid) - cpu0;
    const cpuByThread = cpuByThreadDelta(threads0, threadCpuSeconds(pid));
    const busy = machineBusySeconds() - busy0;
    const srv = cpuDelta(srv0, cpuSnapshot(ctx.servers));
    const peak = sampler.stop();
    const hwm = procMemory(pid).hwm;
    const ms = w.doneAt - t0;
    const status = await sdk.status(name).catch((e: unknown) => ({ error: (e as Error).message }));
    // History length of the task workflows (all runs: continue-as-new starts new ones).
    let events = 0, historyRuns = 0;
    for (let i = 0; i < tasks; i++) {
      const id = taskWorkflowId(name, i);
      try {
        for await (const ex of sdk.temporal.workflow.list({ query: `WorkflowId = '${id}'` })) {
          events += (await sdk.temporal.workflow.getHandle(id, ex.runId).describe()).historyLength;
          historyRuns++;
        }
      } catch { /* not listed yet */ }
    }
    return {
      side: `ours${tasks}`, index, ms, docsPerSec: Math.round(o.messages / (ms / 1000)), firstDocMs: w.firstAt === null ? null : w.firstAt - t0,
      peakRssMiB: mib(peak), hwmMiB: mib(hwm), idleRssMiB: mib(idle), cpuSec: round(cpu, 1), cpuByThread, serverCpuSec: srv,
      machineBusyCores: round(busy / (ms / 1000), 2), loadBefore, loadAfter: loadavg(), groupId, lag: w.lag, lagAtDone: w.lagAtDone,
      detail: {
        connector: name, tasksMax: tasks, config: Object.keys(o.set).length ? o.set : 'defaults',
        tasks: 'tasks' in status ? status.tasks.map((t) => ({ id: t.id, state: t.state })) : status,
        historyEvents: events, historyRuns, eventsPer10kMessages: round(events / (o.messages / 10_000), 1),
      },
    };
  } finally {
    if (created) await deleteConnector(ctx.sdk, name, tasks, log);
    const code = await stopChild(child, 'SIGTERM', 20_000);
    if (code !== 0 && code !== null) log(`    worker exited with code ${code} (log: ${path.join(ctx.logDir, `${workerLabel}.log`)})`);
    await es.indices.updateAliases({ actions: [{ remove: { index, alias: topic } }] }).catch(() => undefined);
    await ctx.admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

/** The same document in every index (by id): the sides wrote the same thing. */
async function sameDocuments(es: EsClient, topic: string, indices: string[], partitions: number, benthosIndex?: string): Promise<boolean> {
  for (const id of Array.from({ length: partitions }, (_, p) => `${topic}+${p}+0`).concat(`${topic}+0+1`)) {
    // Benthos's pipeline names documents topic!partition!offset, the IBM sink's way; ours and the baseline topic+partition+offset.
    const idIn = (index: string) => (index === benthosIndex ? id.replace(/\+(\d+)\+(\d+)$/, '!$1!$2') : id);
    // Keys in sorted order: Benthos writes the same fields as its input, re-serialized with sorted keys.
    const canonical = (x: unknown): unknown => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)])) : x);
    const docs = await Promise.all(indices.map((index) => es.get({ index, id: idIn(index) }).then((d) => JSON.stringify(benthosIndex ? canonical(d._source) : d._source), () => 'missing')));
    if (docs.some((d) => d !== docs[0] || d === 'missing')) {
      log(`    documents ${id} differ: ${docs.map((d, i) => `${indices[i]}: ${d.slice(0, 200)}`).join(' | ')}`);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

export interface RunResult {
  run: number;
  order: string[];
  topic: string;
  load: { ms: number; valueBytes: number };
  quiet: QuietWait;
  loadBefore: number[];
  loadAfter: number[];
  sides: Record<string, SideResult>;
  ratios: Record<string, number>;
  /** ours<tasks>/<peer> docs/s in this run. */
  peerRatios?: Record<string, number>;
  sameDocuments?: boolean;
  /** Sides that failed in this run, with why. */
  errors?: Record<string, string>;
}

export interface SinkEsReport {
  benchmark: 'sink-es';
  date: string;
  machine: ReturnType<typeof machine>;
  code: { head: string; dirty: string[] };
  options: Omit<SinkEsOptions, 'out'>;
  runs: RunResult[];
  medians: Record<string, { docsPerSec: number; ratio?: number; peakRssMiB: number; hwmMiB: number; cpuUsPerDoc: number }>;
  targets: Record<string, { ratio: boolean; rss: boolean; lagReported: boolean }>;
  /** Median over the runs of ours' docs/s over each peer's (e.g. "ours1/benthos"). */
  peerRatios: Record<string, number>;
  file: string;
}


/** --cleanup: what an interrupted run left behind (only names this bench gives things). */
export async function cleanupLeftovers(): Promise<void> {
  const env = stackEnv();
  const es = new EsClient({ node: env.ELASTICSEARCH_URL });
  const indices = Object.keys(await es.indices.get({ index: 'bench-es-*', allow_no_indices: true, expand_wildcards: 'all' }));
  for (const index of indices) {
    await es.indices.delete({ index, ignore_unavailable: true });
    log(`deleted index ${index}`);
  }
  await es.close();
  const kafka = new Kafka({ clientId: 'bench-cleanup', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('bench-es-'));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  for (const t of topics) log(`deleted topic ${t}`);
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('connect-bench-es-') || g.startsWith('bench-es-baseline-') || g.startsWith('bench-es-benthos-'));
  if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  for (const g of groups) log(`deleted group ${g}`);
  await admin.disconnect();
  const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE });
  for await (const ex of sdk.temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    if (!ex.workflowId.startsWith('connector:bench-es-')) continue;
    await sdk.temporal.workflow.getHandle(ex.workflowId, ex.runId).terminate('bench cleanup').catch(() => undefined);
    log(`terminated workflow ${ex.workflowId}`);
  }
  await sdk.close();
}

export async function runSinkEs(o: SinkEsOptions): Promise<SinkEsReport> {
  const env = stackEnv();
  const stamp = fileStamp();
  const logDir = path.join(os.tmpdir(), `tconnect-bench-sink-es-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'bench-sink-es', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const es = new EsClient({ node: env.ELASTICSEARCH_URL });
  const runId = Date.now().toString(36);
  // One task queue per bench run: its workers take nothing else's workflows.
  const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: `bench-es-${runId}` });
  const ctx: Ctx = { env, o, admin, es, sdk, logDir, servers: serverPidsOfRun() };
  const m = machine();
  const code = codeState();
  log(`sink-es: ${fmt(o.messages)} messages x ${o.runs} run(s), ${o.partitions} partitions, ours with tasks.max ${o.tasks.join(' and ')}; ${m.cpuModel}, ${m.nproc} cores, ${m.memTotalMiB} MiB; load ${m.loadavg.join(' ')}; logs in ${logDir}`);
  if (Object.keys(o.set).length) log(`  connector settings beyond the defaults: ${JSON.stringify(o.set)}`);

  const allSides = [...(o.only === 'ours' ? [] : ['baseline']), ...(o.only === 'baseline' ? [] : o.tasks.map((t) => `ours${t}`)), ...(o.only ? [] : esPeers(o))];
  const runs: RunResult[] = [];
  try {
    for (let i = 1; i <= o.runs; i++) {
      const avail = memAvailable();
      if (avail < 2 * 1024 ** 3) throw new Error(`only ${mib(avail)} MiB of memory available: not starting run ${i}`);
      // Before measuring: no other benchmark, load below --max-load (the first run waits longest).
      const quiet = await waitForQuiet({ maxLoad: o.maxLoad, maxSec: i === 1 ? o.quietWaitSec : Math.min(o.quietWaitSec, 120), ownPids: ownPids(), log });
      log(`run ${i}/${o.runs}: machine ${quiet.quiet ? 'quiet' : 'NOT quiet'} after ${quiet.waitedSec} s wait (load ${quiet.loadavg.join(' ')}; other benchmarks: ${quiet.otherBenchmarks.length || 'none'})`);
      const tag = `${runId}${i}`;
      const topic = `bench-es-${tag}`;
      const order = i % 2 === 1 ? allSides : [...allSides].reverse();
      const r: RunResult = { run: i, order, topic, load: { ms: 0, valueBytes: 0 }, quiet, loadBefore: loadavg(), loadAfter: [], sides: {}, ratios: {} };
      try {
        // ~3,000 messages a partition a request: ~650 KB record batches, under message.max.bytes (1 MiB).
        const ld = await loadTopic(kafka, admin, topic, o.messages, o.partitions, 3000, (seq) => ({ value: messageValue(seq) }));
        r.load = { ms: ld.ms, valueBytes: ld.bytes };
        log(`  loaded ${fmt(o.messages)} messages (${round(ld.bytes / o.messages)} B values on average) into ${topic} in ${round(ld.ms / 1000, 1)} s; order: ${order.join(', ')}`);
        for (const side of order) {
          await sleep(3000); // let the servers settle (merges, GC) between sides
          let s: SideResult;
          try {
            s = side === 'baseline' ? await runBaseline(ctx, topic, tag) : side === 'benthos' ? await runBenthosEs(ctx, topic, tag) : await runOurs(ctx, topic, tag, Number(side.slice(4)));
          } catch (e) {
            // One side failing (e.g. killed by the RSS guard) does not lose the others' figures.
            (r.errors ??= {})[side] = e instanceof Error ? e.message : String(e);
            log(`  ${side.padEnd(8)}: FAILED: ${r.errors[side]}`);
            continue;
          }
          r.sides[side] = s;
          const lagLine = sampleLag(s.lag, 6).map((x) => `${x.t}s:${x.lag === null ? '-' : fmt(x.lag)}`).join(' ');
          log(`  ${side.padEnd(8)}: ${fmt(s.docsPerSec)} docs/s (${round(s.ms / 1000, 1)} s), peak RSS ${s.peakRssMiB} MiB (HWM ${s.hwmMiB}), CPU ${s.cpuSec} s (${round((s.cpuSec / o.messages) * 1e6, 1)} us/doc); machine ${s.machineBusyCores} cores busy; load ${s.loadBefore[0]} -> ${s.loadAfter[0]}`);
          log(`            lag of ${s.groupId}: ${lagLine}; at done ${s.lagAtDone === null ? '-' : fmt(s.lagAtDone)}`);
        }
        const base = r.sides.baseline;
        if (base) for (const [k, s] of Object.entries(r.sides)) if (k !== 'baseline') r.ratios[k] = round(s.docsPerSec / base.docsPerSec, 3);
        if (Object.keys(r.ratios).length) log(`  ratios: ${Object.entries(r.ratios).map(([k, v]) => `${k}/baseline ${v}`).join(', ')}`);
        peerRatiosOfRun(r);
        const indices = Object.values(r.sides).map((s) => s.index);
        if (indices.length > 1) {
          r.sameDocuments = await sameDocuments(es, topic, indices, o.partitions, r.sides.benthos?.index);
          log(`  same documents under the same ids in ${indices.length} indices: ${r.sameDocuments}`);
        }
        r.loadAfter = loadavg();
        runs.push(r);
      } finally {
        if (!o.keep) {
          await es.indices.delete({ index: `${topic}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
          await admin.deleteTopics({ topics: [topic], timeout: 30_000 }).catch(() => undefined);
        } else {
          log(`  kept topic ${topic} and indices ${topic}-*`);
        }
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await es.close().catch(() => undefined);
    await sdk.close().catch(() => undefined);
  }

  const medians: SinkEsReport['medians'] = {};
  const targets: SinkEsReport['targets'] = {};
  for (const side of allSides) {
    const xs = runs.map((r) => r.sides[side]).filter((s): s is SideResult => s !== undefined);
    if (!xs.length) continue;
    const ratios = runs.map((r) => r.ratios[side]).filter((x): x is number => x !== undefined);
    medians[side] = {
      docsPerSec: Math.round(median(xs.map((s) => s.docsPerSec))),
      ...(ratios.length ? { ratio: round(median(ratios), 3) } : {}),
      peakRssMiB: median(xs.map((s) => s.peakRssMiB)),
      hwmMiB: median(xs.map((s) => s.hwmMiB)),
      cpuUsPerDoc: round(median(xs.map((s) => (s.cpuSec / o.messages) * 1e6)), 1),
    };
    if (side.startsWith('ours')) {
      targets[side] = {
        ratio: (medians[side].ratio ?? 0) >= 0.8,
        rss: Math.max(...xs.map((s) => s.hwmMiB)) < 512,
        // Lag readable and falling while it ran: more than two samples, the last below the first.
        lagReported: xs.every((s) => { const l = s.lag.filter((x) => x.lag !== null); return l.length > 2 && l.at(-1)!.lag! < l[0].lag!; }),
      };
    }
  }
  const file = o.out ?? path.join(RESULTS_DIR, `sink-es-${stamp}.json`);
  const report: SinkEsReport = {
    benchmark: 'sink-es', date: new Date().toISOString(), machine: m, code,
    options: (({ out: _out, ...rest }) => rest)(o), runs, medians, targets, peerRatios: peerRatioMedians(runs), file: path.relative(REPO_ROOT, file),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return report;
}

/** This process and its ancestors (npm, sh, tsx): not "other" benchmarks. */
function ownPids(): number[] {
  const pids = [process.pid];
  let pid = process.ppid;
  for (let i = 0; i < 6 && pid > 1; i++) {
    pids.push(pid);
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
    } catch { break; }
  }
  return pids;
}

/** About k samples spread over the series, first and last included. */
export function sampleLag(xs: LagSample[], k: number): LagSample[] {
  if (xs.length <= k) return xs;
  const out: LagSample[] = [];
  for (let i = 0; i < k; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (k - 1))]);
  return out;
}

export function printReport(r: SinkEsReport): void {
  const lines: string[] = [];
  const n = (x: number | undefined | null) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toLocaleString('en'));
  const sides = Object.keys(r.medians);
  lines.push('', `sink-es: ${fmt(r.options.messages)} messages, ${r.options.partitions} partitions, ${r.runs.length} run(s) (docs/s; ratio to the baseline; worker peak RSS / HWM MiB)`);
  lines.push(['run', ...sides.map((s) => s.padStart(28))].join(' '));
  const cell = (s: SideResult | undefined, ratio: number | undefined) =>
    s ? `${n(s.docsPerSec)}${ratio !== undefined ? ` (${ratio})` : ''} ${s.side === 'baseline' ? `${s.peakRssMiB}` : `${s.peakRssMiB}/${s.hwmMiB}`}` : '-';
  for (const x of r.runs) lines.push([String(x.run).padEnd(3), ...sides.map((s) => cell(x.sides[s], x.ratios[s]).padStart(28))].join(' '));
  lines.push(['med', ...sides.map((s) => { const md = r.medians[s]; return `${n(md.docsPerSec)}${md.ratio !== undefined ? ` (${md.ratio})` : ''} ${round(md.peakRssMiB, 1)}/${round(md.hwmMiB, 1)}`.padStart(28); })].join(' '));
  lines.push(['CPU', ...sides.map((s) => `${r.medians[s].cpuUsPerDoc} us/doc`.padStart(28))].join(' '));
  for (const x of r.runs) {
    for (const s of sides) {
      const side = x.sides[s];
      if (!side) continue;
      lines.push(`run ${x.run} ${s} lag (${side.groupId}): ${sampleLag(side.lag, 8).map((l) => `${l.t}s ${n(l.lag)}`).join(', ')}`);
    }
  }
  for (const [s, t] of Object.entries(r.targets)) {
    lines.push(`targets ${s}: ratio >= 0.8 ${t.ratio ? 'MET' : 'MISSED'}; worker RSS < 512 MiB ${t.rss ? 'MET' : 'MISSED'}; lag reported while running ${t.lagReported ? 'MET' : 'MISSED'}`);
  }
  if (Object.keys(r.peerRatios ?? {}).length) lines.push(`ours/peers (median of the runs): ${Object.entries(r.peerRatios).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const x of r.runs) for (const [side, e] of Object.entries(x.errors ?? {})) lines.push(`run ${x.run} ${side} FAILED: ${e}`);
  lines.push(`load averages per run (before -> after): ${r.runs.map((x) => `${x.loadBefore.join('/')} -> ${x.loadAfter.join('/')}`).join('; ')}`);
  lines.push(`results: ${r.file}`);
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// Peers beside ours (bench/lib/peers.ts). Benthos (bench/peers/benthos/sink-es.yaml: kafka_franz ->
// elasticsearch bulk, batches of 500, 16 in flight) reads the run's topic in a group of its own into an index of
// its own, timed like the others: from its go (its process starts) until the index's _count reaches N. Its
// idle RSS is not measured (the process starts at the go). Kafka Connect: no Elasticsearch sink is installed.

function esPeers(o: SinkEsOptions): string[] {
  if (o.peers.includes('connect')) log('  peers: Kafka Connect has no Elasticsearch sink installed here; only Benthos runs beside ours');
  return o.peers.filter((e) => e === 'benthos');
}

async function runBenthosEs(ctx: Ctx, topic: string, tag: string): Promise<SideResult> {
  const { env, o, es } = ctx;
  const index = `${topic}-benthos`;
  await createIndex(es, index);
  const p = await startPeer('benthos', 'sink-es', { env, name: `bench-es-benthos-${tag}`, logDir: ctx.logDir, topic, index });
  const groupId = p.groupId!;
  let stopped = false;
  try {
    const m = measureProcess(p.pid, o.rssGuardMiB * 1024 * 1024, ctx.servers);
    const loadBefore = loadavg();
    const t0 = Date.now();
    await p.go();
    const w = await watch(ctx, 'benthos', index, groupId, topic, t0, p.alive);
    const x = m.finish();
    const ms = w.doneAt - t0;
    const peer = await p.stop();
    stopped = true;
    return {
      side: 'benthos', index, ms, docsPerSec: Math.round(o.messages / (ms / 1000)), firstDocMs: w.firstAt === null ? null : w.firstAt - t0,
      peakRssMiB: mib(x.peakRss), hwmMiB: mib(x.hwm), idleRssMiB: NaN, cpuSec: round(x.cpuSec, 1), cpuByThread: x.cpuByThread, serverCpuSec: x.serverCpuSec,
      machineBusyCores: round(x.busySec / (ms / 1000), 2), loadBefore, loadAfter: loadavg(), groupId, lag: w.lag, lagAtDone: w.lagAtDone,
      detail: { log: p.logFile, peer },
    };
  } finally {
    if (!stopped) await p.stop().catch((e: unknown) => log(`    stopping benthos: ${String(e)}`));
  }
}

function peerRatiosOfRun(r: RunResult): void {
  const out: Record<string, number> = {};
  for (const peer of ['benthos']) {
    const ps = r.sides[peer];
    if (!ps) continue;
    for (const [k, s] of Object.entries(r.sides)) if (k.startsWith('ours')) out[`${k}/${peer}`] = round(s.docsPerSec / ps.docsPerSec, 3);
  }
  if (Object.keys(out).length) {
    r.peerRatios = out;
    log(`  ours/peers: ${Object.entries(out).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
}

function peerRatioMedians(runs: RunResult[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.peerRatios ?? {})))];
  return Object.fromEntries(names.map((k) => [k, round(median(runs.map((r) => r.peerRatios?.[k]).filter((x): x is number => x !== undefined)), 3)]));
}

benchMain(import.meta.url, 'sink-es', { parse: parseArgs, run: runSinkEs, print: printReport, cleanup: cleanupLeftovers, log });
