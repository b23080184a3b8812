import type { ConfigKey, KeyMap } from '../config/define.js';
import { anchor, cell, code, defaultCell, prose, table } from '../config/markdown.js';
import { PREDICATES, TRANSFORMS } from './registry.js';
import type { PredicateDefinition, TransformDefinition } from './types.js';

// The Markdown reference of every transform and predicate (docs/transforms.md), rendered from the
// same declarations the runtime, the REST API's connector-plugins and validate answers use.
// Printed by scripts/gen-transforms-doc.ts; test/unit/transforms/doc.test.ts keeps the file in step.

type Definition = TransformDefinition | PredicateDefinition;

function descriptionCell(k: ConfigKey): string {
  let text = cell(k.meta.documentation);
  if (k.meta.validValues?.length) text += ` Valid values: ${k.meta.validValues.map((v) => code(v)).join(', ')}.`;
  if (k.meta.example) text += ` Example: ${code(k.meta.example)}.`;
  return text;
}

function keyTable(keys: KeyMap): string[] {
  const names = Object.keys(keys);
  if (names.length === 0) return ['No configuration keys.'];
  return table(['key', 'type', 'default', 'importance', 'description'], names.map((n) => {
    const k = keys[n];
    // MEDIUM is what config/define.ts means for a key declared without an importance.
    return [code(n), k.meta.type, defaultCell(k), k.meta.importance ?? 'MEDIUM', descriptionCell(k)];
  }));
}

/** $Key/$Value variants share one section: `Cast` for Cast$Key and Cast$Value. */
function baseName(d: Definition): string {
  return d.name.replace(/\$(Key|Value)$/, '');
}

function groups<D extends Definition>(list: readonly D[]): Array<{ name: string; variants: D[] }> {
  const out: Array<{ name: string; variants: D[] }> = [];
  for (const d of list) {
    const name = baseName(d);
    const g = out.find((x) => x.name === name);
    if (g) g.variants.push(d);
    else out.push({ name, variants: [d] });
  }
  return out;
}

function overview<D extends Definition>(list: readonly D[], what: string): string[] {
  return table([what, 'class name', 'aliases', 'keys'], list.map((d) => {
    const keys = Object.keys(d.config.keys);
    return [`[${cell(d.name)}](${anchor(baseName(d))})`, code(d.className), d.aliases.map((a) => code(a)).join(', '), keys.length ? keys.map((k) => code(k)).join(', ') : '—'];
  }));
}

function sections<D extends Definition>(list: readonly D[]): string[] {
  const lines: string[] = [];
  for (const g of groups(list)) {
    lines.push(`### ${g.name}`, '');
    for (const d of g.variants) {
      lines.push(`- ${code(d.className, false)} (${d.aliases.length === 1 ? 'alias' : 'aliases'} ${d.aliases.map((a) => code(a, false)).join(', ')}): ${prose(d.summary)}`);
    }
    lines.push('');
    // Variants declared on one config share one table; otherwise each gets its own.
    const configs = [...new Set(g.variants.map((d) => d.config))];
    if (configs.length === 1) lines.push(...keyTable(configs[0].keys), '');
    else for (const d of g.variants) lines.push(`${code(d.name, false)}:`, '', ...keyTable(d.config.keys), '');
  }
  return lines;
}

/** docs/transforms.md: every registered transform and predicate with each config key. */
export function renderTransformsReference(transforms: readonly TransformDefinition[] = TRANSFORMS, predicates: readonly PredicateDefinition[] = PREDICATES): string {
  const lines = [
    '# Transforms and predicates',
    '',
    '<!-- Generated from src/transforms/registry.ts by `npx tsx scripts/gen-transforms-doc.ts > docs/transforms.md`.',
    '     Do not edit by hand: test/unit/transforms/doc.test.ts fails when this file and the declarations differ. -->',
    '',
    `Kafka Connect's standard single message transforms (${transforms.length}) and predicates (${predicates.length}), under their`,
    "Connect class names and short aliases, configured exactly as in Kafka Connect:",
    '',
    '```properties',
    'transforms=route,mask',
    'transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter',
    'transforms.route.regex=(.*)_src',
    'transforms.route.replacement=$1',
    'transforms.mask.type=MaskField$Value',
    'transforms.mask.fields=ssn',
    'transforms.mask.predicate=isCustomers',
    'transforms.mask.negate=false',
    'predicates=isCustomers',
    'predicates.isCustomers.type=org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
    'predicates.isCustomers.pattern=customers.*',
    '```',
    '',
    'Transforms run in the order of `transforms`, after `poll` and before the converters on a source,',
    'after the converters and before `put` on a sink. `transforms.<alias>.predicate` names a predicate',
    'from `predicates`; the transform then applies only to records the predicate matches (or, with',
    '`transforms.<alias>.negate=true`, does not match). A transform that fails on a record raises a',
    'data error at stage `TRANSFORMATION`, handled by `errors.tolerance`: skipped (and sent to the',
    'dead letter queue when one is configured) with `all`; with `none` the task fails and its status carries the trace.',
    'Sink offsets are committed by the original topic-partition, so topic-renaming transforms',
    '(RegexRouter, TimestampRouter) do not break commits.',
    '',
    'Regular expressions (RegexRouter `regex`, TopicNameMatches `pattern`) are Java syntax matched by RE2 in time',
    'linear in the topic name. Refused at validation, with an error naming the key and the construct:',
    'lookahead `(?=…)` `(?!…)`, lookbehind `(?<=…)` `(?<!…)`, backreferences `\\1` `\\k<name>`, possessive',
    'quantifiers `a++` `a*+` `a{2}+`, atomic groups `(?>…)`, the inline flags `(?x)` `(?d)` `(?U)`, character-class',
    'union and intersection `[a[b]]` `[a&&b]`, `\\G`, `\\v` and Java-only classes such as `\\p{javaLowerCase}`.',
    'Replacements use Java\'s `$1`, `${name}` and `\\$`.',
    '',
    '## Transforms',
    '',
    ...overview(transforms, 'transform'),
    '',
    ...sections(transforms),
    '## Predicates',
    '',
    ...overview(predicates, 'predicate'),
    '',
    ...sections(predicates),
  ];
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
