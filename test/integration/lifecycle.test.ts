import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { BadRequestError, ConfigError, type ConnectorStatus } from '../../src/client/index.js';
import { LoggerLevels } from '../../src/rest/loggers.js';
import { buildRestApp } from '../../src/rest/server.js';
import { SOURCE_TASK_WORKFLOW, connectorWorkflowId, reconfigureUpdate, taskWorkflowId } from '../../workflows/messages.js';
import { stringifyConfig } from '../../workflows/state.js';
import type { TaskInput } from '../../workflows/task.js';
import { deleteKafkaResources, jdbcConnection, jdbcIncrementing, produce } from '../helpers/connectors.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic, topicSize } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

// Requests that used to lose or wedge a connector (issues 11 and 24), on the real stack: each
// ends with the connector present and in the state the requests asked for.
describe('connector lifecycle under failures and racing requests', () => {
  const env = stackEnv();
  const fx = useWorker({ sdk: true, db: true });
  const topics: string[] = [];

  async function table(prefix: string, rows: number): Promise<string> {
    const t = uniqueIdent(prefix);
    await fx.db.query(`CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${t}\``));
    if (rows) await insert(t, rows);
    return t;
  }

  const insert = (t: string, rows: number) =>
    fx.db.query(`INSERT INTO \`${t}\` (v) VALUES ?`, [Array.from({ length: rows }, (_, i) => [`v${i}`])]);

  /** A JDBC source of `t` producing to `<prefix><t>`; the connector is deleted at the end. */
  function source(name: string, t: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
    topics.push(`${prefix}${t}`);
    fx.cleanups.push(() => fx.sdk.delete(name));
    return { 'connector.class': 'JdbcSource', ...jdbcIncrementing(t), 'topic.prefix': prefix, 'poll.interval.ms': '200', ...extra };
  }
  fx.cleanups.push(() => deleteKafkaResources(topics));

  /** A source reaching MariaDB through a proxy the test can cut; one connection attempt per try, so failures show fast. */
  async function proxiedSource(name: string, t: string, prefix: string, extra: Record<string, string> = {}) {
    const proxy = new TcpProxy(env.MYSQL_HOST, Number(env.MYSQL_PORT));
    const port = await proxy.start();
    fx.cleanups.push(() => proxy.cut());
    const config = source(name, t, prefix, {
      'connection.url': `jdbc:mysql://127.0.0.1:${port}/${env.MYSQL_DATABASE}`,
      'connection.attempts': '1',
      'connection.backoff.ms': '100',
      ...extra,
    });
    return { proxy, port, config };
  }

  const waitStatus = (name: string, ok: (s: ConnectorStatus) => boolean, what: string, timeout = 60_000) =>
    waitFor(async () => {
      const s = await fx.sdk.status(name);
      return ok(s) ? s : undefined;
    }, { what: `${name}: ${what}`, timeout });
  const allTasks = (s: ConnectorStatus, state: string) => s.tasks.length > 0 && s.tasks.every((t) => t.state === state);

  it('a connector created PAUSED plans no tasks and reads nothing until resumed, as Kafka Connect', async () => {
    const t = await table('pausedstart', 4);
    const name = uniqueName('pausedstart');
    await fx.sdk.create({ name, config: source(name, t, 'pausedstart.'), initial_state: 'PAUSED' });
    await waitStatus(name, (s) => s.connector.state === 'PAUSED', 'connector PAUSED');
    // Operations run one at a time after the start: once this one is answered (offsets can only
    // change while STOPPED), the start is over, and it planned nothing.
    const offsets = { offsets: [{ partition: { protocol: '1', table: `${env.MYSQL_DATABASE}.${t}` }, offset: { incrementing: 1 } }] };
    await expect(fx.sdk.alterOffsets(name, offsets)).rejects.toThrow(/STOPPED/);
    expect((await fx.sdk.status(name)).tasks).toEqual([]);
    expect(await topicSize(`pausedstart.${t}`).catch(() => 0)).toBe(0);
    await fx.sdk.resume(name);
    await waitStatus(name, (s) => s.connector.state === 'RUNNING' && allTasks(s, 'RUNNING'), 'RUNNING with its task');
    expect(await readTopic(`pausedstart.${t}`, 4)).toHaveLength(4);
  }, 120_000);

  it('a source with a wrong password is kept FAILED with the error as its trace, and a corrected config starts it', async () => {
    const t = await table('badpw', 3);
    const name = uniqueName('badpw');
    const wrong = 'not-the-password-7431';
    await fx.sdk.create({ name, config: source(name, t, 'badpw.', { 'connection.password': wrong }) });

    const failed = await waitStatus(name, (s) => s.connector.state === 'FAILED', 'connector FAILED');
    expect(failed.connector.trace).toMatch(/Access denied/);
    expect(failed.connector.trace).not.toContain(wrong);
    expect(failed.tasks).toEqual([]);
    // Still there a while later: the workflow did not end.
    expect((await fx.sdk.temporal.workflow.getHandle(connectorWorkflowId(name)).describe()).status.name).toBe('RUNNING');
    expect((await fx.sdk.list())).toContain(name);

    await fx.sdk.reconfigure(name, { ...(await fx.sdk.config(name)), 'connection.password': env.MYSQL_PASSWORD });
    await waitStatus(name, (s) => s.connector.state === 'RUNNING' && allTasks(s, 'RUNNING') && !s.connector.trace, 'RUNNING after the fix');
    expect(await readTopic(`badpw.${t}`, 3)).toHaveLength(3);
  }, 120_000);

  it('a source whose database is unreachable at start is FAILED, and restart revives it once the database is back', async () => {
    const t = await table('down', 2);
    const name = uniqueName('down');
    const { proxy, port, config } = await proxiedSource(name, t, 'down.');
    await proxy.cut();
    await fx.sdk.create({ name, config });
    const failed = await waitStatus(name, (s) => s.connector.state === 'FAILED', 'connector FAILED', 90_000);
    expect(failed.connector.trace).toMatch(/connect/i);

    await proxy.start(port);
    await fx.sdk.restart(name);
    await waitStatus(name, (s) => s.connector.state === 'RUNNING' && allTasks(s, 'RUNNING'), 'RUNNING after restart');
    expect(await readTopic(`down.${t}`, 2)).toHaveLength(2);
  }, 150_000);

  it('reconfigure, pause and restart sent at once after each create all take effect', async () => {
    const t = await table('race', 1);
    const count = 50;
    const names = Array.from({ length: count }, (_, i) => uniqueName(`race${i}`));
    const results = await Promise.allSettled(
      names.map(async (name) => {
        const config = source(name, t, 'race.', { 'poll.interval.ms': '5000' });
        await fx.sdk.create({ name, config });
        // Answered at once, whatever the workflow is doing.
        const first = await fx.sdk.status(name);
        expect(['UNASSIGNED', 'RUNNING']).toContain(first.connector.state);
        expect((await fx.sdk.config(name))['connection.password']).toBe('[hidden]');
        await fx.sdk.reconfigure(name, { ...config, 'poll.interval.ms': '6000' });
        await fx.sdk.pause(name);
        await fx.sdk.restart(name, { includeTasks: true });
      }),
    );
    // The reasons, so a failure says which operation failed and why.
    expect(results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []))).toEqual([]);
    for (const name of names) {
      const s = await waitStatus(name, (x) => x.connector.state === 'PAUSED' && allTasks(x, 'PAUSED'), 'connector and tasks PAUSED', 90_000);
      expect(s.connector.trace).toBeUndefined();
      expect((await fx.sdk.config(name))['poll.interval.ms']).toBe('6000');
    }
    expect((await fx.sdk.list()).filter((n) => names.includes(n))).toHaveLength(count);
  }, 240_000);

  it('a task workflow still open under the task\'s id is stopped and replaced, never a reason to fail', async () => {
    const t = await table('leftover', 2);
    const name = uniqueName('leftover');
    const config = source(name, t, 'leftover.');
    await fx.sdk.create({ name, config, initial_state: 'STOPPED' });
    await waitStatus(name, (s) => s.connector.state === 'STOPPED', 'STOPPED');
    // A task left by an earlier run of the connector (another generation), idle and paused.
    const input: TaskInput = { connector: name, taskId: 0, generation: 99, taskConfig: stringifyConfig(config), offsets: [], paused: true };
    const leftover = await fx.sdk.temporal.workflow.start(SOURCE_TASK_WORKFLOW, { taskQueue: fx.worker.taskQueue, workflowId: taskWorkflowId(name, 0), args: [input] });

    await fx.sdk.resume(name);
    await waitStatus(name, (s) => s.connector.state === 'RUNNING' && allTasks(s, 'RUNNING'), 'RUNNING with its own task');
    const old = fx.sdk.temporal.workflow.getHandle(taskWorkflowId(name, 0), leftover.firstExecutionRunId);
    expect((await old.describe()).status.name).toBe('COMPLETED');
    expect(await readTopic(`leftover.${t}`, 2)).toHaveLength(2);
  }, 120_000);

  it('a config read back (secrets [hidden]) and sent again keeps the stored secret; a rejected one changes nothing', async () => {
    const t = await table('trip', 2);
    const name = uniqueName('trip');
    await fx.sdk.create({ name, config: source(name, t, 'trip.') });
    await waitStatus(name, (s) => allTasks(s, 'RUNNING'), 'task RUNNING');
    await readTopic(`trip.${t}`, 2);

    const read = await fx.sdk.config(name);
    expect(read['connection.password']).toBe('[hidden]');
    await fx.sdk.reconfigure(name, { ...read, 'poll.interval.ms': '300' });
    await waitStatus(name, (s) => s.connector.state === 'RUNNING' && allTasks(s, 'RUNNING'), 'RUNNING with the config sent back');
    await insert(t, 2);
    expect(await readTopic(`trip.${t}`, 4)).toHaveLength(4);

    // The system refuses the new config: the request fails and the connector runs on as it was.
    const refused = await fx.sdk.reconfigure(name, { ...read, 'connection.password': 'wrong-pw-5120', 'poll.interval.ms': '400' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/Access denied/);
    expect((await fx.sdk.config(name))['poll.interval.ms']).toBe('300');
    const after = await fx.sdk.status(name);
    expect(after.connector.state).toBe('RUNNING');
    expect(allTasks(after, 'RUNNING')).toBe(true);
    await insert(t, 2);
    expect(await readTopic(`trip.${t}`, 6)).toHaveLength(6);

    // A new connector has no stored secret to keep.
    const other = uniqueName('trip-new');
    const e = await fx.sdk.create({ name: other, config: { ...read, name: other } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems.map((p) => p.key)).toEqual(['connection.password']);
    expect((e as ConfigError).problems[0].message).toMatch(/send the real value or a config provider reference/);
  }, 120_000);

  it('over REST: PATCH right after the 201, GET config then PUT it back, and POST of a read-back config to a new name', async () => {
    const app = buildRestApp({ client: fx.sdk, ready: () => true, loggers: new LoggerLevels(pino({ level: 'silent' })), kafkaClusterId: async () => null });
    await app.listen({ host: '127.0.0.1', port: 0 });
    fx.cleanups.push(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const http = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };

    const t = await table('rest', 2);
    const name = uniqueName('rest');
    expect((await http('POST', '/connectors', { name, config: source(name, t, 'rest.') })).status).toBe(201);
    const patched = await http('PATCH', `/connectors/${name}/config`, { 'poll.interval.ms': '250' });
    expect(patched).toMatchObject({ status: 200, body: { name, config: { 'poll.interval.ms': '250', 'connection.password': '[hidden]' } } });

    const read = (await http('GET', `/connectors/${name}/config`)).body;
    expect(read['connection.password']).toBe('[hidden]');
    expect((await http('PUT', `/connectors/${name}/config`, { ...read, 'poll.interval.ms': '260' })).status).toBe(200);
    await waitStatus(name, (s) => s.connector.state === 'RUNNING' && allTasks(s, 'RUNNING'), 'RUNNING after PUT of the config read back');
    await insert(t, 1);
    expect(await readTopic(`rest.${t}`, 3)).toHaveLength(3);

    const other = uniqueName('rest-copy');
    const copy = await http('POST', '/connectors', { name: other, config: { ...read, name: other } });
    expect(copy.status).toBe(400);
    expect(copy.body.message).toMatch(/connection\.password.*send the real value or a config provider reference/s);
    expect((await http('GET', `/connectors/${other}/status`)).status).toBe(404);
  }, 120_000);

  it('invalid sink offsets are refused with Kafka Connect\'s messages before they are accepted, and nothing queues behind them', async () => {
    const topic = uniqueIdent('offs');
    topics.push(topic);
    const name = uniqueName('offs');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({
      name,
      config: {
        'connector.class': 'JdbcSink',
        ...jdbcConnection(),
        topics: topic,
        'auto.create': 'true',
      },
    });
    await waitStatus(name, (s) => allTasks(s, 'RUNNING'), 'sink task RUNNING');
    await fx.sdk.stop(name);
    await waitStatus(name, (s) => s.connector.state === 'STOPPED', 'STOPPED');

    const refused = async (offsets: unknown[]) => {
      const e = await fx.sdk.alterOffsets(name, { offsets } as never).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BadRequestError);
      return (e as Error).message;
    };
    expect(await refused([{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 'x' } }]))
      .toBe('Failed to parse the following Kafka offset value in the provided offsets: \'x\'. Offset values for sink connectors need to be integers.');
    expect(await refused([{ partition: { kafka_topic: topic }, offset: { kafka_offset: 1 } }]))
      .toBe('The partition for a sink connector offset must contain the keys \'kafka_topic\' and \'kafka_partition\'');
    expect(await refused([{ partition: { kafka_topic: topic, kafka_partition: 'one' }, offset: { kafka_offset: 1 } }]))
      .toBe('Failed to parse the following Kafka partition value in the provided offsets: \'one\'. Partition values for sink connectors need to be integers.');
    expect(await refused([{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: {} }]))
      .toBe('The offset for a sink connector should either be null or contain the key \'kafka_offset\'');

    // The next valid request is served at once, and only it was stored.
    await fx.sdk.alterOffsets(name, { offsets: [{ partition: { kafka_topic: topic, kafka_partition: '0' }, offset: { kafka_offset: '0' } }] });
    expect((await fx.sdk.offsets(name)).offsets).toEqual([{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 0 } }]);
    // A reconfigure that is not a flat config (sent past the SDK) is refused by its validator too.
    const handle = fx.sdk.temporal.workflow.getHandle(connectorWorkflowId(name));
    const notFlat = await handle.executeUpdate(reconfigureUpdate, { args: [{ topics: { nested: true } } as never] }).catch((e: unknown) => e);
    expect(String((notFlat as Error).cause)).toMatch(/The value of topics must be a string, number, boolean or null/);
    // Refused by the updates' validators: none of the bad requests entered the history.
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  }, 120_000);

  it('once connector and task show PAUSED, rows inserted into the table reach the topic only after resume', async () => {
    const t = await table('pause', 10);
    const name = uniqueName('pause');
    const control = uniqueName('pause-ctl');
    // Long batches: a batch waits up to 5 minutes for rows, so only ending it early lets the task pause.
    await fx.sdk.create({ name, config: source(name, t, 'pause.', { 'temporal.batch.max.ms': '300000', 'temporal.idle.wait.ms': '300000' }) });
    // Reads the same table all along: when it has the new rows, the paused one had time to poll them.
    await fx.sdk.create({ name: control, config: source(control, t, 'pausectl.') });
    await readTopic(`pause.${t}`, 10);

    await fx.sdk.pause(name);
    await waitStatus(name, (s) => s.connector.state === 'PAUSED' && allTasks(s, 'PAUSED'), 'connector and task PAUSED');
    await insert(t, 100);
    await readTopic(`pausectl.${t}`, 110);
    expect(await topicSize(`pause.${t}`)).toBe(10);
    expect((await fx.sdk.status(name)).tasks[0].state).toBe('PAUSED');

    // Restarting paused tasks leaves them PAUSED (they used to stay RESTARTING), and still nothing is produced.
    await fx.sdk.restart(name, { includeTasks: true });
    await waitStatus(name, (s) => s.connector.state === 'PAUSED' && allTasks(s, 'PAUSED'), 'PAUSED after restart');
    expect(await topicSize(`pause.${t}`)).toBe(10);

    await fx.sdk.resume(name);
    expect(await readTopic(`pause.${t}`, 110)).toHaveLength(110);
  }, 120_000);

  it('a sink batch that waits up to 5 minutes for records ends at once on pause, restart and stop', async () => {
    const topic = uniqueIdent('idle');
    topics.push(topic);
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${topic}\``));
    const name = uniqueName('idle');
    fx.cleanups.push(() => fx.sdk.delete(name));
    const row = (id: number) => ({ value: JSON.stringify({ schema: { type: 'struct', fields: [{ field: 'id', type: 'int32' }] }, payload: { id } }) });
    await produce(topic, 1, [row(1)]);
    await fx.sdk.create({
      name,
      config: {
        'connector.class': 'JdbcSink',
        ...jdbcConnection(),
        topics: topic,
        'auto.create': 'true',
        'temporal.idle.wait.ms': '300000',
        'temporal.batch.max.ms': '300000',
      },
    });
    const rows = async () => ((await fx.db.query(`SELECT COUNT(*) AS n FROM \`${topic}\``)) as unknown as [Array<{ n: number }>])[0][0].n;
    await waitFor(async () => (await rows().catch(() => 0)) === 1, { what: 'row 1 written' });
    // From here on the task's batch waits for records that do not come; each request must end it
    // (the waits below are 60 s at most, the batch's own wait 300 s).
    const task = fx.sdk.temporal.workflow.getHandle(taskWorkflowId(name, 0));
    const opens = async () => ((await task.fetchHistory()).events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'openSinkTask').length;

    await fx.sdk.pause(name);
    await waitStatus(name, (s) => s.connector.state === 'PAUSED' && allTasks(s, 'PAUSED'), 'connector and task PAUSED');
    await fx.sdk.resume(name);
    await produce(topic, 1, [row(2)]);
    await waitFor(async () => (await rows()) === 2, { what: 'row 2 written after resume' });

    const before = await opens();
    await fx.sdk.restart(name, { includeTasks: true });
    await waitFor(async () => (await opens()) > before, { what: 'the task reopened after the restart', timeout: 60_000 });
    await produce(topic, 1, [row(3)]);
    await waitFor(async () => (await rows()) === 3, { what: 'row 3 written after the restart' });

    await fx.sdk.stop(name);
    await waitStatus(name, (s) => s.connector.state === 'STOPPED' && s.tasks.length === 0, 'STOPPED');
  }, 240_000);

  it('a task whose batches keep failing stays RUNNING but shows the last error, until batches succeed again; failed table checks leave the connector running', async () => {
    const t = await table('flaky', 2);
    const name = uniqueName('flaky');
    // The connector checks the tables every 500 ms: with the database gone, those checks fail too.
    const { proxy, port, config } = await proxiedSource(name, t, 'flaky.', { 'errors.retry.delay.max.ms': '1000', 'table.poll.interval.ms': '500' });
    await fx.sdk.create({ name, config });
    await readTopic(`flaky.${t}`, 2);

    await proxy.cut();
    const retrying = await waitStatus(name, (s) => s.tasks[0]?.trace !== undefined, 'task trace while retrying');
    expect(retrying.tasks[0].state).toBe('RUNNING');
    expect(retrying.tasks[0].trace).toMatch(/^Retrying: \d+ batch\(es\) in a row failed/);
    expect(retrying.tasks[0].trace).toMatch(/errors\.retry\.timeout is not set/);
    expect(retrying.tasks[0].trace).not.toContain(env.MYSQL_PASSWORD);

    // A table check failed for good (its retries ran out): the connector is still there and RUNNING.
    const handle = fx.sdk.temporal.workflow.getHandle(connectorWorkflowId(name));
    await waitFor(async () => (await handle.fetchHistory()).events?.some((e) => e.activityTaskFailedEventAttributes), { what: 'a failed table check', timeout: 60_000 });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await fx.sdk.status(name)).connector.state).toBe('RUNNING');

    await proxy.start(port);
    await insert(t, 3);
    await readTopic(`flaky.${t}`, 5);
    await waitStatus(name, (s) => allTasks(s, 'RUNNING') && s.tasks[0].trace === undefined, 'trace cleared after a successful batch');
  }, 120_000);
});
