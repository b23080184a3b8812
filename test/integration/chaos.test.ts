import { describe, expect, it } from 'vitest';
import {
  elasticsearchDown, kafkaRestarts, mariadbRestarts, temporalRestart, workerOutOfMemory, workerPartition, type ScenarioResult, type Size,
} from '../../bench/chaos/scenarios.js';

// The short version of each `npm run chaos` scenario (the worker kill -9 rows are in
// exactly-once.test.ts). Servers that a scenario faults are private instances on their own ports
// and run directories, started from the stack's cached binaries (scripts/stack.sh start-one); a
// partition is a TCP proxy in front of Temporal for one worker. The shared servers are never
// touched. Each: nothing lost, at most one batch repeated per fault (at-least-once), 0 repeated in
// exactly-once mode, and the connector RUNNING at the end without a manual step.

// errors.retry.delay.max.ms=1000 caps the task's backoff between failed batches (Connect's default
// cap is 60 s): a recovery then waits at most 1 s after the server is back instead of a doubling
// backoff's 2.4-4.8 s; what is proven (nothing lost, RUNNING again without a manual step) is the same.
// outageMs 0: an outage (Elasticsearch down, the partition) ends once the connector has met it (the
// sink's batches failing; the task moved to the other worker and records flowing), not after a time.
const size: Size = { rows: 3000, batch: 100, faults: 1, outageMs: 0, retryDelayMaxMs: 1000, log: (l) => console.log(l) };
const TIMEOUT = 900_000;

function expectAtLeastOnce(r: ScenarioResult, faults = r.faults, batch = size.batch): void {
  console.log(JSON.stringify(r));
  expect(r.lost).toBe(0);
  expect(r.duplicated).toBeLessThanOrEqual(Math.max(1, faults) * batch);
  expect(r.allRunning).toBe(true);
}

describe('chaos, short versions (private servers, real worker processes)', () => {
  it('Kafka broker restarted mid-stream', async () => {
    expectAtLeastOnce(await kafkaRestarts(size));
  }, TIMEOUT);

  it('MariaDB restarted mid-stream', async () => {
    expectAtLeastOnce(await mariadbRestarts(size));
  }, TIMEOUT);

  it('Temporal dev server killed (kill -9) and restarted on its SQLite file', async () => {
    expectAtLeastOnce(await temporalRestart(size));
  }, TIMEOUT);

  it('Elasticsearch down and back: every document written', async () => {
    const r = await elasticsearchDown(size);
    expectAtLeastOnce(r);
    expect(r.out).toBe(size.rows);
  }, TIMEOUT);

  it('a worker partitioned from Temporal (TCP proxy cut), exactly-once: the zombie is fenced, 0 duplicates', async () => {
    const r = await workerPartition(size, { exactlyOnce: true });
    expectAtLeastOnce(r);
    expect(r.duplicated).toBe(0);
  }, TIMEOUT);

  it('a worker dies of out-of-memory mid-batch (--max-old-space-size): another takes over', async () => {
    const r = await workerOutOfMemory({ ...size, rows: 4000 });
    // One batch here is one poll of 2,000 wide rows.
    expectAtLeastOnce(r, 1, 2000);
    expect(r.faults).toBe(1);
  }, TIMEOUT);
});
