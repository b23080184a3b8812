import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order test files start in: longest first, from the committed weights in test/durations.json
 * (milliseconds per file, refreshed from a vitest JSON report by scripts/test-durations.mjs).
 *
 * All three projects share one pool of two forks, which take the next file from this list as they
 * free up; starting the longest files first (longest-processing-time-first) keeps one fork from
 * running a three-minute file alone at the end. Vitest's own order needs its cache of the last run's
 * durations, which a fresh clone (CI) lacks; it then falls back to file size, and the chaos suite,
 * a short file, started last. A file missing from the weights (a new one) counts as the weight of
 * its last run in vitest's cache when there is one, else as UNKNOWN_MS for an integration file (it
 * may be long: start it early) and 1 s for the others.
 */
export const DURATIONS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../durations.json');
const UNKNOWN_INTEGRATION_MS = 30_000;
const UNKNOWN_OTHER_MS = 1_000;

export function readWeights(file = DURATIONS_FILE): Record<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { files?: Record<string, number> };
    return parsed.files ?? {};
  } catch {
    return {};
  }
}

export default class WeightedSequencer extends BaseSequencer {
  private readonly weights = readWeights();

  private weight(spec: TestSpecification): number {
    const root = this.ctx.config.root;
    const rel = path.relative(root, spec.moduleId).split(path.sep).join('/');
    const known = this.weights[rel];
    if (known !== undefined) return known;
    const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${rel}`)?.duration;
    if (cached !== undefined) return cached;
    return spec.project.name === 'integration' ? UNKNOWN_INTEGRATION_MS : UNKNOWN_OTHER_MS;
  }

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const w = new Map(files.map((f) => [f, this.weight(f)] as const));
    // Ties (files of equal weight) keep a stable order by path.
    return [...files].sort((a, b) => (w.get(b)! - w.get(a)!) || a.moduleId.localeCompare(b.moduleId));
  }
}
