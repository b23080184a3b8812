/**
 * Every value a config provider handed out in this process, so the worker's log lines can be
 * scrubbed of them wherever they turn up (a driver's "Access denied for user '…'", a URL in a
 * retry warning) without each log call knowing which connector's values to pass.
 * Bounded: past MAX distinct values the oldest are forgotten (a worker holds far fewer).
 */
import { scrubberFor, type Scrub } from './secrets.js';

const MAX = 10_000;
const seen = new Set<string>();
/** The scrubber for `seen`, built once per change of it (null: to be built). */
let scrubber: Scrub | undefined | null = null;

export function rememberResolvedValues(values: Iterable<string>): void {
  for (const v of values) {
    if (v === '' || seen.has(v)) continue;
    seen.add(v);
    scrubber = null;
    if (seen.size > MAX) seen.delete(seen.values().next().value as string);
  }
}

/** A scrubber of every value remembered so far (undefined while there is none); log lines pay one regex pass. */
export function resolvedValuesScrubber(): Scrub | undefined {
  if (scrubber === null) scrubber = scrubberFor([...seen]);
  return scrubber;
}

/** The values remembered so far. */
export function resolvedValuesSeen(): string[] {
  return [...seen];
}
