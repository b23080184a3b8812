// One worker process that also serves the REST API: `tconnect distributed`, `tconnect standalone`,
// and `tconnect worker` when listeners/rest.port are set.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { ConnectClient } from '../client/index.js';
import { workerStartOptions, type WorkerRunOptions } from '../worker/options.js';
import type { Logger } from '../logging.js';
import { loadWorkerPlugins } from '../plugins/loader.js';
import { startWorker } from '../worker/index.js';
import { loadCredentials, type Listener, type RestSettings } from './config.js';
import { LoggerLevels } from './loggers.js';
import { buildRestApp } from './server.js';
import { exactlyOnceSourceSupport } from '../config/exactly-once.js';

export interface WorkerProcessOptions {
  worker: Omit<WorkerRunOptions, 'signal'>;
  /** Where to serve REST; none = a worker only. */
  rest?: RestSettings;
  /** The process logger; /admin/loggers controls it and the worker's. */
  logger: Logger;
  signal: AbortSignal;
  /** Runs once the worker polls (standalone creates its connectors here); a failure stops the process. */
  onReady?(client: ConnectClient): Promise<void>;
  /** Told where each REST listener listens (port 0 picks a free one). */
  onListening?(urls: string[]): void;
}

/** GET / shows the Kafka cluster id; asked once, on first use. */
function clusterIdOf(brokers: string[]): () => Promise<string | null> {
  let id: Promise<string | null> | undefined;
  return () => {
    id ??= (async () => {
      const admin = new Kafka({ brokers, clientId: 'tconnect-rest', logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 1 } }).admin();
      try {
        await admin.connect();
        return (await admin.describeCluster()).clusterId;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    })().catch(() => {
      id = undefined; // ask again next time
      return null;
    });
    return id;
  };
}

const urlOf = (l: Listener, port: number) => `${l.protocol}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${port}`;

async function startRest(rest: RestSettings, base: Omit<Parameters<typeof buildRestApp>[0], 'https' | 'credentials'>): Promise<{ apps: FastifyInstance[]; urls: string[] }> {
  const credentials = await loadCredentials(rest.auth);
  const tls = rest.tls && {
    cert: await readFile(rest.tls.certFile),
    key: await readFile(rest.tls.keyFile),
    ...(rest.tls.caFile ? { ca: await readFile(rest.tls.caFile) } : {}),
    ...(rest.tls.keyPassword ? { passphrase: rest.tls.keyPassword } : {}),
    requestCert: rest.tls.clientAuth !== 'none',
    rejectUnauthorized: rest.tls.clientAuth === 'required',
  };
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  try {
    for (const l of rest.listeners) {
      const app = buildRestApp({ ...base, credentials, ...(l.protocol === 'https' ? { https: tls } : {}) });
      apps.push(app);
      await app.listen({ host: l.host, port: l.port });
      const address = app.server.address();
      urls.push(urlOf(l, typeof address === 'object' && address ? address.port : l.port));
    }
  } catch (e) {
    await Promise.all(apps.map((a) => a.close()));
    throw e;
  }
  return { apps, urls };
}

/**
 * Starts the REST listeners first (GET /health answers 503 until the worker runs), then the
 * worker; runs until the signal aborts, then closes everything.
 */
export async function runWorkerProcess(opts: WorkerProcessOptions): Promise<void> {
  const { worker: w, logger } = opts;
  const loggers = new LoggerLevels(logger);
  // Before REST answers: validate and /connector-plugins must know the plugins the worker loads.
  await loadWorkerPlugins(w.workerConfig ?? {}, logger);
  const start = await workerStartOptions(w, (p) => readFile(p, 'utf8'));
  const client = await ConnectClient.connect({
    address: w.temporalAddress, namespace: w.namespace, taskQueue: w.taskQueue, tls: start.tls, apiKey: start.apiKey,
    exactlyOnceSourceSupport: exactlyOnceSourceSupport(w.workerConfig ?? {}),
  });
  let ready = false;
  let apps: FastifyInstance[] = [];
  try {
    if (opts.rest) {
      const rest = await startRest(opts.rest, {
        client,
        ready: () => ready,
        loggers,
        kafkaClusterId: clusterIdOf(w.kafkaBrokers),
        bodyLimit: opts.rest.bodyLimit,
        requestTimeoutMs: opts.rest.requestTimeoutMs,
        logger: loggers.register('rest', logger.child({ component: 'rest' })),
      });
      apps = rest.apps;
      for (const url of rest.urls) logger.info({ url }, 'REST API listening');
      opts.onListening?.(rest.urls);
    }
    const running = await startWorker({
      ...start,
      logger: loggers.register('worker', logger.child({ component: 'worker' })),
      signal: opts.signal,
    });
    // A signal during startup came before the worker listened for it.
    if (opts.signal.aborted) void running.shutdown();
    ready = true;
    if (opts.onReady && !opts.signal.aborted) {
      try {
        await opts.onReady(client);
      } catch (e) {
        await running.shutdown();
        throw e;
      }
    }
    await running.done;
  } finally {
    await Promise.all(apps.map((a) => a.close()));
    await client.close();
  }
}
