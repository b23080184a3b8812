import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CONNECTOR_WORKFLOW,
  alterOffsetsUpdate,
  configQuery,
  connectorWorkflowId,
  offsetsQuery,
  resetOffsetsUpdate,
  resumeSignal,
  statusQuery,
  stopSignal,
  taskWorkflowId,
  type ConnectorStatus,
} from '../../workflows/messages.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { liveOffsets } from '../../src/client/live-offsets.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic, topicSize } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

const run = promisify(execFile);

// MariaDB -> connector workflow -> source task workflow -> Kafka, on the real stack, driven through
// the Temporal client and the real `temporal` CLI binary.
describe('JDBC source pipeline on Temporal', () => {
  const fx = useWorker({ temporal: true, db: true, passwordEnv: true });
  const env = stackEnv();

  function config(table: string, extra: Record<string, string> = {}) {
    return {
      'connector.class': 'JdbcSource',
      ...jdbcIncrementing(table, '${env:TC_TEST_MYSQL_PASSWORD}'),
      'topic.prefix': 'it.',
      'poll.interval.ms': '200',
      'tasks.max': '1',
      ...extra,
    };
  }

  async function temporalCli(...args: string[]): Promise<string> {
    const { stdout } = await run(env.TEMPORAL_CLI, [...args, '--address', env.TEMPORAL_ADDRESS, '--namespace', env.TEMPORAL_NAMESPACE]);
    return stdout;
  }

  async function status(name: string): Promise<ConnectorStatus> {
    return fx.client.workflow.getHandle(connectorWorkflowId(name)).query(statusQuery);
  }

  it('copies rows to Kafka, pauses and resumes through the temporal CLI, and exposes Connect-shaped status, config and offsets', async () => {
    const table = uniqueIdent('orders');
    const name = `orders-${table}`;
    await fx.db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(40) NOT NULL, qty INT NOT NULL)`);
    const rows = Array.from({ length: 250 }, (_, i) => [`item-${i}`, i]);
    await fx.db.query(`INSERT INTO \`${table}\` (item, qty) VALUES ?`, [rows]);

    await fx.client.workflow.start(CONNECTOR_WORKFLOW, {
      taskQueue: fx.worker.taskQueue,
      workflowId: connectorWorkflowId(name),
      args: [{ name, config: config(table) }],
    });
    const handle = fx.client.workflow.getHandle(connectorWorkflowId(name));
    try {
      const topic = `it.${table}`;
      const msgs = await readTopic(topic, 250);
      const first = JSON.parse(msgs[0].value!);
      expect(first.schema.type).toBe('struct');
      expect(first.schema.fields.map((f: { field: string }) => f.field)).toEqual(['id', 'item', 'qty']);
      expect(first.payload).toEqual({ id: 1, item: 'item-0', qty: 0 });
      expect(msgs.map((m) => JSON.parse(m.value!).payload.id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));

      const st = await waitFor(async () => {
        const s = await status(name);
        return s.tasks[0]?.state === 'RUNNING' ? s : undefined;
      }, { what: 'task RUNNING' });
      expect(st).toMatchObject({ name, connector: { state: 'RUNNING' }, type: 'source', tasks: [{ id: 0, state: 'RUNNING', worker_id: fx.worker.workerId }] });

      // The config query masks nothing that is a provider reference, and shows the rest as given.
      const cfg = await handle.query(configQuery);
      expect(cfg['connection.password']).toBe('${env:TC_TEST_MYSQL_PASSWORD}');

      // Pause with the plain Temporal CLI: new rows do not arrive until resume.
      await temporalCli('workflow', 'signal', '--workflow-id', connectorWorkflowId(name), '--name', 'pause');
      await waitFor(async () => (await status(name)).tasks[0]?.state === 'PAUSED', { what: 'task PAUSED' });
      await fx.db.query(`INSERT INTO \`${table}\` (item, qty) VALUES ('late', 1)`);
      await new Promise((r) => setTimeout(r, 2500));
      expect(await topicSize(topic)).toBe(250);
      const queried = JSON.parse(await temporalCli('workflow', 'query', '--workflow-id', connectorWorkflowId(name), '--name', 'status', '--output', 'json'));
      expect(JSON.stringify(queried)).toContain('PAUSED');
      await temporalCli('workflow', 'signal', '--workflow-id', connectorWorkflowId(name), '--name', 'resume');
      await waitFor(async () => (await topicSize(topic)) === 251, { what: 'row inserted while paused to arrive after resume' });

      // Offsets in Kafka Connect's shape, once the task reported them.
      const offs = await waitFor(async () => {
        const o = await liveOffsets(fx.client.workflow, name);
        return o.offsets.some((x) => (x.offset as { incrementing?: number })?.incrementing === 251) ? o : undefined;
      }, { what: 'offsets reported', timeout: 30_000 });
      expect(offs.offsets).toEqual([{ partition: { protocol: '1', table: `${env.MYSQL_DATABASE}.${table}` }, offset: { incrementing: 251 } }]);

      // Search attributes make the connector findable by state.
      const listed = await waitFor(async () => {
        const out = await temporalCli('workflow', 'list', '--query', `ConnectorName='${name}' AND ConnectorState='RUNNING'`, '--output', 'json');
        return out.includes(connectorWorkflowId(name)) ? out : undefined;
      }, { what: 'workflow list by ConnectorState' });
      expect(listed).toContain(connectorWorkflowId(name));
    } finally {
      await handle.cancel().catch(() => undefined);
      await fx.db.query(`DROP TABLE IF EXISTS \`${table}\``);
    }
  });

  it('stops, alters and resets offsets only while STOPPED, and resumes from the altered offset', async () => {
    const table = uniqueIdent('offs');
    const name = `offs-${table}`;
    await fx.db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NOT NULL)`);
    await fx.db.query(`INSERT INTO \`${table}\` (v) VALUES ('a'),('b'),('c'),('d'),('e')`);
    await fx.client.workflow.start(CONNECTOR_WORKFLOW, { taskQueue: fx.worker.taskQueue, workflowId: connectorWorkflowId(name), args: [{ name, config: config(table) }] });
    const handle = fx.client.workflow.getHandle(connectorWorkflowId(name));
    const topic = `it.${table}`;
    try {
      await readTopic(topic, 5);
      const partition = { protocol: '1', table: `${env.MYSQL_DATABASE}.${table}` };

      // Not stopped: Kafka Connect refuses offset changes.
      const refused = await handle.executeUpdate(alterOffsetsUpdate, { args: [{ offsets: [{ partition, offset: { incrementing: 2 } }] }] }).catch((e: Error) => e);
      expect((refused as Error & { cause?: Error }).cause?.message).toMatch(/must be in the STOPPED state/);

      await handle.signal(stopSignal);
      await waitFor(async () => (await status(name)).connector.state === 'STOPPED', { what: 'STOPPED' });
      expect((await status(name)).tasks).toEqual([]);
      // Task workflows are gone, not just idle.
      await waitFor(async () => (await fx.client.workflow.getHandle(taskWorkflowId(name, 0)).describe()).status.name === 'COMPLETED', { what: 'task workflow completed' });
      expect((await handle.query(offsetsQuery)).offsets).toEqual([{ partition, offset: { incrementing: 5 } }]);

      const altered = await handle.executeUpdate(alterOffsetsUpdate, { args: [{ offsets: [{ partition, offset: { incrementing: 3 } }] }] });
      expect(altered.offsets).toEqual([{ partition, offset: { incrementing: 3 } }]);
      await handle.signal(resumeSignal);
      // Rows 4 and 5 are produced again from the altered offset.
      const all = await readTopic(topic, 7);
      expect(all.map((m) => JSON.parse(m.value!).payload.id)).toEqual([1, 2, 3, 4, 5, 4, 5]);

      await handle.signal(stopSignal);
      await waitFor(async () => (await status(name)).connector.state === 'STOPPED', { what: 'STOPPED again' });
      const reset = await handle.executeUpdate(resetOffsetsUpdate);
      expect(reset.offsets).toEqual([]);
      await handle.signal(resumeSignal);
      const again = await readTopic(topic, 12);
      expect(again.slice(7).map((m) => JSON.parse(m.value!).payload.id)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await handle.cancel().catch(() => undefined);
      await fx.db.query(`DROP TABLE IF EXISTS \`${table}\``);
    }
  });
});
