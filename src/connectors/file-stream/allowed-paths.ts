import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { PathAllowlist, realTarget } from '../../config/path-allowlist.js';

/**
 * Worker property: the directories FileStream connectors may read and write. A REST user who can
 * create connectors must not read or write any file the worker can (Kafka Connect lets them: its
 * FileStream connectors take any path), so by default none is allowed and both connectors are
 * refused until the worker names a directory.
 */
export const ALLOWED_PATHS_KEY = 'file.connectors.allowed.paths';

/** undefined: this process never saw worker properties (an SDK client): the worker decides. */
let allowed: PathAllowlist | undefined;

export function applyAllowedPaths(workerConfig: Readonly<Record<string, string>>): void {
  allowed = PathAllowlist.parse(workerConfig[ALLOWED_PATHS_KEY], ALLOWED_PATHS_KEY, { whenUnset: 'none', mustExist: false });
}

/**
 * The problem with a path (the value of `key`) for this process's worker, or null when it may be
 * used: a file must (really: symlinks followed) lie inside an allowed directory, a directory
 * (`dir`) may also be one. `enforce` false (validation in any process) skips the check where the
 * worker's settings are unknown.
 */
export function fileProblem(file: string, enforce: boolean, key = 'file', dir = false): string | null {
  const list = allowed ?? (enforce ? PathAllowlist.parse(undefined, ALLOWED_PATHS_KEY, { whenUnset: 'none', mustExist: false }) : undefined);
  if (list === undefined) return null;
  if (!path.isAbsolute(file)) return `Invalid value ${file} for configuration ${key}: must be an absolute path`;
  if (list.roots?.length === 0) {
    return `File connectors are disabled on this worker: set the worker property ${ALLOWED_PATHS_KEY} to the directories they may read and write`;
  }
  if (list.allows(file, { allowRoot: dir })) return null;
  return `Invalid value ${file} for configuration ${key}: not inside a directory the worker allows (${ALLOWED_PATHS_KEY}=${list.roots?.join(',')})`;
}

/** For task starts and plans on a worker: refuses with a ConfigError naming the key; returns the real path. */
export function checkFileAllowed(file: string, key = 'file', dir = false): string {
  const problem = fileProblem(file, true, key, dir);
  if (problem) throw new ConfigError(problem, [{ key, message: problem }]);
  return realTarget(file);
}
