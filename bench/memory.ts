// Where an idle worker's memory goes (bench/README.md, Memory). Two parts:
//  1. steps: a worker's start one step at a time in one process (bench/lib/memory-steps.ts): RSS
//     and the main isolate's heap after the imports, the Temporal runtime, the workflow worker
//     (its workflow thread), the activity worker and some idle time, after forced collections.
//  2. idle: the real `tconnect worker` (bin/tconnect.mjs) started --runs times per variant, its
//     VmRSS read after --idle-ms of idling; medians. Variants: checkout (TypeScript through tsx, as
//     the benches run it), dist (the compiled dist/ the Docker image runs; needs `npm run build`),
//     and both with the environment the Dockerfile gives the worker (its ENV lines: MALLOC_ARENA_MAX,
//     NODE_OPTIONS), i.e. dist-image-env is the worker as the image runs it.
// Needs the stack's Temporal server (and Kafka for the activities). Results in bench/results/memory-<time>.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR, REPO_ROOT, childEnv, fileStamp, loadavg, machine, median, mib, procMemory, sleep, stackEnv, stopChild, waitForLine } from './lib/common.js';

interface Options { runs: number; idleMs: number; variants: string[]; steps: boolean; stepsDist: boolean; env: Record<string, string>; codeRoot: string; out?: string }

/** The environment the Docker image gives the worker: the Dockerfile's runtime-stage ENV lines (KEY=value pairs). */
function imageEnv(dockerfile: string): Record<string, string> {
  const stages = dockerfile.split(/^FROM /m);
  const env: Record<string, string> = {};
  for (const line of stages[stages.length - 1].split('\n')) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of m[1].match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  delete env.NODE_ENV;
  return env;
}

const IMAGE_ENV = imageEnv(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));

const VARIANTS: Record<string, Record<string, string>> = {
  checkout: {},
  dist: { TCONNECT_RUN_DIST: '1' },
  'checkout-image-env': { ...IMAGE_ENV },
  'dist-image-env': { TCONNECT_RUN_DIST: '1', ...IMAGE_ENV },
};

const USAGE = `usage: npx tsx bench/memory.ts [--runs 3] [--idle-ms 10000] [--variants ${Object.keys(VARIANTS).join(',')}] [--no-steps] [--steps-dist] [--env KEY=VALUE]... [--code-root DIR] [--out FILE]`;

function parse(argv: string[]): Options {
  const o: Options = { runs: 3, idleMs: 10_000, variants: Object.keys(VARIANTS), steps: true, stepsDist: false, env: {}, codeRoot: REPO_ROOT };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--runs') o.runs = Number(val());
    else if (a === '--idle-ms') o.idleMs = Number(val());
    else if (a === '--variants') o.variants = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--no-steps') o.steps = false;
    else if (a === '--steps-dist') o.stepsDist = true;
    else if (a === '--env') {
      const kv = val();
      const eq = kv.indexOf('=');
      if (eq < 1) throw new Error(`--env needs KEY=VALUE, got ${kv}\n${USAGE}`);
      o.env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    else if (a === '--code-root') o.codeRoot = path.resolve(val());
    else if (a === '--out') o.out = val();
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown flag ${a}\n${USAGE}`);
  }
  for (const v of o.variants) if (!VARIANTS[v]) throw new Error(`unknown variant ${v}: one of ${Object.keys(VARIANTS).join(', ')}`);
  if (!(o.runs >= 1) || !(o.idleMs >= 0)) throw new Error(`--runs must be >= 1 and --idle-ms >= 0\n${USAGE}`);
  return o;
}

type Step = { step: string; rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; newSpaceMiB: number; externalMiB: number; threads: number };

async function steps(o: Options, env: NodeJS.ProcessEnv): Promise<Step[]> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(REPO_ROOT, 'bench/lib/memory-steps.ts'), o.codeRoot, String(o.idleMs)], { cwd: o.codeRoot, env: o.stepsDist ? { ...env, TCONNECT_RUN_DIST: '1' } : env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench/lib/memory-steps.ts exited with ${code}: ${err.slice(-2000)}`);
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Step);
}

async function idleWorker(o: Options, env: NodeJS.ProcessEnv, variant: string, run: number): Promise<{ startMs: number; rssMiB: number; hwmMiB: number }> {
  const queue = `bench-memory-${process.pid}-${variant}-${run}`;
  const child = spawn(process.execPath, [path.join(o.codeRoot, 'bin/tconnect.mjs'), 'worker'], { cwd: o.codeRoot, env: { ...env, ...VARIANTS[variant], ...o.env, TCONNECT_TASK_QUEUE: queue }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', () => undefined);
  const t0 = Date.now();
  try {
    await waitForLine(child, (l) => (l.includes('worker started') ? true : undefined), 180_000, `worker (${variant})`);
    const startMs = Date.now() - t0;
    await sleep(o.idleMs);
    const m = procMemory(child.pid!);
    return { startMs, rssMiB: mib(m.rss), hwmMiB: mib(m.hwm) };
  } finally {
    await stopChild(child);
  }
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const env = childEnv(stackEnv(), {});
  const result: Record<string, unknown> = { at: new Date().toISOString(), machine: machine(), codeRoot: o.codeRoot, runs: o.runs, idleMs: o.idleMs, extraEnv: o.env, loadBefore: loadavg() };
  if (o.steps) {
    const s = await steps(o, env);
    console.log(`worker start, step by step (one process, after forced collections; MiB):`);
    console.log(`${'step'.padEnd(52)} ${'RSS'.padStart(7)} ${'+RSS'.padStart(6)} ${'heap used'.padStart(10)} ${'heap total'.padStart(11)} ${'new space'.padStart(10)} ${'external'.padStart(9)} threads`);
    let prev = 0;
    for (const x of s) {
      console.log(`${x.step.padEnd(52)} ${x.rssMiB.toFixed(1).padStart(7)} ${(prev ? (x.rssMiB - prev).toFixed(1) : '').padStart(6)} ${x.heapUsedMiB.toFixed(1).padStart(10)} ${x.heapTotalMiB.toFixed(1).padStart(11)} ${x.newSpaceMiB.toFixed(1).padStart(10)} ${x.externalMiB.toFixed(1).padStart(9)} ${x.threads}`);
      prev = x.rssMiB;
    }
    result.steps = s;
  }
  const idle: Record<string, unknown> = {};
  const runsBy: Record<string, Array<{ startMs: number; rssMiB: number; hwmMiB: number }>> = {};
  const variants = o.variants.filter((v) => {
    if (!VARIANTS[v].TCONNECT_RUN_DIST || existsSync(path.join(o.codeRoot, 'dist/src/cli/main.js'))) return true;
    console.log(`variant ${v} skipped: no dist/ in ${o.codeRoot} (run npm run build there first)`);
    return false;
  });
  // Variants alternate within each round, so a busy spell of the machine hits them all alike.
  for (let run = 0; run < o.runs; run++) {
    for (const v of run % 2 ? [...variants].reverse() : variants) (runsBy[v] ??= []).push(await idleWorker(o, env, v, run));
  }
  console.log(`\nidle worker RSS after ${o.idleMs / 1000} s, ${o.runs} run(s) per variant (median; all runs):`);
  for (const v of variants) {
    const rs = runsBy[v];
    const med = median(rs.map((r) => r.rssMiB));
    idle[v] = { env: VARIANTS[v], medianRssMiB: med, medianStartMs: median(rs.map((r) => r.startMs)), runs: rs };
    console.log(`  ${v.padEnd(16)} ${med.toFixed(1).padStart(7)} MiB   (${rs.map((r) => r.rssMiB.toFixed(0)).join(', ')}; start ${median(rs.map((r) => r.startMs))} ms)`);
  }
  result.idle = idle;
  result.loadAfter = loadavg();
  console.log(`load average before ${(result.loadBefore as number[]).join(' ')}, after ${(result.loadAfter as number[]).join(' ')}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = o.out ?? path.join(RESULTS_DIR, `memory-${fileStamp()}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`results: ${path.relative(process.cwd(), file)}`);
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
