import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { kafka } from './clients.js';
import { REPO_ROOT, waitFor } from './stack.js';

/** A `tconnect …` child process with its output kept (for failure messages). */
export interface TconnectProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `ms`; resolves with the exit code (null when killed by a signal). */
  stop(ms?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs bin/tconnect.mjs with exactly `env` (plus PATH/HOME, and TCONNECT_RUN_DIST when this checkout's
 * run sets it: npm test builds dist/ first and then runs the CLI from it, which starts faster than
 * through tsx), so no stack variable leaks in unasked.
 * Keeps the last 20,000 characters of output, or all of it with `keepAll` (a test that scans the log);
 * `root` runs another checkout's bin (an earlier build, for the upgrade test).
 */
export function spawnTconnect(args: string[], env: NodeJS.ProcessEnv, opts: { keepAll?: boolean; root?: string } = {}): TconnectProcess {
  const root = opts.root ?? REPO_ROOT;
  const child = spawn(process.execPath, [path.join(root, 'bin/tconnect.mjs'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...(root === REPO_ROOT && process.env.TCONNECT_RUN_DIST ? { TCONNECT_RUN_DIST: process.env.TCONNECT_RUN_DIST } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (!opts.keepAll) out = out.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(ms = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits until GET <base>/health answers 200 (the worker runs), or fails with the process's output. */
export async function waitHealthy(base: string, p: TconnectProcess, timeout = 90_000): Promise<void> {
  const died = p.exited.then((code) => {
    throw new Error(`tconnect exited with ${code}`);
  });
  died.catch(() => undefined);
  try {
    await Promise.race([
      died,
      waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 200, { timeout, interval: 300, what: `${base}/health` }),
    ]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- tconnect output ---\n${p.output()}`, { cause: e });
  }
}

/** Deletes the topics a test produced to (best effort). */
export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}
