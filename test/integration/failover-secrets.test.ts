import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { ConnectClient } from '../../src/client/index.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';
import { mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { distinctIds, readTopic, topicSize } from '../helpers/kafka.js';
import { REPO_ROOT, stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';

const run = promisify(execFile);

/** A `tconnect worker` process of its own, so it can be killed with SIGKILL. */
function spawnWorker(taskQueue: string, id: string): ChildProcess {
  const env = stackEnv();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, TCONNECT_TASK_QUEUE: taskQueue, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => undefined);
  return child;
}

describe('worker failover and secrets, with real worker processes', () => {
  const env = stackEnv();
  const taskQueue = uniqueName('failover');
  let db: mysql.Connection;
  let sdk: ConnectClient;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    db = await mysqlConnection();
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGTERM');
    await sdk?.close();
    await db?.end();
  });

  it('a plain password given to the SDK never shows in `temporal workflow show`, yet the connector uses it', async () => {
    workers.push(spawnWorker(taskQueue, 'secrets-worker'));
    const table = uniqueIdent('secret');
    await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NOT NULL)`);
    await db.query(`INSERT INTO \`${table}\` (v) VALUES ('a'), ('b')`);
    const name = `secret-${table}`;
    try {
      const created = await sdk.create({
        name,
        config: {
          'connector.class': 'JdbcSource',
          ...jdbcIncrementing(table),
          'topic.prefix': 'sec.',
        },
      });
      expect(created.config['connection.password']).toBe('[hidden]');
      await readTopic(`sec.${table}`, 2);
      expect((await sdk.config(name))['connection.password']).toBe('[hidden]');
      await waitFor(async () => (await sdk.status(name)).tasks[0]?.state === 'RUNNING', { what: 'RUNNING' });

      for (const id of [connectorWorkflowId(name), taskWorkflowId(name, 0)]) {
        const { stdout } = await run(env.TEMPORAL_CLI, ['workflow', 'show', '--workflow-id', id, '--address', env.TEMPORAL_ADDRESS, '--output', 'json']);
        // Payloads are base64 in the JSON output: decode every one, so the check can fail.
        const decoded = [...stdout.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
        expect(decoded).toContain('connection.password');
        expect(decoded).toContain('${enc:v1.');
        expect(decoded + stdout).not.toContain(env.MYSQL_PASSWORD);
        // The plain text output as well.
        const { stdout: text } = await run(env.TEMPORAL_CLI, ['workflow', 'show', '--workflow-id', id, '--address', env.TEMPORAL_ADDRESS]);
        expect(text).not.toContain(env.MYSQL_PASSWORD);
      }
    } finally {
      await sdk.delete(name).catch(() => undefined);
      await db.query(`DROP TABLE IF EXISTS \`${table}\``);
    }
  });

  it('kill -9 of the worker running a task: a second worker takes over and every row still arrives', async () => {
    const a = spawnWorker(taskQueue, 'worker-a');
    workers.push(a);
    const table = uniqueIdent('failover');
    await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    const insertRows = async (from: number, to: number) => {
      for (let i = from; i < to; i += 2500) {
        await db.query(`INSERT INTO \`${table}\` (v) VALUES ?`, [Array.from({ length: Math.min(2500, to - i) }, (_, j) => [`row-${i + j}`])]);
      }
    };
    // Half the rows exist before the kill, half are written after it: whatever the machine's speed,
    // the kill lands mid-stream (on a slow machine inside a batch, on a fast one between batches)
    // and the second worker must carry on from the committed offsets.
    const total = 20_000;
    const beforeKill = 10_000;
    await insertRows(0, beforeKill);
    const name = `failover-${table}`;
    const topic = `fo.${table}`;
    // The secrets worker from the first test would share the task queue: worker-a is the only one.
    for (const w of workers) if (w !== a && w.exitCode === null) w.kill('SIGKILL');
    try {
      await sdk.create({
        name,
        config: {
          'connector.class': 'JdbcSource',
          ...jdbcIncrementing(table),
          'topic.prefix': 'fo.',
          // Small batches so the kill lands inside a batch where the machine allows.
          'temporal.batch.max.records': '500',
          'batch.max.rows': '500',
        },
      });
      await waitFor(async () => (await topicSize(topic)) > 1000, { what: 'first batches', timeout: 60_000 });
      await waitFor(async () => (await sdk.status(name)).tasks[0]?.worker_id === 'worker-a', { what: 'the task on worker-a' });
      // worker-b starts now; until it polls, the task waits for a worker (that wait is part of failover).
      const b = spawnWorker(taskQueue, 'worker-b');
      workers.push(b);
      a.kill('SIGKILL');
      const killedAt = Date.now();
      await insertRows(beforeKill, total);

      // At-least-once: the batch in flight at the kill may be produced twice; count distinct ids.
      const ids = await distinctIds(topic, total, (v) => JSON.parse(v).payload.id);
      expect(ids.size).toBe(total);
      expect(Math.min(...ids)).toBe(1);
      expect(Math.max(...ids)).toBe(total);
      const status = await sdk.status(name);
      expect(status.tasks[0].state).toBe('RUNNING');
      expect(status.tasks[0].worker_id).toBe('worker-b');
      // At-least-once: at most the batch in flight at the kill is produced twice.
      expect(await topicSize(topic)).toBeLessThanOrEqual(total + 1000);
      expect(Date.now() - killedAt).toBeLessThan(120_000);
    } finally {
      await sdk.delete(name).catch(() => undefined);
      await db.query(`DROP TABLE IF EXISTS \`${table}\``);
    }
  });
});
