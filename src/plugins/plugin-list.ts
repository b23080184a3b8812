/**
 * One kind of plugin (connectors, transforms, predicates, converters) as the worker knows them:
 * built-ins and loaded plugins go through the same add(). The conflict rule, documented in
 * docs/connector-guide.md: a class name is defined once; when two plugins declare the same class
 * the higher version wins (equal versions: the one loaded first: built-ins, then plugin.path in
 * order, then plugins); a class name always finds its own class, and an alias shared by two
 * classes stays with the class registered first.
 */
export interface PluginOrigin {
  /** The file a plugin came from, or "built-in". */
  location: string;
  /** The plugin's version (a connector's own, else its package's); undefined for built-ins. */
  version?: string;
}

export const BUILT_IN = 'built-in';

export interface AddOutcome {
  added: boolean;
  /** Set when a plugin with the same class was already there: what happened, for the log. */
  conflict?: string;
}

interface Named {
  className: string;
}

/** Compares dotted versions by their numeric parts (1.10.0 > 1.9.3); text parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isInteger(nx) && Number.isInteger(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

export class PluginList<T extends Named> {
  /** Registration order; the same array for the life of the process (exported lists alias it). */
  readonly items: T[] = [];
  private readonly origins = new Map<T, PluginOrigin>();

  constructor(
    private readonly kind: string,
    private readonly namesOf: (p: T) => readonly string[],
    private readonly versionOf: (p: T, origin: PluginOrigin) => string | undefined = (_p, o) => o.version,
  ) {}

  add(plugin: T, origin: PluginOrigin): AddOutcome {
    if (this.origins.has(plugin)) return { added: false };
    const i = this.items.findIndex((p) => p.className === plugin.className);
    if (i === -1) {
      this.items.push(plugin);
      this.origins.set(plugin, origin);
      return { added: true };
    }
    const old = this.items[i];
    const oldOrigin = this.origins.get(old)!;
    const oldVersion = this.versionOf(old, oldOrigin) ?? '0';
    const newVersion = this.versionOf(plugin, origin) ?? '0';
    const describe = (o: PluginOrigin, v: string) => `${o.location} (version ${v})`;
    if (compareVersions(newVersion, oldVersion) > 0) {
      this.items[i] = plugin;
      this.origins.delete(old);
      this.origins.set(plugin, origin);
      return { added: true, conflict: `${this.kind} ${plugin.className} from ${describe(origin, newVersion)} replaces the one from ${describe(oldOrigin, oldVersion)}: the higher version wins` };
    }
    return { added: false, conflict: `${this.kind} ${plugin.className} from ${describe(origin, newVersion)} is ignored: ${describe(oldOrigin, oldVersion)} defines that class already (the higher version wins; equal versions, the first loaded)` };
  }

  /** By full class name first, then by alias in registration order. */
  find(name: string): T | undefined {
    const wanted = name.trim();
    if (wanted === '') return undefined;
    return this.items.find((p) => p.className === wanted) ?? this.items.find((p) => this.namesOf(p).includes(wanted));
  }

  origin(plugin: T): PluginOrigin | undefined {
    return this.origins.get(plugin);
  }
}
