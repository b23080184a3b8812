/** The options both benchmarks take, with one meaning each. */
export interface CommonBenchOptions {
  runs: number;
  keep: boolean;
  profile: boolean;
  /** Extra connector settings (recorded in the results). */
  set: Record<string, string>;
  only?: 'ours' | 'baseline';
  /** Kill a child whose RSS goes over this (the machine has no swap). */
  rssGuardMiB: number;
  /** Per side and run; 0 = derived from the size of the run. */
  timeoutSec: number;
  /** Before each run, wait up to this many seconds for other benchmarks (and a load above maxLoad) to end. */
  quietWaitSec: number;
  maxLoad: number;
  /**
   * Tree whose code is measured (default: this repository), for trying a change in a scratch copy:
   * its bin/tconnect.mjs runs the worker; the benchmark and its baseline run from this repository.
   */
  codeRoot?: string;
  cleanup: boolean;
  out?: string;
}

/** Reads a flag's value: as text, or as a number of at least `min` (underscores allowed: 1_000_000). */
export interface FlagValue {
  text(): string;
  num(min?: number): number;
}

export const COMMON_USAGE = '[--runs R] [--keep] [--profile] [--set key=value]... [--only ours|baseline] [--rss-guard-mb M] [--timeout SEC] [--quiet-wait SEC] [--max-load L] [--code-root DIR] [--out FILE] [--cleanup]';

/**
 * Parses argv into `o`: the common flags here, the benchmark's own through `own` (which returns
 * false for a flag it does not know). `--help` prints `usage` and exits.
 */
export function parseBenchFlags<T extends CommonBenchOptions>(argv: string[], o: T, usage: string, own: (flag: string, value: FlagValue) => boolean): T {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value: FlagValue = {
      text() {
        const v = argv[++i];
        if (v === undefined) throw new Error(`${a} needs a value`);
        return v;
      },
      num(min = 1) {
        const v = Number(this.text().replace(/_/g, ''));
        if (!Number.isFinite(v) || v < min) throw new Error(`${a} needs a number >= ${min}`);
        return v;
      },
    };
    switch (a) {
      case '--runs': o.runs = Math.round(value.num()); break;
      case '--keep': o.keep = true; break;
      case '--profile': o.profile = true; break;
      case '--rss-guard-mb': o.rssGuardMiB = value.num(); break;
      case '--timeout': o.timeoutSec = value.num(); break;
      case '--quiet-wait': o.quietWaitSec = value.num(0); break;
      case '--max-load': o.maxLoad = value.num(0); break;
      case '--code-root': o.codeRoot = value.text(); break;
      case '--out': o.out = value.text(); break;
      case '--cleanup': o.cleanup = true; break;
      case '--only': {
        const v = value.text();
        if (v !== 'ours' && v !== 'baseline') throw new Error('--only takes ours or baseline');
        o.only = v;
        break;
      }
      case '--set': {
        const v = value.text();
        const eq = v.indexOf('=');
        if (eq <= 0) throw new Error('--set takes key=value');
        o.set[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      case '--help': case '-h':
        process.stdout.write(`usage: ${usage}\n`);
        process.exit(0);
        break;
      default:
        if (!own(a, value)) throw new Error(`unknown flag ${a}`);
    }
  }
  return o;
}
