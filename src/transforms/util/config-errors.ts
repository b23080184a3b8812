import { ConfigError } from '../../errors.js';

/** A ConfigError about one of a transform's own keys; the chain prefixes the key with transforms.<alias>. */
export function configError(key: string, message: string): ConfigError {
  return new ConfigError(message, [{ key, message }]);
}
