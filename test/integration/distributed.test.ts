import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { freePort } from '../../src/standalone/dev-server.js';
import { mysqlConnection } from '../helpers/clients.js';
import { jdbcIncrementing } from '../helpers/connectors.js';
import { distinctIds, topicSize } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics, spawnTconnect, waitHealthy, type TconnectProcess } from '../helpers/tconnect-process.js';

const TOTAL = 20_000;

describe('three `tconnect distributed` workers on one task queue', () => {
  const env = stackEnv();
  const table = uniqueIdent('dist');
  const name = `dist-${table}`;
  const topic = `dist.${table}`;
  const workers = new Map<string, { proc: TconnectProcess; base: string }>();
  let db: mysql.Connection;
  let dir: string;

  const status = async (base: string) => (await fetch(`${base}/connectors/${name}/status`)).json();

  beforeAll(async () => {
    db = await mysqlConnection();
    await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    for (let i = 0; i < TOTAL; i += 5000) {
      await db.query(`INSERT INTO \`${table}\` (v) VALUES ?`, [Array.from({ length: 5000 }, (_, j) => [`row-${i + j}`])]);
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-dist-'));
    const props = path.join(dir, 'worker.properties');
    await writeFile(props, [
      `bootstrap.servers=${env.KAFKA_BOOTSTRAP_SERVERS}`,
      `temporal.address=${env.TEMPORAL_ADDRESS}`,
      `temporal.namespace=${env.TEMPORAL_NAMESPACE}`,
      `temporal.task.queue=${uniqueName('dist')}`,
    ].join('\n'));
    for (const id of ['dist-a', 'dist-b', 'dist-c']) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      // Same file, each its own listener (environment over file, as in Confluent's images).
      const proc = spawnTconnect(['distributed', props], { CONNECT_LISTENERS: base, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'warn' });
      workers.set(id, { proc, base });
    }
    await Promise.all([...workers.values()].map((w) => waitHealthy(w.base, w.proc)));
  });

  afterAll(async () => {
    const alive = [...workers.values()].find((w) => w.proc.child.exitCode === null && w.proc.child.signalCode === null);
    if (alive) await fetch(`${alive.base}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
    await Promise.all([...workers.values()].map((w) => w.proc.stop()));
    await db?.query(`DROP TABLE IF EXISTS \`${table}\``);
    await db?.end();
    await deleteTopics([topic]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('kill -9 of the worker running the task: another takes it over within 15 s and no row is lost', async () => {
    const a = workers.get('dist-a')!;
    const created = await fetch(`${a.base}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        config: {
          'connector.class': 'JdbcSource',
          ...jdbcIncrementing(table),
          'topic.prefix': 'dist.',
          // Small batches so the kill lands mid-stream.
          'batch.max.rows': '500',
          'temporal.batch.max.records': '500',
        },
      }),
    });
    expect(created.status).toBe(201);

    // Every worker's REST API sees the connector: the state is Temporal's, not a worker's. The list
    // comes from Temporal's visibility store, which is written after the start (asynchronously: on
    // the PostgreSQL-backed server under load, a moment later), as a Connect follower lists a new
    // connector once it has read the config topic that far.
    for (const w of workers.values()) {
      await waitFor(async () => JSON.stringify(await (await fetch(`${w.base}/connectors`)).json()) === JSON.stringify([name]), { what: `${w.base} to list ${name}`, timeout: 30_000 });
    }

    await waitFor(async () => (await topicSize(topic)) >= 1000, { what: 'first batches', timeout: 90_000 });
    const before = await status(a.base);
    const victimId: string = before.tasks[0].worker_id;
    expect(workers.has(victimId)).toBe(true);
    const victim = workers.get(victimId)!;
    const survivor = [...workers.entries()].find(([id]) => id !== victimId)![1];

    victim.proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.proc.exited;
    const sizeAtKill = await topicSize(topic);
    expect(sizeAtKill).toBeLessThan(TOTAL);

    // Taken over: the task runs on a live worker (status) and records flow again (topic).
    let reassignedMs: number | undefined;
    const takeover = await waitFor(async () => {
      const t = (await status(survivor.base)).tasks?.[0];
      const moved = t?.state === 'RUNNING' && t.worker_id !== victimId;
      if (moved) reassignedMs ??= Date.now() - killedAt;
      return moved && (await topicSize(topic)) > sizeAtKill ? t : undefined;
    }, { what: 'takeover', timeout: 120_000, interval: 250 });
    const takeoverMs = Date.now() - killedAt;
    console.log(`distributed: task moved from ${victimId} to ${takeover.worker_id}: shown RUNNING there after ${reassignedMs} ms, producing again after ${takeoverMs} ms`);

    // At-least-once: the batch in flight at the kill may be produced twice; count distinct ids.
    const ids = await distinctIds(topic, TOTAL, (v) => JSON.parse(v).payload.id);
    expect(ids.size).toBe(TOTAL);
    // At-least-once: at most the batch in flight at the kill is produced twice.
    expect(await topicSize(topic)).toBeLessThanOrEqual(TOTAL + 1000);
    expect(takeoverMs).toBeLessThan(15_000);
  });
});
