// Loads third-party plugins at worker start, as Kafka Connect's plugin.path does: the worker
// property `plugin.path` lists directories holding npm packages or ES modules, `plugins` names
// installed packages. Each module's default export is a PluginBundle (definePlugins); everything
// in it goes through the same register functions as the built-ins.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONNECTOR_PLUGINS, registerConnectorPlugin } from '../connectors/registry.js';
import type { ConnectorPlugin, PluginLogger } from '../connectors/types.js';
import { registerConverter, type ConverterPlugin } from '../converters/registry.js';
import { ConfigError } from '../errors.js';
import { registerPredicate, registerTransform } from '../transforms/registry.js';
import type { PredicateDefinition, TransformDefinition } from '../transforms/types.js';
import type { PluginBundle } from './define.js';
import type { AddOutcome } from './plugin-list.js';

export const PLUGIN_PATH_KEY = 'plugin.path';
export const PLUGINS_KEY = 'plugins';

/** A plugin that cannot be loaded: names the file (or directory, or package) and the problem. */
export class PluginLoadError extends ConfigError {
  override name = 'PluginLoadError';
  constructor(readonly location: string, problem: string, configKey: string, options?: { cause?: unknown }) {
    super(`Cannot load plugin ${location}: ${problem}`, [{ key: configKey, message: `${location}: ${problem}` }], options);
  }
}

export interface LoadedModule {
  /** The file imported. */
  location: string;
  connectors: string[];
  transforms: string[];
  predicates: string[];
  converters: string[];
  /** Conflicts resolved by the rule in plugin-list.ts (also logged as warnings). */
  conflicts: string[];
}

export interface LoadOptions {
  /** Directories (or single module files), as in plugin.path. */
  pluginPath?: string[];
  /** Package names, resolved from the plugin.path directories, then from cwd upwards. */
  plugins?: string[];
  cwd?: string;
  logger?: Pick<PluginLogger, 'info' | 'warn'>;
}

/** A comma-separated property as a list (empty entries dropped). */
export const splitList = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const MODULE_EXT = /\.(m?js|cjs)$/;

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new PluginLoadError(file, `not readable JSON: ${(e as Error).message}`, PLUGIN_PATH_KEY);
  }
}

/** The ESM entry of a package directory: exports["."] (import/node/default), else main, else index.js. */
function packageEntry(dir: string, configKey: string): { file: string; version?: string } {
  const pkgFile = path.join(dir, 'package.json');
  const pkg = readJson(pkgFile);
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      if ('.' in o) return pick(o['.']);
      return pick(o.import ?? o.node ?? o.default);
    }
    return undefined;
  };
  const rel = pick(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
  const file = path.resolve(dir, rel);
  if (!existsSync(file)) throw new PluginLoadError(pkgFile, `its entry ${rel} does not exist (build the package, or fix "exports"/"main")`, configKey);
  return { file, version: typeof pkg.version === 'string' ? pkg.version : undefined };
}

interface Candidate {
  file: string;
  version?: string;
  configKey: string;
}

/** What one plugin.path entry holds: a module file, a package, or a directory of those. */
function discover(entry: string): Candidate[] {
  const configKey = PLUGIN_PATH_KEY;
  const abs = path.resolve(entry);
  if (!existsSync(abs)) throw new PluginLoadError(abs, 'no such file or directory (check plugin.path)', configKey);
  if (statSync(abs).isFile()) {
    if (!MODULE_EXT.test(abs)) throw new PluginLoadError(abs, 'not a JavaScript module (.js, .mjs or .cjs) nor a directory', configKey);
    return [{ file: abs, configKey }];
  }
  if (existsSync(path.join(abs, 'package.json'))) return [{ ...packageEntry(abs, configKey), configKey }];
  const out: Candidate[] = [];
  for (const name of readdirSync(abs).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const child = path.join(abs, name);
    const st = statSync(child);
    if (st.isFile() && MODULE_EXT.test(name)) out.push({ file: child, configKey });
    else if (st.isDirectory() && existsSync(path.join(child, 'package.json'))) out.push({ ...packageEntry(child, configKey), configKey });
    else if (st.isDirectory() && existsSync(path.join(child, 'index.js'))) out.push({ file: path.join(child, 'index.js'), configKey });
  }
  return out;
}

/** A package by name: node_modules of each plugin.path directory, then of cwd and its parents. */
function resolvePackage(name: string, pluginPath: string[], cwd: string): Candidate {
  const bases = [...pluginPath.map((d) => path.resolve(d))];
  for (let d = path.resolve(cwd); ; d = path.dirname(d)) {
    bases.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const base of bases) {
    const dir = path.join(base, 'node_modules', name);
    if (existsSync(path.join(dir, 'package.json'))) return { ...packageEntry(dir, PLUGINS_KEY), configKey: PLUGINS_KEY };
  }
  throw new PluginLoadError(name, `package not found in node_modules of ${bases.slice(0, pluginPath.length + 1).join(', ')} or above (npm install it, or list its directory in plugin.path)`, PLUGINS_KEY);
}

const isFn = (v: unknown) => typeof v === 'function';
const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkCommon(p: Record<string, unknown>, where: string, problems: string[]): void {
  if (typeof p.className !== 'string' || p.className.trim() === '') problems.push(`${where}: className must be a non-empty string`);
  if (!isStrings(p.aliases)) problems.push(`${where}: aliases must be an array of strings`);
}

function checkConfigDef(p: Record<string, unknown>, where: string, problems: string[]): void {
  const c = p.config as Record<string, unknown> | undefined;
  if (!c || typeof c !== 'object' || !isFn(c.parse) || !isFn(c.secretKeys) || typeof c.keys !== 'object') {
    problems.push(`${where}: config must be a declaration made with defineConfig({...})`);
  }
}

/** Every problem with a module's default export, so one load error lists them all. */
function bundleProblems(bundle: unknown): string[] {
  if (!bundle || typeof bundle !== 'object') {
    return ['its default export is not a plugin bundle: write `export default definePlugins({ connectors: [...] })`'];
  }
  const b = bundle as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['connectors', 'transforms', 'predicates', 'converters', 'version'];
  for (const k of Object.keys(b)) if (!known.includes(k)) problems.push(`unknown property "${k}" in the default export (expected ${known.join(', ')})`);
  const entries = (k: string): Array<Record<string, unknown>> => {
    if (b[k] === undefined) return [];
    if (!Array.isArray(b[k])) {
      problems.push(`${k} must be an array`);
      return [];
    }
    return b[k] as Array<Record<string, unknown>>;
  };
  const name = (k: string, i: number, p: Record<string, unknown>) => `${k}[${i}]${typeof p?.className === 'string' ? ` (${p.className})` : ''}`;
  entries('connectors').forEach((p, i) => {
    const w = name('connectors', i, p);
    if (!p || typeof p !== 'object') return void problems.push(`${w}: not an object made with defineSource/defineSink`);
    if (p.type !== 'source' && p.type !== 'sink') problems.push(`${w}: type must be "source" or "sink" (use defineSource or defineSink)`);
    checkCommon(p, w, problems);
    if (typeof p.version !== 'string') problems.push(`${w}: version must be a string`);
    checkConfigDef(p, w, problems);
    for (const f of ['taskConfigs', 'startTask']) if (!isFn(p[f])) problems.push(`${w}: ${f} must be a function`);
    for (const f of ['validate', 'needsReplan', 'applyWorkerConfig']) if (p[f] !== undefined && !isFn(p[f])) problems.push(`${w}: ${f} must be a function when set`);
  });
  for (const [k, kind] of [['transforms', 'transformation'], ['predicates', 'predicate']] as const) {
    entries(k).forEach((p, i) => {
      const w = name(k, i, p);
      if (!p || typeof p !== 'object') return void problems.push(`${w}: not an object made with ${k === 'transforms' ? 'defineTransform' : 'definePredicate'}`);
      if (p.kind !== kind) problems.push(`${w}: kind must be "${kind}" (use ${k === 'transforms' ? 'defineTransform' : 'definePredicate'})`);
      checkCommon(p, w, problems);
      checkConfigDef(p, w, problems);
      if (!isFn(p.create)) problems.push(`${w}: create must be a function`);
    });
  }
  entries('converters').forEach((p, i) => {
    const w = name('converters', i, p);
    if (!p || typeof p !== 'object') return void problems.push(`${w}: not an object`);
    checkCommon(p, w, problems);
    if (!isFn(p.converter) && !isFn(p.headerConverter)) problems.push(`${w}: needs converter() and/or headerConverter() factories`);
  });
  if (b.version !== undefined && typeof b.version !== 'string') problems.push('version must be a string');
  return problems;
}

async function importBundle(c: Candidate): Promise<PluginBundle> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(c.file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new PluginLoadError(c.file, `import failed: ${(e as Error).message}`, c.configKey, { cause: e });
  }
  // A CommonJS module's exports arrive as `default`; its own `default` (transpiled ESM) one level down.
  let bundle = mod.default as Record<string, unknown> | undefined;
  if (bundle && typeof bundle === 'object' && 'default' in bundle && !('connectors' in bundle)) bundle = bundle.default as Record<string, unknown>;
  const problems = bundleProblems(bundle);
  if (problems.length) throw new PluginLoadError(c.file, problems.join('; '), c.configKey);
  return bundle as PluginBundle;
}

/** Loads plugin modules and packages into this process's registries; loading the same file again changes nothing. */
export async function loadPlugins(opts: LoadOptions): Promise<LoadedModule[]> {
  const pluginPath = opts.pluginPath ?? [];
  const candidates = [
    ...pluginPath.flatMap(discover),
    ...(opts.plugins ?? []).map((n) => resolvePackage(n, pluginPath, opts.cwd ?? process.cwd())),
  ];
  const loaded: LoadedModule[] = [];
  for (const c of candidates) {
    const bundle = await importBundle(c);
    const version = bundle.version ?? c.version;
    const origin = { location: c.file, version };
    const m: LoadedModule = { location: c.file, connectors: [], transforms: [], predicates: [], converters: [], conflicts: [] };
    const note = (out: AddOutcome, into: string[], className: string) => {
      if (out.added) into.push(className);
      if (out.conflict) {
        m.conflicts.push(out.conflict);
        opts.logger?.warn({ plugin: className, location: c.file }, out.conflict);
      }
    };
    for (const p of bundle.connectors ?? []) note(registerConnectorPlugin(p as ConnectorPlugin, { location: c.file, version: p.version }), m.connectors, p.className);
    for (const t of bundle.transforms ?? []) note(registerTransform(t as TransformDefinition, origin), m.transforms, t.className);
    for (const p of bundle.predicates ?? []) note(registerPredicate(p as PredicateDefinition, origin), m.predicates, p.className);
    for (const v of bundle.converters ?? []) note(registerConverter(v as ConverterPlugin, origin), m.converters, v.className);
    opts.logger?.info({ location: c.file, connectors: m.connectors, transforms: m.transforms, predicates: m.predicates, converters: m.converters }, 'plugin loaded');
    loaded.push(m);
  }
  return loaded;
}

/**
 * What a worker, REST server or CLI does with its worker properties: loads plugin.path and
 * plugins, then hands the properties to every connector that wants worker settings.
 */
export async function loadWorkerPlugins(workerConfig: Readonly<Record<string, string>>, logger?: LoadOptions['logger']): Promise<LoadedModule[]> {
  const loaded = await loadPlugins({ pluginPath: splitList(workerConfig[PLUGIN_PATH_KEY]), plugins: splitList(workerConfig[PLUGINS_KEY]), logger });
  for (const p of CONNECTOR_PLUGINS) p.applyWorkerConfig?.(workerConfig);
  return loaded;
}
