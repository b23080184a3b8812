// The spooldir CSV source on the real stack: a directory of CSV files through a worker into Kafka
// with a declared schema, finished files moved away, a bad file moved to error.path, spooldir's
// offsets; and the conformance kit.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spoolDirCsvSource } from '../../src/connectors/spooldir-csv/index.js';
import { runConformance } from '../../src/testing/index.js';
import { readTopic } from '../helpers/kafka.js';
import { useFileConnectorWorker } from '../helpers/plugins.js';
import { uniqueName, waitFor } from '../helpers/stack.js';

const SCHEMA = JSON.stringify({ name: 'com.example.Order', type: 'STRUCT', fieldSchemas: { id: { type: 'INT64', isOptional: false }, item: { type: 'STRING', isOptional: true }, qty: { type: 'INT32', isOptional: true } } });

describe('SpoolDirCsvSource', () => {
  const { fx, root, topics } = useFileConnectorWorker('spool');

  const dirs = (name: string) => {
    const d = { input: path.join(root, name, 'in'), finished: path.join(root, name, 'done'), error: path.join(root, name, 'err') };
    for (const p of Object.values(d)) mkdirSync(p, { recursive: true });
    return d;
  };

  it('reads a directory of CSV files into Kafka, typed by value.schema, moving finished and bad files', async () => {
    const d = dirs('orders');
    writeFileSync(path.join(d.input, 'a.csv'), 'id,item,qty\n1,apple,3\n2,"pear, green",\n');
    writeFileSync(path.join(d.input, 'b.csv'), 'qty,id,item\r\n5,3,plum\r\n');
    writeFileSync(path.join(d.input, 'c.csv'), 'id,item,qty\n4,"unterminated,1\n');
    writeFileSync(path.join(d.input, 'ignored.txt'), 'id\n99\n');
    const topic = uniqueName('spool');
    topics.push(topic);
    const name = uniqueName('spool-src');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'SpoolDirCsvSource', topic, 'input.path': d.input, 'finished.path': d.finished, 'error.path': d.error,
      'input.file.pattern': '.*\\.csv', 'csv.first.row.as.header': 'true', 'value.schema': SCHEMA, 'halt.on.error': 'false',
    } });
    const got = await readTopic(topic, 3);
    expect(got.map((m) => JSON.parse(m.value!).payload)).toEqual([
      { id: 1, item: 'apple', qty: 3 }, { id: 2, item: 'pear, green', qty: null }, { id: 3, item: 'plum', qty: 5 },
    ]);
    expect(JSON.parse(got[0].value!).schema).toMatchObject({ type: 'struct', name: 'com.example.Order' });
    await waitFor(() => readdirSync(d.finished).length === 2 && readdirSync(d.error).length === 1, { what: 'files moved', timeout: 60_000 });
    expect(readdirSync(d.finished).sort()).toEqual(['a.csv', 'b.csv']);
    expect(readdirSync(d.error)).toEqual(['c.csv']);
    expect(readdirSync(d.input)).toEqual(['ignored.txt']);
    // The files move when the batch commits, a moment before the workflow records its offsets.
    const offsets = await waitFor(async () => {
      const o = await fx.sdk.offsets(name);
      return o.offsets.length === 2 ? o : undefined;
    }, { what: 'offsets of both files' });
    expect(offsets.offsets).toEqual(expect.arrayContaining([
      { partition: { fileName: 'a.csv' }, offset: { offset: 2 } }, { partition: { fileName: 'b.csv' }, offset: { offset: 1 } },
    ]));
  });

  it('passes the conformance kit (cleanup.policy NONE, so the files stay for the restart checks)', async () => {
    const d = dirs('kit');
    let n = 0;
    const results = await runConformance({
      plugin: spoolDirCsvSource,
      config: { topic: 'kit-spool', 'input.path': d.input, 'error.path': d.error, 'input.file.pattern': '.*\\.csv', 'csv.first.row.as.header': 'true',
        'schema.generation.enabled': 'true', 'cleanup.policy': 'NONE', 'batch.size': '2' },
      invalid: [{ patch: { 'input.path': '/etc' }, key: 'input.path' }, { patch: { 'schema.generation.enabled': 'false' }, key: 'value.schema' }],
      broken: { 'input.path': '/etc' },
      async seed() {
        writeFileSync(path.join(d.input, 'one.csv'), 'k,v\na,1\nb,2\nc,3\n');
        writeFileSync(path.join(d.input, 'two.csv'), 'k,v\nd,4\ne,5\n');
        n = 5;
        return n;
      },
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(existsSync(path.join(d.input, 'one.csv'))).toBe(true);
  });
});
