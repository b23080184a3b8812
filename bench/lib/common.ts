// Small helpers shared by the benchmarks: stack addresses, statistics, child processes, memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { StackEnv } from '../../test/helpers/stack.js';
export { stackEnv, type StackEnv } from '../../test/helpers/stack.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench/results');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A timestamp usable in file names: 2025-01-31T12-34-56. */
export function fileStamp(d = new Date()): string {
  return d.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** VmRSS / VmHWM of a process in bytes (0 when it is gone). */
export function procMemory(pid: number): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** MemAvailable of the machine in bytes. */
export function memAvailable(): number {
  const s = readFileSync('/proc/meminfo', 'utf8');
  return Number(/^MemAvailable:\s+(\d+) kB/m.exec(s)?.[1] ?? 0) * 1024;
}

/** Samples a child's RSS every `everyMs`; kills the child if it goes over `limitBytes`. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peakRss = 0;
  samples = 0;
  exceeded = false;

  constructor(private readonly pid: number, private readonly limitBytes: number, private readonly everyMs = 500) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  sample(): void {
    const { rss } = procMemory(this.pid);
    this.samples++;
    if (rss > this.peakRss) this.peakRss = rss;
    if (rss > this.limitBytes && !this.exceeded) {
      this.exceeded = true;
      process.stderr.write(`\n!! process ${this.pid} RSS ${mib(rss)} MiB is over the bench's guard of ${mib(this.limitBytes)} MiB: killing it\n`);
      try { process.kill(this.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peakRss;
  }
}

/** Waits until a child exits; SIGKILLs it (by pid) after `timeoutMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000, graceMs = 0): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A child told to exit on its own gets graceMs to do so (a SIGTERM would lose its CPU profile).
  if (graceMs > 0 && (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) return child.exitCode;
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(t);
  return code;
}

const children = new Set<ChildProcess>();
let interruptHandlers = false;

/**
 * Spawns this node binary with `args` in the repository root, all three stdio streams piped. The
 * child is remembered: if the bench is interrupted (SIGINT/SIGTERM), it is killed by its pid.
 */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!interruptHandlers) {
    interruptHandlers = true;
    const onSignal = (sig: NodeJS.Signals) => {
      for (const c of children) if (c.pid) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
      process.stderr.write(`\ninterrupted (${sig}): children stopped; run with --cleanup to drop leftover bench tables, topics and connectors\n`);
      process.exit(130);
    };
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  }
  return child;
}

/** Resolves with the first stdout line for which `match` returns a value; rejects on exit or timeout. */
export function waitForLine<T>(child: ChildProcess, match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const v = match(line);
        if (v !== undefined) {
          cleanup();
          resolve(v);
          return;
        }
      }
    };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`${what}: process exited (code ${code}) first`)); };
    const t = setTimeout(() => { cleanup(); reject(new Error(`${what}: timed out after ${timeoutMs} ms`)); }, timeoutMs);
    const cleanup = () => {
      clearTimeout(t);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The machine, for the README and the results file. */
export function machine(): { cpuModel: string; nproc: number; memTotalMiB: number; node: string; platform: string; loadavg: number[] } {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  if (existsSync('/proc/cpuinfo')) {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  }
  return {
    cpuModel,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    memTotalMiB: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Process-wide CPU seconds (user+system) of a pid from /proc/<pid>/stat. */
export function procCpuSeconds(pid: number, opts: { withReapedChildren?: boolean } = {}): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (opts.withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of each thread of a process, summed by thread name (/proc/<pid>/task/<tid>/comm). */
export function threadCpuSeconds(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/[-_]?\d+$/, '');
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* thread ended */ }
  }
  return out;
}

/** b - a per key, rounded to 0.1 s, biggest first, small ones dropped. */
export function cpuByThreadDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(b).map((k) => [k, round(b[k] - (a[k] ?? 0), 1)] as const).filter(([, v]) => v >= 0.1).sort((x, y) => y[1] - x[1]),
  );
}

// ---------------------------------------------------------------------------------------------
// Added for bench/sink-es.ts (nothing above changed).

/** This process and its ancestors (under `npm run` / `npx tsx`: npm, sh, tsx's wrapper, node). */
export function ancestorPids(): number[] {
  const out: number[] = [];
  for (let pid = process.pid; pid > 1 && out.length < 32;) {
    out.push(pid);
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

/**
 * Command lines of other processes running a benchmark script (bench/source-*, bench/sink-*), ours
 * excluded: by default this process and all its ancestors (`npm exec` and `sh -c` carry the
 * script's name in their command lines too).
 */
export function otherBenchmarks(ownPids: number[] = ancestorPids()): string[] {
  const out: string[] = [];
  const own = new Set(ownPids);
  let dirs: string[];
  try { dirs = readdirSync('/proc'); } catch { return out; }
  for (const d of dirs) {
    if (!/^\d+$/.test(d) || own.has(Number(d))) continue;
    let cmd: string;
    try { cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1').replace(/\0/g, ' ').trim(); } catch { continue; }
    if (/bench\/(source|sink)-[\w-]+\.ts/.test(cmd)) out.push(`${d} ${cmd.slice(0, 160)}`);
  }
  return out;
}

export interface QuietWait {
  waitedSec: number;
  quiet: boolean;
  loadavg: number[];
  otherBenchmarks: string[];
}

/**
 * Waits until no other benchmark runs and the 1-minute load average is below `maxLoad`, polling
 * every `everySec`, for at most `maxSec`; then answers how it went (measure anyway when not quiet).
 */
export async function waitForQuiet(opts: { maxLoad: number; maxSec: number; everySec?: number; ownPids?: number[]; log?: (s: string) => void }): Promise<QuietWait> {
  const t0 = Date.now();
  const every = (opts.everySec ?? 30) * 1000;
  for (;;) {
    const others = otherBenchmarks(opts.ownPids);
    const load = os.loadavg().map((x) => round(x, 2));
    const quiet = others.length === 0 && load[0] < opts.maxLoad;
    const waitedSec = Math.round((Date.now() - t0) / 1000);
    if (quiet || waitedSec >= opts.maxSec) return { waitedSec, quiet, loadavg: load, otherBenchmarks: others };
    opts.log?.(`  waiting for a quiet machine (${waitedSec} s so far, up to ${opts.maxSec} s): load ${load.join(' ')}; other benchmarks: ${others.length ? others.map((o) => o.split(' ')[0]).join(', ') : 'none'}`);
    await sleep(Math.min(every, Math.max(1000, opts.maxSec * 1000 - (Date.now() - t0))));
  }
}

/** Structural subset of kafkajs' Admin used below (so this file needs no kafkajs import). */
export interface LagAdmin {
  fetchOffsets(o: { groupId: string; topics: string[] }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; high: string; low: string }>>;
}

/**
 * A consumer group's lag on one topic, as kafka-consumer-groups.sh shows it: per partition the
 * high watermark minus the committed offset (a partition without a commit counts from its low
 * watermark). Null when it cannot be read.
 */
export async function groupLag(admin: LagAdmin, groupId: string, topic: string): Promise<{ total: number; byPartition: Record<number, number>; committed: number } | null> {
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const c = new Map<number, number>();
    for (const t of committed) for (const p of t.partitions) c.set(p.partition, Number(p.offset));
    const byPartition: Record<number, number> = {};
    let total = 0, done = 0;
    for (const p of ends) {
      const at = c.get(p.partition);
      const from = at !== undefined && at >= 0 ? at : Number(p.low);
      byPartition[p.partition] = Number(p.high) - from;
      total += Number(p.high) - from;
      done += from - Number(p.low);
    }
    return { total, byPartition, committed: done };
  } catch {
    return null;
  }
}

/** Load averages now, rounded. */
export const loadavg = (): number[] => os.loadavg().map((x) => round(x, 2));

/** The pids of the stack's servers whose command lines match `want` (for their CPU use during a run). */
export function serverPids(want: Array<[string, RegExp]>): Record<string, number> {
  const found: Record<string, number> = {};
  let dirs: string[];
  try { dirs = readdirSync('/proc'); } catch { return found; }
  for (const d of dirs) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string;
    try { cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1'); } catch { continue; }
    for (const [name, re] of want) if (!found[name] && re.test(cmd)) found[name] = Number(d);
  }
  return found;
}

/** The commit measured and the uncommitted files of the runtime's code, recorded in the results. */
export function codeState(): { head: string; dirty: string[] } {
  const git = (...args: string[]) => {
    try { return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim(); } catch { return ''; }
  };
  return {
    head: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'src', 'activities', 'workflows', 'bin').split('\n').filter(Boolean),
  };
}

/** A child's environment: ours, the stack's addresses, then `extra`. */
export function childEnv(env: StackEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...extra };
}

/**
 * A `tconnect worker` child's environment on `taskQueue`: the database password in BENCH_MYSQL_PASSWORD,
 * which connector configs reference as `${env:BENCH_MYSQL_PASSWORD}` so no secret enters history.
 */
export function workerEnv(env: StackEnv, taskQueue: string): NodeJS.ProcessEnv {
  return childEnv(env, {
    TCONNECT_TASK_QUEUE: taskQueue,
    TCONNECT_LOG_LEVEL: process.env.TCONNECT_LOG_LEVEL ?? 'info',
    BENCH_MYSQL_PASSWORD: env.MYSQL_PASSWORD,
    // Config providers are off unless the worker enables them: env, for this one variable only.
    CONNECT_CONFIG_PROVIDERS: 'env',
    CONNECT_CONFIG_PROVIDERS_ENV_CLASS: 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    CONNECT_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN: 'BENCH_MYSQL_PASSWORD',
  });
}

/** Appends a child's stdout and stderr to `file`. */
export function logTo(child: ChildProcess, file: string): void {
  const s = createWriteStream(file);
  child.stdout?.pipe(s, { end: false });
  child.stderr?.pipe(s, { end: false });
  child.once('exit', () => setTimeout(() => s.end(), 100));
}

/** Node flags writing CPU profiles of a child into <logDir>/<name>.cpuprofiles when profiling. */
export function profileFlags(profile: boolean, logDir: string, name: string): string[] {
  return profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(logDir, `${name}.cpuprofiles`)}`] : [];
}

/**
 * A benchmark script's entry: when `importMetaUrl` is the script node was started with, parses
 * argv, runs `cleanup` (for --cleanup) or `run` then `print`, and exits 0, or 1 after logging why.
 */
export function benchMain<O extends { cleanup?: boolean }, R>(importMetaUrl: string, name: string, spec: {
  parse(argv: string[]): O;
  run(o: O): Promise<R>;
  print(r: R): void;
  cleanup(): Promise<void>;
  log(line: string): void;
}): void {
  if (!process.argv[1] || importMetaUrl !== pathToFileURL(process.argv[1]).href) return;
  const o = spec.parse(process.argv.slice(2));
  const failed = (what: string) => (e: unknown) => {
    spec.log(`${what} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(1);
  };
  if (o.cleanup) spec.cleanup().then(() => process.exit(0), failed('cleanup'));
  else spec.run(o).then((r) => { spec.print(r); process.exit(0); }, failed(name));
}

/**
 * For a baseline child driven over stdin by its parent: resolves when a word ('go', 'exit') has
 * arrived on stdin, now or later.
 */
export function stdinWords(): (word: string) => Promise<void> {
  let text = '';
  const waiters: Array<[string, () => void]> = [];
  process.stdin.on('data', (d) => {
    text += d.toString('utf8');
    for (let i = waiters.length - 1; i >= 0; i--) {
      const [w, f] = waiters[i];
      if (text.includes(w)) { waiters.splice(i, 1); f(); }
    }
  });
  return (word) => new Promise<void>((resolve) => {
    if (text.includes(word)) resolve();
    else waiters.push([word, resolve]);
  });
}

/**
 * Starts measuring one side's process for its timed window: its RSS every 500 ms (killed over `guardBytes`), its
 * CPU in all and by thread, the CPU of the stack's `servers` (name -> pid) and the machine's busy time. `finish()`
 * reads them all at the end of the window (CPU seconds unrounded; bytes for memory).
 */
export function measureProcess(pid: number, guardBytes: number, servers: Record<string, number>): {
  finish(): { cpuSec: number; cpuByThread: Record<string, number>; serverCpuSec: Record<string, number>; busySec: number; peakRss: number; hwm: number };
} {
  const sampler = new RssSampler(pid, guardBytes).start();
  // VmHWM and CPU read while it runs too: a process that ends by itself (Benthos's source pipeline) has nothing left
  // to read at the end; its CPU is then the last reading, up to 250 ms short.
  let hwm = 0, lastCpu = procCpuSeconds(pid);
  const hwmTimer = setInterval(() => {
    hwm = Math.max(hwm, procMemory(pid).hwm);
    const c = procCpuSeconds(pid);
    if (Number.isFinite(c)) lastCpu = c;
  }, 250);
  const serverCpu = () => Object.fromEntries(Object.entries(servers).map(([k, p]) => [k, procCpuSeconds(p)]));
  const cpu0 = procCpuSeconds(pid), threads0 = threadCpuSeconds(pid), servers0 = serverCpu(), busy0 = machineBusySeconds();
  return {
    finish() {
      const cpuNow = procCpuSeconds(pid);
      const cpuSec = (Number.isFinite(cpuNow) ? cpuNow : lastCpu) - cpu0;
      const cpuByThread = cpuByThreadDelta(threads0, threadCpuSeconds(pid));
      const servers1 = serverCpu();
      const serverCpuSec = Object.fromEntries(Object.keys(servers0).map((k) => [k, round(servers1[k] - servers0[k], 1)]));
      const busySec = machineBusySeconds() - busy0;
      clearInterval(hwmTimer);
      return { cpuSec, cpuByThread, serverCpuSec, busySec, peakRss: sampler.stop(), hwm: Math.max(hwm, procMemory(pid).hwm) };
    },
  };
}
