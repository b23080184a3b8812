import { describe, it, expect } from 'vitest';
import { backoffMs, mergeOffsets, offsetsBodyProblem, partitionKey, statusOf } from '../../../workflows/state.js';

describe('workflow state helpers', () => {
  it('keys partitions independently of key order', () => {
    expect(partitionKey({ table: 'db.t', protocol: '1' })).toBe(partitionKey({ protocol: '1', table: 'db.t' }));
    expect(partitionKey({ table: 'db.t' })).not.toBe(partitionKey({ table: 'db.u' }));
  });

  it('backs off from 300 ms doubling up to errors.retry.delay.max.ms', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 60000))).toEqual([300, 600, 1200, 2400]);
    expect(backoffMs(30, 5000)).toBe(5000);
    expect(backoffMs(1, 0)).toBe(300);
  });

  it('merges offsets, a null offset removing the partition', () => {
    const cur = new Map([[partitionKey({ t: 'a' }), { partition: { t: 'a' }, offset: { i: 1 } }]]);
    const next = mergeOffsets(cur, [
      { partition: { t: 'a' }, offset: null },
      { partition: { t: 'b' }, offset: { i: 7 } },
    ]);
    expect([...next.values()]).toEqual([{ partition: { t: 'b' }, offset: { i: 7 } }]);
    expect(cur.size).toBe(1);
  });

  it('rejects malformed offsets bodies with a message naming the problem', () => {
    expect(offsetsBodyProblem({})).toMatch(/offsets/);
    expect(offsetsBodyProblem({ offsets: [{ partition: 'x', offset: {} }] })).toMatch(/offsets\[0\]\.partition/);
    expect(offsetsBodyProblem({ offsets: [{ partition: {}, offset: 3 }] })).toMatch(/offsets\[0\]\.offset/);
    expect(offsetsBodyProblem({ offsets: [{ partition: { a: 1 }, offset: null }] })).toBeUndefined();
  });

  it('shapes status as Kafka Connect, hiding stopped tasks and empty traces', () => {
    const s = statusOf('orders', 'RUNNING', 'source', 'w1', [
      { id: 0, state: 'RUNNING', workerId: 'w1', config: {} },
      { id: 1, state: 'FAILED', workerId: 'w2', trace: 'boom', config: {} },
      { id: 2, state: 'STOPPED', workerId: 'w2', config: {} },
    ]);
    expect(s).toEqual({
      name: 'orders',
      connector: { state: 'RUNNING', worker_id: 'w1' },
      tasks: [
        { id: 0, state: 'RUNNING', worker_id: 'w1' },
        { id: 1, state: 'FAILED', worker_id: 'w2', trace: 'boom' },
      ],
      type: 'source',
    });
  });
});
