import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteKafkaResources } from './connectors.js';
import { freePort, REPO_ROOT, stackEnv, uniqueName, waitFor } from './stack.js';

/** A real Apache Kafka Connect distributed worker (from `npm run stack -- connect-libs`) on the stack's Kafka. */
export interface KafkaConnectWorker {
  /** http://127.0.0.1:<port> */
  url: string;
  groupId: string;
  /** The end of its log, for failure messages. */
  log(): string;
  /** SIGTERM (SIGKILL after 20 s), then deletes its internal topics and group. */
  stop(): Promise<void>;
}

/**
 * Starts a Kafka Connect worker in a group of its own, with its own config/offset/status topics, a
 * bounded heap and `workerProps` on top; resolves once GET /health says it is ready.
 */
export async function startKafkaConnect(workerProps: Record<string, string> = {}, heap = '-Xmx384m'): Promise<KafkaConnectWorker> {
  const env = stackEnv();
  const libs = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/stack.sh'), 'connect-libs'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-connect-'));
  const groupId = uniqueName('compat-connect');
  const port = await freePort();
  const props: Record<string, string> = {
    'bootstrap.servers': env.KAFKA_BOOTSTRAP_SERVERS,
    'group.id': groupId,
    'config.storage.topic': `${groupId}-configs`,
    'offset.storage.topic': `${groupId}-offsets`,
    'status.storage.topic': `${groupId}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.storage.partitions': '1',
    'status.storage.partitions': '1',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    listeners: `http://127.0.0.1:${port}`,
    'offset.flush.interval.ms': '1000',
    ...workerProps,
  };
  writeFileSync(path.join(dir, 'worker.properties'), Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n'));
  writeFileSync(path.join(dir, 'log4j.properties'), [
    'log4j.rootLogger=WARN, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${path.join(dir, 'connect.log')}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
  ].join('\n'));
  const child = spawn('java', [
    '-Xms64m', heap, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
    '-cp', `${libs}/*`, 'org.apache.kafka.connect.cli.ConnectDistributed', path.join(dir, 'worker.properties'),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-10_000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const log = () => {
    let text = stderr;
    try {
      text += readFileSync(path.join(dir, 'connect.log'), 'utf8').slice(-10_000);
    } catch { /* not written yet */ }
    return text;
  };
  const url = `http://127.0.0.1:${port}`;
  const worker: KafkaConnectWorker = {
    url,
    groupId,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await deleteKafkaResources([props['config.storage.topic'], props['offset.storage.topic'], props['status.storage.topic']], [groupId]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const died = exited.then((code) => { throw new Error(`Kafka Connect exited with ${code}`); });
  died.catch(() => undefined);
  try {
    await Promise.race([died, waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, { timeout: 90_000, interval: 250, what: `${url}/health` })]);
  } catch (e) {
    await worker.stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- Kafka Connect log ---\n${log()}`, { cause: e });
  }
  return worker;
}
