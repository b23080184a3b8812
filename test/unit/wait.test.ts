import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Wakers, abortableWait, sleep, within } from '../../src/wait.js';

// The runtime's one abort-aware wait: every way out leaves no timer, listener or waker behind.

describe('abortableWait', () => {
  it('ends on time, on abort or on a wake-up, and removes the listener and the waker each time', async () => {
    const ac = new AbortController();
    const wakers = new Wakers();
    expect(await abortableWait({ ms: 1, signal: ac.signal, wakers })).toBe('timeout');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(wakers.size).toBe(0);

    const woken = abortableWait({ ms: 60_000, signal: ac.signal, wakers });
    expect(wakers.size).toBe(1);
    wakers.wakeAll();
    expect(await woken).toBe('woken');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);

    const aborted = abortableWait({ ms: 60_000, signal: ac.signal, wakers });
    ac.abort(new Error('stop'));
    expect(await aborted).toBe('aborted');
    expect(wakers.size).toBe(0);
    // Already aborted: no wait at all.
    expect(await abortableWait({ signal: ac.signal, wakers })).toBe('aborted');
    expect(wakers.size).toBe(0);
  });

  it('wakes every wait in progress, and a wake-up with no one waiting is not remembered', async () => {
    const wakers = new Wakers();
    wakers.wakeAll();
    const a = abortableWait({ wakers });
    const b = abortableWait({ wakers });
    wakers.wakeAll();
    expect(await Promise.all([a, b])).toEqual(['woken', 'woken']);
    expect(await abortableWait({ ms: 1, wakers })).toBe('timeout');
  });
});

describe('sleep', () => {
  it('rejects with the abort reason and leaves no listener', async () => {
    const ac = new AbortController();
    await sleep(1, ac.signal);
    const p = sleep(60_000, ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});

describe('within', () => {
  it('gives the value, undefined on time-out or abort, and throws a rejection', async () => {
    const ac = new AbortController();
    expect(await within(Promise.resolve(7), 1000, ac.signal)).toBe(7);
    expect(await within(new Promise(() => undefined), 1, ac.signal)).toBeUndefined();
    await expect(within(Promise.reject(new Error('bad')), 1000, ac.signal)).rejects.toThrow('bad');
    const pending = within(new Promise(() => undefined), undefined, ac.signal);
    ac.abort();
    expect(await pending).toBeUndefined();
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});
