// tconnect: run a worker, manage connectors, replay histories. Data answers are pretty JSON on
// stdout, actions print one line, errors go to stderr with exit code 1.
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { ConnectClient, type ConnectOptions } from '../client/index.js';
import { validateConnectorConfig } from '../config/connector-config.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Logger } from '../logging.js';
import { loadPlugins, loadWorkerPlugins, PLUGIN_PATH_KEY, PLUGINS_KEY, splitList } from '../plugins/loader.js';
import { restSettings, type RestSettings } from '../rest/config.js';
import { pluginRowsWithLocation } from '../rest/plugins.js';
import { VERSION } from '../version.js';
import { parseConfigFile, parseConnectorFile, parseOffsetsFile } from './files.js';
import { historyJson, loadHistory, replay } from './replay.js';
import { workerOptions, workerProperties, workerStartOptions, type WorkerFlags, type RunWorker, type WorkerRunOptions } from '../worker/options.js';

/** The SDK calls the CLI makes; tests pass a fake. */
export type Sdk = Pick<ConnectClient,
  'create' | 'list' | 'get' | 'config' | 'status' | 'tasks' | 'pause' | 'resume' | 'stop' | 'restart'
  | 'reconfigure' | 'offsets' | 'alterOffsets' | 'resetOffsets' | 'delete' | 'close' | 'temporal'>;

export interface CliDeps {
  connect(opts: ConnectOptions): Promise<Sdk>;
  /** Loaded lazily: the worker pulls in Kafka, drivers and the Temporal worker runtime. */
  loadWorker(): Promise<RunWorker>;
  /** Worker + REST API (distributed, standalone, or worker with listeners); loaded lazily too. */
  loadServer?(): Promise<ServerRuntime>;
  readInput(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** src/rest/worker-process.ts and src/standalone/index.ts, as the CLI calls them. */
export interface ServerRuntime {
  runWorkerProcess(opts: { worker: Omit<WorkerRunOptions, 'signal'>; rest?: RestSettings; logger: Logger; signal: AbortSignal }): Promise<void>;
  runStandalone(opts: { flags: WorkerFlags; env: NodeJS.ProcessEnv; workerConfigText: string; connectors: ReturnType<typeof parseConnectorFile>[]; logger: Logger; signal: AbortSignal }): Promise<void>;
}

async function loadServerRuntime(): Promise<ServerRuntime> {
  const [{ runWorkerProcess }, { runStandalone }] = await Promise.all([import('../rest/worker-process.js'), import('../standalone/index.js')]);
  return { runWorkerProcess, runStandalone };
}

interface GlobalFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  pluginPath?: string;
  plugins?: string;
}

export function defaultDeps(): CliDeps {
  return {
    connect: (opts) => ConnectClient.connect(opts),
    loadWorker: async () => (await import('../worker/index.js')).runWorker,
    loadServer: loadServerRuntime,
    readInput: (path) => (path === '-' ? readStdin() : readFile(path, 'utf8')),
    stdout: (text) => process.stdout.write(text + '\n'),
    stderr: (text) => process.stderr.write(text + '\n'),
    env: process.env,
  };
}

export function buildProgram(deps: CliDeps): { program: Command; exitCode: () => number } {
  let code = 0;
  const json = (value: unknown) => deps.stdout(JSON.stringify(value, null, 2));

  /** Connects with the global flags, runs fn, always closes. */
  const withSdk = async (cmd: Command, fn: (sdk: Sdk) => Promise<void>) => {
    const g = cmd.optsWithGlobals<GlobalFlags>();
    const sdk = await deps.connect({ address: g.address, namespace: g.namespace, taskQueue: g.taskQueue });
    try {
      await fn(sdk);
    } finally {
      await sdk.close();
    }
  };

  const program = new Command('tconnect')
    .description('Kafka Connect on Temporal: run workers and manage connectors')
    .option('--address <host:port>', 'Temporal frontend (default $TEMPORAL_ADDRESS, else localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default $TEMPORAL_NAMESPACE, else default)')
    .option('--task-queue <name>', 'task queue of the connector workflows (default $TCONNECT_TASK_QUEUE, else connect)')
    .option('--plugin-path <dirs>', 'comma-separated directories of plugin packages or modules, as the worker property plugin.path (default $CONNECT_PLUGIN_PATH); create, validate, reconfigure and plugins load them')
    .option('--plugins <names>', 'comma-separated plugin package names, as the worker property plugins')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.stdout(s.trimEnd()), writeErr: (s) => deps.stderr(s.trimEnd()) });

  /** Runs fn until SIGINT/SIGTERM; a second signal exits at once. */
  const untilSignal = async (fn: (signal: AbortSignal) => Promise<void>) => {
    const logger = createLogger({ component: 'cli' }, pino.destination(2));
    const stop = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => {
      // A second signal means "now": in-flight batches are re-read from committed offsets anyway.
      if (stop.signal.aborted) process.exit(130);
      logger.info({ signal: sig }, 'shutting down the worker (signal again to exit at once)');
      stop.abort();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    try {
      await fn(stop.signal);
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
  };

  /**
   * Loads the plugins the worker runs, so a local validate knows their connectors: plugin.path and
   * plugins from the flags, else from the worker properties file, else CONNECT_* variables. Only a
   * worker properties file also hands its settings to the connectors (file.connectors.allowed.paths):
   * without one the CLI does not know the worker's, and leaves those checks to the worker.
   */
  const loadCliPlugins = async (cmd: Command, workerConfigFile?: string) => {
    const g = cmd.optsWithGlobals<GlobalFlags>();
    const props = workerProperties(workerConfigFile ? await deps.readInput(workerConfigFile) : undefined, deps.env) ?? {};
    if (g.pluginPath !== undefined) props[PLUGIN_PATH_KEY] = g.pluginPath;
    if (g.plugins !== undefined) props[PLUGINS_KEY] = g.plugins;
    if (workerConfigFile) await loadWorkerPlugins(props);
    else await loadPlugins({ pluginPath: splitList(props[PLUGIN_PATH_KEY]), plugins: splitList(props[PLUGINS_KEY]) });
  };

  /** Worker settings from flags, env and the properties file; REST settings when it serves REST. */
  const serverSettings = async (cmd: Command, file: string | undefined, serveByDefault: boolean) => {
    const text = file ? await deps.readInput(file) : undefined;
    const rest = restSettings(workerProperties(text, deps.env) ?? {}, serveByDefault);
    return { worker: workerOptions(cmd.optsWithGlobals<WorkerFlags>(), deps.env, text), rest };
  };
  const runServer = (worker: Omit<WorkerRunOptions, 'signal'>, rest: RestSettings | undefined) => untilSignal(async (signal) => {
    const runtime = await (deps.loadServer ?? loadServerRuntime)();
    await runtime.runWorkerProcess({ worker, rest, logger: createLogger(), signal });
  });

  program.command('worker')
    .description('run a worker: connector and task workflows plus their activities (stops cleanly on SIGINT/SIGTERM); serves the REST API when the worker config sets listeners or rest.port')
    .option('--kafka-brokers <list>', 'comma-separated bootstrap servers (default $KAFKA_BOOTSTRAP_SERVERS)')
    .option('--worker-config <file>', 'worker .properties (converter defaults, config.providers, offset.storage.topic, listeners, ...)')
    .action(async (_o: unknown, cmd: Command) => {
      const { worker, rest } = await serverSettings(cmd, cmd.optsWithGlobals<WorkerFlags>().workerConfig, false);
      if (rest) return runServer(worker, rest);
      const runWorker = await deps.loadWorker();
      const start = await workerStartOptions(worker, deps.readInput);
      await untilSignal((signal) => runWorker({ ...start, signal }));
    });

  program.command('distributed [worker.properties]')
    .description('run a worker that also serves the Kafka Connect REST API (default http://127.0.0.1:8083), like connect-distributed; start several on one task queue to share the work')
    .option('--kafka-brokers <list>', 'comma-separated bootstrap servers (default $KAFKA_BOOTSTRAP_SERVERS, else bootstrap.servers)')
    .action(async (file: string | undefined, _o: unknown, cmd: Command) => {
      const { worker, rest } = await serverSettings(cmd, file, true);
      await runServer(worker, rest);
    });

  program.command('standalone <worker.properties> [connectors...]')
    .description('like connect-standalone: a worker plus the REST API that creates (or reconfigures) the given connectors (.properties or .json); starts a local Temporal dev server when no Temporal address is configured')
    .option('--kafka-brokers <list>', 'comma-separated bootstrap servers (default $KAFKA_BOOTSTRAP_SERVERS, else bootstrap.servers)')
    .action(async (file: string, connectorFiles: string[], _o: unknown, cmd: Command) => {
      const workerConfigText = await deps.readInput(file);
      const connectors = await Promise.all(connectorFiles.map(async (f) => parseConnectorFile(await deps.readInput(f), f)));
      const flags = cmd.optsWithGlobals<WorkerFlags>();
      await untilSignal(async (signal) => {
        const runtime = await (deps.loadServer ?? loadServerRuntime)();
        await runtime.runStandalone({ flags, env: deps.env, workerConfigText, connectors, logger: createLogger(), signal });
      });
    });

  program.command('create <file>')
    .description('create a connector from a JSON ({name, config}) or .properties file ("-" reads stdin)')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const spec = parseConnectorFile(await deps.readInput(file), file);
      await loadCliPlugins(cmd);
      await withSdk(cmd, async (sdk) => json(await sdk.create(spec)));
    });

  program.command('validate <file>')
    .description('check a connector file without starting anything; prints every problem')
    .option('--worker-config <file>', 'worker .properties whose plugin.path / plugins / file.connectors.allowed.paths apply')
    .action(async (file: string, o: { workerConfig?: string }, cmd: Command) => {
      const spec = parseConnectorFile(await deps.readInput(file), file);
      await loadCliPlugins(cmd, o.workerConfig);
      const r = validateConnectorConfig(spec.name, spec.config);
      if (r.ok) {
        deps.stdout(`Connector ${spec.name}: config is valid (${r.plugin?.className ?? 'unknown class'})`);
        return;
      }
      deps.stdout(`Connector ${spec.name}: ${r.problems.length} problem(s)`);
      for (const p of r.problems) deps.stdout(`  ${p.key}: ${p.message}`);
      code = 1;
    });

  program.command('list')
    .description('names of the running connectors')
    .action(async (_o: unknown, cmd: Command) => withSdk(cmd, async (sdk) => json(await sdk.list())));

  const show = [
    ['get', "print a connector's name, config, tasks and type", (sdk: Sdk, n: string) => sdk.get(n)],
    ['config', "print a connector's config (secrets masked)", (sdk: Sdk, n: string) => sdk.config(n)],
    ['status', "print the state of a connector and of its tasks", (sdk: Sdk, n: string) => sdk.status(n)],
    ['tasks', "print a connector's task configs (secrets masked)", (sdk: Sdk, n: string) => sdk.tasks(n)],
    ['offsets', "print a connector's committed source offsets", (sdk: Sdk, n: string) => sdk.offsets(n)],
  ] as const;
  for (const [verb, what, call] of show) {
    program.command(`${verb} <name>`)
      .description(what)
      .action(async (name: string, _o: unknown, cmd: Command) => withSdk(cmd, async (sdk) => json(await call(sdk, name))));
  }

  const actions = [
    ['pause', 'pause a connector and its tasks', 'paused', (sdk: Sdk, n: string) => sdk.pause(n)],
    ['resume', 'resume a paused or stopped connector', 'resumed', (sdk: Sdk, n: string) => sdk.resume(n)],
    ['stop', 'stop a connector: its tasks shut down and release their resources', 'stopped', (sdk: Sdk, n: string) => sdk.stop(n)],
    ['delete', 'delete a connector (waits until its workflow has closed)', 'deleted', (sdk: Sdk, n: string) => sdk.delete(n)],
  ] as const;
  for (const [verb, what, done, call] of actions) {
    program.command(`${verb} <name>`)
      .description(what)
      .action(async (name: string, _o: unknown, cmd: Command) => withSdk(cmd, async (sdk) => {
        await call(sdk, name);
        deps.stdout(`Connector ${name} ${done}`);
      }));
  }

  program.command('restart <name>')
    .description('restart a connector (and, with flags, its tasks)')
    .option('--include-tasks', 'restart its tasks too')
    .option('--only-failed', 'restart only instances that are FAILED')
    .action(async (name: string, o: { includeTasks?: boolean; onlyFailed?: boolean }, cmd: Command) =>
      withSdk(cmd, async (sdk) => {
        await sdk.restart(name, { includeTasks: o.includeTasks ?? false, onlyFailed: o.onlyFailed ?? false });
        deps.stdout(`Connector ${name} restarting`);
      }));

  program.command('reconfigure <name> <file>')
    .description('replace a connector\'s config (JSON or .properties); prints its status')
    .action(async (name: string, file: string, _o: unknown, cmd: Command) => {
      const config = parseConfigFile(await deps.readInput(file), file, name);
      await loadCliPlugins(cmd);
      await withSdk(cmd, async (sdk) => json(await sdk.reconfigure(name, config)));
    });

  program.command('plugins')
    .description('list the connectors, transforms, predicates and converters a worker with these settings has (built-in and loaded from --plugin-path / --plugins), with version and location')
    .option('--worker-config <file>', 'take plugin.path and plugins from this worker .properties file')
    .option('--connectors-only', 'only source and sink connectors')
    .action(async (o: { workerConfig?: string; connectorsOnly?: boolean }, cmd: Command) => {
      await loadCliPlugins(cmd, o.workerConfig);
      json(pluginRowsWithLocation(o.connectorsOnly ?? false, VERSION));
    });

  program.command('alter-offsets <name> <file>')
    .description('set source offsets from a JSON file {offsets:[{partition, offset}]} (connector must be STOPPED)')
    .action(async (name: string, file: string, _o: unknown, cmd: Command) => {
      const offsets = parseOffsetsFile(await deps.readInput(file), file);
      await withSdk(cmd, async (sdk) => json(await sdk.alterOffsets(name, offsets)));
    });

  program.command('reset-offsets <name>')
    .description('forget all of a connector\'s offsets (connector must be STOPPED)')
    .action(async (name: string, _o: unknown, cmd: Command) => withSdk(cmd, async (sdk) => json(await sdk.resetOffsets(name))));

  program.command('replay')
    .description('replay a workflow history against the current workflow code; reports determinism errors')
    .option('--workflow-id <id>', 'fetch this workflow\'s history from the server')
    .option('--run-id <id>', 'a specific run (default: the latest)')
    .option('--file <history.json>', 'read the history from a JSON file (temporal workflow show -o json) instead')
    .option('--save <history.json>', 'also write the fetched history to a file (to record it under test/replay)')
    .action(async (o: { workflowId?: string; runId?: string; file?: string; save?: string }, cmd: Command) => {
      if (!o.workflowId && !o.file) throw new CommanderError(1, 'tconnect.usage', 'error: replay needs --workflow-id or --file');
      const workflowId = o.workflowId ?? 'replay';
      let history: unknown;
      if (o.file) history = JSON.parse(await deps.readInput(o.file));
      else await withSdk(cmd, async (sdk) => {
        history = await sdk.temporal.workflow.getHandle(workflowId, o.runId).fetchHistory();
      });
      const loaded = loadHistory(history);
      if (o.save) await writeFile(o.save, historyJson(loaded.history) + '\n');
      const r = await replay(loaded.history, workflowId);
      if (r.ok) deps.stdout(`OK: ${workflowId} replayed ${loaded.events} events against the current workflow code`);
      else {
        deps.stderr(`Replay of ${workflowId} failed: ${r.error.name}: ${r.error.message}`);
        code = 1;
      }
    });

  return { program, exitCode: () => code };
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[] = process.argv, deps: CliDeps = defaultDeps()): Promise<number> {
  const { program, exitCode } = buildProgram(deps);
  try {
    await program.parseAsync(argv);
    return exitCode();
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed its own message, except for ours.
      if (e.code === 'tconnect.usage') deps.stderr(e.message);
      return e.exitCode;
    }
    deps.stderr(formatError(e));
    return 1;
  }
}

export function formatError(e: unknown): string {
  if (e instanceof ConfigError) {
    return [`error: ${e.message}`, ...e.problems.map((p) => `  ${p.key}: ${p.message}`)].join('\n');
  }
  if (e instanceof Error) return `error: ${e.message}`;
  return `error: ${String(e)}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Run when executed directly (tsx src/cli/main.ts); bin/tconnect.mjs calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
