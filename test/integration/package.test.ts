// The published package, as a new user gets it: `npm pack` of the built package, installed into an
// empty directory, runs `npx tconnect --help`, a worker against the stack (compiled JS, pre-bundled
// workflows, no tsx) and an SDK script that creates a FileStream source whose lines reach Kafka.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic } from '../helpers/kafka.js';
import { REPO_ROOT, stackEnv, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

const run = promisify(execFile);

describe('the npm package', () => {
  const env = stackEnv();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tconnect-pkg-'));
  const app = path.join(dir, 'app');
  const files = path.join(dir, 'files');
  const taskQueue = uniqueName('pkg');
  const topic = uniqueName('pkg-lines');
  let worker: ChildProcess | undefined;
  let workerOut = '';
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
    KAFKA_BOOTSTRAP_SERVERS: env.KAFKA_BOOTSTRAP_SERVERS,
    TCONNECT_TASK_QUEUE: taskQueue,
  };

  beforeAll(async () => {
    if (!existsSync(path.join(REPO_ROOT, 'dist/src/index.js')) || !existsSync(path.join(REPO_ROOT, 'dist/workflow-bundle'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does it before the tests)');
    }
    // --ignore-scripts: prepack would build again; npm test built dist/ just before.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT });
    const tarball = path.join(dir, packed.stdout.trim().split('\n').pop()!);
    mkdirSync(app);
    mkdirSync(files);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pkg-user', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: app, timeout: 240_000, maxBuffer: 16 << 20 });
  }, 300_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await deleteTopics([topic]);
    rmSync(dir, { recursive: true, force: true });
  });

  let bundleFiles: string[] = [];

  it('installs the compiled code only, and `npx tconnect --help` works', async () => {
    const installed = path.join(app, 'node_modules/temporal-connect');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'bin', 'dist', 'docs', 'package.json']);
    bundleFiles = readdirSync(path.join(installed, 'dist/workflow-bundle'));
    expect(bundleFiles).toEqual([expect.stringMatching(/^workflows-[0-9a-f]{16}\.js$/)]);
    const help = await run('npx', ['--no-install', 'tconnect', '--help'], { cwd: app, env: childEnv });
    expect(help.stdout).toContain('Usage: tconnect');
    expect(help.stdout).toContain('plugins');
  });

  it('runs a worker and an SDK script: a FileStream source sends a file\'s lines to Kafka', async () => {
    writeFileSync(path.join(files, 'in.txt'), 'alpha\nbeta\ngamma\n');
    writeFileSync(path.join(app, 'worker.properties'), `file.connectors.allowed.paths=${files}\n`);
    worker = spawn(path.join(app, 'node_modules/.bin/tconnect'), ['worker', '--worker-config', 'worker.properties'], { cwd: app, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.on('data', (d: Buffer) => (workerOut += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (workerOut += d.toString()));
    await waitFor(() => workerOut.includes('worker started') || worker!.exitCode !== null, { timeout: 60_000, what: 'the installed worker to start' });
    expect(worker.exitCode, workerOut).toBeNull();
    // The worker used the bundle that came with the package: it wrote no other (a hash mismatch would).
    expect(readdirSync(path.join(app, 'node_modules/temporal-connect/dist/workflow-bundle'))).toEqual(bundleFiles);

    writeFileSync(path.join(app, 'sdk.mjs'), `
      import { ConnectClient, defineSource, key } from 'temporal-connect';
      import { startWorker } from 'temporal-connect/worker';
      import * as testing from 'temporal-connect/testing';
      if (typeof defineSource !== 'function' || typeof key.string !== 'function' || typeof startWorker !== 'function' || typeof testing.runConformance !== 'function') {
        throw new Error('an entry point lacks its exports');
      }
      const c = await ConnectClient.connect({});
      await c.create({ name: process.argv[2], config: {
        'connector.class': 'FileStreamSource', file: process.argv[3], topic: process.argv[4],
      } });
      for (let i = 0; i < 300; i++) {
        // Until the workflow's first task ran, it answers no queries yet.
        const s = await c.status(process.argv[2]).catch(() => ({ tasks: [] }));
        if (s.tasks.length && s.tasks.every((t) => t.state === 'RUNNING')) { console.log(JSON.stringify(s)); break; }
        await new Promise((r) => setTimeout(r, 200));
      }
      await c.close();
    `);
    const name = uniqueName('pkg-file');
    const sdk = await run(process.execPath, ['sdk.mjs', name, path.join(files, 'in.txt'), topic], { cwd: app, env: childEnv, timeout: 90_000 });
    expect(JSON.parse(sdk.stdout.trim())).toMatchObject({ name, connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] });
    const got = await readTopic(topic, 3);
    // JsonConverter with schemas: each line as a string envelope.
    expect(got.map((m) => JSON.parse(m.value!).payload)).toEqual(['alpha', 'beta', 'gamma']);
    await run(process.execPath, ['-e', `import('temporal-connect').then(async ({ ConnectClient }) => { const c = await ConnectClient.connect({}); await c.delete(${JSON.stringify(name)}); await c.close(); })`], { cwd: app, env: childEnv, timeout: 60_000 });
  });
});
