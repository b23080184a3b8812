import type { ConfigDef, ConfigOf, KeyMap } from '../config/define.js';
import { ConfigError } from '../errors.js';

/** Parses a converter's (prefix-stripped) settings, or throws ConfigError naming every bad key. */
export function parseConverterConfig<K extends KeyMap>(def: ConfigDef<K>, className: string, raw: Record<string, string>): ConfigOf<K> {
  const parsed = def.parse(raw);
  if (parsed.ok) return parsed.value;
  const detail = parsed.problems.map((p) => p.message).join('; ');
  throw new ConfigError(`Invalid configuration for ${className}: ${detail}`, parsed.problems);
}
