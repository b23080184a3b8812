// Records the histories replayed by test/unit/replay.test.ts: a source and a sink connector taken
// through their lifecycle on the real stack. Re-record after an intentional workflow change:
//   eval "$(npm run --silent stack -- env)"; npx tsx test/replay/record.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConnectClient } from '../../src/client/index.js';
import { historyJson } from '../../src/cli/replay.js';
import { connectorWorkflowId, taskWorkflowId } from '../../workflows/messages.js';
import { mysqlConnection, kafka } from '../helpers/clients.js';
import { readTopic } from '../helpers/kafka.js';
import { stackEnv, uniqueIdent, waitFor, REPO_ROOT } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

const env = stackEnv();
const out = path.join(REPO_ROOT, 'test/replay/histories');
const worker = await testWorker();
const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: worker.taskQueue });
const db = await mysqlConnection();
const table = uniqueIdent('replay');
const jdbc = {
  'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
  'connection.user': env.MYSQL_USER,
  'connection.password': env.MYSQL_PASSWORD,
};

async function save(name: string, id: string) {
  const h = sdk.temporal.workflow.getHandle(id);
  const history = await h.fetchHistory();
  writeFileSync(path.join(out, `${name}.json`), historyJson(history) + '\n');
  console.log(`saved ${name}.json (${history.events?.length} events)`);
}

const state = async (n: string, want: string) => waitFor(async () => (await sdk.status(n)).tasks[0]?.state === want, { what: want });

try {
  await db.query(`CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NOT NULL)`);
  await db.query(`INSERT INTO \`${table}\` (v) VALUES ('a'),('b'),('c')`);
  const src = 'replay-source';
  await sdk.create({ name: src, config: { 'connector.class': 'JdbcSource', ...jdbc, mode: 'incrementing', 'incrementing.column.name': 'id', 'table.whitelist': table, 'topic.prefix': 'replay.', 'temporal.batch.max.records': '2' } });
  await readTopic(`replay.${table}`, 3);
  await sdk.pause(src); await state(src, 'PAUSED');
  await sdk.resume(src); await state(src, 'RUNNING');
  await save('source-task-paused', taskWorkflowId(src, 0));
  await sdk.stop(src);
  await waitFor(async () => (await sdk.status(src)).connector.state === 'STOPPED', { what: 'STOPPED' });
  await sdk.alterOffsets(src, { offsets: [{ partition: { protocol: '1', table: `${env.MYSQL_DATABASE}.${table}` }, offset: { incrementing: 1 } }] });
  await sdk.resume(src); await state(src, 'RUNNING');
  await readTopic(`replay.${table}`, 5);
  await save('source-task', taskWorkflowId(src, 0));
  // A reconfigure sending the config back as read (secret [hidden]): validated and planned before the tasks change.
  await sdk.reconfigure(src, { ...(await sdk.config(src)), 'poll.interval.ms': '300' }); await state(src, 'RUNNING');
  await db.query(`INSERT INTO \`${table}\` (v) VALUES ('d')`);
  await readTopic(`replay.${table}`, 6);
  await sdk.delete(src);
  await save('source-connector', connectorWorkflowId(src));

  const sink = 'replay-sink';
  const topic = `replay.${table}`;
  await sdk.create({ name: sink, config: { 'connector.class': 'JdbcSink', ...jdbc, topics: topic, 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id', 'table.name.format': `${table}_copy` } });
  await waitFor(async () => {
    const [rows] = await db.query(`SELECT COUNT(*) AS n FROM \`${table}_copy\``).catch(() => [[{ n: 0 }]]);
    return (rows as Array<{ n: number }>)[0].n === 4;
  }, { what: 'sink rows' });
  await sdk.restart(sink, { includeTasks: true }); await state(sink, 'RUNNING');
  await save('sink-task', taskWorkflowId(sink, 0));
  await sdk.delete(sink);
  await save('sink-connector', connectorWorkflowId(sink));
} finally {
  await db.query(`DROP TABLE IF EXISTS \`${table}\``);
  await db.query(`DROP TABLE IF EXISTS \`${table}_copy\``);
  const admin = kafka().admin(); await admin.connect(); await admin.deleteTopics({ topics: [`replay.${table}`] }).catch(() => undefined); await admin.disconnect();
  await db.end();
  await sdk.close();
  await worker.shutdown();
}
