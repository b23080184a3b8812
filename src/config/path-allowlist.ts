// Directories a worker lets connector configs reach: the file and dir config providers'
// allowed.paths (KIP-993) and the file connectors' file.connectors.allowed.paths. One rule for
// both: a path is checked where it really is, symlinks followed, so a link inside an allowed
// directory cannot lead outside it.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/** The real path of p, or (while p does not exist) its real directory joined with its name. */
export function realTarget(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const dir = path.dirname(abs);
    return dir === abs ? abs : path.join(realTarget(dir), path.basename(abs));
  }
}

/** True when p is root or lies below it (both absolute and normalized). */
export function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class PathAllowlist {
  /** The allowed directories, real paths; null: any path. */
  private constructor(readonly roots: readonly string[] | null) {}

  /** Every path allowed. */
  static readonly ANY = new PathAllowlist(null);

  /**
   * Parses a comma-separated setting. Unset or empty gives `whenUnset` (ANY for the providers, as
   * in Kafka; none for the file connectors). `mustExist`: each entry must be an absolute existing
   * path, else a ConfigError naming `settingKey` (Kafka's message).
   */
  static parse(setting: string | undefined, settingKey: string, opts: { whenUnset: 'any' | 'none'; mustExist: boolean }): PathAllowlist {
    const entries = (setting ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (entries.length === 0) return opts.whenUnset === 'any' ? PathAllowlist.ANY : new PathAllowlist([]);
    for (const entry of entries) {
      if (opts.mustExist && (!path.isAbsolute(entry) || !existsSync(entry))) {
        const message = `Path ${entry} is not valid. The path should be absolute and exist`;
        throw new ConfigError(`Invalid value ${setting} for configuration ${settingKey}: ${message}`, [{ key: settingKey, message }]);
      }
    }
    return new PathAllowlist(entries.map((e) => realTarget(path.normalize(e))));
  }

  /** Whether p (really) lies inside an allowed directory; `allowRoot`: p may also be one of them. */
  allows(p: string, opts: { allowRoot: boolean }): boolean {
    if (this.roots === null) return true;
    const target = realTarget(p);
    return this.roots.some((root) => (target === root ? opts.allowRoot : isInside(target, root)));
  }
}
