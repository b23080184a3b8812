// A local Temporal dev server (`temporal server start-dev`, SQLite file) for standalone mode.
import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logging.js';

/** The search attributes the connector workflows keep current. */
const SEARCH_ATTRIBUTES = ['ConnectorName=Keyword', 'ConnectorState=Keyword', 'ConnectorClass=Keyword'];

const executable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where `npm run stack` installs the CLI (scripts/stack.sh: TC_STACK_HOME, else the cache dir). */
function stackCacheCli(env: NodeJS.ProcessEnv): string {
  const home = env.TC_STACK_HOME
    || (process.getuid?.() === 0 ? '/var/cache/temporal-connect' : path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'temporal-connect'));
  return path.join(home, 'opt', 'bin', 'temporal');
}

/** The `temporal` binary: $TEMPORAL_CLI, else on PATH, else the local stack's. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.TEMPORAL_CLI,
    ...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'temporal')),
    stackCacheCli(env),
  ].filter((p): p is string => !!p);
  const found = candidates.find(executable);
  if (!found) {
    throw new ConfigError('No Temporal address is configured and no `temporal` CLI was found to start a local dev server: '
      + 'set temporal.address (or TEMPORAL_ADDRESS), or install the CLI (TEMPORAL_CLI=<path>, or on PATH; `npm run stack -- up` installs one)');
  }
  return found;
}

/** Standalone's data dir: temporal.data.dir, else offset.storage.file.filename's dir (Connect's standalone state), else ~/.local/share. */
export function dataDirOf(props: Record<string, string>): string {
  const explicit = props['temporal.data.dir']?.trim();
  if (explicit) return path.resolve(explicit);
  const offsets = props['offset.storage.file.filename']?.trim();
  if (offsets) return path.dirname(path.resolve(offsets));
  return path.join(os.homedir(), '.local', 'share', 'temporal-connect', 'standalone');
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on free loopback ports with its SQLite file in dataDir and
 * waits until the namespace answers. Its log goes to <dataDir>/temporal.log.
 */
export async function startDevServer(opts: { binary: string; dataDir: string; namespace?: string; logger: Logger; timeoutMs?: number }): Promise<DevServer> {
  await mkdir(opts.dataDir, { recursive: true });
  const [port, uiPort] = [await freePort(), await freePort()];
  const dbFile = path.join(opts.dataDir, 'temporal.db');
  const logFile = path.join(opts.dataDir, 'temporal.log');
  const namespace = opts.namespace ?? 'default';
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
    '--db-filename', dbFile, '--log-level', 'warn', '--sqlite-pragma', 'journal_mode=WAL',
    ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', a]),
    ...(namespace !== 'default' ? ['--namespace', namespace] : []),
  ];
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) {
      const tail = existsSync(logFile) ? (await readFile(logFile, 'utf8')).split('\n').slice(-15).join('\n') : '';
      throw new Error(`The Temporal dev server exited at start (${opts.binary}; log ${logFile}):\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The Temporal dev server did not answer on ${address} within ${opts.timeoutMs ?? 60_000} ms (log ${logFile})`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.describeNamespace({ namespace });
      } finally {
        await conn.close();
      }
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  opts.logger.info({ address, ui: `http://127.0.0.1:${uiPort}`, dbFile }, 'Temporal dev server started');
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, dbFile, stop };
}
