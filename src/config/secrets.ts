import type { ConnectorPlugin } from '../connectors/types.js';
import { isEncryptedReference } from './secret-box.js';
// connector-config imports this module too; the cycle is safe because neither uses the other at load time.
import { connectorKeys } from './connector-config.js';
import { isProviderReferenceOnly } from './providers.js';

/** What a masked value shows: the text of Kafka's Password.toString(). */
export const HIDDEN = '[hidden]';

/**
 * Key names that hold secrets whoever declares them: converter settings
 * (`value.converter.basic.auth.user.info`), client overrides (`producer.override.sasl.jaas.config`),
 * transform settings. `password` also covers `.password`.
 */
const SECRET_SUFFIXES = ['password', '.secret', 'secret.key', 'api.key', 'token', 'sasl.jaas.config', 'basic.auth.user.info'];

export function isSecretKeyName(key: string): boolean {
  const k = key.toLowerCase();
  return SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

/**
 * The keys whose values are secret: declared PASSWORD (or secret) in the plugin or the common
 * connector config, plus every key of `config` whose name looks secret.
 */
export function secretKeys(plugin: ConnectorPlugin | undefined, config: Record<string, unknown>): string[] {
  const declared = Object.entries(connectorKeys(plugin))
    .filter(([, k]) => k.meta.secret || k.meta.type === 'PASSWORD')
    .map(([name]) => name);
  return [...new Set([...declared, ...Object.keys(config).filter(isSecretKeyName)])];
}

/**
 * A copy with secret values replaced by `[hidden]`. Pure config-provider references
 * (`${env:DB_PASSWORD}`) are shown as written: they are not secrets, and Connect's REST API
 * returns the unresolved text too.
 */
export function maskConfig(config: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const secret = new Set(keys);
  const out: Record<string, string> = {};
  // References are shown as written (as Connect), except our encrypted values: nobody needs the ciphertext.
  for (const [k, v] of Object.entries(config)) out[k] = secret.has(k) && (!isProviderReferenceOnly(v) || isEncryptedReference(v)) ? HIDDEN : v;
  return out;
}

/** The plain secret values of a config (not references, not empty). */
export function secretValues(config: Record<string, string>, keys: readonly string[]): string[] {
  return keys.map((k) => config[k]).filter((v): v is string => typeof v === 'string' && v !== '' && !isProviderReferenceOnly(v));
}

/** Whether any plain secret value of `config` shows up in `text` (for tests and log guards). */
export function containsSecret(text: string, config: Record<string, string>, keys: readonly string[]): boolean {
  return secretValues(config, keys).some((s) => text.includes(s));
}

/**
 * Scrubs secret values out of a message or stack trace, as written and URL-encoded (drivers echo
 * connection strings, where passwords appear percent-encoded).
 */
export function redact(message: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  // Longest first, so a secret that contains another is replaced whole.
  let out = message;
  for (const s of [...forms].sort((a, b) => b.length - a.length)) out = out.split(s).join(HIDDEN);
  return out;
}
