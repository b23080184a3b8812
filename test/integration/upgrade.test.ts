// A code upgrade under a running connector, as users roll one: an earlier build of temporal-connect
// runs a JDBC source, the current build starts beside it on the same task queue, the old worker is
// stopped (SIGTERM, as a rolling update does), and the connector carries on on the new code. Its
// workflows were started by the old workflow code and are replayed by the new one: no
// nondeterminism, no task stopped (the connector and its task stay RUNNING), no row lost.
//
// The earlier build is commit 7b6da5d, whose workflow code differs from today's: the connector
// state machine and the runtime settings moved into pure modules since, and a connector created
// PAUSED plans no tasks (behind patched()). It runs from a `git archive` of that commit, with this
// checkout's node_modules, through tsx as that version's bin did.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/standalone/dev-server.js';
import { mysqlConnection, temporalClient } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { distinctIds } from '../helpers/kafka.js';
import { REPO_ROOT, stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics, spawnTconnect, waitHealthy, type TconnectProcess } from '../helpers/tconnect-process.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';

const OLD_BUILD = '7b6da5d';

describe('upgrading worker code under a running connector', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tc-upgrade-'));
  const oldRoot = path.join(dir, 'old');
  const table = uniqueIdent('upgrade_rows');
  const prefix = uniqueName('upg-');
  const topic = `${prefix}${table}`;
  const name = uniqueName('upgrade');
  const taskQueue = uniqueName('upgrade-q');
  const procs: TconnectProcess[] = [];

  function worker(bin: string, base: string): TconnectProcess {
    const env = stackEnv();
    const p = spawnTconnect(['distributed'], {
      TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE, KAFKA_BOOTSTRAP_SERVERS: env.KAFKA_BOOTSTRAP_SERVERS,
      TCONNECT_TASK_QUEUE: taskQueue, CONNECT_LISTENERS: base, TCONNECT_LOG_LEVEL: 'info',
    }, { keepAll: true, ...(bin === 'old' ? { root: oldRoot } : {}) });
    procs.push(p);
    return p;
  }

  async function insert(from: number, to: number): Promise<void> {
    const db = await mysqlConnection();
    try {
      const rows = Array.from({ length: to - from + 1 }, (_, i) => [from + i, `row-${from + i}`]);
      await db.query(`INSERT INTO \`${table}\` (id, label) VALUES ?`, [rows]);
    } finally {
      await db.end();
    }
  }

  beforeAll(async () => {
    const git = (...args: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      git('cat-file', '-e', `${OLD_BUILD}^{commit}`);
    } catch {
      // A shallow clone lacks the earlier build: fetch that one commit from the origin.
      try {
        git('fetch', '--quiet', '--depth=1', 'origin', OLD_BUILD);
      } catch (e) {
        throw new Error(`the upgrade test runs the earlier build ${OLD_BUILD} from git history, which this clone lacks and could not fetch (${(e as Error).message.trim()}); run it from a full clone (git fetch --unshallow)`, { cause: e });
      }
    }
    execFileSync('sh', ['-c', `mkdir -p '${oldRoot}' && git -C '${REPO_ROOT}' archive ${OLD_BUILD} | tar -x -C '${oldRoot}'`]);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(oldRoot, 'node_modules'));
    const db = await mysqlConnection();
    try {
      await db.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, label VARCHAR(64) NOT NULL)`);
    } finally {
      await db.end();
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) await p.stop(5000).catch(() => undefined);
    const db = await mysqlConnection();
    await db.query(`DROP TABLE IF EXISTS \`${table}\``).finally(() => db.end());
    await deleteTopics([topic]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the old worker stops, the new one carries the connector on: RUNNING on the new worker, no row lost, no workflow task failed', async () => {
    const oldBase = `http://127.0.0.1:${await freePort()}`;
    const oldWorker = worker('old', oldBase);
    await waitHealthy(oldBase, oldWorker, 180_000);
    const http = async (base: string, method: string, p: string, body?: unknown) => {
      const r = await fetch(base + p, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };
    await insert(1, 300);
    const created = await http(oldBase, 'POST', '/connectors', {
      name,
      config: {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', ...jdbcIncrementing(table), 'topic.prefix': prefix,
        'poll.interval.ms': '200',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const idOf = (v: string) => (JSON.parse(v) as { payload: { id: number } }).payload.id;
    const explain = async (e: unknown, base: string, p: TconnectProcess) => {
      const st = await http(base, 'GET', `/connectors/${name}/status`).catch((x: Error) => x.message);
      return new Error(`${(e as Error).message}\nstatus: ${JSON.stringify(st)}\n--- worker output ---\n${p.output().slice(-6000)}`, { cause: e });
    };
    await distinctIds(topic, 300, idOf, 120_000).catch(async (e) => { throw await explain(e, oldBase, oldWorker); });

    // The new build joins the task queue, then the old one leaves.
    const newBase = `http://127.0.0.1:${await freePort()}`;
    const newWorker = worker('new', newBase);
    await waitHealthy(newBase, newWorker, 180_000);
    expect(await oldWorker.stop(60_000)).toBe(0);
    await insert(301, 600);
    await distinctIds(topic, 600, idOf).catch(async (e) => { throw await explain(e, newBase, newWorker); });

    const status = await waitFor(async () => {
      const s = (await http(newBase, 'GET', `/connectors/${name}/status`)).body;
      return s?.connector?.state === 'RUNNING' && s.tasks?.length === 1 && s.tasks[0].state === 'RUNNING' ? s : undefined;
    }, { what: `${name} RUNNING on the new worker`, timeout: 60_000 });
    expect(status.tasks[0].worker_id).toMatch(new RegExp(`:${newWorker.child.pid}$`));

    // The new code replayed the old code's histories: not one workflow task failed.
    const { client, connection } = await temporalClient();
    try {
      for (const id of [connectorWorkflowId(name), taskWorkflowId(name, 0)]) {
        const history = await client.workflow.getHandle(id).fetchHistory();
        const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
        expect(failed.map((e) => JSON.stringify(e.workflowTaskFailedEventAttributes?.failure?.message)), id).toEqual([]);
      }
    } finally {
      await connection.close();
    }
    expect(newWorker.output()).not.toMatch(/nondetermin|TMPRL1100/i);
    expect((await http(newBase, 'DELETE', `/connectors/${name}`)).status).toBe(204);
  }, 600_000);
});
