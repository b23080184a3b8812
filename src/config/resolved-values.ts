/**
 * Every value a config provider handed out in this process, so the worker's log lines can be
 * scrubbed of them wherever they turn up (a driver's "Access denied for user '…'", a URL in a
 * retry warning) without each log call knowing which connector's values to pass.
 * Bounded: past MAX distinct values the oldest are forgotten (a worker holds far fewer).
 */
const MAX = 10_000;
const seen = new Set<string>();

export function rememberResolvedValues(values: Iterable<string>): void {
  for (const v of values) {
    if (v === '' || seen.has(v)) continue;
    seen.add(v);
    if (seen.size > MAX) seen.delete(seen.values().next().value as string);
  }
}

/** The values remembered so far, for redact(). */
export function resolvedValuesSeen(): string[] {
  return [...seen];
}
