import { commonKeys, sinkKeys, sourceKeys } from '../config/connector-config.js';
import type { ConfigKey, KeyMap } from '../config/define.js';
import { anchor, cell, code, defaultCell, prose, table } from '../config/markdown.js';
import { isSecretKeyName } from '../config/secrets.js';
import { BUILT_IN } from '../plugins/plugin-list.js';
import { CONNECTOR_PLUGINS, connectorPluginNames, connectorPluginOrigin } from './registry.js';
import type { ConnectorPlugin } from './types.js';

// The Markdown reference of every connector config key (docs/connectors.md), rendered from the
// declarations validation uses: the common, source and sink keys of src/config/connector-config.ts
// and each built-in connector's own config. Written by `npm run docs` (scripts/gen-docs.ts);
// test/unit/config/reference-docs.test.ts fails when the committed file differs.

/** The range a whole-number key checks, as Connect's Range prints it: [1,...], [1,...,300000]. */
export function rangeText(k: ConfigKey): string | undefined {
  const { min, max } = k.meta;
  if (min === undefined && max === undefined) return undefined;
  if (min === undefined) return `[...,${max}]`;
  return max === undefined ? `[${min},...]` : `[${min},...,${max}]`;
}

function validCell(k: ConfigKey): string {
  if (k.meta.validValues?.length) return k.meta.validValues.map((v) => code(v)).join(', ');
  const range = rangeText(k);
  return range ? code(range) : '';
}

/** Declared secret (PASSWORD), or secret by its name as src/config/secrets.ts decides: masked and encrypted either way. */
export function secretCell(name: string, k: ConfigKey): string {
  if (k.meta.secret || k.meta.type === 'PASSWORD') return 'yes';
  return isSecretKeyName(name) ? 'yes (by name)' : '';
}

function descriptionCell(k: ConfigKey): string {
  let text = cell(k.meta.documentation);
  if (k.meta.example) text += ` Example: ${code(k.meta.example)}.`;
  return text;
}

function keyTable(keys: KeyMap): string[] {
  const names = Object.keys(keys);
  if (names.length === 0) return ['No configuration keys of its own.'];
  return table(['key', 'type', 'default', 'valid values', 'importance', 'secret', 'description'], names.map((n) => {
    const k = keys[n];
    return [code(n), k.meta.type, defaultCell(k), validCell(k), k.meta.importance, secretCell(n, k), descriptionCell(k)];
  }));
}

/** The connectors a worker has before it loads plugin.path: the built-ins, in registration order. */
export function builtInConnectors(): ConnectorPlugin[] {
  return CONNECTOR_PLUGINS.filter((p) => connectorPluginOrigin(p)?.location === BUILT_IN);
}

/** A plugin's own keys the framework does not declare too (connectorKeys: a common declaration wins a clash). */
function ownKeys(plugin: ConnectorPlugin, framework: KeyMap): { own: KeyMap; shadowed: string[] } {
  const own: KeyMap = {};
  const shadowed: string[] = [];
  for (const [n, k] of Object.entries(plugin.config.keys)) {
    if (n in framework) shadowed.push(n);
    else own[n] = k;
  }
  return { own, shadowed };
}

/** docs/connectors.md: the framework's keys once, then every built-in connector with its own keys. */
export function renderConnectorsReference(plugins: readonly ConnectorPlugin[] = builtInConnectors()): string {
  const framework = { common: commonKeys as KeyMap, source: sourceKeys as KeyMap, sink: sinkKeys as KeyMap };
  const lines = [
    '# Connector configuration reference',
    '',
    '<!-- Generated from src/config/connector-config.ts and the built-in connectors (src/connectors/registry.ts) by `npm run docs`.',
    '     Do not edit by hand: test/unit/config/reference-docs.test.ts fails when this file and the declarations differ. -->',
    '',
    'A connector config is the [common keys](#common-keys), a source connector\'s also the [source keys](#source-keys),',
    'a sink connector\'s the [sink keys](#sink-keys), then the keys of its connector class below, plus the',
    '`transforms.<alias>.*` and `predicates.<alias>.*` keys of [its transforms](transforms.md) and the',
    '`key.converter.*`, `value.converter.*`, `header.converter.*` settings of its converters.',
    'These are the same declarations validation, `GET /connector-plugins/{plugin}/config` and',
    '`PUT /connector-plugins/{plugin}/config/validate` use.',
    '',
    '- **type**: Kafka Connect\'s config type; values are strings as in Connect (`true`/`false` in any case for',
    '  BOOLEAN, whole numbers within Java\'s range for INT and LONG, comma-separated for LIST).',
    '- **default**: used when the key is absent or empty; *required* keys have none; null means unset.',
    '- **valid values**: the values an enumerated key accepts, or the range (Connect\'s notation, ends included)',
    '  a number must fall in; further rules are in the description.',
    '- **secret**: masked as `[hidden]` in every answer and encrypted before the config reaches Temporal;',
    '  *by name* means the key is not declared secret but its name ends the way secret keys do',
    '  (`password`, `.secret`, `token`, …), which is enough.',
    '',
    '## Built-in connectors',
    '',
    ...table(['connector', 'type', '`connector.class` (any of these names)', 'own keys'],
      plugins.map((p) => [`[${cell(p.name)}](${anchor(p.name)})`, p.type, connectorPluginNames(p).map((n) => code(n)).join(', '), String(Object.keys(p.config.keys).length)])),
    '',
    'Connectors loaded from `plugin.path` or `plugins` ([docs/connector-guide.md](connector-guide.md)) declare their',
    'keys the same way; `npx tconnect plugins` and `GET /connector-plugins/{plugin}/config` list them.',
    '',
    '## Common keys',
    '',
    'Every connector, source or sink.',
    '',
    ...keyTable(framework.common),
    '',
    '## Source keys',
    '',
    'Every source connector, beside the common keys.',
    '',
    ...keyTable(framework.source),
    '',
    '## Sink keys',
    '',
    'Every sink connector, beside the common keys. Exactly one of `topics` and `topics.regex` must be set.',
    '',
    ...keyTable(framework.sink),
    '',
  ];
  for (const p of plugins) {
    const { own, shadowed } = ownKeys(p, { ...framework.common, ...(p.type === 'source' ? framework.source : framework.sink) });
    const names = connectorPluginNames(p);
    lines.push(
      `## ${p.name}`,
      '',
      `- class ${code(p.className, false)}, ${p.type} connector`,
      `- also named ${names.slice(1).map((n) => code(n, false)).join(', ')} in \`connector.class\``,
      `- ${prose(p.summary)}`,
      '',
      ...keyTable(own),
      '',
    );
    if (shadowed.length) lines.push(`Also declared by the framework, whose declaration applies: ${shadowed.map((n) => code(n, false)).join(', ')}.`, '');
  }
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
