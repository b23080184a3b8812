import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/standalone/dev-server.js';
import { stackEnv, uniqueName } from './stack.js';
import { spawnTconnect, waitHealthy, type TconnectProcess } from './tconnect-process.js';

/** A `tconnect distributed` process with extra worker properties, on a task queue of its own. */
export interface RestWorker {
  proc: TconnectProcess;
  base: string;
  taskQueue: string;
  http(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startRestWorker(props: Record<string, string>): Promise<RestWorker> {
  const env = stackEnv();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tconnect-rest-'));
  const taskQueue = uniqueName('rest-plugins');
  const file = path.join(dir, 'worker.properties');
  writeFileSync(file, Object.entries({
    'bootstrap.servers': env.KAFKA_BOOTSTRAP_SERVERS,
    'temporal.address': env.TEMPORAL_ADDRESS,
    'temporal.namespace': env.TEMPORAL_NAMESPACE,
    'temporal.task.queue': taskQueue,
    ...props,
  }).map(([k, v]) => `${k}=${v}`).join('\n'));
  const base = `http://127.0.0.1:${await freePort()}`;
  const proc = spawnTconnect(['distributed', file], { CONNECT_LISTENERS: base, TCONNECT_LOG_LEVEL: 'info' });
  await waitHealthy(base, proc);
  return {
    proc,
    base,
    taskQueue,
    async http(method, p, body) {
      const r = await fetch(base + p, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
