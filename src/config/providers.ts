import { readFile, stat } from 'node:fs/promises';
import { ENC_PROVIDER, EncryptedValueProvider } from './secret-box.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseProperties } from 'dot-properties';
import { ConfigError } from '../errors.js';
import { compileJavaRegex, type JavaRegex } from '../transforms/util/java-regex.js';

/**
 * Kafka Connect's config providers: a connector value `${provider:[path:]key}` is replaced by what
 * the provider finds, so secrets stay out of the stored config (and out of Temporal history).
 * Resolve only inside activities, right before use; never store the result.
 *
 * Where we differ from Connect's ConfigTransformer, on purpose:
 * - A reference Connect cannot resolve (unknown provider, missing file, key or variable) is left
 *   as written and the connector then fails with a confusing login error; we fail with a
 *   ConfigError naming the connector key and the reference (never a resolved value).
 * - Connect's pattern `\$\{(.*?):((.*?):)?(.*?)\}` may run across a `}` and swallow two
 *   references; ours stops at the first `}`. Inside one reference both read the same: the path
 *   ends at the first `:` after the provider, the key is the rest (it may contain `:`).
 */
const REFERENCE = /\$\{([^}:]*):(?:([^}]*?):)?([^}]*)\}/g;

export interface ProviderReference {
  /** The reference as written, e.g. ${file:/etc/creds.properties:db.password} */
  text: string;
  provider: string;
  /** '' when the reference has none, as in ${env:VAR} */
  path: string;
  key: string;
}

export function providerReferences(value: string): ProviderReference[] {
  return [...value.matchAll(REFERENCE)].map((m) => ({ text: m[0], provider: m[1], path: m[2] ?? '', key: m[3] }));
}

export function hasProviderReference(value: string): boolean {
  return providerReferences(value).length > 0;
}

/** True when the value is nothing but references (e.g. `${env:DB_PASSWORD}`): it holds no secret itself. */
export function isProviderReferenceOnly(value: string): boolean {
  return hasProviderReference(value) && value.replace(REFERENCE, '') === '';
}

/** A source of config values. `get` leaves out keys it cannot find; it throws for trouble with the path itself. */
export interface ConfigProvider {
  get(path: string, keys: readonly string[]): Promise<Map<string, string>>;
  /** Why `key` was not found at `path`, for the error message. */
  missing(path: string, key: string): string;
}

export type ConfigProviders = ReadonlyMap<string, ConfigProvider>;

/** A provider could not use the path (missing file, not allowed, not a directory). */
class ProviderPathError extends Error {}

/** KIP-993's allowed.paths: absolute, existing paths; a reference must lie inside one. Unset: anything goes. */
class AllowedPaths {
  private readonly roots: string[] | null;

  constructor(setting: string | undefined, settingKey: string) {
    if (setting === undefined || setting.trim() === '') {
      this.roots = null;
      return;
    }
    this.roots = setting.split(',').map((p) => path.normalize(p.trim()));
    for (const root of this.roots) {
      if (!path.isAbsolute(root) || !existsSync(root)) {
        const message = `Path ${root} is not valid. The path should be absolute and exist`;
        throw new ConfigError(`Invalid value ${setting} for configuration ${settingKey}: ${message}`, [{ key: settingKey, message }]);
      }
    }
  }

  check(p: string, settingKey: string): string {
    const normalized = path.normalize(p);
    if (this.roots && !this.roots.some((root) => isInside(normalized, root))) {
      throw new ProviderPathError(`${p} is outside the paths allowed by ${settingKey}`);
    }
    return normalized;
  }
}

function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? String(e);
}

/** FileConfigProvider: `${file:/path/creds.properties:db.password}` reads a key of a .properties file. */
class FileConfigProvider implements ConfigProvider {
  private readonly allowed: AllowedPaths;
  private readonly allowedKey: string;

  constructor(name: string, params: Record<string, string>) {
    this.allowedKey = `config.providers.${name}.param.allowed.paths`;
    this.allowed = new AllowedPaths(params['allowed.paths'], this.allowedKey);
  }

  async get(file: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (file === '') throw new ProviderPathError('a file reference needs a path: ${file:/path/to/file.properties:key}');
    const p = this.allowed.check(file, this.allowedKey);
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (e) {
      throw new ProviderPathError(`Could not read properties from file ${file} (${ioReason(e)})`);
    }
    const props = parseProperties(text) as Record<string, string>;
    return new Map(keys.filter((k) => Object.hasOwn(props, k)).map((k) => [k, props[k]]));
  }

  missing(file: string, key: string): string {
    return `no key ${key} in properties file ${file}`;
  }
}

/**
 * DirectoryConfigProvider: `${dir:/run/secrets:db_password}` is the whole content of the file
 * db_password in that directory. Read as is, like Connect: no trailing newline is trimmed
 * (write secret files with `printf`, not `echo`, or the newline becomes part of the password).
 */
class DirectoryConfigProvider implements ConfigProvider {
  private readonly allowed: AllowedPaths;
  private readonly allowedKey: string;

  constructor(name: string, params: Record<string, string>) {
    this.allowedKey = `config.providers.${name}.param.allowed.paths`;
    this.allowed = new AllowedPaths(params['allowed.paths'], this.allowedKey);
  }

  async get(dir: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (dir === '') throw new ProviderPathError('a directory reference needs a path: ${dir:/path/to/dir:file}');
    const p = this.allowed.check(dir, this.allowedKey);
    const isDir = await stat(p).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new ProviderPathError(`${dir} is not a directory`);
    const out = new Map<string, string>();
    for (const key of keys) {
      // Keys name files directly inside the directory, as Connect's listing does; nothing else.
      if (key === '' || key === '.' || key === '..' || key.includes('/') || key.includes(path.sep)) continue;
      const file = path.join(p, key);
      if (!(await stat(file).then((s) => s.isFile(), () => false))) continue;
      try {
        out.set(key, await readFile(file, 'utf8'));
      } catch (e) {
        throw new ProviderPathError(`Could not read file ${file} (${ioReason(e)})`);
      }
    }
    return out;
  }

  missing(dir: string, key: string): string {
    return `no file ${key} in directory ${dir}`;
  }
}

/** EnvVarConfigProvider: `${env:DB_PASSWORD}`; `allowlist.pattern` (a whole-name regex) limits which variables it may read. */
class EnvVarConfigProvider implements ConfigProvider {
  private readonly allowlist: JavaRegex | null;

  constructor(name: string, params: Record<string, string>, private readonly env: NodeJS.ProcessEnv) {
    const pattern = params['allowlist.pattern'];
    const settingKey = `config.providers.${name}.param.allowlist.pattern`;
    try {
      this.allowlist = pattern === undefined ? null : compileJavaRegex(pattern, true);
    } catch (e) {
      const message = (e as Error).message;
      throw new ConfigError(`Invalid value ${pattern} for configuration ${settingKey}: ${message}`, [{ key: settingKey, message }]);
    }
  }

  async get(p: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (p !== '') throw new ProviderPathError(`Path is not supported for EnvVarConfigProvider, invalid value '${p}'`);
    const out = new Map<string, string>();
    for (const key of keys) {
      const value = this.env[key];
      if (value !== undefined && (this.allowlist === null || this.allowlist.test(key))) out.set(key, value);
    }
    return out;
  }

  missing(_path: string, key: string): string {
    return this.allowlist
      ? `environment variable ${key} is not set or not matched by allowlist.pattern`
      : `environment variable ${key} is not set`;
  }
}

export const FILE_CONFIG_PROVIDER = 'org.apache.kafka.common.config.provider.FileConfigProvider';
export const ENV_VAR_CONFIG_PROVIDER = 'org.apache.kafka.common.config.provider.EnvVarConfigProvider';
export const DIRECTORY_CONFIG_PROVIDER = 'org.apache.kafka.common.config.provider.DirectoryConfigProvider';

type Factory = (name: string, params: Record<string, string>, env: NodeJS.ProcessEnv) => ConfigProvider;

const PROVIDER_CLASSES: ReadonlyArray<{ className: string; create: Factory }> = [
  { className: FILE_CONFIG_PROVIDER, create: (n, p) => new FileConfigProvider(n, p) },
  { className: ENV_VAR_CONFIG_PROVIDER, create: (n, p, env) => new EnvVarConfigProvider(n, p, env) },
  { className: DIRECTORY_CONFIG_PROVIDER, create: (n, p) => new DirectoryConfigProvider(n, p) },
];

/** The class each standard name gets when the worker does not say (`config.providers.file.class` and so on). */
const STANDARD_NAMES: Record<string, string> = { file: FILE_CONFIG_PROVIDER, env: ENV_VAR_CONFIG_PROVIDER, dir: DIRECTORY_CONFIG_PROVIDER };

function findProviderClass(name: string) {
  const wanted = name.trim();
  return PROVIDER_CLASSES.find((c) => c.className === wanted || c.className.slice(c.className.lastIndexOf('.') + 1) === wanted);
}

/**
 * The providers a worker config sets up, with Connect's keys: `config.providers=file,env,dir`,
 * `config.providers.<name>.class=<class>`, `config.providers.<name>.param.<param>=<value>`.
 *
 * Our default differs from Connect's: when the worker does not set `config.providers` at all,
 * file, env and dir are all enabled under those names (Connect enables none), so that
 * `${env:DB_PASSWORD}` works out of the box. Set `config.providers=` (empty) to turn them off,
 * and `config.providers.file.param.allowed.paths` / `config.providers.env.param.allowlist.pattern`
 * to narrow what connectors may read.
 */
export function configProvidersFromWorkerConfig(worker: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ConfigProviders {
  const listed = worker['config.providers'];
  const names = listed === undefined
    ? Object.keys(STANDARD_NAMES)
    : listed.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const providers = new Map<string, ConfigProvider>();
  const problems: Array<{ key: string; message: string }> = [];
  for (const name of names) {
    const classKey = `config.providers.${name}.class`;
    const className = worker[classKey]?.trim() || STANDARD_NAMES[name];
    if (!className) {
      problems.push({ key: classKey, message: `Missing required configuration "${classKey}" for config provider ${name}.` });
      continue;
    }
    const found = findProviderClass(className);
    if (!found) {
      problems.push({ key: classKey, message: `Class ${className} could not be found. Known config providers: ${PROVIDER_CLASSES.map((c) => c.className).join(', ')}` });
      continue;
    }
    const prefix = `config.providers.${name}.param.`;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(worker)) if (k.startsWith(prefix)) params[k.slice(prefix.length)] = v;
    try {
      providers.set(name, found.create(name, params, env));
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  // ${enc:…} values written by our own clients are always resolvable (see secret-box.ts).
  if (!providers.has(ENC_PROVIDER)) providers.set(ENC_PROVIDER, new EncryptedValueProvider(env));
  if (problems.length) {
    throw new ConfigError(`Invalid config provider settings: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
  }
  return providers;
}

/**
 * A copy of `config` with every `${provider:[path:]key}` replaced. Reads each file or directory
 * once. Throws one ConfigError listing every reference that could not be resolved, by connector key.
 * `workerConfigOrProviders`: the worker's properties (see configProvidersFromWorkerConfig) or ready providers.
 */
export async function resolveConfig(
  config: Record<string, string>,
  workerConfigOrProviders: Record<string, string> | ConfigProviders = {},
): Promise<Record<string, string>> {
  const refsByKey = Object.entries(config)
    .map(([key, value]) => ({ key, value, refs: providerReferences(value) }))
    .filter((e) => e.refs.length > 0);
  if (refsByKey.length === 0) return { ...config };

  const providers = workerConfigOrProviders instanceof Map
    ? (workerConfigOrProviders as ConfigProviders)
    : configProvidersFromWorkerConfig(workerConfigOrProviders as Record<string, string>);

  // One lookup per provider and path, as Connect's ConfigTransformer does.
  const lookups = new Map<string, { provider: ConfigProvider; path: string; keys: Set<string>; result?: Promise<Map<string, string>> }>();
  const lookupId = (r: ProviderReference) => JSON.stringify([r.provider, r.path]);
  for (const { refs } of refsByKey) {
    for (const r of refs) {
      const provider = providers.get(r.provider);
      if (!provider) continue;
      const id = lookupId(r);
      const entry = lookups.get(id) ?? { provider, path: r.path, keys: new Set<string>() };
      entry.keys.add(r.key);
      lookups.set(id, entry);
    }
  }
  for (const entry of lookups.values()) {
    entry.result = entry.provider.get(entry.path, [...entry.keys]);
    entry.result.catch(() => undefined); // reported per reference below
  }

  const out = { ...config };
  const problems: Array<{ key: string; message: string }> = [];
  for (const { key, value, refs } of refsByKey) {
    const values = new Map<string, string>();
    for (const r of refs) {
      const fail = (why: string) => problems.push({ key, message: `Could not resolve ${r.text} in ${key}: ${why}` });
      const provider = providers.get(r.provider);
      if (!provider) {
        const known = [...providers.keys()];
        fail(`no config provider named '${r.provider}' (configured: ${known.length ? known.join(', ') : 'none'}; see config.providers in the worker config)`);
        continue;
      }
      let data: Map<string, string>;
      try {
        data = await lookups.get(lookupId(r))!.result!;
      } catch (e) {
        if (e instanceof ProviderPathError) fail(e.message);
        else throw e;
        continue;
      }
      const found = data.get(r.key);
      if (found === undefined) fail(provider.missing(r.path, r.key));
      else values.set(r.text, found);
    }
    // One pass, so a resolved value is never itself read as a reference.
    out[key] = value.replace(REFERENCE, (text) => values.get(text) ?? text);
  }
  if (problems.length) {
    throw new ConfigError(`Could not resolve config provider references: ${problems.map((p) => p.message).join('; ')}`, problems);
  }
  return out;
}
