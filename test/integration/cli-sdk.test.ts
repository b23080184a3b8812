import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { BadRequestError, ConfigError, ConnectClient, ConnectorExistsError, ConnectorNotFoundError } from '../../src/client/index.js';
import { connectorWorkflowId } from '../../workflows/messages.js';
import { mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { readTopic } from '../helpers/kafka.js';
import { REPO_ROOT, stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

// The SDK and the tconnect CLI against a real worker, Temporal, MariaDB and Kafka.
describe('client SDK and tconnect CLI', () => {
  const env = stackEnv();
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let sdk: ConnectClient;
  let db: mysql.Connection;
  let dir: string;
  const tables: string[] = [];

  beforeAll(async () => {
    process.env.TC_TEST_MYSQL_PASSWORD = env.MYSQL_PASSWORD;
    worker = await testWorker();
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
    db = await mysqlConnection();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-cli-'));
  });

  afterAll(async () => {
    await sdk?.close();
    await worker?.shutdown();
    for (const t of tables) await db.query(`DROP TABLE IF EXISTS \`${t}\``);
    await db?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function table(prefix: string, rows: number): Promise<string> {
    const t = uniqueIdent(prefix);
    tables.push(t);
    await db.query(`CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${t}\` (v) VALUES ?`, [Array.from({ length: rows }, (_, i) => [`v${i}`])]);
    return t;
  }

  function config(t: string): Record<string, string> {
    return {
      'connector.class': 'JdbcSource',
      ...jdbcIncrementing(t, '${env:TC_TEST_MYSQL_PASSWORD}'),
      'topic.prefix': 'cli.',
      'poll.interval.ms': '200',
    };
  }

  /** Runs bin/tconnect.mjs as users do; never rejects, answers with the exit code and output. */
  function tconnect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const childEnv = { ...process.env, TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE, TCONNECT_TASK_QUEUE: worker.taskQueue };
    return new Promise((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'bin/tconnect.mjs'), ...args], { env: childEnv, cwd: REPO_ROOT }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  const taskState = async (name: string) => (await sdk.status(name)).tasks[0]?.state;

  it('SDK: create, refuse duplicates and bad configs, pause/resume, stop, offsets, delete, create again', async () => {
    const t = await table('sdk', 4);
    const name = `sdk-${t}`;
    const partition = { protocol: '1', table: `${env.MYSQL_DATABASE}.${t}` };

    // Invalid: every bad key named, nothing started.
    const bad = await sdk.create({ name, config: { ...config(t), mode: 'sometimes', 'tasks.max': 'many' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    // tasks.max not a number: Connect's two errors for it (not a number, then no value).
    expect((bad as ConfigError).problems.map((p) => p.key).sort()).toEqual(['mode', 'tasks.max', 'tasks.max']);
    await expect(sdk.status(name)).rejects.toBeInstanceOf(ConnectorNotFoundError);

    const created = await sdk.create({ name, config: config(t) });
    expect(created).toMatchObject({ name, type: 'source', tasks: [], config: { name, 'table.whitelist': t } });
    await expect(sdk.create({ name, config: config(t) })).rejects.toBeInstanceOf(ConnectorExistsError);
    try {
      await readTopic(`cli.${t}`, 4);
      await waitFor(async () => (await taskState(name)) === 'RUNNING', { what: 'task RUNNING' });
      expect(await sdk.list()).toContain(name);
      expect(await sdk.get(name)).toMatchObject({ name, type: 'source', tasks: [{ connector: name, task: 0 }] });
      expect((await sdk.config(name))['connection.password']).toBe('${env:TC_TEST_MYSQL_PASSWORD}');
      expect((await sdk.tasks(name))[0].id).toEqual({ connector: name, task: 0 });

      await sdk.pause(name);
      await waitFor(async () => (await taskState(name)) === 'PAUSED', { what: 'task PAUSED' });
      await sdk.resume(name);
      await waitFor(async () => (await taskState(name)) === 'RUNNING', { what: 'task RUNNING again' });
      await waitFor(async () => JSON.stringify(await sdk.offsets(name)).includes('"incrementing":4'), { what: 'offsets reported' });

      // Offsets change only while STOPPED, as in Kafka Connect.
      await expect(sdk.alterOffsets(name, { offsets: [{ partition, offset: { incrementing: 1 } }] })).rejects.toBeInstanceOf(BadRequestError);
      await sdk.stop(name);
      await waitFor(async () => (await sdk.status(name)).connector.state === 'STOPPED', { what: 'STOPPED' });
      expect(await sdk.alterOffsets(name, { offsets: [{ partition, offset: { incrementing: 1 } }] })).toEqual({ offsets: [{ partition, offset: { incrementing: 1 } }] });
      expect(await sdk.resetOffsets(name)).toEqual({ offsets: [] });

      const st = await sdk.reconfigure(name, { ...config(t), 'poll.interval.ms': '300' });
      expect(st.connector.state).toBe('STOPPED');
      expect((await sdk.config(name))['poll.interval.ms']).toBe('300');
      await expect(sdk.reconfigure(name, { ...config(t), mode: 'sometimes' })).rejects.toThrow(ConfigError);

      await sdk.delete(name);
      await expect(sdk.status(name)).rejects.toThrow(/not found \(its workflow is CANCELLED\)/);
      expect(await sdk.list()).not.toContain(name);
      // A deleted connector's name is free again.
      await sdk.create({ name, config: config(t) });
      await waitFor(async () => (await sdk.status(name)).connector.state === 'RUNNING', { what: 'RUNNING after re-create' });
      await sdk.stop(name);
      await waitFor(async () => (await sdk.status(name)).connector.state === 'STOPPED', { what: 'STOPPED before delete' });
    } finally {
      await sdk.delete(name).catch(() => undefined);
    }
    await expect(sdk.pause(name)).rejects.toBeInstanceOf(ConnectorNotFoundError);
  }, 180_000);

  it('CLI: validate, create from .properties, status, pause, resume, offsets, replay, delete', async () => {
    const t = await table('cli', 3);
    const name = `cli-${t}`;
    const props = path.join(dir, `${name}.properties`);
    await writeFile(props, [`name=${name}`, ...Object.entries(config(t)).map(([k, v]) => `${k}=${v}`)].join('\n'));
    const badFile = path.join(dir, 'bad.json');
    await writeFile(badFile, JSON.stringify({ name, config: { ...config(t), mode: 'sometimes', 'connection.url': '' } }));

    const invalid = await tconnect('validate', badFile);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/2 problem\(s\)\n {2}connection\.url: .*\n {2}mode: /);
    expect((await tconnect('create', badFile)).stderr).toMatch(/^error: .*invalid[\s\S]*\n {2}mode: /);
    expect((await tconnect('validate', props)).code).toBe(0);

    const created = await tconnect('create', props);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({ name, type: 'source', tasks: [] });
    try {
      expect((await tconnect('create', props)).stderr).toBe(`error: Connector ${name} already exists\n`);
      await readTopic(`cli.${t}`, 3);
      await waitFor(async () => (await taskState(name)) === 'RUNNING', { what: 'task RUNNING' });

      const status = await tconnect('status', name);
      expect(JSON.parse(status.stdout)).toMatchObject({ name, connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }], type: 'source' });
      expect(JSON.parse((await tconnect('list')).stdout)).toContain(name);

      expect((await tconnect('pause', name)).stdout).toBe(`Connector ${name} paused\n`);
      await waitFor(async () => (await taskState(name)) === 'PAUSED', { what: 'task PAUSED' });
      expect(JSON.parse((await tconnect('status', name)).stdout).connector.state).toBe('PAUSED');
      expect((await tconnect('resume', name)).stdout).toBe(`Connector ${name} resumed\n`);
      await waitFor(async () => (await taskState(name)) === 'RUNNING', { what: 'task RUNNING again' });

      const offsets = await waitFor(async () => {
        const o = JSON.parse((await tconnect('offsets', name)).stdout);
        return o.offsets.length ? o : undefined;
      }, { what: 'offsets', timeout: 30_000 });
      expect(offsets).toEqual({ offsets: [{ partition: { protocol: '1', table: `${env.MYSQL_DATABASE}.${t}` }, offset: { incrementing: 3 } }] });

      const saved = path.join(dir, 'history.json');
      const replayed = await tconnect('replay', '--workflow-id', connectorWorkflowId(name), '--save', saved);
      expect(replayed).toMatchObject({ code: 0, stderr: '' });
      expect(replayed.stdout).toMatch(/^OK: connector:.* replayed \d+ events/);
      expect((await tconnect('replay', '--file', saved)).code).toBe(0);
    } finally {
      const deleted = await tconnect('delete', name);
      expect(deleted.stdout).toBe(`Connector ${name} deleted\n`);
    }
    const gone = await tconnect('status', name);
    expect(gone).toMatchObject({ code: 1, stdout: '' });
    expect(gone.stderr).toMatch(/^error: Connector .* not found/);
  }, 180_000);
});
