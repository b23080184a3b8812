// The chaos suite's building blocks: a cluster of `tconnect distributed` worker processes on a task
// queue of their own (killed, replaced, limited), a progress monitor (longest stall, time to
// recover after each fault), and the final count (in, out, lost, duplicated). Used by
// `npm run chaos` (bench/chaos/run.ts) and by the short versions in test/integration/.
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { readTopicToEnd } from '../../src/kafka/read-to-end.js';
import { freePort, stackEnv, waitFor } from '../../test/helpers/stack.js';
import { spawnTconnect, waitHealthy, type TconnectProcess } from '../../test/helpers/tconnect-process.js';

export interface Member {
  id: string;
  base: string;
  proc: TconnectProcess;
}

export interface ClusterOptions {
  taskQueue: string;
  /** Worker properties besides the task queue (bootstrap.servers, temporal.address, ...). */
  props: Record<string, string>;
  /** Where worker logs go (one file per worker). */
  logDir?: string;
}

/** Worker processes sharing one task queue, each with its own REST listener. */
export class WorkerCluster {
  readonly members = new Map<string, Member>();
  private next = 0;
  private dir?: string;
  readonly logDir: string;

  constructor(readonly opts: ClusterOptions) {
    this.logDir = opts.logDir ?? path.join(os.tmpdir(), `tconnect-chaos-logs-${opts.taskQueue}`);
    mkdirSync(this.logDir, { recursive: true });
  }

  /** Starts a worker and waits until it serves; `env` adds variables (e.g. NODE_OPTIONS=--max-old-space-size=...). */
  async add(env: Record<string, string> = {}, props: Record<string, string> = {}): Promise<Member> {
    this.dir ??= await mkdtemp(path.join(os.tmpdir(), 'tconnect-chaos-'));
    const id = `w${++this.next}`;
    const file = path.join(this.dir, `${id}.properties`);
    const all = { 'temporal.task.queue': this.opts.taskQueue, ...this.opts.props, ...props };
    await writeFile(file, Object.entries(all).map(([k, v]) => `${k}=${v}`).join('\n'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = spawnTconnect(['distributed', file], { CONNECT_LISTENERS: base, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'warn', ...env });
    const log = createWriteStream(path.join(this.logDir, `${id}.log`));
    proc.child.stdout?.pipe(log);
    proc.child.stderr?.pipe(log);
    const m = { id, base, proc };
    this.members.set(id, m);
    await waitHealthy(base, proc, 180_000);
    return m;
  }

  alive(): Member[] {
    return [...this.members.values()].filter((m) => m.proc.child.exitCode === null && m.proc.child.signalCode === null);
  }

  /** The REST base of a live worker: `via`'s when it names a live one (a worker that is not cut off), else the first. */
  rest(via?: string): string {
    const alive = this.alive();
    const m = alive.find((x) => x.id === via) ?? alive[0];
    if (!m) throw new Error('no live worker');
    return m.base;
  }

  /** kill -9 of one worker; resolves once it is gone. */
  async kill(id: string): Promise<void> {
    const m = this.members.get(id);
    if (!m) throw new Error(`no worker ${id}`);
    m.proc.child.kill('SIGKILL');
    await m.proc.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.proc.stop(10_000)));
  }

  async request(method: string, p: string, body?: unknown, via?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await fetch(this.rest(via) + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, body: parsed };
  }

  async status(name: string, via?: string): Promise<{ connector: { state: string }; tasks: Array<{ id: number; state: string; worker_id: string; trace?: string }> }> {
    const r = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`, undefined, via);
    if (r.status !== 200) throw new Error(`status of ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Waits until the connector and all its tasks are RUNNING (every connector RUNNING without a manual step). */
  async waitRunning(name: string, timeout = 120_000): Promise<void> {
    await waitFor(async () => {
      const s = await this.status(name).catch(() => undefined);
      return s && s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');
    }, { timeout, what: `${name} RUNNING`, interval: 500 });
  }
}

/**
 * Samples a count while a scenario runs: the longest time it did not grow before reaching its
 * target (longest stall), and per fault the time from the fault (or the end of an outage) to the
 * first growth after it (time to recover).
 */
export class Progress {
  private timer?: NodeJS.Timeout;
  private last = -1;
  private lastGrowth = Date.now();
  longestStallMs = 0;
  private readonly faults: Array<{ at: number; countAt: number; baseline?: number; recoveredMs?: number }> = [];
  current = 0;
  private sampling = false;

  constructor(private readonly count: () => Promise<number>, private readonly target: number, private readonly everyMs = 250) {}

  start(): void {
    this.lastGrowth = Date.now();
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    const began = Date.now();
    try {
      const n = await this.count().catch(() => this.last);
      const now = Date.now();
      // A fault's baseline is the first count read wholly after it (records written just before the
      // fault but not yet sampled are not recovery); recovery is the first count above it.
      for (const f of this.faults) {
        if (f.recoveredMs !== undefined || began < f.at) continue;
        if (f.baseline === undefined) f.baseline = Math.max(n, f.countAt);
        else if (n > f.baseline) f.recoveredMs = now - f.at;
      }
      if (n > this.last) {
        if (this.last >= 0) this.longestStallMs = Math.max(this.longestStallMs, now - this.lastGrowth);
        this.lastGrowth = now;
        this.last = n;
        this.current = n;
      } else if (this.last < this.target) {
        this.longestStallMs = Math.max(this.longestStallMs, now - this.lastGrowth);
      }
    } finally {
      this.sampling = false;
    }
  }

  /** Marks a fault (or the end of an outage): recovery is measured from now, to the first growth a later sample sees. */
  async fault(): Promise<void> {
    this.faults.push({ at: Date.now(), countAt: Math.max(this.last, 0) });
  }

  /** The longest time to recover over the faults (undefined recoveries count as not recovered: NaN). */
  get recoverMs(): number {
    if (this.faults.length === 0) return 0;
    return Math.max(...this.faults.map((f) => f.recoveredMs ?? NaN));
  }

  async waitFor(n: number, timeout: number, what: string): Promise<void> {
    await waitFor(() => this.current >= n, { timeout, interval: 200, what: `${what} (at ${this.current} of ${n})` });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function kafkaClient(brokers = stackEnv().KAFKA_BOOTSTRAP_SERVERS): Kafka {
  return new Kafka({ clientId: 'tconnect-chaos', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

export { topicSizeOn as topicEnd } from '../../test/helpers/kafka.js';

export interface Tally {
  in: number;
  out: number;
  lost: number;
  duplicated: number;
}

/** Reads a whole topic read_committed and counts ids 1..total: records out, ids never seen (lost), extra copies (duplicated). */
export async function tallyTopic(kafka: Kafka, topic: string, total: number, idOf: (value: string) => number = payloadId): Promise<Tally> {
  const seen = new Map<number, number>();
  let out = 0;
  await readTopicToEnd(kafka, topic, (_p, m) => {
    if (!m.value) return;
    out++;
    const id = idOf(m.value.toString('utf8'));
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }, { timeoutMs: 180_000 });
  let lost = 0, duplicated = 0;
  for (let id = 1; id <= total; id++) {
    const n = seen.get(id) ?? 0;
    if (n === 0) lost++;
    else duplicated += n - 1;
  }
  return { in: total, out, lost, duplicated };
}

/** The `id` of a JsonConverter value with schemas ({schema, payload}) or without. */
export function payloadId(value: string): number {
  const v = JSON.parse(value) as { payload?: { id: number }; id?: number };
  return Number(v.payload?.id ?? v.id);
}

export interface ScenarioResult extends Tally {
  scenario: string;
  faults: number;
  longestStallMs: number;
  recoverMs: number;
  allRunning: boolean;
  note?: string;
}

/** The table of the issue: one row per scenario. */
export function formatTable(rows: ScenarioResult[]): string {
  const head = ['scenario', 'faults', 'records in', 'records out', 'lost', 'duplicated', 'longest stall', 'time to recover', 'all RUNNING'];
  const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never');
  const lines = rows.map((r) => [r.scenario, String(r.faults), String(r.in), String(r.out), String(r.lost), String(r.duplicated), sec(r.longestStallMs), sec(r.recoverMs), r.allRunning ? 'yes' : 'NO']);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
