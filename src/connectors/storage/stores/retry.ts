import { abortableWait } from '../../../wait.js';

// Retries of one store call with exponential backoff, shared by the stores that do not get them
// from their client library (WebHDFS) or need them around a streamed upload (GCS).

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First wait; doubles each attempt, capped at 30 s. */
  backoffMs: number;
}

export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the store call was cancelled');
}

/**
 * Runs call until it succeeds, fails with an error retriable() refuses, or the retries are spent;
 * the last error is thrown. An abort ends the waits and throws the signal's reason.
 */
export async function withRetries<T>(policy: RetryPolicy, retriable: (e: unknown) => boolean, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortError(signal);
    try {
      return await call();
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      if (attempt >= policy.retries || !retriable(e)) throw e;
      if ((await abortableWait({ ms: Math.min(30_000, policy.backoffMs * 2 ** attempt), signal })) === 'aborted') throw abortError(signal!);
    }
  }
}
