// The rotating CSV / JSON-lines file sink: Kafka through a worker into files rotated by count,
// final names once rotated or closed; and the conformance kit.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotatingFileSink } from '../../src/connectors/rotating-file-sink/index.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { runConformance } from '../../src/testing/index.js';
import { sendJson } from '../helpers/kafka.js';
import { useFileConnectorWorker } from '../helpers/plugins.js';
import { uniqueName, waitFor } from '../helpers/stack.js';

describe('RotatingFileSink', () => {
  const { fx, root, topics } = useFileConnectorWorker('rot');

  it('writes CSV files of flush.size rows with a header, renamed when rotated and when the connector stops', async () => {
    const topic = uniqueName('rot');
    topics.push(topic);
    const out = path.join(root, 'csv');
    await sendJson(topic, Array.from({ length: 7 }, (_, i) => ({ id: i, note: i === 2 ? 'a, "quoted" note' : `n${i}` })), 0);
    const name = uniqueName('rot-sink');
    await fx.sdk.create({ name, config: {
      'connector.class': 'RotatingFileSink', topics: topic, 'output.path': out, format: 'csv', 'flush.size': '3',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
    } });
    await waitFor(() => {
      try {
        return readdirSync(out).length === 3;
      } catch {
        return false;
      }
    }, { what: 'three files', timeout: 60_000 });
    expect(readdirSync(out).sort()).toEqual([`${topic}+0+0.csv`, `${topic}+0+3.csv`, `${topic}+0+6.csv.tmp`]);
    expect(readFileSync(path.join(out, `${topic}+0+0.csv`), 'utf8')).toBe('id,note\n0,n0\n1,n1\n2,"a, ""quoted"" note"\n');
    expect(readFileSync(path.join(out, `${topic}+0+3.csv`), 'utf8')).toBe('id,note\n3,n3\n4,n4\n5,n5\n');
    await fx.sdk.delete(name);
    await waitFor(() => readdirSync(out).includes(`${topic}+0+6.csv`), { what: 'the open file renamed on close', timeout: 30_000 });
    expect(readFileSync(path.join(out, `${topic}+0+6.csv`), 'utf8')).toBe('id,note\n6,n6\n');
  });

  it('passes the conformance kit as JSON lines, declared not idempotent', async () => {
    const out = path.join(root, 'kit');
    const schema = Schemas.struct([['id', Schemas.int64()], ['name', Schemas.string()]]);
    const records = (): SinkRecord[] => Array.from({ length: 4 }, (_, i) => ({
      topic: 'kit', kafkaPartition: 0, kafkaOffset: i, originalTopic: 'kit', originalKafkaPartition: 0, originalKafkaOffset: i,
      key: null, value: new Struct(schema, { id: i, name: `n${i}` }), valueSchema: schema, headers: [],
    }));
    const lines = () => {
      try {
        return readdirSync(out).reduce((n, f) => n + readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean).length, 0);
      } catch {
        return 0;
      }
    };
    const results = await runConformance({
      plugin: rotatingFileSink,
      config: { topics: 'kit', 'output.path': out, 'rotate.size.bytes': '40' },
      invalid: [{ patch: { format: 'xml' }, key: 'format' }, { patch: { 'output.path': '/etc' }, key: 'output.path' }],
      broken: { 'output.path': '/etc' },
      records,
      reset: async () => rmSync(out, { recursive: true, force: true }),
      count: async () => lines(),
      idempotent: false,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    // 40 bytes rotate after two 22-byte lines: the files of one write hold two records each.
    const first = readdirSync(out).filter((f) => f.endsWith('.jsonl')).sort()[0];
    expect(readFileSync(path.join(out, first), 'utf8')).toBe('{"id":0,"name":"n0"}\n{"id":1,"name":"n1"}\n');
  });
});
