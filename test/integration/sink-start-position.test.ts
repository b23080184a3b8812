import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type mysql from 'mysql2/promise';
import { ConnectClient } from '../../src/client/index.js';
import { kafka, mysqlConnection } from '../helpers/clients.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

// Where a sink starts: the committed offsets of group connect-<name>, else
// consumer.override.auto.offset.reset (earliest by default). insert.mode=insert with pk.mode=none
// is not idempotent, so any re-delivery would show as extra rows.
describe('sink start position', () => {
  const env = stackEnv();
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let sdk: ConnectClient;
  let db: mysql.Connection;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    worker = await testWorker();
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
    db = await mysqlConnection();
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sdk?.close();
    await worker?.shutdown();
    await db?.end();
  });

  async function produce(topic: string, from: number, n: number) {
    const p = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    await p.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: JSON.stringify({ schema: { type: 'struct', optional: false, fields: [{ field: 'n', type: 'int32', optional: false }] }, payload: { n: from + i } }) })) });
    await p.disconnect();
  }

  const rows = async (table: string): Promise<number[]> => {
    const [r] = await db.query(`SELECT n FROM \`${table}\` ORDER BY n`).catch(() => [[]]);
    return (r as Array<{ n: number }>).map((x) => x.n);
  };

  function config(topic: string, extra: Record<string, string> = {}) {
    return {
      'connector.class': 'JdbcSink',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': env.MYSQL_PASSWORD,
      topics: topic,
      'auto.create': 'true',
      'insert.mode': 'insert',
      'pk.mode': 'none',
      ...extra,
    };
  }

  it('a connector created again under the same name resumes from group connect-<name>, not from the beginning', async () => {
    const topic = uniqueIdent('startpos');
    cleanups.push(() => db.query(`DROP TABLE IF EXISTS \`${topic}\``));
    await produce(topic, 1, 5);
    const name = `startpos-${topic}`;
    await sdk.create({ name, config: config(topic) });
    await waitFor(async () => (await rows(topic)).length === 5, { what: '5 rows', timeout: 60_000 });
    await waitFor(async () => {
      const admin = kafka().admin();
      await admin.connect();
      const o = await admin.fetchOffsets({ groupId: `connect-${name}`, topics: [topic] });
      await admin.disconnect();
      return o[0].partitions[0].offset === '5';
    }, { what: 'group offset 5' });
    await sdk.delete(name);

    await produce(topic, 6, 3);
    await sdk.create({ name, config: config(topic) });
    cleanups.push(() => sdk.delete(name));
    await waitFor(async () => (await rows(topic)).length >= 8, { what: '8 rows', timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await rows(topic)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('without committed offsets, consumer.override.auto.offset.reset=latest skips what was there before', async () => {
    const topic = uniqueIdent('startlatest');
    cleanups.push(() => db.query(`DROP TABLE IF EXISTS \`${topic}\``));
    await produce(topic, 1, 4);
    const name = `startlatest-${topic}`;
    await sdk.create({ name, config: config(topic, { 'consumer.override.auto.offset.reset': 'latest' }) });
    cleanups.push(() => sdk.delete(name));
    await waitFor(async () => (await sdk.status(name)).tasks[0]?.state === 'RUNNING', { what: 'RUNNING' });
    // Give the task time to open its consumer at the end of the log before new records arrive.
    await waitFor(async () => (await sdk.offsets(name)).offsets.length > 0 || (await new Promise((r) => setTimeout(() => r(false), 3000))), { what: 'task opened', timeout: 10_000 }).catch(() => undefined);
    await produce(topic, 100, 2);
    await waitFor(async () => (await rows(topic)).length >= 2, { what: 'new rows', timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await rows(topic)).toEqual([100, 101]);
  });
});
