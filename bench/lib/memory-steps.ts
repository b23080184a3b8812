// Child of bench/memory.ts, run as `node --expose-gc --import tsx bench/lib/memory-steps.ts <root>`:
// goes through a worker's start one step at a time (the imports, the Temporal runtime and
// connection, the worker with the workflow bundle, the activity-only worker, idling) and prints,
// after each step and three forced collections, one JSON line: the process's RSS, the main
// isolate's heap (used, total, new space) and external memory, and its thread count.
// MEMORY_WORKFLOWS_IN_MAIN_THREAD=1 runs the workflows in the main thread (the SDK's debugMode: no
// workflow thread, but no deadlock detection either), to show what the workflow thread costs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

const root = path.resolve(process.argv[2] ?? '.');
const idleMs = Number(process.argv[3] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const status = () => readFileSync('/proc/self/status', 'utf8');
const kb = (s: string, k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) / 1024;
const r1 = (x: number) => Math.round(x * 10) / 10;

// The SDK starts its workflow thread with `new (require('node:worker_threads').Worker)(file)`: the
// constructor is wrapped so the thread also answers, on a port of ours, with its own isolate's
// heap figures (after three collections there too).
type ThreadHeap = { heapUsedMiB: number; heapTotalMiB: number; newSpaceMiB: number; codeSpaceMiB: number; externalMiB: number; arrayBuffersMiB: number };
let threadPort: MessagePort | undefined;
const wt = createRequire(import.meta.url)('node:worker_threads') as { Worker: new (file: string, opts?: object) => object };
const OrigWorker = wt.Worker;
wt.Worker = function ProbedWorker(file: string, opts: object = {}) {
  const { port1, port2 } = new MessageChannel();
  threadPort = port1;
  port1.unref();
  const code = `const { workerData } = require('node:worker_threads'); const v8 = require('node:v8');
    const port = workerData.__probe; port.unref();
    port.on('message', () => { for (let i = 0; i < 3; i++) gc(); const m = process.memoryUsage(); const sp = (n) => (v8.getHeapSpaceStatistics().find((x) => x.space_name === n) || {}).space_size || 0;
      const M = (x) => Math.round(x / 104857.6) / 10;
      port.postMessage({ heapUsedMiB: M(m.heapUsed), heapTotalMiB: M(m.heapTotal), newSpaceMiB: M(sp('new_space')), codeSpaceMiB: M(sp('code_space')), externalMiB: M(m.external), arrayBuffersMiB: M(m.arrayBuffers) }); });
    require(${JSON.stringify(file)});`;
  return new OrigWorker(code, { ...opts, eval: true, workerData: { __probe: port2 }, transferList: [port2] });
} as unknown as typeof wt.Worker;

function threadHeap(): Promise<ThreadHeap | undefined> {
  const port = threadPort;
  if (!port) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    port.once('message', resolve);
    port.postMessage('measure');
  });
}

async function step(name: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 50));
  }
  const s = status();
  const m = process.memoryUsage();
  const space = (n: string) => v8.getHeapSpaceStatistics().find((x) => x.space_name === n)?.space_size ?? 0;
  const thread = await threadHeap();
  console.log(JSON.stringify({
    step: name,
    rssMiB: r1(kb(s, 'VmRSS')),
    heapUsedMiB: r1(m.heapUsed / 2 ** 20),
    heapTotalMiB: r1(m.heapTotal / 2 ** 20),
    newSpaceMiB: r1(space('new_space') / 2 ** 20),
    codeSpaceMiB: r1(space('code_space') / 2 ** 20),
    externalMiB: r1(m.external / 2 ** 20),
    arrayBuffersMiB: r1(m.arrayBuffers / 2 ** 20),
    rssAnonMiB: r1(kb(s, 'RssAnon')),
    rssFileMiB: r1(kb(s, 'RssFile')),
    ...(thread ? { thread } : {}),
    threads: Number(/^Threads:\s+(\d+)/m.exec(s)?.[1] ?? 0),
  }));
}

// TCONNECT_RUN_DIST=1: the compiled dist/ (as the Docker image runs it) instead of the TypeScript sources.
const dist = process.env.TCONNECT_RUN_DIST === '1';
const from = (rel: string) => import(pathToFileURL(dist ? path.join(root, 'dist', rel.replace(/\.ts$/, '.js')) : path.join(root, rel)).href);

await step('node + tsx (the checkout launcher)');
const W = await import('@temporalio/worker');
await step('+ @temporalio/worker');
await import('kafkajs');
await step('+ kafkajs');
await from('src/connectors/registry.ts');
await step('+ connector registry (src/connectors/registry.ts)');
const { createActivities } = await from('activities/index.ts');
const worker = await from('src/worker/index.ts');
await step('+ activities, worker module');
const { KafkaPool } = await from('src/kafka/client.ts');
W.Runtime.install({ logger: new W.DefaultLogger('WARN') });
const connection = await W.NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
await step('+ Temporal runtime (Rust core) and connection');
const taskQueue = `bench-memory-${process.pid}`;
const kafka = new KafkaPool({ brokers: (process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092').split(','), clientId: taskQueue });
const { configProvidersFromWorkerConfig } = await from('src/config/providers.ts');
const activities = createActivities({ kafka, logger: (await from('src/logging.ts')).createLogger({}), workerConfig: {}, providers: configProvidersFromWorkerConfig({}), workerId: taskQueue, workerQueue: `${taskQueue}-own`, taskQueue });
const codePath = await worker.workflowBundlePath();
const createShared = () => W.Worker.create({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', taskQueue, workflowBundle: { codePath }, activities, debugMode: process.env.MEMORY_WORKFLOWS_IN_MAIN_THREAD === '1' });
// As startWorker does (its workflow thread with small semi-spaces), unless MEMORY_THREAD_DEFAULT_SEMI=1.
const shared = process.env.MEMORY_THREAD_DEFAULT_SEMI === '1' ? await createShared() : await worker.withSmallWorkflowThread(createShared);
await step('+ workflow worker (workflow thread, bundle)');
const own = await W.Worker.create({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', taskQueue: `${taskQueue}-own`, activities });
await step('+ activity worker (own queue)');
const running = Promise.all([shared.run(), own.run()]);
await new Promise((r) => setTimeout(r, idleMs));
await step(`running, idle ${idleMs / 1000} s`);
shared.shutdown();
own.shutdown();
await running;
await kafka.close();
await connection.close();
