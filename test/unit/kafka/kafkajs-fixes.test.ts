import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../../../src/kafka/client.js';
import { CHECK_PENDING_REQUESTS_INTERVAL_MS, applyKafkajsFixes, memoizedFromString, scheduleCheckPendingRequests } from '../../../src/kafka/kafkajs-fixes.js';

/** A request queue as far as the check scheduling sees it, counting checks. */
function queue(pending: number, throttledUntil = -1) {
  const q = {
    pending: Array.from({ length: pending }, () => ({})),
    throttledUntil,
    throttleCheckTimeoutId: null as NodeJS.Timeout | null,
    checks: 0,
    checkPendingRequests() {
      q.checks++;
      // As kafkajs: send what may go, then schedule the next check.
      q.pending.length = 0;
      q.scheduleCheckPendingRequests();
    },
    scheduleCheckPendingRequests,
  };
  return q;
}

describe('kafkajs request queue fix', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is applied to the RequestQueue kafkajs uses once the Kafka module is loaded', () => {
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: Record<string, unknown> };
    expect(applyKafkajsFixes()).toBe(true);
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
  });

  it('arms no timer while no request waits (kafkajs 2.2.4 re-armed one every millisecond)', () => {
    const q = queue(0);
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('checks waiting requests after the in-flight interval, then stops when the queue is empty', () => {
    const q = queue(2);
    q.scheduleCheckPendingRequests();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(CHECK_PENDING_REQUESTS_INTERVAL_MS - 1);
    expect(q.checks).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.checks).toBe(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits out client-side throttling before checking, with one timer however often it is asked', () => {
    const q = queue(1, Date.now() + 500);
    q.scheduleCheckPendingRequests();
    q.scheduleCheckPendingRequests();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(499);
    expect(q.checks).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.checks).toBe(1);
  });
});

describe('kafkajs Long parsing', () => {
  it('answers the last two strings from memory and parses others', () => {
    const parsed: string[] = [];
    const fromString = memoizedFromString((str) => {
      parsed.push(str);
      return { value: BigInt(str) };
    });
    const Long = { fromString };
    // A record batch's first timestamp and first offset, asked in turn for each record.
    const ts = Long.fromString('1733500000000');
    const off = Long.fromString('9007199254740993');
    for (let i = 0; i < 5; i++) {
      expect(Long.fromString('1733500000000')).toBe(ts);
      expect(Long.fromString('9007199254740993')).toBe(off);
    }
    expect(parsed).toEqual(['1733500000000', '9007199254740993']);
    expect(Long.fromString('7')).toEqual({ value: 7n });
    expect(Long.fromString('1733500000000')).not.toBe(ts); // pushed out by '7' and the offset
    expect(parsed).toEqual(['1733500000000', '9007199254740993', '7', '1733500000000']);
  });

  it('leaves kafkajs computing the same offsets', () => {
    expect(applyKafkajsFixes()).toBe(true);
    const Long = createRequire(import.meta.url)('kafkajs/src/utils/long.js') as { fromValue(v: unknown): { add(n: number): { toString(): string } } };
    const first = '9007199254740993';
    const offsets = [0, 1, 2].map((d) => Long.fromValue(first).add(d).toString());
    expect(offsets).toEqual(['9007199254740993', '9007199254740994', '9007199254740995']);
    expect(Long.fromValue('12').add(1).toString()).toBe('13');
    expect(() => Long.fromValue('x1')).toThrow();
  });
});
