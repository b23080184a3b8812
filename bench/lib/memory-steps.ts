// Child of bench/memory.ts, run as `node --expose-gc --import tsx bench/lib/memory-steps.ts <root>`:
// goes through a worker's start one step at a time (the imports, the Temporal runtime and
// connection, the worker with the workflow bundle, the activity-only worker, idling) and prints,
// after each step and three forced collections, one JSON line: the process's RSS, the main
// isolate's heap (used, total, new space) and external memory, and its thread count.
// MEMORY_WORKFLOWS_IN_MAIN_THREAD=1 runs the workflows in the main thread (the SDK's debugMode: no
// workflow thread, but no deadlock detection either), to show what the workflow thread costs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const root = path.resolve(process.argv[2] ?? '.');
const idleMs = Number(process.argv[3] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const status = () => readFileSync('/proc/self/status', 'utf8');
const kb = (s: string, k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) / 1024;
const r1 = (x: number) => Math.round(x * 10) / 10;

async function step(name: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 50));
  }
  const s = status();
  const m = process.memoryUsage();
  const space = (n: string) => v8.getHeapSpaceStatistics().find((x) => x.space_name === n)?.space_size ?? 0;
  console.log(JSON.stringify({
    step: name,
    rssMiB: r1(kb(s, 'VmRSS')),
    heapUsedMiB: r1(m.heapUsed / 2 ** 20),
    heapTotalMiB: r1(m.heapTotal / 2 ** 20),
    newSpaceMiB: r1(space('new_space') / 2 ** 20),
    externalMiB: r1(m.external / 2 ** 20),
    threads: Number(/^Threads:\s+(\d+)/m.exec(s)?.[1] ?? 0),
  }));
}

const from = (rel: string) => import(pathToFileURL(path.join(root, rel)).href);

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
const shared = await W.Worker.create({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', taskQueue, workflowBundle: { codePath: await worker.workflowBundlePath() }, activities, debugMode: process.env.MEMORY_WORKFLOWS_IN_MAIN_THREAD === '1' });
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
