// The conformance kit (temporal-connect/testing) on the FileStream connectors and on the example
// third-party connector, loaded through plugin.path as a worker loads it.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStreamSink, fileStreamSource } from '../../src/connectors/file-stream/index.js';
import { findConnectorPlugin } from '../../src/connectors/registry.js';
import { defineSource, type SourcePlugin } from '../../src/connectors/types.js';
import { defineConfig, key } from '../../src/config/define.js';
import { loadPlugins } from '../../src/plugins/loader.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas } from '../../src/records/schema.js';
import { conformanceChecks, runConformance } from '../../src/testing/index.js';
import { examplePluginPath } from '../helpers/plugins.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function filesDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tconnect-kit-'));
  dirs.push(dir);
  fileStreamSource.applyWorkerConfig!({ 'file.connectors.allowed.paths': dir });
  return dir;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length;

describe('conformance kit', () => {
  it('FileStreamSource passes', async () => {
    const dir = filesDir();
    const file = path.join(dir, 'in.txt');
    writeFileSync(file, '');
    let seeded = 0;
    const results = await runConformance({
      plugin: fileStreamSource,
      config: { file, topic: 'kit-lines', 'batch.size': '3' },
      invalid: [{ patch: { 'batch.size': '0' }, key: 'batch.size' }, { patch: { file: '/etc/passwd' }, key: 'file' }],
      broken: { file: '/etc/passwd' },
      async seed() {
        // CRLF and LF lines, as Connect splits them.
        appendFileSync(file, Array.from({ length: 7 }, (_, i) => `line ${seeded + i}${i % 2 ? '\r\n' : '\n'}`).join(''));
        seeded += 7;
        return seeded;
      },
    });
    expect(results.map((r) => r.name)).toEqual([
      'config validation names bad keys', 'task split honours tasks.max', 'offsets resume exactly after a restart of the task',
      'poll returns promptly on abort', 'errors are classified', 'secrets never appear in logs',
    ]);
  });

  it('FileStreamSink passes, declared not idempotent', async () => {
    const dir = filesDir();
    const file = path.join(dir, 'out.txt');
    const records = (): SinkRecord[] => Array.from({ length: 4 }, (_, i) => ({
      topic: 't', kafkaPartition: 0, kafkaOffset: i, originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: i,
      key: null, value: `value ${i}`, valueSchema: Schemas.string(), headers: [],
    }));
    const results = await runConformance({
      plugin: fileStreamSink,
      config: { file, topics: 'kit-in' },
      broken: { file: path.join(os.tmpdir(), 'outside-the-allowed-dir.txt') },
      records,
      reset: async () => writeFileSync(file, ''),
      count: async () => lines(file),
      idempotent: false,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('value 0\nvalue 1\nvalue 2\nvalue 3\n');
  });

  it('a check fails when a connector breaks its promise: a sink declared idempotent that appends', async () => {
    const dir = filesDir();
    const file = path.join(dir, 'dup.txt');
    const checks = conformanceChecks({
      plugin: fileStreamSink,
      config: { file, topics: 'kit-in' },
      broken: { file: '/etc/passwd' },
      records: () => [0, 1].map((i) => ({ topic: 't', kafkaPartition: 0, kafkaOffset: i, originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: i, key: null, value: `v${i}`, headers: [] })),
      reset: async () => writeFileSync(file, ''),
      count: async () => lines(file),
      idempotent: true,
    });
    const redelivery = checks.find((c) => c.name === 'put is idempotent under redelivery')!;
    await expect(redelivery.run()).rejects.toThrow('after the same 2 records were put again the target holds 4, expected 2 (declared idempotent: true)');
  });

  it('the secrets check catches a connector that logs its password', async () => {
    const leaky = defineSource({
      ...fileStreamSource,
      name: 'LeakySource',
      className: 'com.example.LeakySourceConnector',
      aliases: [],
      config: defineConfig({ ...fileStreamSource.config.keys, 'service.password': key.password({ doc: 'a secret' }) }),
      validate: undefined,
      async startTask(taskConfig, ctx) {
        ctx.logger.debug({ url: `svc://user:${taskConfig['service.password']}@host` }, 'connecting');
        return fileStreamSource.startTask(taskConfig, ctx);
      },
    });
    const dir = filesDir();
    const file = path.join(dir, 'leak.txt');
    writeFileSync(file, 'a\nb\n');
    await expect(runConformance({ plugin: leaky, config: { file, topic: 't', 'service.password': 'hunter2-pw' }, broken: { file: '/etc/passwd' }, seed: async () => 2 }))
      .rejects.toThrow(/secrets never appear in logs: the value of a secret key \(.*service.password.*\) appears in a log line: .*svc:\/\/user:<secret>@host/);
  });

  it('the example connector, loaded through plugin.path, passes', async () => {
    const pluginPath = examplePluginPath();
    dirs.push(pluginPath);
    const [loaded] = await loadPlugins({ pluginPath: [pluginPath] });
    expect(loaded.connectors).toEqual(['com.example.tconnect.SequenceSourceConnector']);
    const plugin = findConnectorPlugin('SequenceSource') as SourcePlugin;
    const results = await runConformance({
      plugin,
      config: { topic: 'kit-seq', count: '25', 'batch.size': '4', 'api.token': 'tok-s3cr3t-value' },
      invalid: [{ patch: { count: '0' }, key: 'count' }, { patch: { 'api.token': ' ' }, key: 'api.token' }],
      broken: { 'api.token': 'wrong-s3cr3t' },
      seed: async () => 25,
    });
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
