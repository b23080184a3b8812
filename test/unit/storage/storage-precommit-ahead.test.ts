import { describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../../src/records/record.js';
import type { ObjectStore, StoredObject } from '../../../src/connectors/storage/object-store.js';
import { defineStorageSink } from '../../../src/connectors/storage/sink.js';

// preCommit when the runtime's pipeline has put records past the position it asks about (it puts
// batch N+1 while batch N is being committed): the answer must be a file boundary at or before
// that position, or a restart from it would start a file in the middle of a committed one and
// store the records between twice (found by the kill -9 test of the HDFS sink).

const files = new Map<string, Uint8Array>();
const store: ObjectStore = {
  description: 'memory://ahead',
  async put(key, body) { files.set(key, body); },
  async get(key) { return files.get(key); },
  async *list(prefix): AsyncIterable<StoredObject> {
    for (const k of [...files.keys()].sort()) if (k.startsWith(prefix)) yield { key: k, size: files.get(k)!.length };
  },
  async delete(key) { files.delete(key); },
  async check() {},
  async close() {},
};

const sink = defineStorageSink({
  name: 'AheadSink', className: 'test.AheadSinkConnector', aliases: [], version: '0.0.1', summary: 'test',
  formatPackage: 'io.confluent.connect.s3.format', storeKeys: {}, openStore: () => store,
});

const rec = (offset: number): SinkRecord => ({
  topic: 't', kafkaPartition: 0, kafkaOffset: offset, originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset,
  key: null, keySchema: null, value: { n: offset }, valueSchema: null, headers: [],
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => rec(from + i));
const at = (offset: number) => [{ topic: 't', partition: 0, offset }];

describe('storage sink preCommit with records put ahead of the position', () => {
  it('answers the last file boundary at or before the position, never a position inside a committed file', async () => {
    const task = await sink.startTask({ 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '100' }, { connectorName: 'c', taskId: 0, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    await task.open?.(at(0));
    // Files 0..99, 100..199, 200..299 committed; nothing open; the runtime asks about position 250.
    await task.put(range(0, 300), new AbortController().signal);
    expect([...files.keys()].map((k) => k.slice(-15))).toEqual(['0000000000.json', '0000000100.json', '0000000200.json']);
    expect(await task.preCommit!(at(250))).toEqual(at(200));
    // Open records past the position: still the boundary before it.
    await task.put(range(300, 320), new AbortController().signal);
    expect(await task.preCommit!(at(250))).toEqual(at(200));
    expect(await task.preCommit!(at(300))).toEqual(at(300));
    // The position caught up with everything written: the end of the last file.
    expect(await task.preCommit!(at(320))).toEqual(at(300));
    await task.put(range(320, 400), new AbortController().signal);
    expect(await task.preCommit!(at(400))).toEqual(at(400));
    await task.close();
  });
});
