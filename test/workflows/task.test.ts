import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { topicsQuery } from '../../workflows/messages.js';
import { liveOffsets } from '../../src/client/live-offsets.js';
import { waitFor } from '../helpers/stack.js';
import { running, harnessPerFile, stubConfig, type Harness } from './harness.js';

// The task workflows' failure handling with stub activities (see harness.ts): retries, giving up, failover.
const harness = harnessPerFile();

describe('task workflows with stub activities', () => {
  let h: Harness;
  beforeEach(() => void (h = harness()));

  it('runs sink tasks on sink batches and lists the topics they read', async () => {
    const { name, handle, stub } = await h.start(stubConfig('sink'));
    await h.statusUntil(handle, (s) => running(2)(s) && s.type === 'sink', 'a running sink');
    await waitFor(async () => (await handle.query(topicsQuery)).includes(`${name}-topic`), { what: 'the topic reported' });
    expect(stub.opensOf(0)).toBe(1);
  });

  it('a batch failing with a retriable error keeps the task RUNNING with a retry trace, cleared once batches succeed', async () => {
    const { handle, stub } = await h.start(stubConfig('source', { 'tasks.max': 1 }), {}, (c) => c.failing.set(0, { message: 'broker down' }));
    const s = await h.statusUntil(handle, (x) => x.tasks[0]?.trace?.startsWith('Retrying: ') === true, 'a retry trace');
    expect(s.tasks[0].state).toBe('RUNNING');
    expect(s.tasks[0].trace).toMatch(/^Retrying: \d+ batch\(es\) in a row failed over \d+ ms; errors.retry.timeout is not set/);
    expect(s.tasks[0].trace).toContain('StubFailure: broker down');
    // Each retry reopens the task from its committed offsets.
    await waitFor(() => stub.opensOf(0) >= 2, { what: 'the task reopened' });
    stub.failing.delete(0);
    const ok = await h.statusUntil(handle, (x) => running(1)(x) && x.tasks[0].trace === undefined, 'the trace cleared');
    expect(ok.connector.state).toBe('RUNNING');
  });

  it('gives up after errors.retry.timeout: the task FAILED with the last error and how long it retried', async () => {
    const { handle } = await h.start(stubConfig('source', { 'tasks.max': 1, 'errors.retry.timeout': 500 }), {}, (c) => c.failing.set(0, { message: 'database down' }));
    const s = await h.statusUntil(handle, (x) => x.tasks[0]?.state === 'FAILED', 'task FAILED');
    expect(s.tasks[0].trace).toMatch(/^StubFailure: database down\n\(retried for \d+ ms, errors.retry.timeout is 500 ms\)$/);
    expect(s.connector.state).toBe('RUNNING');
  });

  it('an exactly-once open answers offsets committed in Kafka that the history lacks: the task takes them over', async () => {
    const committed = { partition: { table: 'orders' }, offset: { incrementing: 4200 } };
    const { name, handle, stub } = await h.start(stubConfig('source', { 'tasks.max': 1 }), {}, (c) => c.committedOnOpen.set(0, [committed]));
    await h.statusUntil(handle, running(1), 'a running source');
    const offsets = await waitFor(async () => {
      const o = (await liveOffsets(h.env.client.workflow, name)).offsets;
      return o.some((x) => JSON.stringify(x) === JSON.stringify(committed)) ? o : undefined;
    }, { what: 'the committed offset in the connector\'s offsets' });
    expect(offsets).toContainEqual(committed);
    expect(stub.opensOf(0)).toBe(1);
  });

  it('a task whose worker stops answering moves to the queue getWorkerQueue gives next', async () => {
    const lost = `wf-lost-${randomBytes(4).toString('hex')}`;
    const worker = await h.dataWorker(lost);
    const { handle, stub } = await h.start(stubConfig('source', { 'tasks.max': 1 }), {}, (c) => c.queues.set(0, [lost]));
    await h.statusUntil(handle, (s) => running(1)(s) && s.tasks[0].worker_id === `stub-worker@${lost}`, 'the task on the first worker');
    await waitFor(() => stub.batchQueues.get(0)?.includes(lost), { what: 'a batch on the first worker' });
    await worker.stop();
    // The next batch on the dead worker's queue times out (scheduleToStart 5 s); the task reopens elsewhere.
    const moved = await h.statusUntil(handle, (s) => running(1)(s) && s.tasks[0].worker_id === `stub-worker@${h.taskQueue}`, 'the task on the next worker', 20_000);
    expect(moved.tasks[0].trace).toBeUndefined();
    await waitFor(() => stub.batchQueues.get(0)?.at(-1) === h.taskQueue, { what: 'a batch on the next worker' });
    expect(stub.opensOf(0)).toBe(2);
  }, 40_000);
});
