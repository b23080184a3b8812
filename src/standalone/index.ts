// `tconnect standalone worker.properties connector1.properties [connector2.json …]`, as
// connect-standalone: one process runs a worker and the REST API and creates the given connectors.
import { ConnectorExistsError, type ConnectClient, type ConnectorSpec } from '../client/index.js';
import { configuredTemporalAddress, workerOptions, workerProperties, type WorkerFlags } from '../worker/options.js';
import type { Logger } from '../logging.js';
import { restSettings } from '../rest/config.js';
import { runWorkerProcess } from '../rest/worker-process.js';
import { dataDirOf, findTemporalCli, startDevServer, type DevServer } from './dev-server.js';

export interface StandaloneOptions {
  flags: WorkerFlags;
  env: NodeJS.ProcessEnv;
  workerConfigText: string;
  connectors: ConnectorSpec[];
  logger: Logger;
  signal: AbortSignal;
  onListening?(urls: string[]): void;
}

/** Creates each connector, or gives an existing one the file's config (connect-standalone restarts do the same). */
export async function applyConnectors(client: ConnectClient, specs: ConnectorSpec[], logger: Logger): Promise<void> {
  for (const spec of specs) {
    try {
      await client.create(spec);
      logger.info({ connector: spec.name }, 'connector created');
    } catch (e) {
      if (!(e instanceof ConnectorExistsError)) throw e;
      await client.reconfigure(spec.name, spec.config);
      logger.info({ connector: spec.name }, 'connector reconfigured');
    }
  }
}

export async function runStandalone(opts: StandaloneOptions): Promise<void> {
  const props = workerProperties(opts.workerConfigText, opts.env) ?? {};
  let dev: DevServer | undefined;
  if (!configuredTemporalAddress(opts.flags, opts.env, props)) {
    dev = await startDevServer({
      binary: findTemporalCli(opts.env),
      dataDir: dataDirOf(props),
      namespace: opts.flags.namespace || opts.env.TEMPORAL_NAMESPACE || props['temporal.namespace']?.trim() || undefined,
      logger: opts.logger,
    });
  }
  try {
    const flags = dev ? { ...opts.flags, address: dev.address } : opts.flags;
    await runWorkerProcess({
      worker: workerOptions(flags, opts.env, opts.workerConfigText),
      rest: restSettings(props, true),
      logger: opts.logger,
      signal: opts.signal,
      onListening: opts.onListening,
      onReady: (client) => applyConnectors(client, opts.connectors, opts.logger),
    });
  } finally {
    await dev?.stop();
  }
}
