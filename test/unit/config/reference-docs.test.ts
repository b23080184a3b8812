import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commonKeys, sinkKeys, sourceKeys } from '../../../src/config/connector-config.js';
import { defineConfig, key, type KeyMap } from '../../../src/config/define.js';
import { builtInConnectors, rangeText, renderConnectorsReference } from '../../../src/connectors/reference.js';
import { connectorPluginNames } from '../../../src/connectors/registry.js';
import type { ConnectorPlugin } from '../../../src/connectors/types.js';
import { GENERATED_DOCS } from '../../../src/generated-docs.js';
import { WORKER_ENVIRONMENT, WORKER_PROPERTIES } from '../../../src/worker/properties.js';
import { renderWorkerPropertiesReference } from '../../../src/worker/properties-reference.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const connectorsDoc = renderConnectorsReference();

/** The table rows under a `## heading`, by key: the cells after the key. */
function tableOf(markdown: string, heading: string): Map<string, string[]> {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  const out = new Map<string, string[]>();
  for (const l of markdown.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| `([^`]+)` \| (.*) \|$/.exec(l);
    if (m) out.set(m[1], m[2].split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return out;
}

/** What each key's row must say, from its declaration. */
function expectRows(rows: Map<string, string[]>, keys: KeyMap, where: string): void {
  expect([...rows.keys()], where).toEqual(Object.keys(keys));
  for (const [name, k] of Object.entries(keys)) {
    const [type, def, valid, importance, secret, description] = rows.get(name)!;
    expect(type, `${where} ${name} type`).toBe(k.meta.type);
    if (k.meta.required) expect(def, `${where} ${name} default`).toBe('*required*');
    else if (k.meta.default === undefined) expect(def).toBe('null');
    else {
      const text = Array.isArray(k.meta.default) ? k.meta.default.join(',') : String(k.meta.default);
      // Control characters (a line-feed separator) are shown escaped.
      const shown = text.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
      expect(def, `${where} ${name} default`).toBe(text === '' ? '""' : `\`${shown.replace(/\|/g, '\\|')}\``);
    }
    for (const v of k.meta.validValues ?? []) expect(valid, `${where} ${name} valid values`).toContain(`\`${v}\``);
    if (k.meta.min !== undefined) expect(valid, `${where} ${name} range`).toContain(`[${k.meta.min},`);
    if (k.meta.max !== undefined) expect(valid, `${where} ${name} range`).toContain(`,${k.meta.max}]`);
    expect(importance, `${where} ${name} importance`).toBe(k.meta.importance);
    if (k.meta.secret || k.meta.type === 'PASSWORD') expect(secret, `${where} ${name} secret`).toBe('yes');
    const doc = k.meta.documentation.replace(/\s*\n\s*/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
    expect(description.startsWith(doc), `${where} ${name} description`).toBe(true);
  }
}

describe('docs/connectors.md (generated from the key declarations)', () => {
  it('documents the common, source and sink keys once, each with type, default, valid values or range, importance, secrecy and documentation', () => {
    expectRows(tableOf(connectorsDoc, 'Common keys'), commonKeys, 'common');
    expectRows(tableOf(connectorsDoc, 'Source keys'), sourceKeys, 'source');
    expectRows(tableOf(connectorsDoc, 'Sink keys'), sinkKeys, 'sink');
    // Once: no connector section repeats a framework key.
    for (const name of Object.keys({ ...commonKeys, ...sourceKeys, ...sinkKeys })) {
      expect(connectorsDoc.split('\n').filter((l) => l.startsWith(`| \`${name}\` |`)), name).toHaveLength(1);
    }
  });

  it('lists every built-in connector with every name connector.class accepts, and all its own keys', () => {
    const plugins = builtInConnectors();
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(['JdbcSource', 'JdbcSink', 'ElasticsearchSink', 'FileStreamSource', 'FileStreamSink', 'HttpSink', 'SpoolDirCsvSource', 'RotatingFileSink']));
    for (const p of plugins) {
      const row = connectorsDoc.split('\n').find((l) => l.startsWith(`| [${p.name}](`));
      expect(row, p.name).toBeDefined();
      for (const n of connectorPluginNames(p)) expect(row, `${p.name} name ${n}`).toContain(`\`${n}\``);
      expect(row).toContain(`| ${p.type} |`);
      expectRows(tableOf(connectorsDoc, p.name), p.config.keys, p.name);
    }
    // A declared secret shows as one (the JDBC source's connection.password is PASSWORD).
    expect(tableOf(connectorsDoc, 'JdbcSource').get('connection.password')?.[4]).toBe('yes');
  });

  it('shows the range each whole-number key enforces: its ends parse, one past them does not', () => {
    const ranged = Object.entries({ ...commonKeys, ...sourceKeys, ...sinkKeys, ...Object.assign({}, ...builtInConnectors().map((p) => p.config.keys)) as KeyMap })
      .filter(([, k]) => k.meta.min !== undefined || k.meta.max !== undefined);
    expect(ranged.length).toBeGreaterThan(5);
    for (const [name, k] of ranged) {
      const { min, max } = k.meta;
      if (min !== undefined) {
        expect(k.schema.safeParse(String(min)).success, `${name} at ${min}`).toBe(true);
        expect(k.schema.safeParse(String(min - 1)).success, `${name} at ${min - 1}`).toBe(false);
      }
      if (max !== undefined) {
        expect(k.schema.safeParse(String(max)).success, `${name} at ${max}`).toBe(true);
        expect(k.schema.safeParse(String(max + 1)).success, `${name} at ${max + 1}`).toBe(false);
      }
    }
    expect(rangeText(key.int({ doc: 'x', min: 1 }))).toBe('[1,...]');
    expect(rangeText(key.int({ doc: 'x', min: -1, max: 5 }))).toBe('[-1,...,5]');
    expect(rangeText(key.int({ doc: 'x', max: 5 }))).toBe('[...,5]');
    expect(rangeText(key.int({ doc: 'x' }))).toBeUndefined();
  });

  it('follows the declarations: a new connector or key shows up without touching the renderer', () => {
    const extra = {
      type: 'sink', name: 'Example', className: 'com.example.ExampleSinkConnector', aliases: ['Ex'], version: '9.9.9', summary: 'An <example> sink.',
      config: defineConfig({
        'a.key': key.int({ doc: 'A number | with a pipe.', default: 3, min: 0, max: 7 }),
        'b.key': key.enum(['x', 'y'] as const, { doc: 'Pick one.', required: true }),
        'c.password': key.password({ doc: 'Secret.' }),
        'd.token': key.string({ doc: 'Secret by its name.' }),
      }),
      taskConfigs: async () => [],
      startTask: async () => { throw new Error('unused'); },
    } as unknown as ConnectorPlugin;
    const md = renderConnectorsReference([extra]);
    expect(md).toContain('| [Example](#example) | sink | `com.example.ExampleSinkConnector`, `ExampleSinkConnector`, `ExampleSink`, `Ex` | 4 |');
    expect(md).toContain('- An &lt;example&gt; sink.');
    expect(md).toContain('| `a.key` | INT | `3` | `[0,...,7]` | MEDIUM |  | A number \\| with a pipe. |');
    expect(md).toContain('| `b.key` | STRING | *required* | `x`, `y` | MEDIUM |  | Pick one. |');
    expect(md).toContain('| `c.password` | PASSWORD | null |  | MEDIUM | yes | Secret. |');
    expect(md).toContain('| `d.token` | STRING | null |  | MEDIUM | yes (by name) | Secret by its name. |');
  });
});

describe('docs/worker-properties.md (generated from src/worker/properties.ts)', () => {
  const doc = renderWorkerPropertiesReference();
  it('has one row per declared property and environment variable, with its variables, default and secrecy', () => {
    for (const p of WORKER_PROPERTIES) {
      const rows = doc.split('\n').filter((l) => l.startsWith(`| \`${p.name}\` |`));
      expect(rows, p.name).toHaveLength(1);
      for (const e of p.env ?? []) expect(rows[0], `${p.name} env`).toContain(`\`${e}\``);
      if (p.default !== undefined) expect(rows[0], `${p.name} default`).toContain(`| \`${p.default}\` |`);
      expect(rows[0].includes('| yes |'), `${p.name} secret`).toBe(p.secret === true);
    }
    for (const v of WORKER_ENVIRONMENT) expect(doc.split('\n').filter((l) => l.startsWith(`| \`${v.name}\` |`)), v.name).toHaveLength(1);
  });
});

describe('generated references are committed as generated (drift)', () => {
  it.each(Object.entries(GENERATED_DOCS))('%s is what `npm run docs` writes', (file, render) => {
    const committed = readFileSync(path.join(root, file), 'utf8');
    expect(committed === render(), `${file} differs from the declarations it is generated from: run \`npm run docs\` and commit the result`).toBe(true);
  });

  it('`npm run docs` (scripts/gen-docs.ts) writes exactly these files', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'tconnect-docs-'));
    try {
      execFileSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/gen-docs.ts'), '--out', out], { cwd: root, encoding: 'utf8' });
      for (const [file, render] of Object.entries(GENERATED_DOCS)) expect(readFileSync(path.join(out, file), 'utf8'), file).toBe(render());
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});
