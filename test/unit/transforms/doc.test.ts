import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineConfig, key } from '../../../src/config/define.js';
import { renderTransformsReference } from '../../../src/transforms/reference.js';
import { PREDICATES, TRANSFORMS } from '../../../src/transforms/registry.js';
import { definePredicate, defineTransform, type PredicateDefinition, type TransformDefinition } from '../../../src/transforms/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const doc = renderTransformsReference();

/** The lines of the `### <name>` section that documents a plugin (its $Key/$Value pair shares one). */
function section(markdown: string, className: string): string[] {
  const parts = markdown.split(/^### /m).slice(1);
  const hit = parts.filter((p) => p.split('\n').some((l) => l.startsWith(`- \`${className}\` (`)));
  expect(hit, `one section lists ${className}`).toHaveLength(1);
  // A section ends where the next ## heading begins.
  return hit[0].split(/^## /m)[0].split('\n');
}

/** Table rows of a section by key name: the cells after the key. */
function rows(lines: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of lines) {
    const m = /^\| `([^`]+)` \| (.*) \|$/.exec(l);
    if (m) out.set(m[1], m[2].split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return out;
}

describe('docs/transforms.md (generated reference)', () => {
  it('lists every registered transform and predicate in its overview table, by class name and every alias', () => {
    const overviewRow = (className: string) => doc.split('\n').find((l) => l.startsWith('| [') && l.includes(`| \`${className}\` |`));
    for (const d of [...TRANSFORMS, ...PREDICATES]) {
      const row = overviewRow(d.className);
      expect(row, d.className).toBeDefined();
      for (const a of d.aliases) expect(row).toContain(`\`${a}\``);
      for (const k of Object.keys(d.config.keys)) expect(row).toContain(`\`${k}\``);
    }
    const transformsPart = doc.slice(doc.indexOf('## Transforms'), doc.indexOf('## Predicates'));
    const predicatesPart = doc.slice(doc.indexOf('## Predicates'));
    for (const d of TRANSFORMS) expect(transformsPart).toContain(`\`${d.className}\``);
    for (const d of PREDICATES) expect(predicatesPart).toContain(`\`${d.className}\``);
    expect(doc).toContain(`transforms (${TRANSFORMS.length}) and predicates (${PREDICATES.length})`);
  });

  it('documents every key of every transform and predicate with its type, default and description', () => {
    for (const d of [...TRANSFORMS, ...PREDICATES]) {
      const lines = section(doc, d.className);
      expect(lines.some((l) => l.includes(d.summary.split('\n')[0].slice(0, 40))), `${d.name} summary`).toBe(true);
      const table = rows(lines);
      const keys = Object.keys(d.config.keys);
      expect([...table.keys()], d.name).toEqual(keys);
      if (keys.length === 0) expect(lines).toContain('No configuration keys.');
      for (const [name, k] of Object.entries(d.config.keys)) {
        const [type, def, , description] = table.get(name)!;
        expect(type, `${d.name}.${name} type`).toBe(k.meta.type);
        if (k.meta.required) expect(def).toBe('*required*');
        else if (k.meta.default === undefined) expect(def).toBe('null');
        else {
          const text = Array.isArray(k.meta.default) ? k.meta.default.join(',') : String(k.meta.default);
          expect(def, `${d.name}.${name} default`).toBe(text === '' ? '""' : `\`${text}\``);
        }
        // The declared documentation, on one line, is the start of the description.
        const expected = k.meta.documentation.replace(/\s*\n\s*/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
        expect(description.startsWith(expected), `${d.name}.${name} description`).toBe(true);
        for (const v of k.meta.validValues ?? []) expect(description).toContain(`\`${v}\``);
      }
    }
  });

  it('follows the declarations: a new transform, predicate or key shows up without touching the renderer', () => {
    const extraT = defineTransform({
      name: 'Example$Value', className: 'com.example.Example$Value', aliases: ['Example$Value', 'Ex'], summary: 'An <example> | transform.',
      config: defineConfig({ 'a.key': key.int({ doc: 'A number | with a pipe.', default: 3 }), 'b.key': key.enum(['x', 'y'] as const, { doc: 'Pick one.', required: true }) }),
      create: () => ({ apply: (r) => r }),
    }) as unknown as TransformDefinition;
    const extraP = definePredicate({
      name: 'Example', className: 'com.example.ExamplePredicate', aliases: ['Example'], summary: 'Always.',
      config: defineConfig({ 'c.key': key.list({ doc: 'Some names.', default: ['p', 'q'] }) }),
      create: () => ({ test: () => true }),
    }) as unknown as PredicateDefinition;
    const md = renderTransformsReference([extraT], [extraP]);
    expect(md).toContain('| [Example$Value](#example) | `com.example.Example$Value` | `Example$Value`, `Ex` | `a.key`, `b.key` |');
    expect(md).toContain('- `com.example.Example$Value` (aliases `Example$Value`, `Ex`): An &lt;example&gt; | transform.');
    expect(md).toContain('| `a.key` | INT | `3` | MEDIUM | A number \\| with a pipe. |');
    expect(md).toContain('| `b.key` | STRING | *required* | MEDIUM | Pick one. Valid values: `x`, `y`. |');
    expect(md).toContain('| `c.key` | LIST | `p,q` | MEDIUM | Some names. |');
    expect(md).toContain('transforms (1) and predicates (1)');
  });

  it('is what docs/transforms.md holds, and what scripts/gen-transforms-doc.ts prints (regenerate: npx tsx scripts/gen-transforms-doc.ts > docs/transforms.md)', () => {
    expect(readFileSync(path.join(root, 'docs/transforms.md'), 'utf8')).toBe(doc);
    const printed = execFileSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/gen-transforms-doc.ts')], { cwd: root, encoding: 'utf8' });
    expect(printed).toBe(doc);
  }, 30_000);
});
