// FileStreamSource / FileStreamSink on the real stack through the REST API of a `tconnect
// distributed` worker: lines to Kafka and back to a file, Connect's offsets, and the worker
// property file.connectors.allowed.paths keeping REST users away from the worker's other files.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../src/client/index.js';
import { kafka } from '../helpers/clients.js';
import { readTopic } from '../helpers/kafka.js';
import { startRestWorker, type RestWorker } from '../helpers/rest-worker.js';
import { stackEnv, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

describe('FileStream connectors', () => {
  const files = mkdtempSync(path.join(os.tmpdir(), 'tconnect-files-'));
  const topic = uniqueName('file-lines');
  const created: string[] = [];
  let w: RestWorker;

  const running = (name: string) => waitFor(async () => {
    const s = (await w.http('GET', `/connectors/${name}/status`)).body;
    return s?.tasks?.length && s.tasks.every((t: { state: string }) => t.state === 'RUNNING') ? s : undefined;
  }, { what: `${name} RUNNING`, timeout: 60_000 });

  beforeAll(async () => {
    w = await startRestWorker({ 'file.connectors.allowed.paths': files });
  });

  afterAll(async () => {
    for (const name of created) await w?.http('DELETE', `/connectors/${name}`).catch(() => undefined);
    await w?.stop();
    await deleteTopics([topic]);
    rmSync(files, { recursive: true, force: true });
  });

  it('source: each line a record, Connect\'s offsets, resumes after a restart without repeating a line', async () => {
    const input = path.join(files, 'input.txt');
    writeFileSync(input, 'one\ntwo\r\nthree\n');
    const name = uniqueName('file-src');
    created.push(name);
    const r = await w.http('POST', '/connectors', {
      name,
      config: { 'connector.class': 'FileStreamSource', file: input, topic, 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await running(name);
    expect((await readTopic(topic, 3)).map((m) => m.value)).toEqual(['one', 'two', 'three']);
    const offsets = await waitFor(async () => {
      const o = (await w.http('GET', `/connectors/${name}/offsets`)).body;
      return o?.offsets?.[0]?.offset?.position === 15 ? o : undefined;
    }, { what: 'offset position 15' });
    expect(offsets).toEqual({ offsets: [{ partition: { filename: input }, offset: { position: 15 } }] });

    // A restart of the task reopens the file at the committed position: only new lines follow.
    expect((await w.http('POST', `/connectors/${name}/restart?includeTasks=true`)).status).toBeLessThan(300);
    await running(name);
    appendFileSync(input, 'four\n');
    const all = await readTopic(topic, 4);
    expect(all.map((m) => m.value)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('sink: each record\'s value appended as a line', async () => {
    const output = path.join(files, 'output.txt');
    const name = uniqueName('file-sink');
    created.push(name);
    const r = await w.http('POST', '/connectors', {
      name,
      config: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: output, topics: topic, 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const text = await waitFor(() => {
      try {
        const t = readFileSync(output, 'utf8');
        return t.split('\n').length > 4 ? t : undefined;
      } catch {
        return undefined;
      }
    }, { what: 'four lines in the output file', timeout: 60_000 });
    expect(text).toBe('one\ntwo\nthree\nfour\n');
  });

  it('REST refuses files outside file.connectors.allowed.paths, through .. and symlinks too', async () => {
    symlinkSync('/etc/passwd', path.join(files, 'passwd-link'));
    for (const [cls, file] of [
      ['FileStreamSource', '/etc/passwd'],
      ['FileStreamSource', path.join(files, 'passwd-link')],
      ['FileStreamSink', path.join(files, '..', 'escaped.txt')],
      ['FileStreamSink', 'relative.txt'],
    ]) {
      const r = await w.http('POST', '/connectors', { name: uniqueName('file-bad'), config: { 'connector.class': cls, file, topic, topics: topic } });
      expect(r.status, `${cls} ${file}`).toBe(400);
      expect(r.body.message, `${cls} ${file}`).toMatch(/Invalid value .* for configuration file: (not inside a directory the worker allows \(file\.connectors\.allowed\.paths=|must be an absolute path)/);
    }
    const v = await w.http('PUT', '/connector-plugins/FileStreamSource/config/validate', { 'connector.class': 'FileStreamSource', name: 'v', file: '/etc/passwd', topic });
    expect(v.body.error_count).toBe(1);
    expect(v.body.configs.find((c: { value: { name: string } }) => c.value.name === 'file').value.errors[0]).toContain('file.connectors.allowed.paths');
  });

  it('the worker refuses too when a client skips REST: the connector fails, naming the worker property, and reads nothing', async () => {
    const env = stackEnv();
    const sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: w.taskQueue });
    const name = uniqueName('file-sdk');
    const secretTopic = uniqueName('file-secret');
    created.push(name);
    try {
      // The SDK's process knows no worker properties, so it leaves the check to the worker.
      await sdk.create({ name, config: { 'connector.class': 'FileStreamSource', file: '/etc/passwd', topic: secretTopic } });
      // Planning refuses it: the connector is kept, FAILED, with the reason as its trace.
      const failed = await waitFor(async () => {
        const s = await sdk.status(name);
        return s.connector.state === 'FAILED' ? s : undefined;
      }, { what: `${name} FAILED` });
      expect(failed.connector.trace).toContain('not inside a directory the worker allows (file.connectors.allowed.paths=');
      expect(failed.tasks).toEqual([]);
      const admin = kafka().admin();
      await admin.connect();
      expect(await admin.listTopics()).not.toContain(secretTopic);
      await admin.disconnect();
    } finally {
      await sdk.close();
      await deleteTopics([secretTopic]);
    }
  });
});
