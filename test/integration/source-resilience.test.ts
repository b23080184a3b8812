import { describe, it, expect } from 'vitest';
import {
  CONNECTOR_WORKFLOW,
  connectorWorkflowId,
  pauseSignal,
  reconfigureUpdate,
  restartSignal,
  resumeSignal,
  statusQuery,
  stopSignal,
  taskWorkflowId,
  type ConnectorStatus,
} from '../../workflows/messages.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic, topicSize } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const ids = (msgs: Array<{ value: string | null }>) => msgs.map((m) => JSON.parse(m.value!).payload.id as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('source connector resilience and lifecycle', () => {
  const fx = useWorker({ temporal: true, db: true, passwordEnv: true });
  const env = stackEnv();

  function config(table: string, extra: Record<string, string> = {}, port = env.MYSQL_PORT) {
    return {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': `jdbc:mariadb://${env.MYSQL_HOST}:${port}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': '${env:TC_TEST_MYSQL_PASSWORD}',
      'connection.backoff.ms': '200',
      mode: 'incrementing',
      'incrementing.column.name': 'id',
      'table.whitelist': table,
      'topic.prefix': 'res.',
      'poll.interval.ms': '200',
      ...extra,
    };
  }

  async function table(prefix: string, rows: number, payloadBytes = 8): Promise<string> {
    const t = uniqueIdent(prefix);
    await fx.db.query(`CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, body LONGTEXT NOT NULL)`);
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${t}\``));
    if (rows) await insert(t, rows, payloadBytes);
    return t;
  }

  async function insert(t: string, rows: number, payloadBytes = 8): Promise<void> {
    for (let i = 0; i < rows; i += 500) {
      const chunk = Array.from({ length: Math.min(500, rows - i) }, () => ['x'.repeat(payloadBytes)]);
      await fx.db.query(`INSERT INTO \`${t}\` (body) VALUES ?`, [chunk]);
    }
  }

  async function start(name: string, cfg: Record<string, string>) {
    await fx.client.workflow.start(CONNECTOR_WORKFLOW, { taskQueue: fx.worker.taskQueue, workflowId: connectorWorkflowId(name), args: [{ name, config: cfg }] });
    const h = fx.client.workflow.getHandle(connectorWorkflowId(name));
    fx.cleanups.push(() => h.cancel());
    return h;
  }

  const status = (name: string): Promise<ConnectorStatus> => fx.client.workflow.getHandle(connectorWorkflowId(name)).query(statusQuery);

  it('keeps retrying with backoff while the database is unreachable, then delivers every row exactly once in order', async () => {
    const proxy = new TcpProxy(env.MYSQL_HOST, Number(env.MYSQL_PORT));
    const port = await proxy.start();
    fx.cleanups.push(() => proxy.cut());
    const t = await table('outage', 300);
    const name = `outage-${t}`;
    await start(name, config(t, { 'batch.max.rows': '50', 'temporal.batch.max.records': '50' }, String(port)));
    await waitFor(async () => (await topicSize(`res.${t}`)) >= 100, { what: 'first rows' });

    await proxy.cut();
    await insert(t, 200);
    await new Promise((r) => setTimeout(r, 3000));
    // A transient failure is not a task failure.
    expect((await status(name)).tasks[0].state).toBe('RUNNING');
    await proxy.start(port);

    const msgs = await readTopic(`res.${t}`, 500);
    expect(ids(msgs)).toEqual(range(1, 500));
  });

  it('reports a FAILED task with a trace, and restart revives it once the cause is fixed', async () => {
    const t = uniqueIdent('nullable');
    // validate.non.null (default true) refuses a nullable incrementing column.
    await fx.db.query(`CREATE TABLE \`${t}\` (id INT NULL UNIQUE, body VARCHAR(10))`);
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${t}\``));
    await fx.db.query(`INSERT INTO \`${t}\` VALUES (1,'a'),(2,'b')`);
    const name = `failing-${t}`;
    const h = await start(name, config(t));
    const failed = await waitFor(async () => {
      const s = await status(name);
      return s.tasks[0]?.state === 'FAILED' ? s : undefined;
    }, { what: 'task FAILED' });
    expect(failed.connector.state).toBe('RUNNING');
    expect(failed.tasks[0].trace).toMatch(/ConfigError/);
    expect(failed.tasks[0].trace).toMatch(/id/);
    // The failure is findable from the Temporal CLI/UI too: the task workflow stays open, the trace is in status.

    await fx.db.query(`ALTER TABLE \`${t}\` MODIFY id INT NOT NULL`);
    await h.signal(restartSignal, { includeTasks: true, onlyFailed: true });
    const msgs = await readTopic(`res.${t}`, 2);
    expect(ids(msgs)).toEqual([1, 2]);
    await waitFor(async () => (await status(name)).tasks[0]?.state === 'RUNNING', { what: 'RUNNING after restart' });
    expect((await status(name)).tasks[0].trace).toBeUndefined();
  });

  it('keeps records out of history: a task history grows with batches, not with record size', async () => {
    const small = await table('hsmall', 200, 10);
    const big = await table('hbig', 200, 20_000);
    const opts = { 'batch.max.rows': '100', 'temporal.batch.max.records': '100' };
    const hs = await start(`hist-${small}`, config(small, opts));
    const hb = await start(`hist-${big}`, config(big, opts));
    await readTopic(`res.${small}`, 200);
    await readTopic(`res.${big}`, 200);
    for (const h of [hs, hb]) await h.signal(stopSignal);
    await waitFor(async () => (await status(`hist-${small}`)).connector.state === 'STOPPED' && (await status(`hist-${big}`)).connector.state === 'STOPPED', { what: 'both STOPPED' });
    const sizes = await Promise.all([small, big].map(async (t) => {
      const d = await fx.client.workflow.getHandle(taskWorkflowId(`hist-${t}`, 0)).describe();
      return { bytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0), events: d.historyLength };
    }));
    // 200 rows x 20 KB = 4 MB of data went through the big connector; its history holds none of it.
    expect(sizes[1].bytes).toBeGreaterThan(0);
    expect(sizes[1].bytes).toBeLessThan(100_000);
    expect(Math.abs(sizes[1].bytes - sizes[0].bytes)).toBeLessThan(20_000);
  });

  it('continues as new (tasks and connector) without losing or repeating rows, and tasks survive the connector continuing as new', async () => {
    const t = await table('can', 400);
    const name = `can-${t}`;
    const h = await start(name, config(t, { 'batch.max.rows': '20', 'temporal.batch.max.records': '20', 'temporal.history.max.events': '60' }));
    const first = await readTopic(`res.${t}`, 400, 120_000);
    expect(ids(first)).toEqual(range(1, 400));
    // Push the connector's own history over the threshold with control signals.
    for (let i = 0; i < 6; i++) {
      await h.signal(pauseSignal);
      await waitFor(async () => (await status(name)).tasks[0]?.state === 'PAUSED', { what: 'PAUSED' });
      await h.signal(resumeSignal);
      await waitFor(async () => (await status(name)).tasks[0]?.state === 'RUNNING', { what: 'RUNNING' });
    }
    await insert(t, 50);
    const all = await readTopic(`res.${t}`, 450, 120_000);
    expect(ids(all)).toEqual(range(1, 450));
    const runs = async (id: string) => {
      let n = 0;
      for await (const _ of fx.client.workflow.list({ query: `WorkflowId='${id}'` })) n++;
      return n;
    };
    expect(await runs(taskWorkflowId(name, 0))).toBeGreaterThan(1);
    expect(await runs(connectorWorkflowId(name))).toBeGreaterThan(1);
    expect((await status(name)).connector.state).toBe('RUNNING');
  });

  it('keeps a connector started with an invalid config FAILED, naming every offending key, until a valid config is sent', async () => {
    // The SDK, CLI and REST API refuse such a config before starting anything (400); a workflow
    // started directly (Temporal CLI) cannot be answered so: it is kept, FAILED, never lost.
    const name = uniqueIdent('invalid');
    const h = await start(name, { 'connector.class': 'JdbcSource', mode: 'sometimes', 'tasks.max': 'many' });
    const failed = await waitFor(async () => {
      const s = await h.query(statusQuery);
      return s.connector.state === 'FAILED' ? s : undefined;
    }, { what: 'connector FAILED' });
    expect(failed.connector.trace).toMatch(/connection\.url/);
    expect(failed.connector.trace).toMatch(/mode/);
    expect(failed.connector.trace).toMatch(/tasks\.max/);
    expect(failed.type).toBe('unknown');

    const t = await table('invalid', 2);
    const st = await h.executeUpdate(reconfigureUpdate, { args: [config(t)] });
    expect(st.connector.state).toBe('RUNNING');
    expect(st.type).toBe('source');
    expect(ids(await readTopic(`res.${t}`, 2))).toEqual([1, 2]);
  });

  it('reconfigures a running connector through the update and answers with the new status', async () => {
    const t = await table('reconf', 3);
    const name = `reconf-${t}`;
    const h = await start(name, config(t));
    await readTopic(`res.${t}`, 3);
    const st = await h.executeUpdate(reconfigureUpdate, { args: [config(t, { 'topic.prefix': 'res2.' })] });
    expect(st.connector.state).toBe('RUNNING');
    expect(st.tasks).toHaveLength(1);
    // The offsets carry over: only new rows go to the new topic.
    await insert(t, 2);
    const moved = await readTopic(`res2.${t}`, 2);
    expect(ids(moved)).toEqual([4, 5]);
    expect(await topicSize(`res.${t}`)).toBe(3);
  });
});
