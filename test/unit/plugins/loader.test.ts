import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findConnectorPlugin } from '../../../src/connectors/registry.js';
import { createConverter } from '../../../src/converters/registry.js';
import { ConfigError, RetriableError } from '../../../src/errors.js';
import { loadPlugins, loadWorkerPlugins, PluginLoadError } from '../../../src/plugins/loader.js';
import { compareVersions } from '../../../src/plugins/plugin-list.js';
import { Struct } from '../../../src/records/schema.js';
import { pluginRowsWithLocation } from '../../../src/rest/plugins.js';
import { buildTransformChain, findTransform } from '../../../src/transforms/registry.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tconnect-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Plugin modules import the API from this checkout's sources, as a package would from temporal-connect. */
const api = (p: string) => JSON.stringify(pathToFileURL(path.resolve(p)).href);
const HEADER = `import { defineSource, defineConfig, key, definePlugins } from ${api('src/index.ts')};
import { defineTransform } from ${api('src/transforms/types.ts')};`;

function source(className: string, version: string, extra = '') {
  return `defineSource({ name: 'S', className: '${className}', aliases: ['${className.split('.').pop()}'], version: '${version}', summary: 's',
    config: defineConfig({ topic: key.string({ required: true, doc: 't' }) }),
    async taskConfigs(raw) { return [raw]; }, async startTask() { return { async poll() { return []; }, async close() {} }; }${extra} })`;
}

function write(rel: string, text: string): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('plugin.path loading', () => {
  it('loads modules and packages of a plugin.path directory into every registry, with their location and version', async () => {
    const dir = path.join(root, 'good');
    write('good/upper.mjs', `${HEADER}
      const Upper = defineTransform({ name: 'Upper', className: 'com.example.Upper', aliases: ['Upper'], summary: 'u', config: defineConfig({}),
        create: () => ({ apply: (r) => ({ ...r, value: String(r.value).toUpperCase() }) }) });
      const conv = { className: 'com.example.UpperConverter', aliases: ['UpperConverter'], converter: () => ({ configure() {}, fromConnectData: (_t, _s, v) => Buffer.from(String(v).toUpperCase()), toConnectData: (_t, b) => ({ schema: null, value: b && b.toString() }) }) };
      export default definePlugins({ transforms: [Upper], converters: [conv], version: '2.1.0' });`);
    write('good/pkg-a/package.json', JSON.stringify({ name: 'pkg-a', version: '3.0.0', type: 'module', exports: { '.': { import: './lib/main.js' } } }));
    write('good/pkg-a/lib/main.js', `${HEADER}\nexport default definePlugins({ connectors: [${source('com.example.ASourceConnector', '3.0.0')}] });`);
    write('good/notes.txt', 'not a plugin');

    const loaded = await loadPlugins({ pluginPath: [dir] });
    expect(loaded.map((m) => path.relative(root, m.location))).toEqual(['good/pkg-a/lib/main.js', 'good/upper.mjs']);
    expect(findConnectorPlugin('ASource')?.className).toBe('com.example.ASourceConnector');
    expect(buildTransformChain({ transforms: 'u', 'transforms.u.type': 'Upper' }).apply({ topic: 't', key: null, value: 'x', headers: [] })?.value).toBe('X');
    expect(createConverter('UpperConverter', {}, false).fromConnectData('t', null, 'ab')?.toString()).toBe('AB');
    const rows = pluginRowsWithLocation(false, '0.1.0');
    expect(rows).toContainEqual({ class: 'com.example.ASourceConnector', type: 'source', version: '3.0.0', location: path.join(dir, 'pkg-a/lib/main.js') });
    expect(rows).toContainEqual({ class: 'com.example.Upper', type: 'transformation', version: '2.1.0', location: path.join(dir, 'upper.mjs') });
    expect(rows).toContainEqual({ class: 'org.apache.kafka.connect.transforms.Cast$Value', type: 'transformation', version: '0.1.0', location: 'built-in' });

    // Loading the same path again (REST server, then its worker) changes nothing.
    expect((await loadPlugins({ pluginPath: [dir] })).flatMap((m) => m.conflicts)).toEqual([]);
    expect(pluginRowsWithLocation(false, '0.1.0')).toEqual(rows);
  });

  it('conflicts: the higher version of a class wins, an equal or lower one is ignored, with the reason logged', async () => {
    write('v1/one.mjs', `${HEADER}\nexport default definePlugins({ connectors: [${source('com.example.VSourceConnector', '1.9.0')}] });`);
    write('v2/two.mjs', `${HEADER}\nexport default definePlugins({ connectors: [${source('com.example.VSourceConnector', '1.10.0', ", summary: 'v2'")}] });`);
    write('v0/zero.mjs', `${HEADER}\nexport default definePlugins({ connectors: [${source('com.example.VSourceConnector', '1.10.0')}] });`);
    const warnings: string[] = [];
    const logger = { info() {}, warn: (_o: object, m?: string) => void warnings.push(m ?? '') };
    await loadPlugins({ pluginPath: [path.join(root, 'v1'), path.join(root, 'v2'), path.join(root, 'v0')], logger });
    expect(findConnectorPlugin('com.example.VSourceConnector')?.summary).toBe('v2');
    expect(warnings).toEqual([
      `connector com.example.VSourceConnector from ${path.join(root, 'v2/two.mjs')} (version 1.10.0) replaces the one from ${path.join(root, 'v1/one.mjs')} (version 1.9.0): the higher version wins`,
      `connector com.example.VSourceConnector from ${path.join(root, 'v0/zero.mjs')} (version 1.10.0) is ignored: ${path.join(root, 'v2/two.mjs')} (version 1.10.0) defines that class already (the higher version wins; equal versions, the first loaded)`,
    ]);
    // A built-in keeps its aliases: a plugin's alias "Cast$Value" does not take over the class name lookup.
    expect(findTransform('org.apache.kafka.connect.transforms.Cast$Value')?.name).toBe('Cast$Value');
    expect(compareVersions('1.10.0', '1.9.3')).toBe(1);
    expect(compareVersions('2.0', '2.0.0')).toBe(0);
  });

  it('names the file and every problem of a malformed plugin', async () => {
    const bad = write('bad/broken.mjs', `${HEADER}
      export default definePlugins({ connectors: [{ type: 'source', className: 'com.example.Bad', aliases: [], version: 1, config: {}, taskConfigs() {} }], extras: [] });`);
    const err = await loadPlugins({ pluginPath: [bad] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginLoadError);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`Cannot load plugin ${bad}: unknown property "extras" in the default export (expected connectors, transforms, predicates, converters, version); `
      + 'connectors[0] (com.example.Bad): version must be a string; connectors[0] (com.example.Bad): config must be a declaration made with defineConfig({...}); '
      + 'connectors[0] (com.example.Bad): startTask must be a function');

    const noDefault = write('bad2/none.mjs', 'export const x = 1;');
    await expect(loadPlugins({ pluginPath: [noDefault] })).rejects.toThrow(`Cannot load plugin ${noDefault}: its default export is not a plugin bundle: write \`export default definePlugins({ connectors: [...] })\``);
    const throws = write('bad3/throws.mjs', 'throw new Error("boom at import");');
    await expect(loadPlugins({ pluginPath: [throws] })).rejects.toThrow(`Cannot load plugin ${throws}: import failed: boom at import`);
    await expect(loadPlugins({ pluginPath: [path.join(root, 'missing')] })).rejects.toThrow(`Cannot load plugin ${path.join(root, 'missing')}: no such file or directory (check plugin.path)`);
    write('bad4/pkg/package.json', JSON.stringify({ name: 'pkg', main: 'dist/index.js' }));
    await expect(loadPlugins({ pluginPath: [path.join(root, 'bad4')] })).rejects.toThrow(`Cannot load plugin ${path.join(root, 'bad4/pkg/package.json')}: its entry dist/index.js does not exist (build the package, or fix "exports"/"main")`);
  });

  it('`plugins` names packages installed under a plugin.path directory or above the working directory', async () => {
    write('inst/node_modules/tc-named/package.json', JSON.stringify({ name: 'tc-named', version: '0.2.0', main: 'index.mjs' }));
    // Node itself imports from node_modules (no TypeScript there): the plugin spells its objects out.
    write('inst/node_modules/tc-named/index.mjs', `export default { connectors: [{ type: 'source', name: 'N', className: 'com.example.NamedSourceConnector', aliases: [],
      version: '0.2.0', summary: 'n', config: { keys: {}, parse: () => ({ ok: true, value: {} }), secretKeys: () => [] },
      async taskConfigs(raw) { return [raw]; }, async startTask() { return { async poll() { return []; }, async close() {} }; } }] };`);
    await loadWorkerPlugins({ 'plugin.path': path.join(root, 'inst'), plugins: 'tc-named' });
    expect(findConnectorPlugin('NamedSourceConnector')?.version).toBe('0.2.0');
    await expect(loadPlugins({ plugins: ['tc-nowhere'], cwd: root })).rejects.toThrow(/Cannot load plugin tc-nowhere: package not found in node_modules of/);
  });

  it('an error class from another copy of the package is still ours (instanceof by recorded class names)', async () => {
    // A query string makes the module loader evaluate errors.ts a second time: a second copy.
    const second = '../../../src/errors.ts?copy=2';
    const copy = (await import(/* @vite-ignore */ second)) as typeof import('../../../src/errors.js');
    expect(copy.RetriableError).not.toBe(RetriableError);
    const e = new copy.RetriableError('from a plugin\'s own copy');
    expect(e).toBeInstanceOf(RetriableError);
    expect(e).not.toBeInstanceOf(ConfigError);
    expect(new copy.ConfigError('x')).toBeInstanceOf(ConfigError);
    expect(new Error('plain')).not.toBeInstanceOf(RetriableError);

    const schemaCopy = '../../../src/records/schema.ts?copy=2';
    const records = (await import(/* @vite-ignore */ schemaCopy)) as typeof import('../../../src/records/schema.js');
    expect(records.Struct).not.toBe(Struct);
    const s = new records.Struct(records.Schemas.struct([['a', records.Schemas.int32()]]), { a: 1 });
    expect(s).toBeInstanceOf(Struct);
    expect({ schema: s.schema }).not.toBeInstanceOf(Struct);
  });
});
