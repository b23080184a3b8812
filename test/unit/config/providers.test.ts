import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configProvidersFromWorkerConfig, isProviderReferenceOnly, providerReferences, resolveConfig,
} from '../../../src/config/providers.js';
import { ConfigError } from '../../../src/errors.js';

let dir: string;
let creds: string;
let secrets: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tc-providers-'));
  creds = path.join(dir, 'creds.properties');
  writeFileSync(creds, '# test\ndb.user = app\ndb.password=s3cr\\=et\\u00e9\nurl: jdbc:mysql://db/shop\n');
  secrets = path.join(dir, 'secrets');
  mkdirSync(secrets);
  writeFileSync(path.join(secrets, 'db_password'), 'from-dir\n');
  mkdirSync(path.join(secrets, 'subdir'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { DB_PASSWORD: 'from-env', OTHER: 'other' };

async function failure(run: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('reference syntax', () => {
  it('reads ${provider:[path:]key} as Connect does', () => {
    expect(providerReferences('${env:VAR}')).toEqual([{ text: '${env:VAR}', provider: 'env', path: '', key: 'VAR' }]);
    expect(providerReferences('${file:/p/c.properties:db.password}')[0]).toMatchObject({ provider: 'file', path: '/p/c.properties', key: 'db.password' });
    // The path ends at the first ':' after the provider; the key keeps the rest.
    expect(providerReferences('${file:/p:a:b}')[0]).toMatchObject({ path: '/p', key: 'a:b' });
    expect(providerReferences('u=${env:A};p=${env:B}').map((r) => r.key)).toEqual(['A', 'B']);
    expect(providerReferences('${topic}-${timestamp}')).toEqual([]);
  });

  it('tells pure references from text that merely contains one', () => {
    expect(isProviderReferenceOnly('${env:A}')).toBe(true);
    expect(isProviderReferenceOnly('${env:A}${dir:/d:b}')).toBe(true);
    expect(isProviderReferenceOnly('x${env:A}')).toBe(false);
    expect(isProviderReferenceOnly('plain')).toBe(false);
  });
});

describe('resolveConfig', () => {
  it('resolves file, env and dir references with the default providers', async () => {
    const providers = configProvidersFromWorkerConfig({}, env);
    const out = await resolveConfig({
      'connection.user': `\${file:${creds}:db.user}`,
      'connection.password': `\${file:${creds}:db.password}`,
      'connection.url': `\${file:${creds}:url}`,
      'a.password': '${env:DB_PASSWORD}',
      'b.password': `\${dir:${secrets}:db_password}`,
      mixed: 'user=${env:OTHER};pw=${env:DB_PASSWORD}',
      'topic.format': '${topic}-${timestamp}',
      plain: 'x',
    }, providers);
    expect(out).toEqual({
      'connection.user': 'app',
      'connection.password': 's3cr=eté',
      'connection.url': 'jdbc:mysql://db/shop',
      'a.password': 'from-env',
      // Whole file content, trailing newline kept, as Connect's DirectoryConfigProvider reads it.
      'b.password': 'from-dir\n',
      mixed: 'user=other;pw=from-env',
      'topic.format': '${topic}-${timestamp}',
      plain: 'x',
    });
  });

  it('takes the worker config directly, reading the process environment', async () => {
    process.env.TC_PROVIDERS_TEST = 'yes';
    try {
      expect(await resolveConfig({ k: '${env:TC_PROVIDERS_TEST}' }, {})).toEqual({ k: 'yes' });
    } finally {
      delete process.env.TC_PROVIDERS_TEST;
    }
  });

  it('does not read a resolved value as a reference', async () => {
    const providers = configProvidersFromWorkerConfig({}, { A: '${env:B}', B: 'b' });
    expect(await resolveConfig({ k: '${env:A}${env:B}' }, providers)).toEqual({ k: '${env:B}b' });
  });

  it('fails naming the key and the reference for every unresolvable reference, never a resolved value', async () => {
    const providers = configProvidersFromWorkerConfig({}, env);
    const e = await failure(() => resolveConfig({
      'connection.password': '${env:NOPE}',
      'a.password': `\${file:${creds}:missing.key}`,
      'b.password': `\${file:${dir}/none.properties:k}`,
      'c.password': `\${dir:${secrets}:nope}`,
      'd.password': `\${dir:${creds}:x}`,
      'e.password': '${vault:secret/db:password}',
      'f.password': '${env:DB_PASSWORD}${env:GONE}',
      'g.password': '${env:some/path:X}',
    }, providers));
    expect(e.problems.map((p) => p.key)).toEqual(['connection.password', 'a.password', 'b.password', 'c.password', 'd.password', 'e.password', 'f.password', 'g.password']);
    const msg = (k: string) => e.problems.find((p) => p.key === k)!.message;
    expect(msg('connection.password')).toBe('Could not resolve ${env:NOPE} in connection.password: environment variable NOPE is not set');
    expect(msg('a.password')).toContain('no key missing.key in properties file');
    expect(msg('b.password')).toContain('Could not read properties from file');
    expect(msg('c.password')).toContain(`no file nope in directory ${secrets}`);
    expect(msg('d.password')).toContain('is not a directory');
    expect(msg('e.password')).toContain("no config provider named 'vault' (configured: file, env, dir");
    expect(msg('f.password')).toContain('${env:GONE}');
    expect(msg('g.password')).toContain('Path is not supported for EnvVarConfigProvider');
    expect(e.message).not.toContain('from-env');
    expect(JSON.stringify(e.problems)).not.toContain('from-env');
  });

  it('reads only plain files directly inside a dir provider\'s directory', async () => {
    const providers = configProvidersFromWorkerConfig({}, env);
    for (const key of ['subdir', '../creds.properties', '..']) {
      await failure(() => resolveConfig({ k: `\${dir:${secrets}:${key}}` }, providers));
    }
  });
});

describe('worker provider settings', () => {
  it('honours config.providers, custom names, classes by full or simple name, and params', async () => {
    const providers = configProvidersFromWorkerConfig({
      'config.providers': 'secrets,environment',
      'config.providers.secrets.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
      'config.providers.environment.class': 'EnvVarConfigProvider',
      'config.providers.environment.param.allowlist.pattern': 'DB_.*',
    }, env);
    // `enc` (our encrypted values, see secret-box.ts) is always there.
    expect([...providers.keys()]).toEqual(['secrets', 'environment', 'enc']);
    expect(await resolveConfig({ a: `\${secrets:${secrets}:db_password}`, b: '${environment:DB_PASSWORD}' }, providers))
      .toEqual({ a: 'from-dir\n', b: 'from-env' });
    // The allowlist must match the whole name.
    const e = await failure(() => resolveConfig({ b: '${environment:OTHER}' }, providers));
    expect(e.problems[0].message).toContain('not matched by allowlist.pattern');
    const f = await failure(() => resolveConfig({ c: '${file:/x:y}' }, providers));
    expect(f.problems[0].message).toContain("no config provider named 'file' (configured: secrets, environment");
  });

  it('enables none of the Connect providers when config.providers is set empty (only our enc)', async () => {
    const providers = configProvidersFromWorkerConfig({ 'config.providers': '' }, env);
    expect([...providers.keys()]).toEqual(['enc']);
    const e = await failure(() => resolveConfig({ k: '${env:DB_PASSWORD}' }, providers));
    expect(e.problems[0].message).toContain('configured: enc');
  });

  it('limits file and dir providers to allowed.paths', async () => {
    const providers = configProvidersFromWorkerConfig({
      'config.providers.file.param.allowed.paths': secrets,
      'config.providers.dir.param.allowed.paths': secrets,
    }, env);
    expect(await resolveConfig({ k: `\${dir:${secrets}:db_password}` }, providers)).toEqual({ k: 'from-dir\n' });
    const e = await failure(() => resolveConfig({ k: `\${file:${creds}:db.user}`, j: `\${file:${secrets}/../creds.properties:db.user}` }, providers));
    expect(e.problems).toHaveLength(2);
    expect(e.problems[0].message).toContain('outside the paths allowed by config.providers.file.param.allowed.paths');
  });

  it('rejects bad provider settings, naming the worker keys', () => {
    const bad = () => configProvidersFromWorkerConfig({
      'config.providers': 'file,vault,custom',
      'config.providers.file.param.allowed.paths': 'relative/path',
      'config.providers.vault.class': 'com.example.VaultConfigProvider',
    }, env);
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.key)).toEqual([
        'config.providers.file.param.allowed.paths', 'config.providers.vault.class', 'config.providers.custom.class',
      ]);
    }
  });

  it('does not build providers when nothing refers to one', async () => {
    expect(await resolveConfig({ a: 'b' }, { 'config.providers': 'x' })).toEqual({ a: 'b' });
  });
});
