import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll } from 'vitest';
import { applyAllowedPaths } from '../../src/connectors/file-stream/allowed-paths.js';
import { useWorker, type WorkerFixture } from './fixture.js';
import { REPO_ROOT } from './stack.js';
import { deleteTopics } from './tconnect-process.js';

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

/**
 * For a test file of file connectors: a worker (useWorker with the SDK), a temporary directory the
 * file connectors of this process may use, and the topics the tests list in `topics`; the
 * directory and topics go after the connectors (cleanups run last to first).
 */
export function useFileConnectorWorker(prefix: string): { fx: WorkerFixture; root: string; topics: string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), `tconnect-${prefix}-`));
  const fx = useWorker({ sdk: true });
  const topics: string[] = [];
  beforeAll(() => {
    fx.cleanups.push(async () => {
      await deleteTopics(topics);
      rmSync(root, { recursive: true, force: true });
    });
    // This process's worker took its properties at start: allow the directory for every file connector now.
    applyAllowedPaths({ 'file.connectors.allowed.paths': root });
  });
  return { fx, root, topics };
}
