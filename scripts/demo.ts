// The Quick start's main job: MariaDB table `orders` → Kafka topic `mysql.orders` → Elasticsearch,
// run by temporal-connect on the local stack. Run through `npm run demo` (which starts the stack).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as Elastic } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { ConnectClient, ConnectorNotFoundError } from '../src/client/index.js';
import { secretsKey, secretsKeyFile } from '../src/config/secret-box.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env as Record<string, string>;
for (const k of ['TEMPORAL_ADDRESS', 'KAFKA_BOOTSTRAP_SERVERS', 'MYSQL_HOST', 'ELASTICSEARCH_URL', 'KAFKA_BIN']) {
  if (!env[k]) throw new Error(`${k} is not set: run this through 'npm run demo'`);
}
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const say = (s = '') => console.log(s);

/** The unprivileged account the demo's worker runs as when the demo runs as root. */
const WORKER_USER = 'tconnect-worker';

/** uid/gid of WORKER_USER (created when missing) when running as root; undefined otherwise. */
function workerAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, WORKER_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', WORKER_USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * A `tconnect worker` left running after the demo (stopped by `npm run stack -- down`). As root it
 * runs as WORKER_USER: a worker needs no privileges, and a REST user or a connector must not act
 * as root. It gets a copy of this user's secrets key, so `npx tconnect create` run here encrypts
 * secrets it can read.
 */
function ensureWorker(): void {
  const dir = path.join(env.TC_STACK_RUN, 'worker');
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'worker.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 0);
      say(`worker: already running (pid ${readFileSync(pidFile, 'utf8').trim()}, log ${path.join(dir, 'worker.log')})`);
      return;
    } catch {
      // stale pid file
    }
  }
  const account = workerAccount();
  const workerEnv: NodeJS.ProcessEnv = { ...process.env, TCONNECT_WORKER_ID: 'demo-worker' };
  if (account) {
    const bundles = path.join(dir, 'bundles');
    mkdirSync(bundles, { recursive: true });
    for (const p of [dir, bundles]) chownSync(p, account.uid, account.gid);
    Object.assign(workerEnv, { HOME: dir, TCONNECT_BUNDLE_DIR: bundles });
    // TCONNECT_SECRETS_KEY, when set, reaches the worker through its environment; else a copy of the key file.
    if (!process.env.TCONNECT_SECRETS_KEY?.trim()) {
      secretsKey({ create: true });
      const key = path.join(dir, 'secrets.key');
      copyFileSync(secretsKeyFile(), key);
      chownSync(key, account.uid, account.gid);
      chmodSync(key, 0o600);
      workerEnv.TCONNECT_SECRETS_KEY_FILE = key;
    }
  }
  const log = openSync(path.join(dir, 'worker.log'), 'a');
  const child = spawn(process.execPath, [path.join(root, 'bin/tconnect.mjs'), 'worker'], {
    cwd: root,
    env: workerEnv,
    detached: true,
    stdio: ['ignore', log, log],
    ...(account ?? {}),
  });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  say(`worker: started tconnect worker (pid ${child.pid}${account ? `, user ${WORKER_USER}` : ''}, log ${path.join(dir, 'worker.log')})`);
}

async function seed(): Promise<number> {
  const db = await mysql.createConnection({ host: env.MYSQL_HOST, port: Number(env.MYSQL_PORT), user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE });
  await db.query(`CREATE TABLE IF NOT EXISTS orders (
    id INT AUTO_INCREMENT PRIMARY KEY,
    customer VARCHAR(64) NOT NULL,
    product VARCHAR(64) NOT NULL,
    quantity INT NOT NULL,
    amount DECIMAL(10,2) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'NEW',
    updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
  )`);
  const customers = ['ada', 'grace', 'linus', 'margaret', 'ken'];
  const products = ['keyboard', 'monitor', 'mouse', 'laptop', 'headset'];
  const rows = Array.from({ length: 10 }, (_, i) => [customers[i % 5], products[(i * 3) % 5], 1 + (i % 4), (19.99 + i * 7.5).toFixed(2)]);
  await db.query('INSERT INTO orders (customer, product, quantity, amount) VALUES ?', [rows]);
  // An update, which timestamp+incrementing mode picks up too.
  await db.query("UPDATE orders SET status = 'SHIPPED' WHERE id = 1");
  const [r] = await db.query('SELECT COUNT(*) AS n FROM orders');
  await db.end();
  return (r as Array<{ n: number }>)[0].n;
}

async function upsert(sdk: ConnectClient, name: string, config: Record<string, string>): Promise<void> {
  try {
    await sdk.get(name);
    await sdk.reconfigure(name, config);
    say(`connector ${name}: reconfigured`);
  } catch (e) {
    if (!(e instanceof ConnectorNotFoundError)) throw e;
    await sdk.create({ name, config });
    say(`connector ${name}: created`);
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; see the worker log and 'npx tconnect status <name>'`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const rows = await seed();
say(`mariadb: table orders has ${rows} rows`);
ensureWorker();
const sdk = await ConnectClient.connect();
const jdbcUrl = `jdbc:mysql://${env.MYSQL_HOST}:${env.MYSQL_PORT}/${env.MYSQL_DATABASE}`;
await upsert(sdk, 'mysql-orders', {
  'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
  'connection.url': jdbcUrl,
  'connection.user': env.MYSQL_USER,
  // The SDK encrypts a plain password into ${enc:…} before it reaches Temporal. A reference such as
  // ${env:MYSQL_PASSWORD} would need the worker to enable the env provider (off by default):
  // config.providers=env and config.providers.env.param.allowlist.pattern=MYSQL_PASSWORD in its
  // worker config (see the README's Secrets section).
  'connection.password': env.MYSQL_PASSWORD,
  'table.whitelist': 'orders',
  mode: 'timestamp+incrementing',
  'timestamp.column.name': 'updated_at',
  'incrementing.column.name': 'id',
  'topic.prefix': 'mysql.',
  'poll.interval.ms': '1000',
  transforms: 'key,id',
  'transforms.key.type': 'org.apache.kafka.connect.transforms.ValueToKey',
  'transforms.key.fields': 'id',
  'transforms.id.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
  'transforms.id.field': 'id',
});
await upsert(sdk, 'es-orders', {
  'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
  'connection.url': env.ELASTICSEARCH_URL,
  topics: 'mysql.orders',
  'key.ignore': 'false',
  'schema.ignore': 'false',
  'write.method': 'upsert',
});

const es = new Elastic({ node: env.ELASTICSEARCH_URL });
const count = await waitFor('every order in Elasticsearch', async () => {
  await es.indices.refresh({ index: 'mysql.orders' });
  const c = await es.count({ index: 'mysql.orders' });
  return c.count >= rows ? c.count : undefined;
});

// On a re-run the documents are already there: also wait until every task runs on a worker.
const statuses = await waitFor('every task RUNNING on a worker', async () => {
  const all = await Promise.all(['mysql-orders', 'es-orders'].map((n) => sdk.status(n)));
  return all.every((s) => s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING' && t.worker_id)) ? all : undefined;
});
say('\n== connector status (Kafka Connect JSON) ==');
for (const s of statuses) say(JSON.stringify(s));

say('\n== a few records from topic mysql.orders ==');
const kafka = new Kafka({ clientId: 'tconnect-demo', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `tconnect-demo-${Date.now()}` });
await consumer.connect();
await consumer.subscribe({ topic: 'mysql.orders', fromBeginning: true });
const shown: string[] = [];
await new Promise<void>((resolve) => {
  const t = setTimeout(resolve, 10_000);
  void consumer.run({
    eachMessage: async ({ message }) => {
      if (shown.length >= 3) return;
      const v = JSON.parse(String(message.value));
      shown.push(`key=${String(message.key)} payload=${JSON.stringify(v.payload)}`);
      if (shown.length === 3) { clearTimeout(t); resolve(); }
    },
  });
});
await consumer.disconnect();
for (const s of shown) say(s);

say(`\n== Elasticsearch: index mysql.orders holds ${count} documents ==`);
const doc = await es.get({ index: 'mysql.orders', id: '1' });
say(`document 1: ${JSON.stringify(doc._source)}`);

say('\n== consumer lag of the sink (group connect-es-orders, via kafka-consumer-groups) ==');
say(execFileSync(path.join(env.KAFKA_BIN, 'kafka-consumer-groups'), ['--bootstrap-server', env.KAFKA_BOOTSTRAP_SERVERS, '--describe', '--group', 'connect-es-orders'], { encoding: 'utf8' }).trim());

const ui = env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';
say(`
== where to look ==
Temporal UI:       ${ui}/namespaces/default/workflows  (connector:mysql-orders, connector:es-orders and their task-0 children)
Failed connectors: temporal workflow list --query "ConnectorState='FAILED'"
Status:            npx tconnect status mysql-orders
Add rows:          they reach Elasticsearch within seconds; the worker keeps running (log in ${path.join(env.TC_STACK_RUN, 'worker')}).
Stop everything:   npm run stack -- down`);
await sdk.close();
await es.close();
