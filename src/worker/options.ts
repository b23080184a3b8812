// A worker's start-up settings, shared by `tconnect worker`, `distributed` and `standalone`
// (src/cli, src/rest/worker-process.ts, src/standalone): flags override the environment (the names
// `npm run stack -- env` prints), which overrides the worker .properties file. Pure but for the
// TLS files read through a given function, so tests drive it directly; light to import (the
// worker runtime itself is src/worker/index.ts).
import { parse as parseProperties } from 'dot-properties';
import type { TLSConfig } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../../workflows/messages.js';

/** Temporal TLS from files: mTLS (cert + key), a private CA, or plain TLS (`true`). */
export interface TemporalTlsFiles {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  serverName?: string;
}

export interface WorkerRunOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  kafkaBrokers: string[];
  workerConfig?: Record<string, string>;
  /** Shown as worker_id in status (TCONNECT_WORKER_ID); default host:pid. */
  workerId?: string;
  /** Temporal Cloud: TLS and/or an API key. */
  temporalTls?: true | TemporalTlsFiles;
  temporalApiKey?: string;
  signal?: AbortSignal;
}

/** src/worker/index.ts's runWorker; Temporal TLS as read from the files. */
export type RunWorker = (opts: WorkerRunOptions & { tls?: TLSConfig | boolean; apiKey?: string }) => Promise<void>;

export interface WorkerFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  kafkaBrokers?: string;
  /** Path of the worker .properties file (its text is passed separately). */
  workerConfig?: string;
}

const brokerList = (s: string) => s.split(',').map((b) => b.trim()).filter(Boolean);

/**
 * Confluent's image convention: CONNECT_REST_PORT=8083 sets rest.port. `_` is a dot, `__` an
 * underscore, `___` a dash.
 */
export function envProperties(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('CONNECT_') || value === undefined) continue;
    const key = name.slice('CONNECT_'.length).toLowerCase().split('___')
      .map((part) => part.replace(/__/g, '\u0000').replace(/_/g, '.').replace(/\u0000/g, '_'))
      .join('-');
    if (key) out[key] = value;
  }
  return out;
}

/** The worker properties: the file's (path=false keeps dotted keys flat), CONNECT_* variables over them. */
export function workerProperties(text: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const fromFile = text === undefined ? undefined : (parseProperties(text, false) as Record<string, string>);
  const fromEnv = envProperties(env);
  if (!fromFile && Object.keys(fromEnv).length === 0) return undefined;
  return { ...fromFile, ...fromEnv };
}

/** The Temporal address the user configured, if any (flag, TEMPORAL_ADDRESS, temporal.address). */
export function configuredTemporalAddress(flags: WorkerFlags, env: NodeJS.ProcessEnv, props: Record<string, string> = {}): string | undefined {
  return flags.address || env.TEMPORAL_ADDRESS || props['temporal.address']?.trim() || undefined;
}

function temporalTls(env: NodeJS.ProcessEnv, props: Record<string, string>): true | TemporalTlsFiles | undefined {
  const pick = (envName: string, prop: string) => env[envName] || props[prop]?.trim() || undefined;
  const files: TemporalTlsFiles = {
    certFile: pick('TEMPORAL_TLS_CERT', 'temporal.tls.cert.file'),
    keyFile: pick('TEMPORAL_TLS_KEY', 'temporal.tls.key.file'),
    caFile: pick('TEMPORAL_TLS_CA', 'temporal.tls.ca.file'),
    serverName: pick('TEMPORAL_TLS_SERVER_NAME', 'temporal.tls.server.name'),
  };
  const set = Object.fromEntries(Object.entries(files).filter(([, v]) => v)) as TemporalTlsFiles;
  if (Object.keys(set).length) return set;
  const on = (env.TEMPORAL_TLS ?? props['temporal.tls'] ?? '').trim().toLowerCase() === 'true';
  return on ? true : undefined;
}

export function workerOptions(flags: WorkerFlags, env: NodeJS.ProcessEnv, workerConfigText?: string): Omit<WorkerRunOptions, 'signal'> {
  const workerConfig = workerProperties(workerConfigText, env);
  const props = workerConfig ?? {};
  const brokers = flags.kafkaBrokers || env.KAFKA_BOOTSTRAP_SERVERS || props['bootstrap.servers'] || 'localhost:9092';
  const tls = temporalTls(env, props);
  const apiKey = env.TEMPORAL_API_KEY || props['temporal.api.key']?.trim();
  return {
    temporalAddress: configuredTemporalAddress(flags, env, props) ?? 'localhost:7233',
    namespace: flags.namespace || env.TEMPORAL_NAMESPACE || props['temporal.namespace']?.trim() || 'default',
    taskQueue: flags.taskQueue || env.TCONNECT_TASK_QUEUE || props['temporal.task.queue']?.trim() || DEFAULT_TASK_QUEUE,
    kafkaBrokers: brokerList(brokers),
    ...(workerConfig ? { workerConfig } : {}),
    ...(env.TCONNECT_WORKER_ID ? { workerId: env.TCONNECT_WORKER_ID } : {}),
    ...(tls ? { temporalTls: tls } : {}),
    ...(apiKey ? { temporalApiKey: apiKey } : {}),
  };
}

/** TLS options for Temporal's connection, reading the PEM files with `read`. */
export async function temporalTlsConfig(tls: WorkerRunOptions['temporalTls'], read: (path: string) => Promise<string>): Promise<TLSConfig | boolean | undefined> {
  if (tls === undefined || tls === true) return tls;
  const pem = async (p?: string) => (p ? Buffer.from(await read(p)) : undefined);
  const [crt, key, ca] = await Promise.all([pem(tls.certFile), pem(tls.keyFile), pem(tls.caFile)]);
  return {
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
  };
}

/** Run options with what the Temporal connection needs: the TLS files read, the API key. */
export type WorkerStartOptions = Omit<WorkerRunOptions, 'signal'> & { tls?: TLSConfig | boolean; apiKey?: string };

/** The options to start a worker (and its client) with, reading the Temporal TLS files with `read`. */
export async function workerStartOptions(w: Omit<WorkerRunOptions, 'signal'>, read: (path: string) => Promise<string>): Promise<WorkerStartOptions> {
  const tls = await temporalTlsConfig(w.temporalTls, read);
  return { ...w, ...(tls ? { tls } : {}), ...(w.temporalApiKey ? { apiKey: w.temporalApiKey } : {}) };
}
