import { describe, expect, it } from 'vitest';
import { workerKills, type Size } from '../../bench/chaos/scenarios.js';

// Exactly-once source delivery (worker exactly.once.source.support=enabled, connector
// exactly.once.support=required) against the same scenario at least once: a JDBC source on the
// stack's MariaDB, two `tconnect distributed` worker processes on a task queue of their own, the
// worker running the task killed with kill -9 mid-stream (and replaced). A read_committed
// consumer of the topic then counts every row. The short version of `npm run chaos`'s kill row.

const size: Size = { rows: 10_000, batch: 100, faults: 1, outageMs: 0, log: (l) => console.log(l) };

describe('exactly-once source delivery under kill -9 (real workers, MariaDB, Kafka)', () => {
  it('exactly-once: a read_committed consumer sees each row once, nothing lost, connector RUNNING after', async () => {
    const r = await workerKills(size, { exactlyOnce: true });
    console.log('exactly-once', JSON.stringify(r));
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.out).toBe(size.rows);
    expect(r.allRunning).toBe(true);
  });

  it('at-least-once (exactly.once.source.support unset): nothing lost, at most one batch repeated per kill', async () => {
    const r = await workerKills(size, { exactlyOnce: false });
    console.log('at-least-once', JSON.stringify(r));
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBeLessThanOrEqual(size.faults * size.batch);
    expect(r.out).toBe(size.rows + r.duplicated);
  });
});
