import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import path from 'node:path';

/** Names `npm run stack -- env` prints; tests read the servers' addresses from them. */
export const STACK_KEYS = [
  'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_CLI', 'KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_LIBS', 'KAFKA_BIN',
  'MYSQL_HOST', 'MYSQL_PORT', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE', 'ELASTICSEARCH_URL',
] as const;
export type StackEnv = Record<(typeof STACK_KEYS)[number], string>;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let printed: Record<string, string> | undefined;

/** A setting as the environment or `scripts/stack.sh env` gives it, no target applied. */
function rawSetting(key: string): string | undefined {
  if (process.env[key]) return process.env[key];
  if (!printed) {
    printed = {};
    const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/stack.sh'), 'env'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) printed[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return printed[key] || undefined;
}

/**
 * TC_TARGET=cluster (the `cluster` test project, `npm run test:cluster`): the same tests on the
 * production-shaped stack. Temporal is the Temporal server on PostgreSQL (service temporal_cluster,
 * required); Kafka is the three-broker Kafka (service kafka3) when it runs, else the single broker.
 */
const CLUSTER_TARGET: Record<string, { from: string; service: string; required: boolean }> = {
  TEMPORAL_ADDRESS: { from: 'TEMPORAL_CLUSTER_ADDRESS', service: 'temporal_cluster', required: true },
  TEMPORAL_NAMESPACE: { from: 'TEMPORAL_CLUSTER_NAMESPACE', service: 'temporal_cluster', required: true },
  KAFKA_BOOTSTRAP_SERVERS: { from: 'KAFKA3_BOOTSTRAP_SERVERS', service: 'kafka3', required: false },
};

/** The stack the tests run on: `dev` (default: the dev servers) or `cluster` (TC_TARGET=cluster). */
export function stackTarget(): 'dev' | 'cluster' {
  const t = process.env.TC_TARGET || 'dev';
  if (t !== 'dev' && t !== 'cluster') throw new Error(`TC_TARGET=${t} is not a stack target: use 'cluster' (the production-shaped stack) or leave it unset`);
  return t;
}

/**
 * A setting of the stack (a server's address or credentials): from the environment when `npm test`
 * exported it, else from what `scripts/stack.sh env` prints (read once per process), so `npx vitest
 * run file` works too. Undefined when neither has it. With TC_TARGET=cluster, Temporal's (and
 * Kafka's, when kafka3 runs) are the cluster's.
 */
export function stackSetting(key: string, target = stackTarget()): string | undefined {
  const redirect = target === 'cluster' ? CLUSTER_TARGET[key] : undefined;
  if (redirect) {
    const v = rawSetting(redirect.from);
    if (v) return v;
    if (redirect.required) {
      throw new Error(`TC_TARGET=cluster but ${redirect.from} is not set: start the server with 'bash scripts/stack.sh up ${redirect.service}' (npm run test:cluster does)`);
    }
  }
  return rawSetting(key);
}

/** An optional server's setting (env_<service> in scripts/stack/services/<service>.sh); missing: an error naming how to start it, never a skip. */
export function serviceEnv(key: string, service: string): string {
  const v = stackSetting(key);
  if (!v) throw new Error(`${key} is not set: start the ${service} server with 'bash scripts/stack.sh up ${service}' (npm test does)`);
  return v;
}

const cached: Partial<Record<'dev' | 'cluster', StackEnv>> = {};

/** The core servers' addresses (STACK_KEYS), on the target stack (TC_TARGET unless given). */
export function stackEnv(target = stackTarget()): StackEnv {
  const hit = cached[target];
  if (hit) return hit;
  const env = {} as StackEnv;
  for (const k of STACK_KEYS) {
    const v = stackSetting(k, target);
    if (!v) throw new Error(`${k} is not set: run the tests with 'npm test', or 'eval "$(npm run --silent stack -- env)"' first`);
    env[k] = v;
  }
  cached[target] = env;
  return env;
}

/** A name no other test (or earlier run) uses: prefix-<time36>-<random>. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Same, but safe as an SQL identifier and an ES index name (lower case, underscores). */
export function uniqueIdent(prefix: string): string {
  return uniqueName(prefix).toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Polls fn until it returns a truthy value (returned) or the timeout passes (throws with the last error/value). */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  opts: { timeout?: number; interval?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const timeout = opts.timeout ?? 30_000;
  const interval = opts.interval ?? 200;
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${opts.what ?? 'condition'} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A port nothing listens on now: bound by the OS's pick, then released. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
