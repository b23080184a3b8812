import { describe, it, expect } from 'vitest';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState, ServerFailure, TimeoutFailure } from '@temporalio/common';
import {
  applyTaskReport,
  backoffMs,
  classifyBatchFailure,
  errorTrace,
  maskUnvalidated,
  mergeOffsets,
  offsetsBodyProblem,
  parseSinkOffsets,
  partitionKey,
  rawConfigProblem,
  retryingTrace,
  statusOf,
  stringifyConfig,
  type TaskEntry,
} from '../../../workflows/state.js';

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

  it('checks sink offsets as Kafka Connect, with its messages, and normalizes the numbers', () => {
    const problem = (offsets: unknown[]) => {
      const r = parseSinkOffsets(offsets as never);
      return 'problem' in r ? r.problem : undefined;
    };
    expect(problem([{ partition: { kafka_topic: 't' }, offset: { kafka_offset: 1 } }]))
      .toBe("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    expect(problem([{ partition: { kafka_topic: null, kafka_partition: 0 }, offset: null }])).toBe('Kafka topic names must be valid strings and may not be null');
    expect(problem([{ partition: { kafka_topic: 't', kafka_partition: null }, offset: null }])).toBe('Kafka partitions must be valid numbers and may not be null');
    expect(problem([{ partition: { kafka_topic: 't', kafka_partition: 1.5 }, offset: null }]))
      .toBe("Failed to parse the following Kafka partition value in the provided offsets: '1.5'. Partition values for sink connectors need to be integers.");
    expect(problem([{ partition: { kafka_topic: 't', kafka_partition: 2147483648 }, offset: null }])).toMatch(/Partition values for sink connectors need to be integers/);
    expect(problem([{ partition: { kafka_topic: 't', kafka_partition: 0 }, offset: { other: 1 } }]))
      .toBe("The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    expect(problem([{ partition: { kafka_topic: 't', kafka_partition: 0 }, offset: { kafka_offset: 'x' } }]))
      .toBe("Failed to parse the following Kafka offset value in the provided offsets: 'x'. Offset values for sink connectors need to be integers.");
    expect(problem([{ partition: { kafka_topic: 't', kafka_partition: 0 }, offset: { kafka_offset: -1 } }])).toMatch(/must not be negative/);
    expect(parseSinkOffsets([
      { partition: { kafka_topic: 't', kafka_partition: '3' }, offset: { kafka_offset: '12' } },
      { partition: { kafka_topic: 't', kafka_partition: 4 }, offset: null },
    ])).toEqual({ offsets: [
      { partition: { kafka_topic: 't', kafka_partition: 3 }, offset: { kafka_offset: 12 } },
      { partition: { kafka_topic: 't', kafka_partition: 4 }, offset: null },
    ] });
  });

  it('keeps a task\'s trace while it is FAILED or retrying, and drops it otherwise', () => {
    const t: TaskEntry = { id: 0, state: 'RUNNING', workerId: '', config: {} };
    applyTaskReport(t, { state: 'RUNNING', workerId: 'w1', trace: 'Retrying: …' });
    expect(t).toMatchObject({ state: 'RUNNING', workerId: 'w1', trace: 'Retrying: …' });
    applyTaskReport(t, { state: 'PAUSED', workerId: 'w1', trace: 'stale' });
    expect(t.trace).toBeUndefined();
    applyTaskReport(t, { state: 'FAILED', workerId: 'w2', trace: 'boom' });
    expect(t).toMatchObject({ state: 'FAILED', workerId: 'w2', trace: 'boom' });
  });

  it('says in a retrying task\'s trace how long it failed and whether it will give up', () => {
    expect(retryingTrace('RetriableError: down', 3, 1200, 0)).toBe(
      'Retrying: 3 batch(es) in a row failed over 1200 ms; errors.retry.timeout is not set, so it retries until a batch succeeds. Last error:\nRetriableError: down',
    );
    expect(retryingTrace('E', 1, 0, 60000)).toMatch(/fails once errors\.retry\.timeout \(60000 ms\) has passed/);
  });

  it('masks a config not yet validated: encrypted values and secret-looking keys, never references or other keys', () => {
    expect(maskUnvalidated({
      'connection.password': 'pw',
      'connection.user': 'u',
      'api.token': '${env:TOKEN}',
      'other.key': '${enc:v1.a.b.c}',
      'tasks.max': 2,
      gone: null,
    })).toEqual({ 'connection.password': '[hidden]', 'connection.user': 'u', 'api.token': '${env:TOKEN}', 'other.key': '[hidden]', 'tasks.max': '2' });
    expect(stringifyConfig({ a: 1, b: true, c: null, d: 'x' })).toEqual({ a: '1', b: 'true', d: 'x' });
  });

  it('refuses a reconfigure body that is not a flat config', () => {
    expect(rawConfigProblem([])).toMatch(/JSON object/);
    expect(rawConfigProblem({ a: { b: 1 } })).toBe('The value of a must be a string, number, boolean or null');
    expect(rawConfigProblem({ a: 'x', b: 1, c: false, d: null })).toBeUndefined();
  });

  const activityFailed = (cause?: Error) => new ActivityFailure('Activity task failed', 'sourceBatch', '7', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker-1', cause);

  it('classifies a batch that timed out, or failed without an error of its own, as a lost worker', () => {
    const timedOut = new TimeoutFailure('activity ScheduleToStart timeout', undefined, 'SCHEDULE_TO_START');
    expect(classifyBatchFailure(activityFailed(timedOut))).toEqual({ kind: 'workerLost', cause: timedOut });
    const server = new ServerFailure('worker gone', false);
    expect(classifyBatchFailure(activityFailed(server)).kind).toBe('workerLost');
    expect(classifyBatchFailure(activityFailed()).kind).toBe('workerLost');
    // A timeout not wrapped by an activity failure is still a lost worker.
    expect(classifyBatchFailure(timedOut).kind).toBe('workerLost');
  });

  it('classifies TaskNotLoaded as reopen-here, a non-retryable error as fatal, anything else as transient', () => {
    const notLoaded = ApplicationFailure.create({ type: 'TaskNotLoaded', message: 'task 0 is not open here' });
    expect(classifyBatchFailure(activityFailed(notLoaded)).kind).toBe('notLoaded');
    // TaskNotLoaded wins over nonRetryable: the worker restarted, the task did not fail.
    expect(classifyBatchFailure(activityFailed(ApplicationFailure.create({ type: 'TaskNotLoaded', message: 'x', nonRetryable: true }))).kind).toBe('notLoaded');

    const config = ApplicationFailure.create({ type: 'ConfigError', message: 'table t is missing', nonRetryable: true, details: [{ className: 'org.apache.kafka.connect.errors.ConnectException' }] });
    expect(classifyBatchFailure(activityFailed(config))).toEqual({ kind: 'fatal', cause: config, trace: 'org.apache.kafka.connect.errors.ConnectException: table t is missing' });

    const down = ApplicationFailure.create({ type: 'RetriableException', message: 'broker down' });
    expect(classifyBatchFailure(activityFailed(down))).toEqual({ kind: 'transient', cause: down, trace: 'RetriableException: broker down' });
    // A failure of the workflow's own making (not from an activity) is transient too: the task reopens.
    expect(classifyBatchFailure(ApplicationFailure.create({ type: 'Odd', message: 'm' })).kind).toBe('transient');
  });

  it('traces a failed operation with the error of the activity or child that failed', () => {
    const cause = ApplicationFailure.create({ type: 'ConfigError', message: 'bad key', details: [{ stack: 'ConfigError: bad key\n    at plan' }] });
    expect(errorTrace(activityFailed(cause))).toBe('ConfigError: bad key\n    at plan');
    const child = new ChildWorkflowFailure('default', { workflowId: 'w', runId: 'r' }, 'sourceTaskWorkflow', RetryState.NON_RETRYABLE_FAILURE, cause);
    expect(errorTrace(child)).toBe('ConfigError: bad key\n    at plan');
    const plain = new TypeError('x is undefined');
    expect(errorTrace(plain)).toMatch(/^TypeError: x is undefined\n.*state\.test\.ts/s);
    expect(errorTrace('text')).toBe('text');
  });
});
