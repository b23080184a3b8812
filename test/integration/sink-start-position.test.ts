import { describe, it, expect } from 'vitest';
import { kafka } from '../helpers/clients.js';
import { useWorker } from '../helpers/fixture.js';
import { sendJson } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor } from '../helpers/stack.js';

// Where a sink starts: the committed offsets of group connect-<name>, else
// consumer.override.auto.offset.reset (earliest by default). insert.mode=insert with pk.mode=none
// is not idempotent, so any re-delivery would show as extra rows.
describe('sink start position', () => {
  const env = stackEnv();
  const fx = useWorker({ sdk: true, db: true });

  const produce = (topic: string, from: number, n: number) =>
    sendJson(topic, Array.from({ length: n }, (_, i) => ({ schema: { type: 'struct', optional: false, fields: [{ field: 'n', type: 'int32', optional: false }] }, payload: { n: from + i } })));

  const rows = async (table: string): Promise<number[]> => {
    const [r] = await fx.db.query(`SELECT n FROM \`${table}\` ORDER BY n`).catch(() => [[]]);
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
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${topic}\``));
    await produce(topic, 1, 5);
    const name = `startpos-${topic}`;
    await fx.sdk.create({ name, config: config(topic) });
    await waitFor(async () => (await rows(topic)).length === 5, { what: '5 rows', timeout: 60_000 });
    await waitFor(async () => {
      const admin = kafka().admin();
      await admin.connect();
      const o = await admin.fetchOffsets({ groupId: `connect-${name}`, topics: [topic] });
      await admin.disconnect();
      return o[0].partitions[0].offset === '5';
    }, { what: 'group offset 5' });
    await fx.sdk.delete(name);

    await produce(topic, 6, 3);
    await fx.sdk.create({ name, config: config(topic) });
    fx.cleanups.push(() => fx.sdk.delete(name));
    await waitFor(async () => (await rows(topic)).length >= 8, { what: '8 rows', timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await rows(topic)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('without committed offsets, consumer.override.auto.offset.reset=latest skips what was there before', async () => {
    const topic = uniqueIdent('startlatest');
    fx.cleanups.push(() => fx.db.query(`DROP TABLE IF EXISTS \`${topic}\``));
    await produce(topic, 1, 4);
    const name = `startlatest-${topic}`;
    await fx.sdk.create({ name, config: config(topic, { 'consumer.override.auto.offset.reset': 'latest' }) });
    fx.cleanups.push(() => fx.sdk.delete(name));
    await waitFor(async () => (await fx.sdk.status(name)).tasks[0]?.state === 'RUNNING', { what: 'RUNNING' });
    // Give the task time to open its consumer at the end of the log before new records arrive.
    await waitFor(async () => (await fx.sdk.offsets(name)).offsets.length > 0 || (await new Promise((r) => setTimeout(() => r(false), 3000))), { what: 'task opened', timeout: 10_000 }).catch(() => undefined);
    await produce(topic, 100, 2);
    await waitFor(async () => (await rows(topic)).length >= 2, { what: 'new rows', timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await rows(topic)).toEqual([100, 101]);
  });
});
