import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../errors.js';

/**
 * Worker property: the directories FileStream connectors may read and write. A REST user who can
 * create connectors must not read or write any file the worker can (Kafka Connect lets them: its
 * FileStream connectors take any path), so by default none is allowed and both connectors are
 * refused until the worker names a directory.
 */
export const ALLOWED_PATHS_KEY = 'file.connectors.allowed.paths';

/** undefined: this process never saw worker properties (an SDK client): the worker decides. */
let allowedRoots: string[] | undefined;

/** Real path of a directory, or the path itself while it does not exist (it cannot hold a file yet). */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function applyAllowedPaths(workerConfig: Readonly<Record<string, string>>): void {
  allowedRoots = (workerConfig[ALLOWED_PATHS_KEY] ?? '').split(',').map((d) => d.trim()).filter(Boolean).map(realOrSelf);
}

/**
 * The file's real location: symlinks in the directories (and of the file itself, when it exists)
 * are followed, so a link inside an allowed directory cannot point outside it.
 */
function realTarget(file: string): string {
  const abs = path.resolve(file);
  try {
    return realpathSync(abs);
  } catch {
    return path.join(realOrSelf(path.dirname(abs)), path.basename(abs));
  }
}

/**
 * The problem with a path (the value of `key`) for this process's worker, or null when it may be
 * used: a file must lie inside an allowed directory, a directory (`dir`) may also be one.
 * `enforce` false (validation in any process) skips the check where the worker's settings are unknown.
 */
export function fileProblem(file: string, enforce: boolean, key = 'file', dir = false): string | null {
  const roots = allowedRoots ?? (enforce ? [] : undefined);
  if (roots === undefined) return null;
  if (!path.isAbsolute(file)) return `Invalid value ${file} for configuration ${key}: must be an absolute path`;
  if (roots.length === 0) {
    return `File connectors are disabled on this worker: set the worker property ${ALLOWED_PATHS_KEY} to the directories they may read and write`;
  }
  const target = realTarget(file);
  if (roots.some((r) => (dir && target === r) || target.startsWith(r.endsWith(path.sep) ? r : r + path.sep))) return null;
  return `Invalid value ${file} for configuration ${key}: not inside a directory the worker allows (${ALLOWED_PATHS_KEY}=${roots.join(',')})`;
}

/** For task starts and plans on a worker: refuses with a ConfigError naming the key; returns the real path. */
export function checkFileAllowed(file: string, key = 'file', dir = false): string {
  const problem = fileProblem(file, true, key, dir);
  if (problem) throw new ConfigError(problem, [{ key, message: problem }]);
  return realTarget(file);
}
