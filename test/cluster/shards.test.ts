// The production-shaped Temporal (service temporal_cluster: the Temporal server on PostgreSQL with
// TEMPORAL_CLUSTER_SHARDS history shards) spreads the workflows of several connectors over more than
// one history shard, and they all run there. Where each workflow lives is read from the server's own
// tables in PostgreSQL (current_executions.shard_id; the shards table holds one row per shard).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../src/client/index.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';
import { readTopic } from '../helpers/kafka.js';
import { pgEnv } from '../helpers/postgres.js';
import { serviceEnv, stackEnv, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';
import { testWorker } from '../helpers/worker.js';

const CONNECTORS = 8;

describe('connectors on the clustered Temporal land on several history shards', () => {
  const env = stackEnv();
  const names = Array.from({ length: CONNECTORS }, (_, i) => uniqueName(`shard${i}`));
  const topics = names.map((n) => `${n}.lines`);
  let dir: string;
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let sdk: ConnectClient;
  let db: pg.Client;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tconnect-shards-'));
    worker = await testWorker({ workerConfig: { 'file.connectors.allowed.paths': dir } });
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
    const p = pgEnv();
    db = new pg.Client({
      host: p.POSTGRES_HOST, port: Number(p.POSTGRES_PORT), user: p.POSTGRES_USER, password: p.POSTGRES_PASSWORD,
      database: serviceEnv('TEMPORAL_CLUSTER_DB', 'temporal_cluster'),
    });
    await db.connect();
  });

  afterAll(async () => {
    for (const n of names) await sdk?.delete(n).catch(() => undefined);
    await sdk?.close();
    await worker?.shutdown();
    await db?.end();
    await deleteTopics(topics);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`${CONNECTORS} FileStream sources run, and their workflows sit on more than one of the cluster's shards`, async () => {
    // Not the dev server (one shard): the address is the cluster's, and its shards table has them all.
    expect(env.TEMPORAL_ADDRESS).toBe(serviceEnv('TEMPORAL_CLUSTER_ADDRESS', 'temporal_cluster'));
    const shards = Number(serviceEnv('TEMPORAL_CLUSTER_SHARDS', 'temporal_cluster'));
    expect(shards).toBeGreaterThanOrEqual(4);
    const { rows: [{ n }] } = await db.query('SELECT count(*)::int AS n FROM shards');
    expect(n).toBe(shards);

    await Promise.all(names.map(async (name, i) => {
      const file = path.join(dir, `${name}.txt`);
      await writeFile(file, `${name} first\n${name} second\n`);
      await sdk.create({
        name,
        config: { 'connector.class': 'FileStreamSource', file, topic: topics[i], 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' },
      });
    }));
    for (const [i, name] of names.entries()) {
      await waitFor(async () => {
        const s = await sdk.status(name);
        return s.connector.state === 'RUNNING' && s.tasks.length === 1 && s.tasks[0].state === 'RUNNING';
      }, { what: `${name} RUNNING`, timeout: 90_000 });
      expect((await readTopic(topics[i], 2)).map((m) => m.value)).toEqual([`${name} first`, `${name} second`]);
    }

    // The executions in the server's own tables: every connector's and task's workflow, each on one shard.
    const ids = names.flatMap((name) => [connectorWorkflowId(name), taskWorkflowId(name, 0)]);
    const { rows } = await db.query<{ workflow_id: string; shard_id: number }>(
      'SELECT workflow_id, shard_id FROM current_executions WHERE workflow_id = ANY($1::text[])', [ids]);
    const shardOf = new Map(rows.map((r) => [r.workflow_id, r.shard_id]));
    expect([...shardOf.keys()].sort()).toEqual([...ids].sort());
    const used = new Set(shardOf.values());
    console.log(`shards: ${ids.length} workflows of ${CONNECTORS} connectors on shards ${[...used].sort().join(', ')} of ${shards}`);
    expect(used.size).toBeGreaterThan(1);
    expect([...used].every((s) => s >= 1 && s <= shards)).toBe(true);
  });
});
