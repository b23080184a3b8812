import { readFile, realpath, stat } from 'node:fs/promises';
import { ENC_PROVIDER, EncryptedValueProvider, isSecretsKeyVariable, secretsKeyFile, secretsKeyTexts } from './secret-box.js';
import { rememberResolvedValues } from './resolved-values.js';
import path from 'node:path';
import { parse as parseProperties } from 'dot-properties';
import { ConfigError } from '../errors.js';
import { compileJavaRegex, type JavaRegex } from '../transforms/util/java-regex.js';
import { PathAllowlist } from './path-allowlist.js';

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
 * - We scan with indexOf, not a regular expression: the pattern backtracks, so a value of tens of
 *   thousands of `x:` after a `${` took seconds to match (a REST body could block the worker).
 */
export interface ProviderReference {
  /** The reference as written, e.g. ${file:/etc/creds.properties:db.password} */
  text: string;
  provider: string;
  /** '' when the reference has none, as in ${env:VAR} */
  path: string;
  key: string;
}

/**
 * The references in `value`, left to right, with where each starts, in linear time. A reference
 * is `${`, a provider (no `:`), `:`, then up to the first `}`: [path `:`] key.
 */
function scanReferences(value: string): Array<ProviderReference & { index: number }> {
  const out: Array<ProviderReference & { index: number }> = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf('${', from);
    if (start < 0) return out;
    const end = value.indexOf('}', start + 2);
    // No `}` after this `${`: none after any later one either.
    if (end < 0) return out;
    const inner = value.slice(start + 2, end);
    const colon = inner.indexOf(':');
    // No `:` before this `}`: a later `${` before it has none either, so go on past it.
    from = end + 1;
    if (colon < 0) continue;
    const rest = inner.slice(colon + 1);
    const split = rest.indexOf(':');
    out.push({
      text: value.slice(start, end + 1),
      provider: inner.slice(0, colon),
      path: split < 0 ? '' : rest.slice(0, split),
      key: split < 0 ? rest : rest.slice(split + 1),
      index: start,
    });
  }
}

/** `value` with each reference replaced by what `replace` returns for it, in one pass. */
function replaceReferences(value: string, replace: (ref: ProviderReference) => string): string {
  let out = '';
  let at = 0;
  for (const r of scanReferences(value)) {
    out += value.slice(at, r.index) + replace(r);
    at = r.index + r.text.length;
  }
  return out + value.slice(at);
}

export function providerReferences(value: string): ProviderReference[] {
  return scanReferences(value).map(({ text, provider, path, key }) => ({ text, provider, path, key }));
}

export function hasProviderReference(value: string): boolean {
  return providerReferences(value).length > 0;
}

/** True when the value is nothing but references (e.g. `${env:DB_PASSWORD}`): it holds no secret itself. */
export function isProviderReferenceOnly(value: string): boolean {
  return hasProviderReference(value) && replaceReferences(value, () => '') === '';
}

/** A key a provider found but will not hand out, with the reason (never the value). */
export interface Refused {
  refused: string;
}

/**
 * A source of config values. `get` leaves out keys it cannot find and marks those it refuses; it
 * throws for trouble with the path itself.
 */
export interface ConfigProvider {
  get(path: string, keys: readonly string[]): Promise<Map<string, string | Refused>>;
  /** Why `key` was not found at `path`, for the error message. */
  missing(path: string, key: string): string;
}

export type ConfigProviders = ReadonlyMap<string, ConfigProvider>;

/** A provider could not use the path (missing file, not allowed, not a directory). */
class ProviderPathError extends Error {}

/** KIP-993's allowed.paths: absolute, existing paths; a reference must (really) lie inside one. Unset: anything goes. */
class AllowedPaths {
  private readonly list: PathAllowlist;

  constructor(setting: string | undefined, readonly settingKey: string) {
    this.list = PathAllowlist.parse(setting, settingKey, { whenUnset: 'any', mustExist: true });
  }

  allows(p: string): boolean {
    return this.list.allows(p, { allowRoot: true });
  }

  /** The normalized path, when it is allowed; symlinks are followed, so a link cannot lead outside. */
  check(p: string): string {
    const normalized = path.normalize(p);
    if (!this.allows(normalized)) throw new ProviderPathError(`${p} is outside the paths allowed by ${this.settingKey}`);
    return normalized;
  }
}

function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? String(e);
}

/**
 * What no provider reads, whatever allowed.paths says: the worker's secrets key (by file identity,
 * so a symlink or hard link to it is refused too) and /proc, where /proc/self/environ would hand
 * out every variable, the key's included, past env's allowlist.
 */
class ForbiddenFiles {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Why `p` may not be read, or undefined; a path that does not exist is left to the read to report. */
  async refusal(p: string, shown: string): Promise<string | undefined> {
    const real = await realpath(p).catch(() => undefined);
    if (real === undefined) return undefined;
    if (real === '/proc' || real.startsWith('/proc/')) return `${shown} is under /proc (process information, environment included), which no config provider reads`;
    const [target, key] = await Promise.all([stat(real).catch(() => undefined), stat(secretsKeyFile(this.env)).catch(() => undefined)]);
    if (target && key && target.dev === key.dev && target.ino === key.ino) {
      return `${shown} is the worker's secrets key (TCONNECT_SECRETS_KEY_FILE), which no config provider reads`;
    }
    return undefined;
  }
}

/** FileConfigProvider: `${file:/path/creds.properties:db.password}` reads a key of a .properties file. */
class FileConfigProvider implements ConfigProvider {
  private readonly allowed: AllowedPaths;

  constructor(name: string, params: Record<string, string>, private readonly forbidden: ForbiddenFiles) {
    this.allowed = new AllowedPaths(params['allowed.paths'], `config.providers.${name}.param.allowed.paths`);
  }

  async get(file: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (file === '') throw new ProviderPathError('a file reference needs a path: ${file:/path/to/file.properties:key}');
    const p = this.allowed.check(file);
    const refusal = await this.forbidden.refusal(p, file);
    if (refusal) throw new ProviderPathError(refusal);
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

  constructor(name: string, params: Record<string, string>, private readonly forbidden: ForbiddenFiles) {
    this.allowed = new AllowedPaths(params['allowed.paths'], `config.providers.${name}.param.allowed.paths`);
  }

  async get(dir: string, keys: readonly string[]): Promise<Map<string, string | Refused>> {
    if (dir === '') throw new ProviderPathError('a directory reference needs a path: ${dir:/path/to/dir:file}');
    const p = this.allowed.check(dir);
    const dirRefusal = await this.forbidden.refusal(p, dir);
    if (dirRefusal) throw new ProviderPathError(dirRefusal);
    const isDir = await stat(p).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new ProviderPathError(`${dir} is not a directory`);
    const out = new Map<string, string | Refused>();
    for (const key of keys) {
      // Keys name files directly inside the directory, as Connect's listing does; nothing else.
      if (key === '' || key === '.' || key === '..' || key.includes('/') || key.includes(path.sep)) continue;
      const file = path.join(p, key);
      if (!(await stat(file).then((s) => s.isFile(), () => false))) continue;
      if (!this.allowed.allows(file)) {
        out.set(key, { refused: `${path.join(dir, key)} leads outside the paths allowed by ${this.allowed.settingKey}` });
        continue;
      }
      const refusal = await this.forbidden.refusal(file, path.join(dir, key));
      if (refusal) {
        out.set(key, { refused: refusal });
        continue;
      }
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

  async get(p: string, keys: readonly string[]): Promise<Map<string, string | Refused>> {
    if (p !== '') throw new ProviderPathError(`Path is not supported for EnvVarConfigProvider, invalid value '${p}'`);
    const out = new Map<string, string | Refused>();
    for (const key of keys) {
      if (isSecretsKeyVariable(key)) {
        out.set(key, { refused: `environment variable ${key} holds or locates the worker's secrets key, which no config provider reads` });
        continue;
      }
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

const PROVIDER_CLASSES: ReadonlyArray<{ className: string; alias: string; create: Factory }> = [
  { className: FILE_CONFIG_PROVIDER, alias: 'file', create: (n, p, env) => new FileConfigProvider(n, p, new ForbiddenFiles(env)) },
  { className: ENV_VAR_CONFIG_PROVIDER, alias: 'env', create: (n, p, env) => new EnvVarConfigProvider(n, p, env) },
  { className: DIRECTORY_CONFIG_PROVIDER, alias: 'dir', create: (n, p, env) => new DirectoryConfigProvider(n, p, new ForbiddenFiles(env)) },
];

/** The class a provider named file, env or dir gets when the worker names no class for it. */
const STANDARD_NAMES: Record<string, string> = { file: FILE_CONFIG_PROVIDER, env: ENV_VAR_CONFIG_PROVIDER, dir: DIRECTORY_CONFIG_PROVIDER };

/** By Kafka's class name, its simple name (FileConfigProvider) or our alias (file, env, dir). */
function findProviderClass(name: string) {
  const wanted = name.trim();
  return PROVIDER_CLASSES.find((c) => c.className === wanted || c.className.slice(c.className.lastIndexOf('.') + 1) === wanted || c.alias === wanted);
}

/**
 * Hands out no value that carries the worker's secrets key, whatever file, copy or variable it
 * was read from (the key file and TCONNECT_SECRETS_KEY* are refused by name too; this catches the rest).
 */
class KeyGuardedProvider implements ConfigProvider {
  constructor(private readonly inner: ConfigProvider, private readonly env: NodeJS.ProcessEnv) {}

  async get(p: string, keys: readonly string[]): Promise<Map<string, string | Refused>> {
    const found = await this.inner.get(p, keys);
    const keyTexts = secretsKeyTexts(this.env);
    for (const [k, v] of found) {
      if (typeof v === 'string' && keyTexts.some((t) => v.includes(t))) found.set(k, { refused: 'the value holds the worker\'s secrets key, which no config provider hands out' });
    }
    return found;
  }

  missing(p: string, key: string): string {
    return this.inner.missing(p, key);
  }
}

/**
 * The providers a worker config sets up, with Connect's keys: `config.providers=file,env,dir`,
 * `config.providers.<name>.class=<class>`, `config.providers.<name>.param.<param>=<value>`.
 *
 * Secure by default, as Kafka Connect: no provider is enabled unless `config.providers` names it,
 * so a REST user cannot read the worker's files or environment. The class may be omitted for the
 * names file, env and dir (it is then Kafka's FileConfigProvider, EnvVarConfigProvider,
 * DirectoryConfigProvider); Connect requires it. Narrow each one with
 * `config.providers.<name>.param.allowed.paths` (file, dir) or `.param.allowlist.pattern` (env).
 * Our `enc` provider (encrypted values, see secret-box.ts) is always on.
 */
export function configProvidersFromWorkerConfig(worker: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ConfigProviders {
  const names = (worker['config.providers'] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  const providers = new Map<string, ConfigProvider>();
  const problems: Array<{ key: string; message: string }> = [];
  for (const name of names) {
    const classKey = `config.providers.${name}.class`;
    if (name === ENC_PROVIDER) {
      problems.push({ key: 'config.providers', message: `${ENC_PROVIDER} is the name of the built-in provider of encrypted values; give this provider another name` });
      continue;
    }
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
      providers.set(name, new KeyGuardedProvider(found.create(name, params, env), env));
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  // ${enc:…} values written by our own clients are always resolvable (see secret-box.ts).
  providers.set(ENC_PROVIDER, new EncryptedValueProvider(env));
  if (problems.length) {
    throw new ConfigError(`Invalid config provider settings: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
  }
  return providers;
}

/**
 * Warnings for providers a worker enabled without narrowing them: a file or dir provider without
 * allowed.paths reads any file the worker's user can (its Kafka, Temporal and TLS credentials
 * included) for whoever may create connectors; an env provider without allowlist.pattern hands out
 * any variable. Kafka Connect allows both; the worker says so at start, naming the setting to add.
 */
export function unconfinedProviderWarnings(worker: Record<string, string>): string[] {
  const names = (worker['config.providers'] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '' && n !== ENC_PROVIDER);
  const out: string[] = [];
  for (const name of names) {
    const found = findProviderClass(worker[`config.providers.${name}.class`]?.trim() || STANDARD_NAMES[name] || '');
    if (!found) continue;
    const param = found.alias === 'env' ? 'allowlist.pattern' : 'allowed.paths';
    if ((worker[`config.providers.${name}.param.${param}`] ?? '').trim() !== '') continue;
    out.push(found.alias === 'env'
      ? `config provider '${name}' may read every environment variable of the worker for anyone who can create a connector; set config.providers.${name}.param.allowlist.pattern to the variable names it may read`
      : `config provider '${name}' may read every file the worker's user can read (its credentials included) for anyone who can create a connector; set config.providers.${name}.param.allowed.paths to the directories it may read`);
  }
  return out;
}

/** What a reference to a provider the worker does not have says: which one, and how to enable it. */
function notEnabled(name: string, enabled: readonly string[]): string {
  const standard = STANDARD_NAMES[name];
  const narrow = name === 'env'
    ? '; narrow it with config.providers.env.param.allowlist.pattern=<regex of the variable names it may read>'
    : standard ? `; narrow it with config.providers.${name}.param.allowed.paths=<the directories it may read>` : '';
  const how = standard
    ? `to use it, enable it in the worker config: config.providers=${name}, config.providers.${name}.class=${standard}${narrow}`
    : `to use it, add it to config.providers in the worker config and set config.providers.${name}.class`;
  return `config provider '${name}' is not enabled on this worker (enabled: ${enabled.join(', ')}); ${how}`;
}

/** A config with its references resolved, and the values the providers handed out (to scrub from errors and logs). */
export interface ResolvedConfig {
  config: Record<string, string>;
  /** Each value a reference resolved to, once (not the whole config values they were part of). */
  values: string[];
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
  return (await resolveConfigValues(config, workerConfigOrProviders)).config;
}

/**
 * resolveConfig, also returning the resolved values: pass them to toFailure so no error leaving
 * an activity carries one. They are also remembered for the worker's log (resolved-values.ts).
 */
export async function resolveConfigValues(
  config: Record<string, string>,
  workerConfigOrProviders: Record<string, string> | ConfigProviders = {},
): Promise<ResolvedConfig> {
  const refsByKey = Object.entries(config)
    .map(([key, value]) => ({ key, value, refs: providerReferences(value) }))
    .filter((e) => e.refs.length > 0);
  if (refsByKey.length === 0) return { config: { ...config }, values: [] };

  const providers = workerConfigOrProviders instanceof Map
    ? (workerConfigOrProviders as ConfigProviders)
    : configProvidersFromWorkerConfig(workerConfigOrProviders as Record<string, string>);

  // One lookup per provider and path, as Connect's ConfigTransformer does.
  const lookups = new Map<string, { provider: ConfigProvider; path: string; keys: Set<string>; result?: Promise<Map<string, string | Refused>> }>();
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
  const resolvedValues = new Set<string>();
  const problems: Array<{ key: string; message: string }> = [];
  for (const { key, value, refs } of refsByKey) {
    const values = new Map<string, string>();
    for (const r of refs) {
      const fail = (why: string) => problems.push({ key, message: `Could not resolve ${r.text} in ${key}: ${why}` });
      const provider = providers.get(r.provider);
      if (!provider) {
        fail(notEnabled(r.provider, [...providers.keys()]));
        continue;
      }
      let data: Map<string, string | Refused>;
      try {
        data = await lookups.get(lookupId(r))!.result!;
      } catch (e) {
        if (e instanceof ProviderPathError) fail(e.message);
        else throw e;
        continue;
      }
      const found = data.get(r.key);
      if (found === undefined) fail(provider.missing(r.path, r.key));
      else if (typeof found !== 'string') fail(found.refused);
      else {
        values.set(r.text, found);
        if (found !== '') resolvedValues.add(found);
      }
    }
    // One pass, so a resolved value is never itself read as a reference.
    out[key] = replaceReferences(value, (r) => values.get(r.text) ?? r.text);
  }
  rememberResolvedValues(resolvedValues);
  if (problems.length) {
    throw new ConfigError(`Could not resolve config provider references: ${problems.map((p) => p.message).join('; ')}`, problems);
  }
  return { config: out, values: [...resolvedValues] };
}
