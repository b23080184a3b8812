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
  for (const [k, v] of Object.entries(config)) out[k] = secret.has(k) ? maskedValue(v) : v;
  return out;
}

/** What a secret key's value shows: [hidden], or the reference as written (as Connect), except our encrypted values: nobody needs the ciphertext. */
export function maskedValue(value: string): string {
  return !isProviderReferenceOnly(value) || isEncryptedReference(value) ? HIDDEN : value;
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
 * Values shorter than this are scrubbed from free text only where they stand quoted ('x', "x",
 * `x`), as drivers quote users and names: replacing every "e" of a message because a password is
 * "e" would garble it (`prob[hidden]-shortpw`) and, by the places it leaves, tell the value anyway.
 * Such a value is guessable in a few thousand tries at most; masking by key hides it where it is a value.
 */
export const MIN_SCRUB_LENGTH = 4;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Free text in, the same text with the values it was built for replaced by [hidden]. */
export type Scrub = (text: string) => string;

/**
 * A scrubber for secret and resolved values in free text (an error message, a stack trace, a log
 * line), as written, trimmed and URL-encoded (drivers echo connection strings, where passwords
 * appear percent-encoded). One pass, longest first, so a value containing another is replaced
 * whole and no replacement is matched again. Values shorter than MIN_SCRUB_LENGTH: only quoted.
 * Undefined when there is nothing to scrub. Build it once and apply it to many texts.
 */
export function scrubberFor(secrets: readonly string[]): Scrub | undefined {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    for (const f of [s, s.trim(), encodeURIComponent(s), encodeURIComponent(s.trim())]) if (f) forms.add(f);
  }
  if (forms.size === 0) return undefined;
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  const long = sorted.filter((f) => f.length >= MIN_SCRUB_LENGTH).map(escapeRegExp);
  const short = sorted.filter((f) => f.length < MIN_SCRUB_LENGTH).map(escapeRegExp);
  const parts = [
    ...(long.length ? [long.join('|')] : []),
    ...(short.length ? [`(?<=['"\`])(?:${short.join('|')})(?=['"\`])`] : []),
  ];
  const re = new RegExp(parts.join('|'), 'g');
  return (text) => text.replace(re, HIDDEN);
}

/** scrubberFor(secrets) applied to one text. */
export function redact(message: string, secrets: readonly string[]): string {
  const scrub = scrubberFor(secrets);
  return scrub ? scrub(message) : message;
}

/** redact() applied to every string inside a value (log objects, failure details); Errors become their scrubbed stack, other class instances are kept. */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  const scrub = scrubberFor(secrets);
  return scrub ? scrubDeep(value, scrub) : value;
}

/** A scrubber applied to every string inside a value, as redactDeep. */
export function scrubDeep(value: unknown, scrub: Scrub): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value instanceof Error) return scrub(value.stack ?? `${value.name}: ${value.message}`);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub));
  const proto = value && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, scrubDeep(v, scrub)]));
  return value;
}
