// The peers the benchmarks put beside ours: Benthos 4.27.0 (Go; the engine of Redpanda Connect) with the
// pipelines in bench/peers/benthos/, and a real Apache Kafka Connect 3.9.1 worker with Debezium's MariaDB
// connector (snapshot) and Debezium's JDBC sink (bench/peers/connect/). Both are installed into the stack
// cache on first use (ensureBenthos, ensureConnect) and run on a job with the caller's table, topic and index
// names (startPeer). A run hands back the process id before its go, so a benchmark samples its RSS (VmRSS
// every 500 ms, VmHWM at the end) and CPU (/proc/<pid>/stat) exactly as it samples ours.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '../../src/standalone/dev-server.js';
import { REPO_ROOT, procMemory, sleep, stopChild, type StackEnv } from './common.js';

export type PeerEngine = 'benthos' | 'connect';
export type PeerJob = 'source-jdbc' | 'sink-es' | 'sink-jdbc';
export const PEER_ENGINES: PeerEngine[] = ['benthos', 'connect'];

export const BENTHOS_VERSION = '4.27.0';
/** The Kafka Connect worker's heap: bounded, as every JVM of the stack (G1, the JVM's default collector). */
export const CONNECT_HEAP = ['-Xms256m', '-Xmx1g'];

const PEERS_DIR = path.join(REPO_ROOT, 'bench/peers');

/** The stack cache's opt folder (scripts/stack.sh's rule: /var/cache for root, else the user's cache). */
export function stackOpt(): string {
  const home = process.env.TC_STACK_HOME
    ?? (process.getuid?.() === 0 ? '/var/cache/temporal-connect' : path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'temporal-connect'));
  return path.join(home, 'opt');
}

export function benthosBinary(): string {
  return path.join(stackOpt(), `benthos-${BENTHOS_VERSION}`, 'bin', 'benthos');
}

/** Benthos's version line when its cached binary runs, else undefined. */
export function benthosInstalled(): string | undefined {
  const bin = benthosBinary();
  if (!existsSync(bin)) return undefined;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : undefined;
}

/**
 * The Benthos binary, built first when absent (bench/peers/benthos/build.sh, ~6 min cold on 2 cores; a build of
 * the same binary already running is waited for). Throws with the build log's tail when the build fails.
 */
export function ensureBenthos(log: (s: string) => void = () => undefined): string {
  if (benthosInstalled()) return benthosBinary();
  const logFile = path.join(path.dirname(path.dirname(benthosBinary())), 'build-bench.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  log(`peers: building Benthos ${BENTHOS_VERSION} into ${benthosBinary()} (a few minutes cold; log ${logFile}) ...`);
  const t0 = Date.now();
  const r = spawnSync('bash', ['-c', `bash "$0" >"$1" 2>&1`, path.join(PEERS_DIR, 'benthos/build.sh'), logFile], { stdio: 'ignore' });
  if (r.status !== 0 || !benthosInstalled()) {
    const tail = spawnSync('tail', ['-n', '25', logFile], { encoding: 'utf8' }).stdout;
    throw new Error(`building Benthos failed (bench/peers/benthos/build.sh, log ${logFile}):\n${tail}`);
  }
  log(`peers: Benthos built in ${Math.round((Date.now() - t0) / 1000)} s`);
  return benthosBinary();
}

export interface ConnectInstall {
  /** The Connect 3.9.1 worker's jars (scripts/stack.sh connect-libs). */
  libs: string;
  /** plugin.path: debezium-mariadb/ and debezium-jdbc/ under it. */
  pluginPath: string;
}

/** The Connect install when it is complete in the cache (nothing is fetched), else undefined. */
export function connectInstalled(): ConnectInstall | undefined {
  const libs = path.join(stackOpt(), 'kafka-connect-3.9.1/libs');
  // install.sh's folder name: debezium-<version>-<first 8 hex of sha256 over the two poms>.
  const poms = ['debezium-mariadb-pom.xml', 'debezium-jdbc-pom.xml'].map((f) => readFileSync(path.join(PEERS_DIR, 'connect', f)));
  const version = /<debezium.version>(.*)<\/debezium.version>/.exec(poms[0].toString('utf8'))?.[1];
  const hash = createHash('sha256').update(Buffer.concat(poms)).digest('hex').slice(0, 8);
  const pluginPath = path.join(stackOpt(), 'kafka-connect-peers', `debezium-${version}-${hash}`);
  return existsSync(path.join(libs, '../.installed')) && existsSync(path.join(pluginPath, '.installed')) ? { libs, pluginPath } : undefined;
}

/** The Connect install, fetched first when absent (bench/peers/connect/install.sh: about a minute from Maven Central). */
export function ensureConnect(log: (s: string) => void = () => undefined): ConnectInstall {
  const have = connectInstalled();
  if (have) return have;
  log('peers: installing Apache Kafka Connect 3.9.1 and the Debezium plugins from Maven Central ...');
  const t0 = Date.now();
  const out = execFileSync('bash', [path.join(PEERS_DIR, 'connect/install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1];
  const libs = get('CONNECT_LIBS'), pluginPath = get('CONNECT_PLUGIN_PATH');
  if (!libs || !pluginPath) throw new Error(`bench/peers/connect/install.sh printed no CONNECT_LIBS/CONNECT_PLUGIN_PATH:\n${out}`);
  log(`peers: Kafka Connect installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  return { libs, pluginPath };
}

/** The engines whose install is complete in the cache: the benchmarks' default for --peers. */
export function installedPeers(): PeerEngine[] {
  return PEER_ENGINES.filter((e) => (e === 'benthos' ? benthosInstalled() !== undefined : connectInstalled() !== undefined));
}

/** Parses --peers: "benthos,connect", "none"; unknown names are an error naming the choices. */
export function parsePeers(text: string): PeerEngine[] {
  if (text === 'none' || text === '') return [];
  const out = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of out) if (!PEER_ENGINES.includes(e as PeerEngine)) throw new Error(`--peers takes a comma-separated list of ${PEER_ENGINES.join(', ')} (or none), not "${e}"`);
  return out as PeerEngine[];
}

// ---------------------------------------------------------------------------------------------
// Runs

export interface PeerRunOptions {
  env: StackEnv;
  /** Unique per run (letters, digits, '-'): names the connector, the consumer group, the worker's folder. */
  name: string;
  /** Children's logs go here (one file per run). */
  logDir: string;
  /**
   * source-jdbc: the table read; sink-jdbc: the table written. Benthos needs it to exist; Debezium creates it when
   * absent (schema.evolution=basic), but with tasks.max > 1 its tasks race on CREATE TABLE and retry (a second
   * or so lost): create it first, as for the other sides.
   */
  table?: string;
  /** source-jdbc: the topic Benthos writes (Debezium writes <name>.<database>.<table>); sinks: the topic read. */
  topic?: string;
  /** sink-es: the index written (create it first, as for the other sides). */
  index?: string;
  /** Kafka Connect: tasks.max (default 1). */
  tasks?: number;
  /** Extra connector settings (Kafka Connect) or pipeline variables (Benthos: RPC_BATCH_COUNT, RPC_MAX_IN_FLIGHT, ...). */
  set?: Record<string, string>;
}

/** A peer started on one job, waiting for its go. */
export interface PeerProcess {
  engine: PeerEngine;
  job: PeerJob;
  /** e.g. "benthos", "connect-debezium-mariadb", "connect-debezium-jdbc-t4". */
  side: string;
  pid: number;
  /**
   * RSS before the go; null for Benthos, whose process starts at the go (a shell waiting on stdin `exec`s
   * it, so the pid, and the CPU and VmHWM read from it, are Benthos's own from its first instruction).
   */
  idleRssBytes: number | null;
  /** Where the records land: source-jdbc the topic, sink-es the index, sink-jdbc the table. */
  target: string;
  /** The consumer group (sinks), for lag. */
  groupId?: string;
  /** Starts the job: Benthos's process, or the connector (POST /connectors). */
  go(): Promise<void>;
  /** Still running, or ended by itself with status 0 (Benthos's source pipeline ends when the SELECT is done). */
  alive(): boolean;
  /** Stops the process, removes what it created beside the target (connector, group, history topic); returns details. */
  stop(): Promise<Record<string, unknown>>;
  logFile: string;
}

/**
 * Starts `engine` on `job` and resolves once it waits for its go (Kafka Connect: the worker's REST API serves and
 * lists the connector's plugin). Throws when the engine has no runner for the job.
 *
 * ```ts
 * const p = await startPeer('connect', 'sink-jdbc', { env: stackEnv(), name: `bench-jdbc-dbz-${tag}`, logDir, topic, table, tasks: 4 });
 * const t0 = Date.now(); await p.go();   // ... wait until SELECT COUNT(*) FROM table reaches N, sampling p.pid ...
 * await p.stop();
 * ```
 * In bench/sink-jdbc.ts (its `measure(ctx, { side, table, pid, idleRss, go, alive })`), a peer side is
 * `measure(ctx, { side: p.side, table: p.target, pid: p.pid, idleRss: p.idleRssBytes ?? NaN, go: p.go, alive: p.alive })`
 * between startPeer and p.stop(), with the table created first (SINK_JDBC_DDL in bench/peers.ts is the same DDL).
 */
export async function startPeer(engine: PeerEngine, job: PeerJob, o: PeerRunOptions): Promise<PeerProcess> {
  return engine === 'benthos' ? startBenthos(job, o) : startConnect(job, o);
}

function need(o: PeerRunOptions, k: 'table' | 'topic' | 'index', job: PeerJob): string {
  const v = o[k];
  if (!v) throw new Error(`peer job ${job} needs a ${k}`);
  return v;
}

function exitWatch(child: ChildProcess): { exited: Promise<number | null>; alive: () => boolean } {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { exited, alive: () => (child.exitCode === null && child.signalCode === null) || child.exitCode === 0 };
}

// Benthos -------------------------------------------------------------------------------------

function startBenthos(job: PeerJob, o: PeerRunOptions): PeerProcess {
  const bin = ensureBenthos();
  const vars: Record<string, string> = { RPC_LOG_LEVEL: 'WARN' };
  let target: string, groupId: string | undefined;
  if (job === 'source-jdbc') {
    vars.RPC_TABLE = need(o, 'table', job);
    vars.RPC_TOPIC = target = need(o, 'topic', job);
  } else {
    vars.RPC_TOPIC = need(o, 'topic', job);
    vars.RPC_GROUP = groupId = o.name;
    if (job === 'sink-es') vars.RPC_INDEX = target = need(o, 'index', job);
    else vars.RPC_TABLE = target = need(o, 'table', job);
  }
  Object.assign(vars, o.set ?? {});
  const logFile = path.join(o.logDir, `${o.name}.log`);
  // The shell holds the pid until the go, then becomes Benthos (exec): the pid never changes.
  const child = spawn('bash', ['-c', 'read -r _ && exec "$0" -c "$1"', bin, path.join(PEERS_DIR, 'benthos', `${job}.yaml`)], {
    cwd: REPO_ROOT, env: { ...process.env, ...o.env, ...vars }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = createWriteStream(logFile);
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const { exited, alive } = exitWatch(child);
  return {
    engine: 'benthos', job, side: 'benthos', pid: child.pid!, idleRssBytes: null, target, groupId, logFile,
    go: async () => { child.stdin.write('go\n'); },
    alive,
    async stop() {
      const code = child.exitCode ?? (await stopChild(child, 'SIGTERM', 15_000));
      await exited;
      out.end();
      if (groupId) await deleteKafka(o.env, [], [groupId]);
      return { exitCode: code, vars: { ...vars, MYSQL_PASSWORD: undefined } };
    },
  };
}

// Kafka Connect -------------------------------------------------------------------------------

/** Connector config of each job (Debezium's keys, 3.x). */
function connectorConfig(job: PeerJob, o: PeerRunOptions): { config: Record<string, string>; plugin: string; target: string; groupId?: string; extraTopics: string[] } {
  const e = o.env;
  const tasks = String(o.tasks ?? 1);
  if (job === 'source-jdbc') {
    const table = need(o, 'table', job);
    const prefix = o.name;
    const config: Record<string, string> = {
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': e.MYSQL_HOST,
      'database.port': e.MYSQL_PORT,
      'database.user': e.MYSQL_USER,
      'database.password': '', // set in startConnect: a reference to the worker's secret file
      'database.server.id': String(5400 + Math.floor(Math.random() * 100_000)),
      'topic.prefix': prefix,
      'database.include.list': e.MYSQL_DATABASE,
      'table.include.list': `${e.MYSQL_DATABASE}.${table}`,
      // A snapshot of the table and nothing after it; no global read lock on the shared server (nothing
      // writes the table during the run).
      'snapshot.mode': 'initial_only',
      'snapshot.locking.mode': 'none',
      'include.schema.changes': 'false',
      'schema.history.internal.kafka.bootstrap.servers': e.KAFKA_BOOTSTRAP_SERVERS,
      'schema.history.internal.kafka.topic': `${prefix}.history`,
      // Only this table's DDL is read and stored (the shared database holds every session's tables).
      'schema.history.internal.store.only.captured.databases.ddl': 'true',
      'schema.history.internal.store.only.captured.tables.ddl': 'true',
      'tasks.max': '1',
    };
    return { config, plugin: 'io.debezium.connector.mariadb.MariaDbConnector', target: `${prefix}.${e.MYSQL_DATABASE}.${table}`, extraTopics: [`${prefix}.history`, prefix] };
  }
  if (job === 'sink-jdbc') {
    const table = need(o, 'table', job);
    const config: Record<string, string> = {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:mariadb://${e.MYSQL_HOST}:${e.MYSQL_PORT}/${e.MYSQL_DATABASE}`,
      'connection.username': e.MYSQL_USER,
      'connection.password': '',
      topics: need(o, 'topic', job),
      'collection.name.format': table,
      'insert.mode': 'insert',
      'primary.key.mode': 'record_key',
      'primary.key.fields': 'id',
      // Creates the table when it does not exist, as our sink's auto.create.
      'schema.evolution': 'basic',
      'tasks.max': tasks,
    };
    return { config, plugin: 'io.debezium.connector.jdbc.JdbcSinkConnector', target: table, groupId: `connect-${o.name}`, extraTopics: [] };
  }
  throw new Error(`no Kafka Connect runner for ${job}: no Elasticsearch sink for Kafka Connect is installed (see bench/README.md, Peers)`);
}

function startConnectWorker(install: ConnectInstall, o: PeerRunOptions, dir: string, port: number): ChildProcess {
  const props: Record<string, string> = {
    'bootstrap.servers': o.env.KAFKA_BOOTSTRAP_SERVERS,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'offset.storage.file.filename': path.join(dir, 'offsets'),
    'plugin.path': install.pluginPath,
    // Every installed plugin has ServiceLoader manifests: no class scan of the folders (a faster start; untimed).
    'plugin.discovery': 'service_load',
    listeners: `http://127.0.0.1:${port}`,
    // The password reaches the connector through a file config provider, never through the REST call.
    'config.providers': 'file',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
  };
  writeFileSync(path.join(dir, 'worker.properties'), Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  writeFileSync(path.join(dir, 'secrets.properties'), `password=${o.env.MYSQL_PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'log4j.properties'), [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${path.join(o.logDir, `${o.name}.log`)}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.org.reflections=ERROR',
  ].join('\n') + '\n');
  // Standalone: one worker process, its offsets in a file; the REST API creates the connector as in distributed mode.
  return spawn('java', [
    ...CONNECT_HEAP, '-XX:+UseG1GC', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
    '-cp', `${install.libs}/*`, 'org.apache.kafka.connect.cli.ConnectStandalone', path.join(dir, 'worker.properties'),
  ], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function startConnect(job: PeerJob, o: PeerRunOptions): Promise<PeerProcess> {
  const install = ensureConnect();
  const { config, plugin, target, groupId, extraTopics } = connectorConfig(job, o);
  const dir = mkdtempSync(path.join(os.tmpdir(), `${o.name}-`));
  const secret = `\${file:${path.join(dir, 'secrets.properties')}:password}`;
  if ('database.password' in config) config['database.password'] = secret;
  if ('connection.password' in config) config['connection.password'] = secret;
  Object.assign(config, o.set ?? {});
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startConnectWorker(install, o, dir, port);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
  const { exited, alive } = exitWatch(child);
  const logFile = path.join(o.logDir, `${o.name}.log`);
  const side = `connect-${plugin.includes('mariadb') ? 'debezium-mariadb' : `debezium-jdbc-t${o.tasks ?? 1}`}`;
  const stopWorker = async () => {
    await stopChild(child, 'SIGTERM', 20_000);
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready: the REST API answers and lists the connector's plugin (the plugin scan is done).
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (!alive()) { await stopWorker(); throw new Error(`Kafka Connect exited before serving (log ${logFile}):\n${stderr}`); }
    const plugins = await fetch(`${url}/connector-plugins`).then((r) => (r.ok ? r.json() as Promise<Array<{ class: string }>> : []), () => []);
    if (plugins.some((p) => p.class === plugin)) break;
    if (Date.now() > deadline) { await stopWorker(); throw new Error(`Kafka Connect at ${url} did not list ${plugin} within 300 s (log ${logFile})`); }
    await sleep(250);
  }
  await sleep(1000); // settle after the plugin scan, so the idle RSS is representative
  let created = false;
  return {
    engine: 'connect', job, side, pid: child.pid!, idleRssBytes: procMemory(child.pid!).rss, target, groupId, logFile,
    async go() {
      const r = await fetch(`${url}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: o.name, config }) });
      if (r.status !== 201) throw new Error(`Kafka Connect refused the connector (${r.status}): ${await r.text()}`);
      created = true;
    },
    alive: () => alive() && child.exitCode === null,
    async stop() {
      let status: unknown;
      if (created) {
        status = await fetch(`${url}/connectors/${o.name}/status`).then((r) => r.json(), () => undefined);
        await fetch(`${url}/connectors/${o.name}`, { method: 'DELETE' }).catch(() => undefined);
      }
      await stopWorker();
      await exited;
      await deleteKafka(o.env, extraTopics, groupId ? [groupId] : []);
      const redacted = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, /password/.test(k) ? '<file provider>' : v]));
      return { config: redacted, heap: CONNECT_HEAP.join(' '), status };
    },
  };
}

async function deleteKafka(env: StackEnv, topics: string[], groups: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-peers-cleanup', brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const have = new Set(await admin.listTopics());
    const gone = topics.filter((t) => have.has(t));
    if (gone.length) await admin.deleteTopics({ topics: gone, timeout: 30_000 }).catch(() => undefined);
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
