import type { ConfigDef, ConfigOf, KeyMap } from '../config/define.js';
import type { ConnectorPlugin } from '../connectors/types.js';
import type { ConverterPlugin } from '../converters/registry.js';
import { ConfigError } from '../errors.js';
import type { PredicateDefinition, TransformDefinition } from '../transforms/types.js';

/**
 * What a plugin module or package exports as its default export: the connectors, transforms,
 * predicates and converters it adds to a worker (`export default definePlugins({ connectors: [...] })`).
 */
export interface PluginBundle {
  connectors?: ConnectorPlugin[];
  transforms?: TransformDefinition[];
  predicates?: PredicateDefinition[];
  converters?: ConverterPlugin[];
  /** Version of the transforms, predicates and converters (connectors carry their own); default: the package's version. */
  version?: string;
}

/** Identity with types: the shape a plugin module's default export must have. */
export function definePlugins(bundle: PluginBundle): PluginBundle {
  return bundle;
}

/** Parses a connector's config with its declaration, or throws one ConfigError naming every bad key. */
export function parseConfig<K extends KeyMap>(def: ConfigDef<K>, raw: Record<string, unknown>): ConfigOf<K> {
  const r = def.parse(raw);
  if (r.ok) return r.value;
  throw new ConfigError(`Invalid configuration: ${r.problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, r.problems);
}
