// Runs the benchmarks and prints a short summary. `npm run bench -- [flags]`; the flags go to
// each benchmark (today: source-jdbc, see bench/source-jdbc.ts and bench/README.md).
import { cleanupLeftovers, parseArgs as parseSourceJdbcArgs, printReport, runSourceJdbc } from './source-jdbc.js';

interface Summary {
  benchmark: string;
  baseline: string;
  ours: string;
  ratio: string;
  rss: string;
  history: string;
  verdict: string;
}

async function main(argv: string[]): Promise<number> {
  const summaries: Summary[] = [];

  const opts = parseSourceJdbcArgs(argv);
  if (opts.cleanup) {
    await cleanupLeftovers();
    return 0;
  }
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
