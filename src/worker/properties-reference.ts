import { anchor, cell, code, table } from '../config/markdown.js';
import { WORKER_ENVIRONMENT, WORKER_PROPERTIES, type WorkerEnvironmentVariable, type WorkerProperty, type WorkerPropertyGroup } from './properties.js';

// docs/worker-properties.md, rendered from the declarations in src/worker/properties.ts.
// Written by `npm run docs` (scripts/gen-docs.ts); test/unit/config/reference-docs.test.ts keeps it in step.

const GROUPS: readonly WorkerPropertyGroup[] = ['Kafka', 'Temporal', 'Connectors', 'REST API', 'Memory', 'Standalone'];

const defaultCell = (d: string | undefined) => (d === undefined ? '' : code(d));

/** A name with `<...>` parts: code, not an HTML tag. */
const nameCell = (name: string) => code(name);

export function renderWorkerPropertiesReference(properties: readonly WorkerProperty[] = WORKER_PROPERTIES, environment: readonly WorkerEnvironmentVariable[] = WORKER_ENVIRONMENT): string {
  const lines = [
    '# Worker properties',
    '',
    '<!-- Generated from src/worker/properties.ts by `npm run docs`.',
    '     Do not edit by hand: test/unit/config/reference-docs.test.ts fails when this file and the declarations differ. -->',
    '',
    'The settings of a worker (`tconnect worker --worker-config worker.properties`, `tconnect distributed worker.properties`,',
    '`tconnect standalone worker.properties …`), with Kafka Connect\'s names where it has them. Precedence: command-line',
    'flags, then the environment variables named here, then `CONNECT_<NAME>` variables, then the file.',
    'Connectors\' own keys are in [connectors.md](connectors.md).',
    '',
    `Groups: ${GROUPS.filter((g) => properties.some((p) => p.group === g)).map((g) => `[${g}](${anchor(g)})`).join(', ')}, [environment only](#environment-only).`,
    '',
  ];
  for (const g of GROUPS) {
    const rows = properties.filter((p) => p.group === g);
    if (rows.length === 0) continue;
    lines.push(
      `## ${g}`,
      '',
      ...table(['property', 'environment', 'default', 'secret', 'description'],
        rows.map((p) => [nameCell(p.name), (p.env ?? []).map((e) => code(e)).join(', '), defaultCell(p.default), p.secret ? 'yes' : '', cell(p.doc)])),
      '',
    );
  }
  lines.push(
    '## Environment only',
    '',
    ...table(['variable', 'default', 'secret', 'description'],
      environment.map((v) => [nameCell(v.name), defaultCell(v.default), v.secret ? 'yes' : '', cell(v.doc)])),
  );
  return `${lines.join('\n')}\n`;
}
