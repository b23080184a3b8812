import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encryptSecrets, isEncryptedReference, secretsKey } from '../../../src/config/secret-box.js';
import { configProvidersFromWorkerConfig, isProviderReferenceOnly, resolveConfig } from '../../../src/config/providers.js';
import { maskConfig } from '../../../src/config/secrets.js';

describe('encrypted secret references', () => {
  const env = { TCONNECT_SECRETS_KEY: randomBytes(32).toString('base64') };

  it('replaces plain secret values with ${enc:…} that only the worker resolves', async () => {
    const cfg = { 'connection.password': 's3cr3t-pw', 'connection.user': 'app', other: '${env:X}' };
    const enc = encryptSecrets(cfg, ['connection.password', 'other'], isProviderReferenceOnly, env);
    expect(enc['connection.password']).not.toContain('s3cr3t-pw');
    expect(isEncryptedReference(enc['connection.password'])).toBe(true);
    expect(enc.other).toBe('${env:X}');
    expect(enc['connection.user']).toBe('app');
    const resolved = await resolveConfig(enc, configProvidersFromWorkerConfig({ 'config.providers': 'env' }, { ...env, X: 'x' }));
    expect(resolved['connection.password']).toBe('s3cr3t-pw');
    expect(maskConfig(enc, ['connection.password'])['connection.password']).toBe('[hidden]');
  });

  it('fails clearly when the worker holds another key, without echoing the value', async () => {
    const enc = encryptSecrets({ 'connection.password': 'pw-123456' }, ['connection.password'], isProviderReferenceOnly, env);
    const other = { TCONNECT_SECRETS_KEY: randomBytes(32).toString('base64') };
    const err = await resolveConfig(enc, configProvidersFromWorkerConfig({}, other)).catch((e: Error) => e);
    expect(String(err)).toMatch(/connection\.password/);
    expect(String(err)).toMatch(/TCONNECT_SECRETS_KEY/);
    expect(String(err)).not.toContain('pw-123456');
  });

  it('creates a 0600 key file on first use when no key is configured', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tc-key-'));
    const file = path.join(dir, 'k', 'secrets.key');
    const k1 = secretsKey({ create: true }, { TCONNECT_SECRETS_KEY_FILE: file });
    const k2 = secretsKey({ create: false }, { TCONNECT_SECRETS_KEY_FILE: file });
    expect(k1.equals(k2)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => secretsKey({ create: false }, { TCONNECT_SECRETS_KEY_FILE: path.join(dir, 'none') })).toThrow(/TCONNECT_SECRETS_KEY/);
  });
});
