import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './stack.js';

/**
 * A plugin.path directory holding a copy of examples/<name>, whose `temporal-connect` import
 * resolves to this checkout's built package (dist/), as it would to an installed one.
 */
export function examplePluginPath(name = 'sequence-source'): string {
  if (!existsSync(path.join(REPO_ROOT, 'dist/src/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it before the tests)');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tconnect-plugins-'));
  const pkg = path.join(dir, name);
  cpSync(path.join(REPO_ROOT, 'examples', name), pkg, { recursive: true });
  mkdirSync(path.join(pkg, 'node_modules'));
  symlinkSync(REPO_ROOT, path.join(pkg, 'node_modules', 'temporal-connect'), 'dir');
  return dir;
}
