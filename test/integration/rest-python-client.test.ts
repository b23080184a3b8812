import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { elastic } from '../helpers/clients.js';
import { deleteKafkaResources, esJsonSink } from '../helpers/connectors.js';
import { startRestApp } from '../helpers/rest-app.js';
import { sendJson } from '../helpers/kafka.js';
import { REPO_ROOT, uniqueIdent, waitFor } from '../helpers/stack.js';
import { testWorker } from '../helpers/worker.js';

const run = promisify(execFile);

// A third-party client Kafka Connect users script with: kafka-connect-py's `kc` command (PyPI,
// installed by `npm run stack -- pyclient` into a venv under the stack's cache), driven against our
// REST API through a connector's whole life, and a config exported with `kc config` applied again.
// The connector is our Elasticsearch sink: its config holds no secret, so the exported config is
// the one to apply again as it is (configs with secrets come back masked; see the README).

describe('kafka-connect-py (kc) against our REST API', () => {
  const topic = uniqueIdent('pyclient');
  const name = `${topic}-sink`;
  const config: Record<string, string> = { ...esJsonSink(topic), 'tasks.max': '1' };
  let kcBin: string;
  let base: string;
  let worker: Awaited<ReturnType<typeof testWorker>>;
  let rest: Awaited<ReturnType<typeof startRestApp>>;

  /** Runs `kc <args>`; kc prints JSON on success and the error text otherwise (exit code 0 either way). */
  async function kc(...args: string[]): Promise<string> {
    const { stdout, stderr } = await run(kcBin, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, KAFKA_CONNECT_URL: base }, timeout: 30_000 });
    return `${stdout}${stderr}`.trim();
  }
  /** `kc <args>` whose output must be JSON. */
  async function kcJson(...args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const out = await kc(...args);
    try {
      return JSON.parse(out);
    } catch {
      throw new Error(`kc ${args.join(' ')} did not print JSON:\n${out}`);
    }
  }
  const state = async () => {
    const s = await kcJson('status', name);
    return `${s.connector.state}/${s.tasks.map((t: { state: string }) => t.state).join(',')}`;
  };
  const waitState = (want: string) => waitFor(async () => (await state()) === want, { timeout: 45_000, interval: 300, what: `${name} ${want}` });

  beforeAll(async () => {
    kcBin = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/stack.sh'), 'pyclient'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    await sendJson(topic, [{ id: 1 }, { id: 2 }], 0);
    worker = await testWorker();
    rest = await startRestApp(worker.taskQueue);
    base = rest.base;
  }, 120_000);

  afterAll(async () => {
    await rest?.client.delete(name).catch(() => undefined);
    await rest?.close();
    await worker?.shutdown();
    await deleteKafkaResources([topic], [`connect-${name}`]);
    const es = elastic();
    await es.indices.delete({ index: topic, ignore_unavailable: true }).catch(() => undefined);
    await es.close();
  }, 60_000);

  it('info, plugins, create, list, status, tasks, topics', async () => {
    expect(await kcJson('info')).toMatchObject({ version: expect.any(String), kafka_cluster_id: 'cluster' });
    expect((await kcJson('list-plugins')).map((p: { class: string }) => p.class)).toContain(config['connector.class']);
    const created = await kcJson('create', '-d', JSON.stringify({ name, config }));
    expect(created).toMatchObject({ name, type: 'sink', config: { ...config, name } });
    await waitState('RUNNING/RUNNING');
    expect(await kcJson('list')).toEqual([name]);
    expect(await kcJson('list', '--expand', 'status')).toMatchObject({ [name]: { status: { connector: { state: 'RUNNING' } } } });
    expect(await kcJson('list', '--state', 'RUNNING')).toEqual(expect.anything());
    expect(await kcJson('get', name)).toMatchObject({ name, tasks: [{ connector: name, task: 0 }] });
    expect(await kcJson('list-tasks', name)).toMatchObject([{ id: { connector: name, task: 0 }, config: { 'task.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkTask' } }]);
    expect(await kcJson('task-status', name, '0')).toMatchObject({ id: 0, state: 'RUNNING' });
    await waitFor(async () => (await kcJson('list-topics', name))[name].topics.length === 1, { what: 'topics' });
    expect(await kcJson('list-topics', name)).toEqual({ [name]: { topics: [topic] } });
  }, 90_000);

  it('pause, resume, update, restart, restart a task', async () => {
    expect(await kc('pause', name)).toBe('');
    await waitState('PAUSED/PAUSED');
    expect(await kc('resume', name)).toBe('');
    await waitState('RUNNING/RUNNING');
    const updated = await kcJson('update', name, '-d', JSON.stringify({ ...config, 'batch.size': '100' }));
    expect(updated).toMatchObject({ name, config: { 'batch.size': '100' } });
    await waitState('RUNNING/RUNNING');
    expect(await kcJson('restart', name, '--include-tasks')).toMatchObject({ name, connector: { state: expect.any(String) } });
    await waitState('RUNNING/RUNNING');
    expect(await kc('restart-task', name, '0')).toBe('null');
    await waitState('RUNNING/RUNNING');
    // `kc validate-config` sends its -d text as a JSON string (a bug of kc 1.0.0: Connect answers
    // that with a 500, ours with a 400), so validate goes through the library's own call.
    const script = 'import json, sys; from kafka_connect import KafkaConnect; print(json.dumps(KafkaConnect(url=sys.argv[1]).validate_connector_config(sys.argv[2], json.loads(sys.argv[3]))))';
    const { stdout } = await run(path.join(path.dirname(kcBin), 'python'), ['-c', script, base, 'ElasticsearchSinkConnector', JSON.stringify({ ...config, name })], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toMatchObject({ name: config['connector.class'], error_count: 0 });
  }, 120_000);

  it('config export → re-apply: onto the running connector, and after a delete to create it again', async () => {
    const exported = await kcJson('config', name);
    expect(exported).toEqual({ ...config, 'batch.size': '100', name });
    // Applied as it is onto the running connector: accepted, nothing changes, it keeps running.
    expect(await kcJson('update', name, '-d', JSON.stringify(exported))).toMatchObject({ name, config: exported });
    await waitState('RUNNING/RUNNING');
    expect(await kc('delete', name)).toBe('');
    expect(await kcJson('list')).toEqual([]);
    // PUT of the exported config creates it again (201), and it runs.
    expect(await kcJson('update', name, '-d', JSON.stringify(exported))).toMatchObject({ name, config: exported });
    await waitState('RUNNING/RUNNING');
    expect(await kcJson('config', name)).toEqual(exported);
    expect(await kc('delete', name)).toBe('');
    expect(await kcJson('list')).toEqual([]);
    // An error reaches the user as Connect's: kc prints the HTTP error.
    expect(await kc('status', name)).toMatch(/404 Client Error/);
  }, 120_000);
});
