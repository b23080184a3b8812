import { describe, expect, it } from 'vitest';
import { main, type CliDeps, type ServerRuntime } from '../../../src/cli/main.js';

type Call = [string, Record<string, unknown>];

/** The CLI with fake runtimes: records what each mode would run. */
function harness(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const calls: Call[] = [];
  const server: ServerRuntime = {
    runWorkerProcess: async (o) => void calls.push(['runWorkerProcess', o as unknown as Record<string, unknown>]),
    runStandalone: async (o) => void calls.push(['runStandalone', o as unknown as Record<string, unknown>]),
  };
  const deps: CliDeps = {
    connect: async () => { throw new Error('no SDK here'); },
    loadWorker: async () => async (o) => void calls.push(['runWorker', o as unknown as Record<string, unknown>]),
    loadServer: async () => server,
    readInput: async (p) => {
      if (files[p] === undefined) throw new Error(`ENOENT: ${p}`);
      return files[p];
    },
    stdout: () => undefined,
    stderr: () => undefined,
    env,
  };
  return { calls, run: (...args: string[]) => main(['node', 'tconnect', ...args], deps) };
}

describe('tconnect worker / distributed / standalone', () => {
  it('`worker` stays a plain worker unless the worker config asks for REST', async () => {
    const h = harness({ 'plain.properties': 'bootstrap.servers=k:9092', 'rest.properties': 'rest.port=9999' });
    expect(await h.run('worker', '--worker-config', 'plain.properties')).toBe(0);
    expect(await h.run('worker', '--worker-config', 'rest.properties')).toBe(0);
    expect(h.calls.map((c) => c[0])).toEqual(['runWorker', 'runWorkerProcess']);
    expect(h.calls[1][1].rest).toMatchObject({ listeners: [{ protocol: 'http', host: '127.0.0.1', port: 9999 }] });
  });

  it('`distributed` serves REST on 127.0.0.1:8083 by default; CONNECT_LISTENERS overrides the file', async () => {
    const h = harness({ 'w.properties': 'temporal.task.queue=etl\nlisteners=http://:8083' }, { CONNECT_LISTENERS: 'http://127.0.0.1:9000' });
    expect(await h.run('distributed', 'w.properties')).toBe(0);
    const bare = harness({});
    expect(await bare.run('distributed')).toBe(0);
    expect(bare.calls[0][1].rest).toMatchObject({ listeners: [{ protocol: 'http', host: '127.0.0.1', port: 8083 }] });
    const [[, opts]] = h.calls;
    expect(opts.rest).toMatchObject({ listeners: [{ protocol: 'http', host: '127.0.0.1', port: 9000 }] });
    expect(opts.worker).toMatchObject({ taskQueue: 'etl' });
  });

  it('`standalone` reads every connector file (properties or JSON) before starting', async () => {
    const h = harness({
      'w.properties': 'bootstrap.servers=k:9092',
      'a.properties': 'name=a\nconnector.class=JdbcSource\ntasks.max=2',
      'b.json': '{"name": "b", "config": {"connector.class": "JdbcSink"}, "initial_state": "PAUSED"}',
    });
    expect(await h.run('standalone', 'w.properties', 'a.properties', 'b.json')).toBe(0);
    const [[verb, opts]] = h.calls;
    expect(verb).toBe('runStandalone');
    expect(opts.connectors).toEqual([
      { name: 'a', config: { 'connector.class': 'JdbcSource', 'tasks.max': '2' } },
      { name: 'b', config: { 'connector.class': 'JdbcSink' }, initial_state: 'PAUSED' },
    ]);
    expect(opts.workerConfigText).toBe('bootstrap.servers=k:9092');
  });

  it('refuses a bad listener before starting anything', async () => {
    const h = harness({ 'w.properties': 'listeners=localhost:8083' });
    expect(await h.run('distributed', 'w.properties')).toBe(1);
    expect(h.calls).toEqual([]);
  });
});
