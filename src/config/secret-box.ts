import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { ConfigProvider } from './providers.js';

/**
 * Keeps plain secrets out of Temporal history. When a connector config is submitted through the
 * SDK, CLI or REST API, each secret value that is not already a config-provider reference is
 * encrypted (AES-256-GCM) into a reference `${enc:v1.<iv>.<ciphertext>.<tag>}`; only activities
 * resolve it, like ${env:…} or ${file:…}. Clients and workers share the key:
 * TCONNECT_SECRETS_KEY (base64 of 32 bytes), else the file TCONNECT_SECRETS_KEY_FILE, else
 * ~/.config/temporal-connect/secrets.key (created on first use, mode 0600).
 */
export const ENC_PROVIDER = 'enc';
const VERSION = 'v1';
const ENC_REF = /^\$\{enc:v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\}$/;

export function isEncryptedReference(value: string): boolean {
  return ENC_REF.test(value);
}

/** The key file's path: TCONNECT_SECRETS_KEY_FILE, else ~/.config/temporal-connect/secrets.key. */
export function secretsKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.TCONNECT_SECRETS_KEY_FILE || path.join(os.homedir(), '.config', 'temporal-connect', 'secrets.key');
}

/** Environment variables that hold or locate the key: no config provider may read them. */
export function isSecretsKeyVariable(name: string): boolean {
  return name.toUpperCase().startsWith('TCONNECT_SECRETS_KEY');
}

/**
 * The key as text, wherever this process finds it (the variable, the key file), so that a config
 * provider can refuse any value that carries it, whatever path or copy it came through.
 */
export function secretsKeyTexts(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const fromEnv = env.TCONNECT_SECRETS_KEY?.trim();
  if (fromEnv) out.push(fromEnv);
  try {
    const fromFile = readFileSync(secretsKeyFile(env), 'utf8').trim();
    if (fromFile) out.push(fromFile);
  } catch {
    // No key file: nothing to guard.
  }
  return out;
}

/** The shared key; creates the key file when asked to and none exists. */
export function secretsKey(opts: { create: boolean }, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.TCONNECT_SECRETS_KEY?.trim();
  if (fromEnv) {
    const k = Buffer.from(fromEnv, 'base64');
    if (k.length !== 32) throw new ConfigError('TCONNECT_SECRETS_KEY must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)');
    return k;
  }
  const file = secretsKeyFile(env);
  if (!existsSync(file)) {
    if (!opts.create) {
      throw new ConfigError(`No secrets key on this worker to decrypt \${enc:…} values: set TCONNECT_SECRETS_KEY (or TCONNECT_SECRETS_KEY_FILE) to the key the client used (${file} on the client's machine)`);
    }
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const k = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (k.length !== 32) throw new ConfigError(`${file} does not hold a base64 32-byte key`);
  return k;
}

export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `\${${ENC_PROVIDER}:${VERSION}.${iv.toString('base64url')}.${ct.toString('base64url')}.${c.getAuthTag().toString('base64url')}}`;
}

export function decryptSecret(token: string, key: Buffer): string {
  const [version, iv, ct, tag] = token.split('.');
  if (version !== VERSION || !iv || ct === undefined || !tag) throw new Error('not an encrypted value of this version');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
}

/** Replaces plain values of the given secret keys with encrypted references. */
export function encryptSecrets(config: Record<string, string>, keys: readonly string[], isReference: (v: string) => boolean, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const plain = keys.filter((k) => typeof config[k] === 'string' && config[k] !== '' && !isReference(config[k]));
  if (plain.length === 0) return config;
  const key = secretsKey({ create: true }, env);
  const out = { ...config };
  for (const k of plain) out[k] = encryptSecret(config[k], key);
  return out;
}

/** The `enc` config provider: `${enc:v1.…}` → the plain value, inside activities only. */
export class EncryptedValueProvider implements ConfigProvider {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(_path: string, keys: readonly string[]): Promise<Map<string, string>> {
    const key = secretsKey({ create: false }, this.env);
    const out = new Map<string, string>();
    for (const k of keys) {
      try {
        out.set(k, decryptSecret(k, key));
      } catch {
        // Left out: reported as missing, with the reason below.
      }
    }
    return out;
  }

  missing(): string {
    return 'it cannot be decrypted with this worker\'s secrets key (TCONNECT_SECRETS_KEY must match the client\'s)';
  }
}
