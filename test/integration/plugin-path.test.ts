// A third-party connector package (examples/sequence-source) loaded through the worker property
// plugin.path of a `tconnect distributed` worker, driven through the REST API, its records in Kafka;
// `tconnect plugins --plugin-path` lists it.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic } from '../helpers/kafka.js';
import { examplePluginPath } from '../helpers/plugins.js';
import { startRestWorker, type RestWorker } from '../helpers/rest-worker.js';
import { uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics, spawnTconnect } from '../helpers/tconnect-process.js';

const CLASS = 'com.example.tconnect.SequenceSourceConnector';

describe('plugin.path: the example SequenceSource package', () => {
  const pluginPath = examplePluginPath();
  const topic = uniqueName('seq');
  const name = uniqueName('seq-src');
  let w: RestWorker;

  beforeAll(async () => {
    w = await startRestWorker({ 'plugin.path': pluginPath });
  });

  afterAll(async () => {
    await w?.http('DELETE', `/connectors/${name}`).catch(() => undefined);
    await w?.stop();
    await deleteTopics([topic]);
    rmSync(pluginPath, { recursive: true, force: true });
  });

  it('is listed and validated by the REST API like a built-in', async () => {
    const plugins = (await w.http('GET', '/connector-plugins')).body as Array<{ class: string }>;
    expect(plugins).toContainEqual({ class: CLASS, type: 'source', version: '1.0.0' });
    const v = await w.http('PUT', '/connector-plugins/SequenceSourceConnector/config/validate', { 'connector.class': CLASS, name: 'v', topic, count: '0', 'api.token': 'tok-secret-1' });
    expect(v.status).toBe(200);
    expect(v.body.error_count).toBe(1);
    expect(v.body.configs.find((c: { value: { name: string } }) => c.value.name === 'count').value.errors[0]).toContain('must be at least 1');
    // The declared password is masked in the answer.
    expect(v.body.configs.find((c: { value: { name: string } }) => c.value.name === 'api.token').value.value).toBe('[hidden]');
  });

  it('runs through the REST API: two tasks, every number in Kafka once', async () => {
    const r = await w.http('POST', '/connectors', {
      name,
      config: { 'connector.class': 'SequenceSource', topic, count: '60', 'batch.size': '7', 'tasks.max': '2', 'api.token': 'tok-secret-2', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const status = await waitFor(async () => {
      const s = (await w.http('GET', `/connectors/${name}/status`)).body;
      return s?.tasks?.length === 2 && s.tasks.every((t: { state: string }) => t.state === 'RUNNING') ? s : undefined;
    }, { what: 'two RUNNING tasks', timeout: 60_000 });
    expect(status.type).toBe('source');
    const got = await readTopic(topic, 60);
    const values = got.map((m) => JSON.parse(m.value!));
    expect(values[0].schema).toMatchObject({ type: 'struct', name: 'example.Sequence' });
    expect(values.map((v) => v.payload.seq).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(new Set(values.map((v) => v.payload.task))).toEqual(new Set([0, 1]));
    expect(got.every((m) => m.key === String(JSON.parse(m.value!).payload.seq))).toBe(true);
    // The token is a secret: not in the config the REST API answers with.
    expect((await w.http('GET', `/connectors/${name}/config`)).body['api.token']).toBe('[hidden]');
  });

  it('`tconnect plugins --plugin-path` lists it with its location', async () => {
    const p = spawnTconnect(['plugins', '--connectors-only', '--plugin-path', pluginPath], {});
    expect(await p.exited, p.output()).toBe(0);
    const rows = JSON.parse(p.output().slice(p.output().indexOf('[')));
    expect(rows).toContainEqual({ class: CLASS, type: 'source', version: '1.0.0', location: path.join(pluginPath, 'sequence-source', 'index.js') });
    expect(rows).toContainEqual({ class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '0.1.0', location: 'built-in' });
  });
});
