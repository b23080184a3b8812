import { copyFileSync, linkSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configProvidersFromWorkerConfig, isProviderReferenceOnly, providerReferences, resolveConfig, resolveConfigValues, unconfinedProviderWarnings,
} from '../../../src/config/providers.js';
import { resolvedValuesSeen } from '../../../src/config/resolved-values.js';
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
/** The worker config that enables Kafka's three providers under their usual names, unrestricted. */
const ALL = { 'config.providers': 'file,env,dir' };

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

  it('reads references as Connect\'s pattern (stopped at the first `}`) does, on generated values', () => {
    const pattern = /\$\{([^}:]*):(?:([^}]*?):)?([^}]*)\}/g;
    let seed = 24;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 12);
    const pieces = ['${', '${', '}', '}', ':', ':', 'a', 'env', '/p', '$', '{'];
    let withReferences = 0;
    for (let i = 0; i < 3000; i++) {
      const value = Array.from({ length: next() % 24 }, () => pieces[next() % pieces.length]).join('');
      const expected = [...value.matchAll(pattern)].map((m) => ({ text: m[0], provider: m[1], path: m[2] ?? '', key: m[3] }));
      expect(providerReferences(value), value).toEqual(expected);
      if (expected.length) withReferences++;
    }
    // The values exercise references (938 of the 3000 hold one, 105 several), not only plain text.
    expect(withReferences).toBeGreaterThan(500);
  });

  it('scans a megabyte of hostile text in one pass (the pattern backtracked for seconds on 40k characters)', () => {
    const hostile = '${a:' + 'x:'.repeat(500_000);
    expect(providerReferences(hostile)).toEqual([]);
    expect(isProviderReferenceOnly(hostile + '}')).toBe(true);
    expect(providerReferences('${'.repeat(300_000) + '}')).toEqual([]);
  });

  it('tells pure references from text that merely contains one', () => {
    expect(isProviderReferenceOnly('${env:A}')).toBe(true);
    expect(isProviderReferenceOnly('${env:A}${dir:/d:b}')).toBe(true);
    expect(isProviderReferenceOnly('x${env:A}')).toBe(false);
    expect(isProviderReferenceOnly('plain')).toBe(false);
  });
});

describe('resolveConfig', () => {
  it('resolves file, env and dir references once the worker enables them', async () => {
    const providers = configProvidersFromWorkerConfig(ALL, env);
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
      expect(await resolveConfig({ k: '${env:TC_PROVIDERS_TEST}' }, { 'config.providers': 'env' })).toEqual({ k: 'yes' });
    } finally {
      delete process.env.TC_PROVIDERS_TEST;
    }
  });

  it('does not read a resolved value as a reference', async () => {
    const providers = configProvidersFromWorkerConfig(ALL, { A: '${env:B}', B: 'b' });
    expect(await resolveConfig({ k: '${env:A}${env:B}' }, providers)).toEqual({ k: '${env:B}b' });
  });

  it('fails naming the key and the reference for every unresolvable reference, never a resolved value', async () => {
    const providers = configProvidersFromWorkerConfig(ALL, env);
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
    expect(msg('e.password')).toBe("Could not resolve ${vault:secret/db:password} in e.password: config provider 'vault' is not enabled on this worker (enabled: file, env, dir, enc); "
      + 'to use it, add it to config.providers in the worker config and set config.providers.vault.class');
    expect(msg('f.password')).toContain('${env:GONE}');
    expect(msg('g.password')).toContain('Path is not supported for EnvVarConfigProvider');
    expect(e.message).not.toContain('from-env');
    expect(JSON.stringify(e.problems)).not.toContain('from-env');
  });

  it('reads only plain files directly inside a dir provider\'s directory', async () => {
    const providers = configProvidersFromWorkerConfig(ALL, env);
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
    expect(f.problems[0].message).toContain("config provider 'file' is not enabled on this worker (enabled: secrets, environment, enc)");
  });

  it('enables none of the Connect providers when config.providers is set empty (only our enc)', async () => {
    const providers = configProvidersFromWorkerConfig({ 'config.providers': '' }, env);
    expect([...providers.keys()]).toEqual(['enc']);
    const e = await failure(() => resolveConfig({ k: '${env:DB_PASSWORD}' }, providers));
    expect(e.problems[0].message).toContain('(enabled: enc)');
  });

  it('limits file and dir providers to allowed.paths', async () => {
    const providers = configProvidersFromWorkerConfig({
      ...ALL,
      'config.providers.file.param.allowed.paths': secrets,
      'config.providers.dir.param.allowed.paths': secrets,
    }, env);
    expect(await resolveConfig({ k: `\${dir:${secrets}:db_password}` }, providers)).toEqual({ k: 'from-dir\n' });
    const e = await failure(() => resolveConfig({ k: `\${file:${creds}:db.user}`, j: `\${file:${secrets}/../creds.properties:db.user}` }, providers));
    expect(e.problems).toHaveLength(2);
    expect(e.problems[0].message).toContain('outside the paths allowed by config.providers.file.param.allowed.paths');
  });

  it('follows symlinks: a link inside allowed.paths that leads outside is refused (file and dir)', async () => {
    const jail = mkdtempSync(path.join(dir, 'jail-'));
    symlinkSync(creds, path.join(jail, 'creds-link.properties'));
    symlinkSync(path.join(secrets, 'db_password'), path.join(jail, 'pw-link'));
    writeFileSync(path.join(jail, 'inside'), 'ok');
    const providers = configProvidersFromWorkerConfig({
      ...ALL,
      'config.providers.file.param.allowed.paths': jail,
      'config.providers.dir.param.allowed.paths': jail,
    }, env);
    expect(await resolveConfig({ k: `\${dir:${jail}:inside}` }, providers)).toEqual({ k: 'ok' });
    const e = await failure(() => resolveConfig({ k: `\${file:${jail}/creds-link.properties:db.user}`, j: `\${dir:${jail}:pw-link}` }, providers));
    expect(e.problems).toHaveLength(2);
    expect(e.problems.map((p) => p.message).join(' ')).toMatch(/outside the paths allowed by config.providers.file.param.allowed.paths.*leads outside the paths allowed by config.providers.dir.param.allowed.paths/s);
    expect(JSON.stringify(e.problems)).not.toContain('from-dir');
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

describe('unconfinedProviderWarnings', () => {
  it('warns for file and dir providers without allowed.paths and env without allowlist.pattern, naming the setting', () => {
    const warnings = unconfinedProviderWarnings({
      'config.providers': 'file,env,dir,secrets,narrow',
      'config.providers.secrets.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
      'config.providers.narrow.class': 'FileConfigProvider',
      'config.providers.narrow.param.allowed.paths': '/tmp',
    });
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toContain('config.providers.file.param.allowed.paths');
    expect(warnings[1]).toContain('config.providers.env.param.allowlist.pattern');
    expect(warnings[2]).toContain('config.providers.dir.param.allowed.paths');
    expect(warnings[3]).toContain('config.providers.secrets.param.allowed.paths');
  });

  it('says nothing when no provider is enabled or every one is narrowed', () => {
    expect(unconfinedProviderWarnings({})).toEqual([]);
    expect(unconfinedProviderWarnings({
      'config.providers': 'file,env',
      'config.providers.file.param.allowed.paths': '/etc/app',
      'config.providers.env.param.allowlist.pattern': 'APP_.*',
    })).toEqual([]);
  });
});

describe('secure by default (as Kafka Connect): nothing but enc unless the worker enables it', () => {
  it('enables no Connect provider when the worker config does not name one, and says how to enable it', async () => {
    const providers = configProvidersFromWorkerConfig({}, env);
    expect([...providers.keys()]).toEqual(['enc']);
    const e = await failure(() => resolveConfig({
      'topic.prefix': '${env:DB_PASSWORD}-',
      'transforms.i.static.value': '${file:/etc/passwd:root}',
      'connection.user': `\${dir:${secrets}:db_password}`,
    }, providers));
    expect(e.problems.map((p) => p.key)).toEqual(['topic.prefix', 'transforms.i.static.value', 'connection.user']);
    const msg = (k: string) => e.problems.find((p) => p.key === k)!.message;
    expect(msg('topic.prefix')).toBe("Could not resolve ${env:DB_PASSWORD} in topic.prefix: config provider 'env' is not enabled on this worker (enabled: enc); "
      + 'to use it, enable it in the worker config: config.providers=env, config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider; '
      + 'narrow it with config.providers.env.param.allowlist.pattern=<regex of the variable names it may read>');
    expect(msg('transforms.i.static.value')).toContain('config.providers=file, config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider; narrow it with config.providers.file.param.allowed.paths=');
    expect(msg('connection.user')).toContain('config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider');
    expect(JSON.stringify(e.problems) + e.message).not.toContain('from-');
  });

  it('takes Kafka\'s class names, their simple names and the aliases file, env, dir, under any provider name', async () => {
    const providers = configProvidersFromWorkerConfig({
      'config.providers': 'a,b,c',
      'config.providers.a.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      'config.providers.b.class': 'DirectoryConfigProvider',
      'config.providers.c.class': 'file',
    }, env);
    expect(await resolveConfig({ x: '${a:DB_PASSWORD}', y: `\${b:${secrets}:db_password}`, z: `\${c:${creds}:db.user}` }, providers))
      .toEqual({ x: 'from-env', y: 'from-dir\n', z: 'app' });
  });

  it('keeps the name enc for the built-in provider of encrypted values', () => {
    expect(() => configProvidersFromWorkerConfig({ 'config.providers': 'enc', 'config.providers.enc.class': 'file' }, env)).toThrow(/enc is the name of the built-in provider/);
  });

  it('returns every value a reference resolved to, and remembers them for the worker log', async () => {
    const r = await resolveConfigValues({ mixed: 'user=${env:OTHER};pw=${env:DB_PASSWORD}', same: '${env:OTHER}', plain: 'x' }, configProvidersFromWorkerConfig(ALL, env));
    expect(r.config.mixed).toBe('user=other;pw=from-env');
    expect(r.values.sort()).toEqual(['from-env', 'other']);
    expect(resolvedValuesSeen()).toEqual(expect.arrayContaining(['from-env', 'other']));
    expect(await resolveConfigValues({ plain: 'x' }, {})).toEqual({ config: { plain: 'x' }, values: [] });
  });

  it('limits env to allowlist.pattern, matched against the whole name', async () => {
    const providers = configProvidersFromWorkerConfig({ 'config.providers': 'env', 'config.providers.env.param.allowlist.pattern': 'DB_.*' }, env);
    expect(await resolveConfig({ k: '${env:DB_PASSWORD}' }, providers)).toEqual({ k: 'from-env' });
    const e = await failure(() => resolveConfig({ k: '${env:OTHER}', j: '${env:XDB_PASSWORD}' }, providers));
    expect(e.problems.map((p) => p.message)).toEqual([
      'Could not resolve ${env:OTHER} in k: environment variable OTHER is not set or not matched by allowlist.pattern',
      'Could not resolve ${env:XDB_PASSWORD} in j: environment variable XDB_PASSWORD is not set or not matched by allowlist.pattern',
    ]);
  });
});

describe('the secrets key is never reachable through a provider, even where allowed', () => {
  let keyDir: string;
  let keyFile: string;
  let keyText: string;
  let keyEnv: NodeJS.ProcessEnv;

  beforeAll(() => {
    keyDir = path.join(dir, 'keyhome');
    mkdirSync(keyDir);
    keyFile = path.join(keyDir, 'secrets.key');
    keyText = randomBytes(32).toString('base64');
    writeFileSync(keyFile, keyText + '\n', { mode: 0o600 });
    writeFileSync(path.join(keyDir, 'harmless'), 'ok');
    symlinkSync(keyFile, path.join(keyDir, 'link-to-key'));
    linkSync(keyFile, path.join(keyDir, 'hardlink-to-key'));
    copyFileSync(keyFile, path.join(keyDir, 'copy-of-key'));
    writeFileSync(path.join(keyDir, 'key.properties'), `k=${keyText}\n`);
    keyEnv = { TCONNECT_SECRETS_KEY_FILE: keyFile, TCONNECT_SECRETS_KEY: randomBytes(32).toString('base64'), SAFE: 'safe-value' };
  });

  const everything = (root: string) => ({
    'config.providers': 'file,env,dir',
    'config.providers.file.param.allowed.paths': root,
    'config.providers.dir.param.allowed.paths': root,
    'config.providers.env.param.allowlist.pattern': '.*',
  });

  it('refuses the key file by dir and file, through a symlink, a hard link, a copy, and in a properties value', async () => {
    const providers = configProvidersFromWorkerConfig(everything(keyDir), keyEnv);
    expect(await resolveConfig({ ok: `\${dir:${keyDir}:harmless}` }, providers)).toEqual({ ok: 'ok' });
    const refs: Record<string, string> = {
      dir: `\${dir:${keyDir}:secrets.key}`,
      link: `\${dir:${keyDir}:link-to-key}`,
      hard: `\${dir:${keyDir}:hardlink-to-key}`,
      copy: `\${dir:${keyDir}:copy-of-key}`,
      file: `\${file:${keyFile}:x}`,
      fileLink: `\${file:${path.join(keyDir, 'link-to-key')}:x}`,
      prop: `\${file:${path.join(keyDir, 'key.properties')}:k}`,
    };
    const e = await failure(() => resolveConfig(refs, providers));
    const msg = (k: string) => e.problems.find((p) => p.key === k)?.message;
    expect(msg('dir')).toContain(`${path.join(keyDir, 'secrets.key')} is the worker's secrets key (TCONNECT_SECRETS_KEY_FILE), which no config provider reads`);
    expect(msg('link')).toContain('is the worker\'s secrets key');
    expect(msg('hard')).toContain('is the worker\'s secrets key');
    expect(msg('copy')).toContain('the value holds the worker\'s secrets key');
    expect(msg('file')).toContain('is the worker\'s secrets key');
    expect(msg('fileLink')).toContain('is the worker\'s secrets key');
    expect(msg('prop')).toContain('the value holds the worker\'s secrets key');
    expect(JSON.stringify(e.problems) + e.message).not.toContain(keyText.slice(0, 20));
  });

  it('refuses TCONNECT_SECRETS_KEY* through env even when allowlist.pattern matches every name', async () => {
    const providers = configProvidersFromWorkerConfig(everything(keyDir), keyEnv);
    expect(await resolveConfig({ ok: '${env:SAFE}' }, providers)).toEqual({ ok: 'safe-value' });
    const e = await failure(() => resolveConfig({ a: '${env:TCONNECT_SECRETS_KEY}', b: '${env:TCONNECT_SECRETS_KEY_FILE}' }, providers));
    expect(e.problems.map((p) => p.message)).toEqual([
      "Could not resolve ${env:TCONNECT_SECRETS_KEY} in a: environment variable TCONNECT_SECRETS_KEY holds or locates the worker's secrets key, which no config provider reads",
      "Could not resolve ${env:TCONNECT_SECRETS_KEY_FILE} in b: environment variable TCONNECT_SECRETS_KEY_FILE holds or locates the worker's secrets key, which no config provider reads",
    ]);
  });

  it('refuses /proc (its environ lists every variable, the key included) even when allowed', async () => {
    const providers = configProvidersFromWorkerConfig(everything('/proc'), keyEnv);
    const e = await failure(() => resolveConfig({ a: '${file:/proc/self/environ:PATH}', b: '${dir:/proc/self:environ}' }, providers));
    expect(e.problems.map((p) => p.message)).toEqual([
      'Could not resolve ${file:/proc/self/environ:PATH} in a: /proc/self/environ is under /proc (process information, environment included), which no config provider reads',
      'Could not resolve ${dir:/proc/self:environ} in b: /proc/self is under /proc (process information, environment included), which no config provider reads',
    ]);
  });
});
