// Runs the benchmarks and prints a short summary. `npm run bench -- [flags]`; the flags go to
// each benchmark (source-jdbc, see bench/source-jdbc.ts; sink-es, see bench/sink-es.ts; sink-jdbc, see
// bench/sink-jdbc.ts; latency, see bench/latency.ts; and bench/README.md).
// `--bench source-jdbc|sink-es|sink-jdbc|latency[,…]` picks benchmarks (default: the three throughput ones;
// latency, two minutes of steady load, only when named); with several, every flag must be one that each of
// them knows (--rows, --runs, --keep, …).
import { cleanupLeftovers, parseArgs as parseSourceJdbcArgs, printReport, runSourceJdbc } from './source-jdbc.js';
import { cleanupLeftovers as cleanupSinkEs, parseArgs as parseSinkEsArgs, printReport as printSinkEsReport, runSinkEs } from './sink-es.js';
import { cleanupLeftovers as cleanupSinkJdbc, parseArgs as parseSinkJdbcArgs, printReport as printSinkJdbcReport, runSinkJdbc } from './sink-jdbc.js';
import { cleanupLeftovers as cleanupLatency, parseArgs as parseLatencyArgs, printReport as printLatencyReport, runLatency } from './latency.js';

interface Summary {
  benchmark: string;
  baseline: string;
  ours: string;
  ratio: string;
  rss: string;
  history: string;
  verdict: string;
}

const BENCHMARKS = ['source-jdbc', 'sink-es', 'sink-jdbc', 'latency'] as const;
const BY_DEFAULT: BenchName[] = ['source-jdbc', 'sink-es', 'sink-jdbc'];
type BenchName = (typeof BENCHMARKS)[number];

/** Takes `--bench a,b` out of argv. */
function pickBenchmarks(argv: string[]): { names: BenchName[]; rest: string[] } {
  const rest: string[] = [];
  let names: BenchName[] = [...BY_DEFAULT];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bench') {
      const v = (argv[++i] ?? '').split(',').filter(Boolean);
      for (const n of v) if (!(BENCHMARKS as readonly string[]).includes(n)) throw new Error(`--bench takes ${BENCHMARKS.join(', ')}; got ${n}`);
      names = v as BenchName[];
    } else rest.push(argv[i]);
  }
  return { names, rest };
}

async function main(argv: string[]): Promise<number> {
  const summaries: Summary[] = [];
  const { names, rest } = pickBenchmarks(argv);

  if (names.includes('source-jdbc')) {
    const opts = parseSourceJdbcArgs(rest);
    if (opts.cleanup) {
      await cleanupLeftovers();
    } else {
      const r = await runSourceJdbc(opts);
      printReport(r);
      const m = r.medians;
      summaries.push({
        benchmark: `source-jdbc (${r.options.rows.toLocaleString('en')} rows x ${r.runs.length})`,
        baseline: `${m.baselineRowsPerSec.toLocaleString('en')} rows/s`,
        ours: `${m.oursRowsPerSec.toLocaleString('en')} rows/s`,
        ratio: String(m.ratio),
        rss: `${m.oursPeakRssMiB} MiB`,
        history: `${m.eventsPer10kRows} ev/10k`,
        verdict: Object.values(r.targets).every(Boolean) ? 'targets met' : `missed: ${Object.entries(r.targets).filter(([, ok]) => !ok).map(([k]) => k).join(', ')}`,
      });
    }
  }

  if (names.includes('sink-es')) {
    const opts = parseSinkEsArgs(rest);
    if (opts.cleanup) {
      await cleanupSinkEs();
    } else {
      const r = await runSinkEs(opts);
      printSinkEsReport(r);
      const base = r.medians.baseline;
      for (const [side, m] of Object.entries(r.medians)) {
        if (side === 'baseline') continue;
        const t = r.targets[side];
        const events = r.runs.map((x) => x.sides[side]?.detail.eventsPer10kMessages).filter((x): x is number => typeof x === 'number');
        summaries.push({
          benchmark: `sink-es ${side.replace('ours', 'tasks.max=')} (${r.options.messages.toLocaleString('en')} msgs x ${r.runs.length})`,
          baseline: base ? `${base.docsPerSec.toLocaleString('en')} docs/s` : '-',
          ours: `${m.docsPerSec.toLocaleString('en')} docs/s`,
          ratio: m.ratio === undefined ? '-' : String(m.ratio),
          rss: `${m.peakRssMiB} MiB`,
          history: events.length ? `${events.sort((a, b) => a - b)[Math.floor(events.length / 2)]} ev/10k` : '-',
          verdict: t && Object.values(t).every(Boolean) ? 'targets met' : `missed: ${Object.entries(t ?? {}).filter(([, ok]) => !ok).map(([k]) => k).join(', ')}`,
        });
      }
    }
  }

  if (names.includes('sink-jdbc')) {
    const opts = parseSinkJdbcArgs(rest);
    if (opts.cleanup) {
      await cleanupSinkJdbc();
    } else {
      const r = await runSinkJdbc(opts);
      printSinkJdbcReport(r);
      const base = r.medians.baseline;
      for (const [side, m] of Object.entries(r.medians)) {
        if (side === 'baseline') continue;
        summaries.push({
          benchmark: `sink-jdbc ${side.replace('ours', 'tasks.max=')} (${r.options.records.toLocaleString('en')} rows x ${r.runs.length})`,
          baseline: base ? `${base.rowsPerSec.toLocaleString('en')} rows/s` : '-',
          ours: `${m.rowsPerSec.toLocaleString('en')} rows/s`,
          ratio: m.ratio === undefined ? '-' : String(m.ratio),
          rss: `${m.peakRssMiB} MiB`,
          history: '-',
          verdict: m.ratio === undefined ? '-' : m.ratio >= 0.9 ? 'ratio >= 0.9 met' : 'missed: ratio >= 0.9',
        });
      }
    }
  }

  if (names.includes('latency')) {
    const opts = parseLatencyArgs(rest);
    if (opts.cleanup) {
      await cleanupLatency();
    } else {
      const r = await runLatency(opts);
      printLatencyReport(r);
      summaries.push({
        benchmark: `latency (${r.writer.rowsPerSec} rows/s x ${Math.round(r.writer.ms / 1000)} s)`,
        baseline: '-',
        ours: `p50 ${r.latencyMs.p50} / p99 ${r.latencyMs.p99} ms`,
        ratio: '-',
        rss: `${r.worker.peakRssMiB} MiB`,
        history: '-',
        verdict: r.target.met ? 'target met' : `missed: p99 <= ${r.target.p99MaxMs} ms${r.lost ? `, ${r.lost} rows never seen` : ''}`,
      });
    }
  }

  if (!summaries.length) return 0;
  const cols: Array<keyof Summary> = ['benchmark', 'baseline', 'ours', 'ratio', 'rss', 'history', 'verdict'];
  const width = (k: keyof Summary) => Math.max(k.length, ...summaries.map((s) => s[k].length));
  const row = (f: (k: keyof Summary) => string) => cols.map((k) => f(k).padEnd(width(k))).join('  ');
  process.stdout.write(`\nSummary (medians)\n${row((k) => k)}\n${row((k) => '-'.repeat(width(k)))}\n`);
  for (const s of summaries) process.stdout.write(row((k) => s[k]) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  },
);
