import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './stack.js';

let printed: Record<string, string> | undefined;

/**
 * A setting of an optional stack server (scripts/stack/services/<name>.sh): from the environment
 * when `npm test` exported it, else from `scripts/stack.sh env`. A missing one is an error that
 * says how to start the server, never a skip.
 */
export function serviceEnv(key: string, service: string): string {
  if (process.env[key]) return process.env[key]!;
  if (!printed) {
    printed = {};
    const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/stack.sh'), 'env'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) printed[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  const v = printed[key];
  if (!v) throw new Error(`${key} is not set: start the server with 'bash scripts/stack.sh up ${service}' (npm test does)`);
  return v;
}
