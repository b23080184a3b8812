import { beforeEach, describe, expect, it } from 'vitest';
import {
  alterOffsetsUpdate,
  configQuery,
  offsetsQuery,
  pauseSignal,
  reconfigureUpdate,
  resetOffsetsUpdate,
  restartSignal,
  statusQuery,
  resumeSignal,
  stopSignal,
  tasksQuery,
} from '../../workflows/messages.js';
import { waitFor } from '../helpers/stack.js';
import { running, harnessPerFile, stubConfig, taskHandle, type Harness } from './harness.js';

// The connector workflow's lifecycle with stub activities (see harness.ts): seconds, no data servers.
const harness = harnessPerFile();

/** The update's failure as text: the innermost failure's type and message (under the SDK's and activity's wrappers). */
async function updateError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    let f = e as { cause?: unknown; type?: string; message?: string };
    while (f.cause) f = f.cause as typeof f;
    return `${f.type}: ${f.message}`;
  }
  throw new Error('the update was accepted');
}

/** Tasks report RUNNING before they open: wait for their opens too. */
const opened = (stub: { opensOf(t: number): number }, n: number, times = 1) =>
  waitFor(() => Array.from({ length: n }, (_, t) => stub.opensOf(t)).every((o) => o === times), { what: `${n} task(s) opened ${times} time(s)` });

describe('connector workflow with stub activities', () => {
  let h: Harness;
  beforeEach(() => void (h = harness()));

  it('creates a connector RUNNING with the tasks its plugin planned', async () => {
    const { name, handle, stub } = await h.start(stubConfig('source', { 'tasks.max': 3 }));
    const s = await h.statusUntil(handle, running(3), 'three running tasks');
    expect(s).toMatchObject({ name, type: 'source', connector: { state: 'RUNNING', worker_id: `stub-worker@${h.taskQueue}` } });
    expect(s.tasks.map((t) => t.id)).toEqual([0, 1, 2]);
    expect(stub.plans).toBe(1);
    const tasks = await handle.query(tasksQuery);
    expect(tasks.map((t) => [t.id.task, t.config['stub.task']])).toEqual([[0, '0'], [1, '1'], [2, '2']]);
    await waitFor(() => [0, 1, 2].every((t) => stub.opensOf(t) === 1 && (stub.batchQueues.get(t)?.length ?? 0) > 0), { what: 'a batch of every task' });
  });

  it('pauses and resumes the connector and its tasks', async () => {
    const { handle, stub } = await h.start(stubConfig('source'));
    await h.statusUntil(handle, running(2), 'running');
    await opened(stub, 2);
    await handle.signal(pauseSignal);
    await h.statusUntil(handle, (s) => s.connector.state === 'PAUSED' && s.tasks.every((t) => t.state === 'PAUSED'), 'paused');
    await handle.signal(resumeSignal);
    await h.statusUntil(handle, running(2), 'resumed');
    // Paused and resumed in place: the tasks were neither re-planned nor reopened.
    expect(stub.plans).toBe(1);
    expect([stub.opensOf(0), stub.opensOf(1)]).toEqual([1, 1]);
  });

  it('stops the tasks (final offsets kept) and resume starts them again from those offsets', async () => {
    const { name, handle, stub } = await h.start(stubConfig('source'));
    await h.statusUntil(handle, running(2), 'running');
    await handle.signal(stopSignal);
    await h.statusUntil(handle, (s) => s.connector.state === 'STOPPED' && s.tasks.length === 0, 'stopped');
    // The tasks report STOPPED, then their workflows complete with their final offsets.
    for (const t of [0, 1]) expect(await taskHandle(h, name, t).result()).toMatchObject({ offsets: [{ partition: { task: t } }] });
    const { offsets } = await handle.query(offsetsQuery);
    expect(offsets.map((o) => o.partition).sort((a, b) => Number(a.task) - Number(b.task))).toEqual([{ task: 0 }, { task: 1 }]);
    await handle.signal(resumeSignal);
    await h.statusUntil(handle, running(2), 'resumed');
    await waitFor(() => stub.opensOf(0) === 2 && stub.opensOf(1) === 2, { what: 'tasks reopened' });
    expect(stub.opens.get(0)?.[1]).toEqual(offsets);
    expect(stub.plans).toBe(2);
  });

  it('restart without tasks leaves them alone; includeTasks restarts all; onlyFailed only the failed one', async () => {
    const { handle, stub } = await h.start(stubConfig('source'));
    await h.statusUntil(handle, running(2), 'running');
    await opened(stub, 2);

    await handle.signal(restartSignal);
    // Signals are served in order: once the pause shows, the restart before it has been served.
    await handle.signal(pauseSignal);
    await h.statusUntil(handle, (s) => s.connector.state === 'PAUSED' && s.tasks.every((t) => t.state === 'PAUSED'), 'paused');
    expect([stub.opensOf(0), stub.opensOf(1)]).toEqual([1, 1]);
    await handle.signal(resumeSignal);
    await h.statusUntil(handle, running(2), 'resumed');

    await handle.signal(restartSignal, { includeTasks: true });
    await waitFor(() => stub.opensOf(0) === 2 && stub.opensOf(1) === 2, { what: 'both tasks reopened' });
    await h.statusUntil(handle, running(2), 'running after restarting the tasks');

    stub.failing.set(1, { message: 'disk on fire', nonRetryable: true });
    const failed = await h.statusUntil(handle, (s) => s.tasks[1]?.state === 'FAILED', 'task 1 FAILED');
    expect(failed.tasks[1].trace).toContain('StubFailure: disk on fire');
    expect(failed.tasks[0].state).toBe('RUNNING');
    expect(failed.connector.state).toBe('RUNNING');
    stub.failing.delete(1);
    await handle.signal(restartSignal, { includeTasks: true, onlyFailed: true });
    // The task reports RUNNING as it restarts, then reopens: wait for the open and a batch after it.
    const batchesBefore = stub.batchQueues.get(1)?.length ?? 0;
    await waitFor(() => stub.opensOf(1) === 3 && (stub.batchQueues.get(1)?.length ?? 0) > batchesBefore, { what: 'task 1 reopened and polling' });
    await h.statusUntil(handle, running(2), 'task 1 running again');
    expect(stub.opensOf(0)).toBe(2);
    expect((await handle.query(statusQuery)).tasks[1].trace).toBeUndefined();
  });

  it('reconfigure with a valid config re-plans the tasks; an invalid one is refused and the old config kept', async () => {
    const { handle, stub } = await h.start(stubConfig('source', { 'stub.setting': 'a' }));
    await h.statusUntil(handle, running(2), 'running');

    const answer = await handle.executeUpdate(reconfigureUpdate, { args: [stubConfig('source', { 'tasks.max': 3, 'stub.setting': 'b' })] });
    expect(answer.connector.state).toBe('RUNNING');
    await h.statusUntil(handle, running(3), 'three tasks of the new config');
    // The new plan's tasks opened: 0 and 1 a second time, 2 for the first time.
    await waitFor(() => stub.opensOf(0) === 2 && stub.opensOf(1) === 2 && stub.opensOf(2) === 1, { what: 'the new plan opened' });
    const tasks = await handle.query(tasksQuery);
    expect(tasks.map((t) => t.config['stub.setting'])).toEqual(['b', 'b', 'b']);
    expect(stub.plans).toBe(2);

    const invalid = await updateError(handle.executeUpdate(reconfigureUpdate, { args: [stubConfig('source', { invalid: 'yes' })] }));
    expect(invalid).toMatch(/^ConfigError: .*invalid: yes/);
    // The system refuses the new plan: the request gets the error, the connector runs on as it was.
    stub.planError = 'table gone';
    const refused = await updateError(handle.executeUpdate(reconfigureUpdate, { args: [stubConfig('source', { 'stub.setting': 'c' })] }));
    expect(refused).toBe('ConfigError: table gone');
    const s = await h.statusUntil(handle, running(3), 'still three tasks');
    expect(s.connector.trace).toBeUndefined();
    expect((await handle.query(configQuery))['stub.setting']).toBe('b');
    expect([stub.opensOf(0), stub.opensOf(1), stub.opensOf(2)]).toEqual([2, 2, 1]);
  });

  it('a planning failure shows FAILED with the error as trace; restart starts the connector again', async () => {
    const { handle, stub } = await h.start(stubConfig('source'), {}, (c) => void (c.planError = 'cannot list tables: access denied'));
    const s = await h.statusUntil(handle, (x) => x.connector.state === 'FAILED', 'FAILED');
    expect(s.connector.trace).toContain('ConfigError: cannot list tables: access denied');
    expect(s.tasks).toEqual([]);
    stub.planError = undefined;
    await handle.signal(restartSignal);
    const revived = await h.statusUntil(handle, running(2), 'running after restart');
    expect(revived.connector.trace).toBeUndefined();
  });

  it('a connector created PAUSED plans no tasks until it is resumed', async () => {
    const { handle, stub } = await h.start(stubConfig('source'), { initialState: 'PAUSED' });
    const s = await h.statusUntil(handle, (x) => x.connector.state === 'PAUSED' && x.type === 'source', 'validated and PAUSED');
    expect(s.tasks).toEqual([]);
    expect(stub.plans).toBe(0);
    await handle.signal(resumeSignal);
    await h.statusUntil(handle, running(2), 'running after resume');
    expect(stub.plans).toBe(1);
  });

  it('alters and resets offsets only while STOPPED; the tasks then start from them', async () => {
    const { handle, stub } = await h.start(stubConfig('source'));
    await h.statusUntil(handle, running(2), 'running');
    const body = { offsets: [{ partition: { task: 0 }, offset: { position: 7 } }] };
    expect(await updateError(handle.executeUpdate(alterOffsetsUpdate, { args: [body] }))).toMatch(/^Conflict: Connectors must be in the STOPPED state/);
    expect(await updateError(handle.executeUpdate(resetOffsetsUpdate))).toMatch(/^Conflict: /);
    expect(stub.writes).toEqual([]);

    await handle.signal(stopSignal);
    await h.statusUntil(handle, (s) => s.connector.state === 'STOPPED', 'stopped');
    const altered = await handle.executeUpdate(alterOffsetsUpdate, { args: [body] });
    expect(altered.offsets).toContainEqual(body.offsets[0]);
    expect(stub.writes).toEqual([{ offsets: body.offsets, reset: undefined }]);
    expect(await updateError(handle.executeUpdate(alterOffsetsUpdate, { args: [{ offsets: [{ partition: 'x' }] } as never] }))).toMatch(/^BadRequest: offsets\[0\]\.partition must be an object/);

    expect(await handle.executeUpdate(resetOffsetsUpdate)).toEqual({ offsets: [] });
    expect(stub.writes[1].reset).toBe(true);
    expect(stub.writes[1].offsets.every((o) => o.offset === null)).toBe(true);
    expect(await handle.query(offsetsQuery)).toEqual({ offsets: [] });

    await handle.signal(resumeSignal);
    await h.statusUntil(handle, running(2), 'running again');
    await waitFor(() => stub.opensOf(0) === 2, { what: 'task 0 reopened' });
    expect(stub.opens.get(0)?.[1]).toEqual([]);
  });

  it('continues as new (connector and tasks) keeping tasks, their opens and offsets', async () => {
    const { name, handle, stub } = await h.start(stubConfig('source', { 'temporal.history.max.events': 50, 'table.poll.interval.ms': 100 }));
    await h.statusUntil(handle, running(2), 'running');
    const first = (await handle.describe()).runId;
    const taskFirst = (await taskHandle(h, name, 0).describe()).runId;
    await waitFor(async () => (await handle.query(offsetsQuery)).offsets.length === 2, { what: 'offsets of both tasks' });
    const latest = h.env.client.workflow.getHandle(handle.workflowId);
    await waitFor(async () => (await latest.describe()).runId !== first, { what: 'the connector continued as new' });
    await waitFor(async () => (await taskHandle(h, name, 0).describe()).runId !== taskFirst, { what: 'task 0 continued as new' });
    const s = await h.statusUntil(latest, running(2), 'running after continue-as-new');
    expect(s.tasks.map((t) => t.id)).toEqual([0, 1]);
    const after = await latest.query(offsetsQuery);
    expect(after.offsets.map((o) => o.partition).sort((a, b) => Number(a.task) - Number(b.task))).toEqual([{ task: 0 }, { task: 1 }]);
    // Tasks keep their open through continue-as-new, and nothing was re-planned.
    expect([stub.opensOf(0), stub.opensOf(1)]).toEqual([1, 1]);
    expect(stub.plans).toBe(1);
  });
});
