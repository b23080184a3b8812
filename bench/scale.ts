// Scale on the production-shaped stack (issue 22, part 6): N small connectors (FileStreamSource, one
// file each, a line appended to every file every few seconds) over W `tconnect distributed` workers
// on the clustered Temporal (service temporal_cluster: the Temporal server on PostgreSQL, 4 history
// shards) for M minutes. Measures Temporal actions per second (the server's `action` counter, and
// history events per second from the workflows' history lengths), worker RSS per connector, the
// REST API's p50/p99 before and while one worker is killed with SIGKILL, and the time until every
// connector and task is RUNNING again on the live workers.
//
//   npx tsx bench/scale.ts                      # 200 connectors, 3 workers, 10 minutes
//   npx tsx bench/scale.ts --minutes 3 --connectors 50
//   npx tsx bench/scale.ts --cleanup            # after an interrupted run: delete scale-* connectors and topics
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Connection, Client } from '@temporalio/client';
import {
  REPO_ROOT, RESULTS_DIR, benchMain, childEnv, codeState, fileStamp, loadavg, machine, median, mib, procCpuSeconds,
  procMemory, round, sleep, spawnNode, stackEnv, stopChild, logTo,
} from './lib/common.js';
import { freePort, stackSetting, type StackEnv } from '../test/helpers/stack.js';

interface ScaleOptions {
  connectors: number;
  workers: number;
  minutes: number;
  /** Seconds between two lines appended to every connector's file. */
  lineEverySec: number;
  /** When the worker is killed, as a fraction of the run. */
  killAt: number;
  codeRoot?: string;
  out?: string;
  cleanup: boolean;
}

const USAGE = 'npx tsx bench/scale.ts [--connectors N (200)] [--workers W (3)] [--minutes M (10)] [--line-every SEC (5)] [--kill-at FRACTION (0.5)] [--code-root DIR] [--out FILE] [--cleanup]';
const log = (s: string) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

function parse(argv: string[]): ScaleOptions {
  const o: ScaleOptions = { connectors: 200, workers: 3, minutes: 10, lineEverySec: 5, killAt: 0.5, cleanup: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (min: number) => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min) throw new Error(`${a} needs a number >= ${min}`);
      return v;
    };
    switch (a) {
      case '--connectors': o.connectors = Math.round(num(1)); break;
      case '--workers': o.workers = Math.round(num(2)); break;
      case '--minutes': o.minutes = num(0.5); break;
      case '--line-every': o.lineEverySec = num(0.2); break;
      case '--kill-at': o.killAt = num(0.05); break;
      case '--code-root': o.codeRoot = argv[++i]; break;
      case '--out': o.out = argv[++i]; break;
      case '--cleanup': o.cleanup = true; break;
      case '--help': case '-h': process.stdout.write(`usage: ${USAGE}\n`); process.exit(0); break;
      default: throw new Error(`unknown flag ${a}; usage: ${USAGE}`);
    }
  }
  if (o.killAt >= 0.95) throw new Error('--kill-at must leave time after the kill (< 0.95)');
  return o;
}

interface Worker { id: string; base: string; child: ChildProcess; idleRss: number }

/** The cluster's settings: the bench runs on the production-shaped stack only. */
function clusterEnv(): StackEnv & { metricsUrl: string } {
  const env = stackEnv('cluster');
  const metricsUrl = stackSetting('TEMPORAL_CLUSTER_METRICS_URL');
  if (!metricsUrl) throw new Error("TEMPORAL_CLUSTER_METRICS_URL is not set: start the cluster with 'bash scripts/stack.sh up temporal_cluster'");
  return { ...env, metricsUrl };
}

/** Sum of the server's `action` counter (every billable Temporal action, all namespaces) from its Prometheus endpoint. */
async function actionCount(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (/^action(\{|\s)/.test(line)) sum += Number(line.split(/\s+/).pop());
  return sum;
}

async function http(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${base}${p}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(120_000) });
  const text = await r.text();
  const ms = performance.now() - t0;
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: parsed, ms };
}

const alive = (w: Worker) => w.child.exitCode === null && w.child.signalCode === null;

type Status = { connector: { state: string; worker_id: string }; tasks: Array<{ state: string; worker_id: string }> };

/** How many connectors are RUNNING with every task RUNNING on a worker other than `dead`, by one worker's REST API. */
async function runningCount(base: string, names: string[], dead?: string): Promise<{ running: number; byWorker: Record<string, number> }> {
  const r = await http(base, 'GET', '/connectors?expand=status');
  if (r.status !== 200) throw new Error(`GET /connectors?expand=status: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  const all = r.body as Record<string, { status: Status }>;
  let running = 0;
  const byWorker: Record<string, number> = {};
  for (const n of names) {
    const s = all[n]?.status;
    if (!s) continue;
    for (const t of s.tasks) byWorker[t.worker_id] = (byWorker[t.worker_id] ?? 0) + 1;
    if (s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING' && t.worker_id !== dead)) running++;
  }
  return { running, byWorker };
}

/** f on the first live worker that answers it, else the last worker's error. */
async function anyWorker<T>(workers: Worker[], f: (w: Worker) => Promise<T>): Promise<T> {
  let last: unknown = new Error('no live worker');
  for (const w of workers.filter(alive)) {
    try { return await f(w); } catch (e) { last = e; }
  }
  throw last;
}

const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? round(v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)], 1) : NaN;
};

async function run(o: ScaleOptions) {
  const env = clusterEnv();
  const runId = `scale-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const logDir = path.join(os.tmpdir(), `tconnect-bench-${fileStamp()}`);
  mkdirSync(logDir, { recursive: true });
  const files = mkdtempSync(path.join(os.tmpdir(), 'tconnect-scale-'));
  const names = Array.from({ length: o.connectors }, (_, i) => `${runId}-${i}`);
  const topic = `${runId}.lines`;
  const root = o.codeRoot ? path.resolve(o.codeRoot) : REPO_ROOT;
  log(`run ${runId}: ${o.connectors} connectors, ${o.workers} workers, ${o.minutes} min on Temporal ${env.TEMPORAL_ADDRESS}, Kafka ${env.KAFKA_BOOTSTRAP_SERVERS}; logs in ${logDir}`);

  const props = path.join(files, 'worker.properties');
  writeFileSync(props, [
    `bootstrap.servers=${env.KAFKA_BOOTSTRAP_SERVERS}`,
    `temporal.address=${env.TEMPORAL_ADDRESS}`,
    `temporal.namespace=${env.TEMPORAL_NAMESPACE}`,
    `temporal.task.queue=${runId}`,
    `file.connectors.allowed.paths=${files}`,
  ].join('\n'));

  // A Kafka that does not answer would leave every connector RUNNING while its batches fail: refuse to measure that.
  await topicRecords(env, topic).catch((e: Error) => {
    throw new Error(`Kafka at ${env.KAFKA_BOOTSTRAP_SERVERS} does not answer (${e.message}): start it ('bash scripts/stack.sh up kafka3', or unset KAFKA3_BOOTSTRAP_SERVERS for the single broker)`);
  });
  const workers: Worker[] = [];
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  let appender: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < o.workers; i++) {
      const id = `${runId}-w${i}`;
      const base = `http://127.0.0.1:${await freePort()}`;
      const child = spawnNode([path.join(root, 'bin/tconnect.mjs'), 'distributed', props],
        childEnv(env, { CONNECT_LISTENERS: base, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'warn' }));
      logTo(child, path.join(logDir, `${id}.log`));
      workers.push({ id, base, child, idleRss: 0 });
    }
    for (const w of workers) {
      const deadline = Date.now() + 180_000;
      while ((await http(w.base, 'GET', '/health').catch(() => ({ status: 0 }))).status !== 200) {
        if (!alive(w)) throw new Error(`worker ${w.id} exited at start (log: ${logDir}/${w.id}.log)`);
        if (Date.now() > deadline) throw new Error(`worker ${w.id} not healthy after 180 s`);
        await sleep(500);
      }
      w.idleRss = procMemory(w.child.pid!).rss;
    }
    log(`workers up, idle RSS ${workers.map((w) => `${mib(w.idleRss)} MiB`).join(', ')}`);

    // Create the connectors, ten requests at a time, spread over the workers' REST APIs.
    const tCreate = Date.now();
    for (const n of names) writeFileSync(path.join(files, `${n}.txt`), `${n} 0\n`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map(async (n, j) => {
        const body = {
          name: n,
          config: { 'connector.class': 'FileStreamSource', file: path.join(files, `${n}.txt`), topic, 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' },
        };
        // As a Kafka Connect script does: a 409 (busy) or 5xx is tried again, a few times.
        for (let attempt = 1; ; attempt++) {
          const r = await http(workers[(i + j + attempt - 1) % workers.length].base, 'POST', '/connectors', body)
            .catch((e: Error) => ({ status: 0, body: e.message, ms: 0 }));
          if (r.status === 201) break;
          const again = r.status === 0 || r.status === 409 || r.status >= 500;
          // A retried create whose first attempt went through answers 409 "already exists".
          if (r.status === 409 && attempt > 1 && /already exists/i.test(JSON.stringify(r.body))) break;
          if (!again || attempt >= 4) throw new Error(`create ${n}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
          log(`create ${n}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}; trying again`);
        }
      }));
    }
    let line = 1;
    appender = setInterval(() => {
      for (const n of names) appendFileSync(path.join(files, `${n}.txt`), `${n} ${line}\n`);
      line++;
    }, o.lineEverySec * 1000);
    for (;;) {
      const { running } = await anyWorker(workers, (w) => runningCount(w.base, names)).catch((e: Error) => {
        log(`status of all connectors: ${e.message}; asking again`);
        return { running: -1 };
      });
      if (running === names.length) break;
      if (Date.now() - tCreate > 15 * 60_000) throw new Error(`only ${running} of ${names.length} connectors RUNNING after 15 minutes`);
      await sleep(2000);
    }
    const allRunningSec = (Date.now() - tCreate) / 1000;
    log(`all ${names.length} connectors RUNNING ${round(allRunningSec, 1)} s after the first create`);

    // Steady state, then the kill, then the rest of the run; REST probes throughout.
    const start = Date.now();
    const end = start + o.minutes * 60_000;
    const killTime = start + o.killAt * o.minutes * 60_000;
    const actions0 = await actionCount(env.metricsUrl);
    const cpu0 = workers.map((w) => procCpuSeconds(w.child.pid!));
    const servers0 = serverCpuSeconds();
    let serversSteady: Record<string, number> = {};
    const probes: Array<{ t: number; ms: number; ok: boolean }> = [];
    let probing = true;
    const prober = (async () => {
      let k = 0;
      while (probing) {
        const live = workers.filter(alive);
        const w = live[k++ % live.length];
        const n = names[Math.floor(Math.random() * names.length)];
        const t = Date.now();
        const r = await http(w.base, 'GET', `/connectors/${n}/status`).catch(() => ({ status: 0, ms: Date.now() - t }));
        probes.push({ t, ms: r.ms, ok: r.status === 200 });
        await sleep(200);
      }
    })();
    const rssSamples: number[] = [];
    let actionsAtKill = NaN;
    let steadySec = NaN;
    let victim: Worker | undefined;
    let recoveredSec = NaN;
    let killedAt = 0;
    let tasksOnVictim = 0;
    while (Date.now() < end) {
      if (!victim && Date.now() >= killTime) {
        actionsAtKill = await actionCount(env.metricsUrl);
        steadySec = (Date.now() - start) / 1000;
        const servers1 = serverCpuSeconds();
        const workersCpu = workers.reduce((sum, w, i) => sum + procCpuSeconds(w.child.pid!) - cpu0[i], 0);
        serversSteady = Object.fromEntries([...Object.keys(servers1).map((k) => [k, round((servers1[k] - (servers0[k] ?? 0)) / steadySec, 2)]), ['workers', round(workersCpu / steadySec, 2)]]);
        log(`CPU cores busy before the kill: ${JSON.stringify(serversSteady)}`);
        const { byWorker } = await anyWorker(workers, (w) => runningCount(w.base, names));
        victim = [...workers].sort((a, b) => (byWorker[b.id] ?? 0) - (byWorker[a.id] ?? 0))[0];
        tasksOnVictim = byWorker[victim.id] ?? 0;
        log(`tasks per worker ${JSON.stringify(byWorker)}; kill -9 ${victim.id} (${tasksOnVictim} tasks)`);
        victim.child.kill('SIGKILL');
        killedAt = Date.now();
        const survivor = workers.find((w) => w !== victim)!;
        for (;;) {
          const { running } = await runningCount(survivor.base, names, victim.id).catch(() => ({ running: -1 }));
          if (running === names.length) break;
          if (Date.now() - killedAt > 10 * 60_000) throw new Error(`only ${running} of ${names.length} connectors RUNNING on live workers 10 minutes after the kill`);
          await sleep(1000);
        }
        recoveredSec = (Date.now() - killedAt) / 1000;
        log(`every connector RUNNING on the live workers ${round(recoveredSec, 1)} s after the kill`);
      } else {
        if (!victim) rssSamples.push(workers.reduce((s, w) => s + procMemory(w.child.pid!).rss, 0));
        await sleep(5000);
      }
    }
    probing = false;
    await prober;
    const actions1 = await actionCount(env.metricsUrl);
    // Nothing lost: once the appends stop, every line appended reaches the topic (at least once).
    if (appender) clearInterval(appender);
    appender = undefined;
    const appended = names.length * line;
    const tDrain = Date.now();
    let inTopic = await topicRecords(env, topic);
    while (inTopic < appended && Date.now() - tDrain < 120_000) {
      await sleep(2000);
      inTopic = await topicRecords(env, topic);
    }
    log(`lines appended ${appended}, records in the topic ${inTopic}`);
    const totalSec = (Date.now() - start) / 1000;
    const cpuSec = workers.reduce((s, w, i) => s + (alive(w) ? procCpuSeconds(w.child.pid!) - cpu0[i] : 0), 0);

    // History events: every workflow of the run, its history length (all runs, by visibility).
    let events = 0;
    let workflows = 0;
    // (A list answer's historyLength is 0 for running workflows on SQL visibility; describe has it.)
    const ids: Array<{ workflowId: string; runId: string }> = [];
    for await (const wf of temporal.workflow.list({ query: `TaskQueue = '${runId}'` })) ids.push({ workflowId: wf.workflowId, runId: wf.runId });
    for (let i = 0; i < ids.length; i += 20) {
      const lengths = await Promise.all(ids.slice(i, i + 20).map(async ({ workflowId, runId: r }) =>
        (await temporal.workflow.getHandle(workflowId, r).describe().catch(() => undefined))?.historyLength ?? 0));
      workflows += lengths.length;
      events += lengths.reduce((a, b) => a + b, 0);
    }

    const before = probes.filter((p) => p.t < killedAt);
    const during = probes.filter((p) => p.t >= killedAt && p.t <= killedAt + recoveredSec * 1000);
    const meanRss = median(rssSamples);
    const result = {
      bench: 'scale',
      date: new Date().toISOString(),
      machine: machine(),
      code: codeState(),
      options: o,
      stack: { temporal: env.TEMPORAL_ADDRESS, shards: stackSetting('TEMPORAL_CLUSTER_SHARDS'), kafka: env.KAFKA_BOOTSTRAP_SERVERS },
      allRunningAfterCreateSec: round(allRunningSec, 1),
      temporalActionsPerSec: { steady: round((actionsAtKill - actions0) / steadySec, 1), wholeRun: round((actions1 - actions0) / totalSec, 1) },
      historyEvents: { workflows, events, perSecOfRun: round(events / (totalSec + allRunningSec), 1) },
      workerRss: {
        idleMiB: workers.map((w) => mib(w.idleRss)),
        steadyTotalMiB: mib(meanRss),
        perConnectorKiB: round(meanRss / o.connectors / 1024, 1),
        perConnectorAboveIdleKiB: round((meanRss - workers.reduce((s, w) => s + w.idleRss, 0)) / o.connectors / 1024, 1),
      },
      workerCpuSecPerConnectorMinute: round(cpuSec / o.connectors / (totalSec / 60), 3),
      rest: {
        beforeKill: { probes: before.length, p50Ms: pct(before.map((p) => p.ms), 50), p99Ms: pct(before.map((p) => p.ms), 99), failed: before.filter((p) => !p.ok).length },
        untilRecovered: { probes: during.length, p50Ms: pct(during.map((p) => p.ms), 50), p99Ms: pct(during.map((p) => p.ms), 99), failed: during.filter((p) => !p.ok).length },
      },
      kill: { worker: victim?.id, tasksOnIt: tasksOnVictim, allRunningAgainSec: round(recoveredSec, 1) },
      cpuCoresBeforeKill: serversSteady,
      records: { appended, inTopic, lost: Math.max(0, appended - inTopic) },
      loadavgAtEnd: loadavg(),
      logDir,
    };
    const out = o.out ?? path.join(RESULTS_DIR, `scale-${fileStamp()}.json`);
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    log(`results in ${out}`);
    return result;
  } catch (e) {
    log(`run failed: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  } finally {
    if (appender) clearInterval(appender);
    const live = workers.find(alive);
    if (live) {
      log('deleting the connectors');
      for (let i = 0; i < names.length; i += 20) await Promise.all(names.slice(i, i + 20).map((n) => http(live.base, 'DELETE', `/connectors/${n}`).catch(() => undefined)));
    }
    await Promise.all(workers.map((w) => stopChild(w.child)));
    await connection.close();
    await deleteTopic(env, topic);
    rmSync(files, { recursive: true, force: true });
  }
}

/** Records in the topic (sum of its partitions' end offsets; 0 when it does not exist yet). */
async function topicRecords(env: StackEnv, topic: string): Promise<number> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** CPU seconds so far of the stack's servers the run leans on: the Temporal server, PostgreSQL (all its processes) and Kafka. */
function serverCpuSeconds(): Record<string, number> {
  const out: Record<string, number> = { temporal: 0, postgres: 0, kafka: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const kind = cmd.includes('temporal-server') ? 'temporal' : cmd.startsWith('postgres') ? 'postgres' : cmd.includes('kafka.Kafka') ? 'kafka' : undefined;
    // With the reaped children's time (a PostgreSQL backend that exited counts in its postmaster's).
    if (kind) out[kind] += procCpuSeconds(Number(pid), { withReapedChildren: true }) || 0;
  }
  return out;
}

async function deleteTopic(env: StackEnv, topic: string): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t === topic || (topic === '*' && /^scale-[a-z0-9]+-[0-9a-f]{4}\.lines$/.test(t)));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** After an interrupted run: terminate the run's workflows (ids connector:scale-…) and delete its topics. */
async function cleanup(): Promise<void> {
  const env = clusterEnv();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  let n = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH 'connector:scale-' AND ExecutionStatus = 'Running'` })) {
    await client.workflow.getHandle(wf.workflowId, wf.runId).terminate('bench/scale.ts --cleanup').catch(() => undefined);
    n++;
  }
  await connection.close();
  await deleteTopic(env, '*');
  log(`terminated ${n} workflows, deleted scale topics`);
}

function print(r: Awaited<ReturnType<typeof run>>): void {
  const lines = [
    `scale: ${r.options.connectors} FileStreamSource connectors, ${r.options.workers} workers, ${r.options.minutes} min, Temporal ${r.stack.temporal} (${r.stack.shards} shards)`,
    `  all RUNNING ${r.allRunningAfterCreateSec} s after the first create`,
    `  Temporal actions/s: ${r.temporalActionsPerSec.steady} before the kill, ${r.temporalActionsPerSec.wholeRun} over the run; history events ${r.historyEvents.events} in ${r.historyEvents.workflows} workflows`,
    `  worker RSS: idle ${r.workerRss.idleMiB.join(' / ')} MiB; ${r.workerRss.steadyTotalMiB} MiB in all with the connectors = ${r.workerRss.perConnectorKiB} KiB per connector (${r.workerRss.perConnectorAboveIdleKiB} KiB above idle)`,
    `  worker CPU: ${r.workerCpuSecPerConnectorMinute} s per connector-minute`,
    `  REST GET status: p50 ${r.rest.beforeKill.p50Ms} ms, p99 ${r.rest.beforeKill.p99Ms} ms before the kill (${r.rest.beforeKill.probes} probes, ${r.rest.beforeKill.failed} failed); p50 ${r.rest.untilRecovered.p50Ms} ms, p99 ${r.rest.untilRecovered.p99Ms} ms until recovered (${r.rest.untilRecovered.probes} probes, ${r.rest.untilRecovered.failed} failed)`,
    `  kill -9 of ${r.kill.worker} (${r.kill.tasksOnIt} tasks): every connector RUNNING on the live workers after ${r.kill.allRunningAgainSec} s`,
    `  load average at the end ${r.loadavgAtEnd.join(' ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

benchMain(import.meta.url, 'scale', { parse, run, print, cleanup, log });
