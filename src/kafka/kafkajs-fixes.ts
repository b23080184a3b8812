import { createRequire } from 'node:module';

/**
 * Two changes to kafkajs 2.2.4 (its last release), applied once when the Kafka module loads: a
 * fix to its request queue and a cache in its Long parsing (memoizedFromString below).
 *
 * Every kafkajs connection has a request queue whose scheduleCheckPendingRequests re-arms a
 * timer after each check even when no request waits: with no client-side throttling the delay is
 * negative, so each connection wakes the event loop about once a millisecond for as long as it is
 * open (kafkajs issues #1556 and #1704; the fix proposed upstream in PR #1667 is unreleased). On a
 * sink worker that was ~10 % of the main thread's busy time while writing, and CPU while idle.
 *
 * Here the timer is armed only when a request waits in the queue: a request that cannot go out at
 * once is queued by push(), which schedules the check (after the throttle, or 10 ms when only the
 * in-flight limit holds it, as before); a response or a timeout checks the queue itself.
 */

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' CHECK_PENDING_REQUESTS_INTERVAL. */
export const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The fixed scheduleCheckPendingRequests (exported for its unit test). */
export function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS);
}

interface LongClass {
  fromString(str: string): unknown;
}

/**
 * kafkajs' Long.fromString remembering its last two answers. Decoding a fetch, kafkajs parses the
 * batch's first offset and first timestamp (decimal strings) again for every record, to add the
 * record's deltas; Longs are immutable (every operation returns a new one), so the same string may
 * get the same Long.
 */
export function memoizedFromString(original: (str: string) => unknown): (this: LongClass, str: string) => unknown {
  let k1: string | undefined;
  let v1: unknown;
  let k2: string | undefined;
  let v2: unknown;
  return function fromString(this: LongClass, str: string): unknown {
    if (str === k1) return v1;
    if (str === k2) return v2;
    const v = original.call(this, str);
    k2 = k1;
    v2 = v1;
    k1 = str;
    v1 = v;
    return v;
  };
}

let applied = false;

/** Patches kafkajs' RequestQueue and Long (the copies `import 'kafkajs'` loads); true when it did. */
export function applyKafkajsFixes(): boolean {
  if (applied) return true;
  const require = createRequire(import.meta.url);
  const version = (require('kafkajs/package.json') as { version: string }).version;
  // A later kafkajs may fix it differently: only the version this was written against is patched.
  if (version !== '2.2.4') return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueLike };
  const Long = require('kafkajs/src/utils/long.js') as LongClass;
  if (typeof RequestQueue.prototype?.scheduleCheckPendingRequests !== 'function' || typeof Long.fromString !== 'function') return false;
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  Long.fromString = memoizedFromString(Long.fromString);
  applied = true;
  return true;
}
