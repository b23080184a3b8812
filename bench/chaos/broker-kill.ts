// A broker of a three-broker Kafka killed (kill -9) mid-stream under a MariaDB → Kafka → MariaDB
// pipeline, and started again. The cluster is a private kafka3 (scripts/stack/services/kafka3.sh) on
// free ports and its own run directory, so the shared one is never faulted; MariaDB and Temporal are
// the stack's. Rows keep arriving in the source table the whole time (a feeder), so the pipeline is
// mid-stream when the broker dies and while it is away.
import net from 'node:net';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { stackEnv, uniqueIdent, waitFor } from '../../test/helpers/stack.js';
import { Progress, WorkerCluster, tallyTopic, topicEnd, type ScenarioResult } from './lib.js';
import { PrivateServer, baseProps, createConnector, db, insertRows, sourceConfig, type Size } from './scenarios.js';

export interface BrokerKillResult extends ScenarioResult {
  /** Seconds from `up` of the private three-broker cluster (jars cached, storage formatted) to every broker serving. */
  clusterStartMs: number;
  /** The broker killed: the leader of the data topic's partition 0 then. */
  killed: string;
  /** From the kill to the first row after it in the sink table. */
  sinkRecoverMs: number;
  /** From `start-one` of the killed broker to it being back in the ISR of every partition of the pipeline's topics. */
  rejoinMs: number;
  /** Partitions and replicas of each topic the worker created: data (topic.creation.*), offsets (offset.storage.*), DLQ. */
  topics: Record<'data' | 'offsets' | 'dlq', { partitions: number; replicas: number[] }>;
  /** Records in the dead letter queue (one poison record is produced on purpose). */
  dlqRecords: number;
  /** The sink table holds exactly the source table's rows (id, v, n). */
  tableMatches: boolean;
  rowsInTable: number;
  /** States other than RUNNING seen by polling both connectors' status during the run, with counts. */
  notRunningSeen: Record<string, number>;
}

/** `n` consecutive ports from `base`, none listening now. */
async function freePortRun(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ok = await Promise.all(Array.from({ length: n }, (_, i) => new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(base + i, '127.0.0.1', () => s.close(() => resolve(true)));
    })));
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no run of free ports found');
}

async function describeTopic(admin: Admin, topic: string): Promise<{ partitions: number; replicas: number[]; leader0: number; isr: number[][] }> {
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const ps = [...md.topics[0].partitions].sort((a, b) => a.partitionId - b.partitionId);
  return { partitions: ps.length, replicas: ps.map((p) => p.replicas.length), leader0: ps[0].leader, isr: ps.map((p) => p.isr) };
}

export async function kafkaBrokerKill(size: Size): Promise<BrokerKillResult> {
  const scenario = 'Kafka broker killed (kill -9) in a 3-broker cluster, RF 3';
  const env = stackEnv();
  const port = await freePortRun(3);
  const controller = await freePortRun(3);
  const kafka3 = new PrivateServer('kafka3', { KAFKA3_PORT: String(port), KAFKA3_CONTROLLER_PORT: String(controller), KAFKA3_HEAP: '-Xms128m -Xmx320m' });
  const brokers = [0, 1, 2].map((i) => `127.0.0.1:${port + i}`).join(',');
  const id = uniqueIdent('k3_kill');
  const source = id.replace(/_/g, '-');
  const sink = `${source}-sink`;
  const topic = `k3.${id}`;
  const offsetsTopic = `k3-offsets-${id}`;
  const dlq = `k3-dlq-${id}`;
  const out = `${id}_out`;
  const conn = await db();
  const cluster = new WorkerCluster({
    taskQueue: `k3-${id}`,
    // The worker is told to replicate its offsets topic 3 times (and to give it 3 partitions, not our default 5).
    props: baseProps({ 'bootstrap.servers': brokers, 'offset.storage.replication.factor': '3', 'offset.storage.partitions': '3' }),
  });
  const kafka = new Kafka({ clientId: 'tconnect-k3', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const sinkCount = async () => Number(((await conn.query(`SELECT COUNT(*) AS c FROM \`${out}\``))[0] as Array<{ c: number }>)[0].c);
  const topicProgress = new Progress(() => topicEnd(kafka, topic), Number.MAX_SAFE_INTEGER);
  const sinkProgress = new Progress(() => sinkCount().catch(() => 0), Number.MAX_SAFE_INTEGER);
  const notRunningSeen: Record<string, number> = {};
  let fed = 0;
  let feeding = true;
  let feeder: Promise<void> = Promise.resolve();
  let watcher: NodeJS.Timeout | undefined;
  try {
    const started = Date.now();
    await kafka3.stack('start-one');
    const clusterStartMs = Date.now() - started;
    size.log?.(`${scenario}: private kafka3 up on ${brokers} in ${(clusterStartMs / 1000).toFixed(1)} s`);
    await admin.connect();

    await conn.query(`CREATE TABLE \`${id}\` (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT NULL)`);
    fed = size.batch * 5;
    await insertRows(conn, id, 1, fed);
    // Debug level: the sink's batches (positions, lag) and its consumer's group events, for a stall to be explained.
    await Promise.all([cluster.add({ TCONNECT_LOG_LEVEL: 'debug' }), cluster.add({ TCONNECT_LOG_LEVEL: 'debug' })]);
    await createConnector(cluster, source, {
      ...sourceConfig(id, 'k3.', size, { offsetsTopic }),
      'topic.creation.default.replication.factor': '3',
      'topic.creation.default.partitions': '2',
    });
    topicProgress.start();
    // The source creates the data topic (topic.creation.*) before the sink looks for it.
    await topicProgress.waitFor(1, 120_000, 'the source\'s first records');
    await createConnector(cluster, sink, {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`,
      'connection.user': env.MYSQL_USER,
      'connection.password': env.MYSQL_PASSWORD,
      topics: topic,
      'table.name.format': out,
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '3',
      'temporal.batch.max.records': String(size.batch),
    });
    await Promise.all([cluster.waitRunning(source), cluster.waitRunning(sink)]);
    // From here on both must stay RUNNING: every state seen otherwise is counted.
    watcher = setInterval(() => {
      for (const name of [source, sink]) {
        void cluster.status(name).then((s) => {
          for (const st of [s.connector.state, ...s.tasks.map((t) => t.state)]) if (st !== 'RUNNING') notRunningSeen[`${name === source ? 'source' : 'sink'} ${st}`] = (notRunningSeen[`${name === source ? 'source' : 'sink'} ${st}`] ?? 0) + 1;
        }).catch(() => undefined);
      }
    }, 2000); // Each poll is a workflow query per connector: at 2 s, little load on a busy Temporal.
    // One record the sink's JsonConverter cannot read: it goes to the dead letter queue.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'not json' }] });
    await producer.disconnect();
    sinkProgress.start();
    // Rows keep arriving, a tenth of a batch five times a second, until told to stop: a steady
    // stream the pipeline keeps up with on a busy machine, so a stall is the fault's.
    const chunk = Math.max(10, Math.round(size.batch / 10));
    feeder = (async () => {
      while (feeding) {
        await insertRows(conn, id, fed + 1, fed + chunk);
        fed += chunk;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await sinkProgress.waitFor(size.batch * 3, 300_000, 'the sink\'s first rows');

    const before = await describeTopic(admin, topic);
    const victim = `kafka3-${before.leader0}`;
    await kafka3.stack('kill-one', victim);
    await Promise.all([topicProgress.fault(), sinkProgress.fault()]);
    size.log?.(`${scenario}: killed ${victim} (leader of ${topic}-0) at ${sinkProgress.current} rows in the sink, ${fed} fed`);
    // The pipeline goes on with two brokers: new rows reach the sink before the third is back.
    const atKill = fed;
    await waitFor(async () => (await sinkCount()) > atKill, { timeout: 300_000, interval: 250, what: 'rows fed after the kill in the sink, on two brokers' });
    const restart = Date.now();
    await kafka3.stack('start-one', victim);
    const node = Number(victim.slice('kafka3-'.length));
    const watched = [topic, offsetsTopic, dlq];
    await waitFor(async () => {
      for (const t of watched) if (!(await describeTopic(admin, t)).isr.every((isr) => isr.includes(node))) return false;
      return true;
    }, { timeout: 300_000, interval: 500, what: `${victim} back in the ISR of ${watched.join(', ')}` });
    const rejoinMs = Date.now() - restart;
    size.log?.(`${scenario}: ${victim} back in every ISR ${(rejoinMs / 1000).toFixed(1)} s after start-one`);
    // A few more batches with all three brokers, then the feeder stops.
    const atRejoin = fed;
    await waitFor(() => fed >= Math.max(size.rows, atRejoin + size.batch * 3), { timeout: 300_000, interval: 200, what: 'the feeder to finish' });
    feeding = false;
    await feeder;
    await waitFor(async () => (await sinkCount()) >= fed, { timeout: 300_000, interval: 250, what: `all ${fed} rows in the sink table` });
    topicProgress.stop();
    sinkProgress.stop();
    await Promise.all([cluster.waitRunning(source), cluster.waitRunning(sink)]);
    clearInterval(watcher);

    const tally = await tallyTopic(kafka, topic, fed, (v) => {
      try { return Number((JSON.parse(v) as { payload?: { id: number } }).payload?.id); } catch { return NaN; }
    });
    const rowsOf = async (t: string) => JSON.stringify((await conn.query(`SELECT id, v, n FROM \`${t}\` ORDER BY id`))[0]);
    const [inRows, outRows] = [await rowsOf(id), await rowsOf(out)];
    await waitFor(async () => (await topicEnd(kafka, dlq)) >= 1, { timeout: 120_000, what: 'the poison record in the DLQ' });
    const dlqRecords = await topicEnd(kafka, dlq);
    const shape = async (t: string) => {
      const d = await describeTopic(admin, t);
      return { partitions: d.partitions, replicas: d.replicas };
    };
    return {
      scenario, faults: 1, ...tally, out: tally.out - 1, // the poison record is not a row
      longestStallMs: sinkProgress.longestStallMs, recoverMs: topicProgress.recoverMs, sinkRecoverMs: sinkProgress.recoverMs,
      allRunning: Object.keys(notRunningSeen).length === 0,
      note: `kill -9 of the leader of ${topic}-0; stall and recovery measured on the sink table`,
      clusterStartMs, killed: victim, rejoinMs,
      topics: { data: await shape(topic), offsets: await shape(offsetsTopic), dlq: await shape(dlq) },
      dlqRecords, tableMatches: inRows === outRows, rowsInTable: JSON.parse(outRows).length, notRunningSeen,
    };
  } finally {
    feeding = false;
    await feeder.catch(() => undefined);
    clearInterval(watcher);
    topicProgress.stop();
    sinkProgress.stop();
    for (const name of [sink, source]) await cluster.request('DELETE', `/connectors/${name}`).catch(() => undefined);
    await cluster.stopAll();
    await admin.disconnect().catch(() => undefined);
    await conn.query(`DROP TABLE IF EXISTS \`${id}\``).catch(() => undefined);
    await conn.query(`DROP TABLE IF EXISTS \`${out}\``).catch(() => undefined);
    await conn.end().catch(() => undefined);
    // The private cluster goes whole, with its topics.
    await kafka3.remove();
  }
}
