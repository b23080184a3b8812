import { describe, expect, it } from 'vitest';
import { ConnectorNotFoundError } from '../../../src/client/errors.js';
import { main, type CliDeps, type Sdk } from '../../../src/cli/main.js';
import type { WorkerRunOptions } from '../../../src/worker/options.js';
import { ConfigError } from '../../../src/errors.js';

const STATUS = { name: 'orders', connector: { state: 'RUNNING', worker_id: 'w1' }, tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w1' }], type: 'source' };

/** A CLI wired to a fake SDK that records every call and answers from `answers`. */
function harness(opts: { files?: Record<string, string>; fail?: Error; env?: NodeJS.ProcessEnv } = {}) {
  const calls: Array<[string, ...unknown[]]> = [];
  const out: string[] = [];
  const err: string[] = [];
  const connected: unknown[] = [];
  let workerOpts: WorkerRunOptions | undefined;
  const sdk = new Proxy({} as Sdk, {
    // Not a thenable: `await connect()` must yield the proxy itself.
    get: (_t, method: string) => method === 'then' ? undefined : async (...args: unknown[]) => {
      calls.push([method, ...args]);
      if (opts.fail && method !== 'close') throw opts.fail;
      return method === 'status' || method === 'reconfigure' ? STATUS : method === 'list' ? ['a', 'b'] : undefined;
    },
  });
  const deps: CliDeps = {
    connect: async (o) => {
      connected.push(o);
      return sdk;
    },
    loadWorker: async () => async (o) => {
      workerOpts = o;
    },
    readInput: async (path) => {
      const text = opts.files?.[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: opts.env ?? {},
  };
  const run = (...args: string[]) => main(['node', 'tconnect', ...args], deps);
  return { run, calls, out, err, connected, worker: () => workerOpts };
}

describe('tconnect commands', () => {
  it('prints data answers as pretty JSON and closes the client', async () => {
    const h = harness();
    expect(await h.run('status', 'orders')).toBe(0);
    expect(h.calls).toEqual([['status', 'orders'], ['close']]);
    expect(JSON.parse(h.out.join('\n'))).toEqual(STATUS);
    expect(h.out[0]).toContain('\n  "name": "orders"');
  });

  it('passes the global flags to the SDK, before or after the command', async () => {
    const h = harness();
    expect(await h.run('--address', 'tmp:7233', 'list', '--namespace', 'ns', '--task-queue', 'q')).toBe(0);
    expect(h.connected).toEqual([{ address: 'tmp:7233', namespace: 'ns', taskQueue: 'q' }]);
    expect(JSON.parse(h.out[0])).toEqual(['a', 'b']);
  });

  it('prints one line for actions', async () => {
    const h = harness();
    expect(await h.run('pause', 'orders')).toBe(0);
    expect(await h.run('delete', 'orders')).toBe(0);
    expect(h.out).toEqual(['Connector orders paused', 'Connector orders deleted']);
    expect(h.calls.map((c) => c[0])).toEqual(['pause', 'close', 'delete', 'close']);
  });

  it('maps restart flags to {includeTasks, onlyFailed}', async () => {
    const h = harness();
    await h.run('restart', 'orders');
    await h.run('restart', 'orders', '--include-tasks', '--only-failed');
    expect(h.calls.filter((c) => c[0] === 'restart')).toEqual([
      ['restart', 'orders', { includeTasks: false, onlyFailed: false }],
      ['restart', 'orders', { includeTasks: true, onlyFailed: true }],
    ]);
  });

  it('creates from a properties file and reconfigures from a JSON one', async () => {
    const h = harness({ files: { 'o.properties': 'name=orders\ntasks.max=1', 'new.json': '{"tasks.max": 2}' } });
    expect(await h.run('create', 'o.properties')).toBe(0);
    expect(await h.run('reconfigure', 'orders', 'new.json')).toBe(0);
    expect(h.calls.filter((c) => c[0] !== 'close')).toEqual([
      ['create', { name: 'orders', config: { 'tasks.max': '1' } }],
      ['reconfigure', 'orders', { 'tasks.max': 2 }],
    ]);
  });

  it('reports a bad file before connecting', async () => {
    const h = harness({ files: { 'o.json': '{"config":{}}' } });
    expect(await h.run('create', 'o.json')).toBe(1);
    expect(h.connected).toEqual([]);
    expect(h.err.join('\n')).toMatch(/^error: o\.json is not a valid file of this kind\n {2}name: Required$/);
  });

  it('lists every config problem on stderr and exits 1', async () => {
    const h = harness({
      files: { 'o.json': '{"name":"orders","config":{}}' },
      fail: new ConfigError('Connector configuration is invalid and contains 2 error(s)', [
        { key: 'connection.url', message: 'Missing required configuration "connection.url" which has no default value.' },
        { key: 'mode', message: 'must be one of bulk, timestamp, incrementing, timestamp+incrementing' },
      ]),
    });
    expect(await h.run('create', 'o.json')).toBe(1);
    expect(h.err).toEqual([
      'error: Connector configuration is invalid and contains 2 error(s)\n'
        + '  connection.url: Missing required configuration "connection.url" which has no default value.\n'
        + '  mode: must be one of bulk, timestamp, incrementing, timestamp+incrementing',
    ]);
    expect(h.calls.at(-1)).toEqual(['close']);
  });

  it('says which connector is unknown', async () => {
    const h = harness({ fail: new ConnectorNotFoundError('nope') });
    expect(await h.run('status', 'nope')).toBe(1);
    expect(h.err).toEqual(['error: Connector nope not found']);
  });

  it('rejects unknown commands and missing arguments with exit 1', async () => {
    const h = harness();
    expect(await h.run('frobnicate')).toBe(1);
    expect(await h.run('pause')).toBe(1);
    expect(h.err.join('\n')).toMatch(/unknown command 'frobnicate'[\s\S]*missing required argument 'name'/);
    expect(h.connected).toEqual([]);
  });

  it('needs a workflow id or a file to replay', async () => {
    const h = harness();
    expect(await h.run('replay')).toBe(1);
    expect(h.err).toEqual(['error: replay needs --workflow-id or --file']);
  });
});

describe('tconnect validate', () => {
  const valid = { 'connector.class': 'JdbcSource', 'connection.url': 'jdbc:mysql://db:3306/shop', mode: 'incrementing', 'incrementing.column.name': 'id', 'topic.prefix': 'shop.' };

  it('prints every problem and exits 1', async () => {
    const h = harness({ files: { 'bad.json': JSON.stringify({ name: 'orders', config: { 'connector.class': 'JdbcSource', mode: 'bogus' } }) } });
    expect(await h.run('validate', 'bad.json')).toBe(1);
    expect(h.out[0]).toBe('Connector orders: 2 problem(s)');
    expect(h.out.slice(1)).toEqual([
      '  connection.url: Missing required configuration "connection.url" which has no default value.',
      '  mode: Invalid value "bogus" for configuration mode: must be one of bulk, timestamp, incrementing, timestamp+incrementing',
    ]);
    expect(h.connected).toEqual([]);
  });

  it('says a valid config is valid', async () => {
    const h = harness({ files: { 'ok.json': JSON.stringify({ name: 'orders', config: valid }) } });
    expect(await h.run('validate', 'ok.json')).toBe(0);
    expect(h.out).toEqual(['Connector orders: config is valid (io.confluent.connect.jdbc.JdbcSourceConnector)']);
  });

  it('checks worker-side settings only with --worker-config: FileStream paths the worker does not allow', async () => {
    const spec = JSON.stringify({ name: 'lines', config: { 'connector.class': 'FileStreamSource', file: '/etc/passwd', topic: 't' } });
    const h = harness({ files: { 'f.json': spec, 'w.properties': 'file.connectors.allowed.paths=/srv/files\n' } });
    // Without the worker's properties the CLI cannot know them: the worker checks at start.
    expect(await h.run('validate', 'f.json')).toBe(0);
    expect(await h.run('validate', 'f.json', '--worker-config', 'w.properties')).toBe(1);
    expect(h.out.slice(1)).toEqual([
      'Connector lines: 1 problem(s)',
      '  file: Invalid value /etc/passwd for configuration file: not inside a directory the worker allows (file.connectors.allowed.paths=/srv/files)',
    ]);
  });

  it('names a plugin.path that does not exist', async () => {
    const h = harness({ files: { 'ok.json': JSON.stringify({ name: 'orders', config: valid }) } });
    expect(await h.run('--plugin-path', '/nonexistent/plugins', 'validate', 'ok.json')).toBe(1);
    expect(h.err).toEqual(['error: Cannot load plugin /nonexistent/plugins: no such file or directory (check plugin.path)\n  plugin.path: /nonexistent/plugins: no such file or directory (check plugin.path)']);
  });
});

describe('tconnect worker', () => {
  it('runs the worker with settings from flags and the environment', async () => {
    const h = harness({ env: { TEMPORAL_ADDRESS: 'env:7233', KAFKA_BOOTSTRAP_SERVERS: 'k1:9092,k2:9092' } });
    expect(await h.run('worker', '--task-queue', 'etl')).toBe(0);
    const o = h.worker();
    expect(o).toMatchObject({ temporalAddress: 'env:7233', namespace: 'default', taskQueue: 'etl', kafkaBrokers: ['k1:9092', 'k2:9092'] });
    expect(o?.signal).toBeInstanceOf(AbortSignal);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});
