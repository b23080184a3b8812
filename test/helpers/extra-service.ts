import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './stack.js';

let fromScript: Record<string, string> | undefined;

/**
 * An optional stack server's setting (env_<name> in scripts/stack/services/<name>.sh): from the
 * environment when `npm test` exported it, else from `scripts/stack.sh env`. A server that is not
 * up is a failure naming the command that starts it, never a skip.
 */
export function serviceEnv(key: string, service: string): string {
  if (process.env[key]) return process.env[key]!;
  if (!fromScript) {
    fromScript = {};
    const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/stack.sh'), 'env'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) fromScript[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  const v = fromScript[key];
  if (!v) throw new Error(`${key} is not set: start the ${service} server with 'bash scripts/stack.sh up ${service}'`);
  return v;
}

/** Fails clearly when the server does not answer at `url`. */
export async function requireServer(url: string, service: string): Promise<void> {
  const ok = await fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status < 500, () => false);
  if (!ok) throw new Error(`the ${service} server does not answer at ${url}: start it with 'bash scripts/stack.sh up ${service}'`);
}
