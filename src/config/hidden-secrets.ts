import { ConfigError } from '../errors.js';
import { HIDDEN } from './secrets.js';

/**
 * `[hidden]` is what every answer shows for a secret. Sent back in a reconfigure it means "keep the
 * stored value"; anywhere else (a new connector) there is no stored value to keep.
 */
export function hiddenSecretError(keys: readonly string[]): ConfigError {
  const message = (k: string) =>
    `The value of ${k} is "${HIDDEN}", the masked text answers show for secrets, and there is no stored value to keep: send the real value or a config provider reference such as \${env:VARIABLE}`;
  return new ConfigError(
    `Connector configuration is invalid and contains the following ${keys.length} error(s): ${keys.map((k) => `${k}: ${message(k)}`).join('; ')}`,
    keys.map((k) => ({ key: k, message: message(k) })),
  );
}

/** The secret keys of a config whose value is `[hidden]`. */
export function hiddenSecretKeys(config: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((k) => config[k] === HIDDEN);
}
