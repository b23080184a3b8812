/**
 * The one abort-aware wait of the runtime (fetcher, sink pipeline, source polling, connector
 * retries). Whatever ends a wait (time, abort, wake-up) removes the timer, the abort listener and
 * the wake-up registration: an idle task waits many times a second, and leftovers would pile up
 * for as long as it stays idle.
 */

/** How a wait ended. */
export type WaitEnd = 'woken' | 'timeout' | 'aborted';

/** Wake-up callbacks of waits in progress; wakeAll() ends them all (nothing is remembered when none waits). */
export class Wakers {
  private readonly waiting = new Set<() => void>();

  /** Waits in progress. */
  get size(): number {
    return this.waiting.size;
  }

  add(wake: () => void): void {
    this.waiting.add(wake);
  }

  delete(wake: () => void): void {
    this.waiting.delete(wake);
  }

  wakeAll(): void {
    const all = [...this.waiting];
    this.waiting.clear();
    for (const wake of all) wake();
  }
}

export interface WaitOptions {
  /** Longest wait in milliseconds; none: no time limit. */
  ms?: number;
  signal?: AbortSignal;
  /** Where a wake-up comes from. */
  wakers?: Wakers;
}

/** Waits until ms pass, signal aborts (at once when it already has) or wakers wake it. */
export function abortableWait(opts: WaitOptions): Promise<WaitEnd> {
  const { ms, signal, wakers } = opts;
  if (signal?.aborted) return Promise.resolve('aborted');
  return new Promise<WaitEnd>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const end = (how: WaitEnd) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      wakers?.delete(onWake);
      resolve(how);
    };
    const onAbort = () => end('aborted');
    const onWake = () => end('woken');
    if (ms !== undefined) timer = setTimeout(() => end('timeout'), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
    wakers?.add(onWake);
  });
}

/** Resolves after ms; rejects with the signal's reason as soon as it aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if ((await abortableWait({ ms, signal })) === 'aborted') throw signal.reason;
}

/**
 * The promise's value, or undefined when ms passed first (no limit when undefined) or signal
 * aborted first. A rejection of the promise within the time is thrown.
 */
export async function within<T>(p: Promise<T>, ms: number | undefined, signal?: AbortSignal): Promise<T | undefined> {
  const wakers = new Wakers();
  let outcome: { value: T } | { error: unknown } | undefined;
  p.then(
    (value) => { outcome = { value }; wakers.wakeAll(); },
    (error: unknown) => { outcome = { error }; wakers.wakeAll(); },
  );
  await abortableWait({ ms, signal, wakers });
  if (outcome && 'error' in outcome) throw outcome.error;
  return outcome?.value;
}
