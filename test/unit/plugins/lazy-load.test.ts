import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The connector registry keeps every built-in's metadata (class names, config definitions) but
// loads a connector's client library only when one of its tasks starts (or, for MongoDB, when a
// config is validated): a worker that runs no MongoDB, S3 or BigQuery connector does not carry
// their drivers (~50 MiB of its idle memory, bench/README.md, Memory). The S3 sink still loads the
// AWS SDK with the registry (see bench/README.md, Memory). Checked in a fresh process,
// since this test process may have loaded anything.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The npm packages a fresh process has required (CommonJS) after importing these modules. */
function packagesAfterImporting(modules: string[]): string[] {
  const script = `
    const { createRequire } = require('node:module');
    (async () => {
      for (const m of ${JSON.stringify(modules)}) await import(require('node:url').pathToFileURL(m).href);
      const seen = new Set();
      for (const k of Object.keys(createRequire(${JSON.stringify(path.join(root, 'x.js'))}).cache)) {
        const m = /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(k);
        if (m) seen.add(m[1]);
      }
      process.stdout.write(JSON.stringify([...seen]));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

// mnemonist stands for @platformatic/kafka (the records' producer, loaded by the first send()):
// an ES module the probe cannot see, and mnemonist is its CommonJS dependency, used by nothing else.
const HEAVY = ['mongodb', '@aws-sdk/client-lambda', '@google-cloud/storage', '@google-cloud/bigquery', 'google-auth-library', '@elastic/elasticsearch', 'apache-arrow', 'mysql2', 'pg', 'pg-logical-replication', '@vlasky/zongji', 'jose', 'mnemonist'];

describe('built-in connectors load their client libraries on first use', () => {
  it('the registry and the activities load none of them', { timeout: 60_000 }, () => {
    const loaded = packagesAfterImporting([path.join(root, 'src/connectors/registry.ts'), path.join(root, 'activities/index.ts'), path.join(root, 'src/worker/index.ts')]);
    expect(loaded).toContain('kafkajs'); // the probe does see CommonJS packages
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('starting a task loads its library', { timeout: 60_000 }, () => {
    // The Elasticsearch sink's task module, as startTask imports it.
    const loaded = packagesAfterImporting([path.join(root, 'src/connectors/registry.ts'), path.join(root, 'src/connectors/elasticsearch-sink/task.ts')]);
    expect(loaded).toContain('@elastic/elasticsearch');
  });

  it('the probe sees @platformatic/kafka (through mnemonist) once it is loaded', { timeout: 60_000 }, () => {
    const loaded = packagesAfterImporting([path.join(root, 'src/kafka/client.ts'), path.join(root, 'node_modules/@platformatic/kafka/dist/index.js')]);
    expect(loaded).toContain('mnemonist'); // the stand-in is seen when @platformatic/kafka is loaded
  });
});
