// `tconnect worker`'s settings: flags override the environment (the names `npm run stack -- env`
// prints), which overrides the worker .properties file. Pure, so tests drive it directly.
import { parse as parseProperties } from 'dot-properties';
import { DEFAULT_TASK_QUEUE } from '../../workflows/messages.js';

export interface WorkerRunOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  kafkaBrokers: string[];
  workerConfig?: Record<string, string>;
  /** Shown as worker_id in status (TCONNECT_WORKER_ID); default host:pid. */
  workerId?: string;
  signal?: AbortSignal;
}

/** src/worker/index.ts's runWorker. */
export type RunWorker = (opts: WorkerRunOptions) => Promise<void>;

export interface WorkerFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  kafkaBrokers?: string;
  /** Path of the worker .properties file (its text is passed separately). */
  workerConfig?: string;
}

const brokerList = (s: string) => s.split(',').map((b) => b.trim()).filter(Boolean);

export function workerOptions(flags: WorkerFlags, env: NodeJS.ProcessEnv, workerConfigText?: string): Omit<WorkerRunOptions, 'signal'> {
  const workerConfig = workerConfigText === undefined
    ? undefined
    : (parseProperties(workerConfigText, false) as Record<string, string>);
  const brokers = flags.kafkaBrokers || env.KAFKA_BOOTSTRAP_SERVERS || workerConfig?.['bootstrap.servers'] || 'localhost:9092';
  return {
    temporalAddress: flags.address || env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: flags.namespace || env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: flags.taskQueue || env.TCONNECT_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    kafkaBrokers: brokerList(brokers),
    ...(workerConfig ? { workerConfig } : {}),
    ...(env.TCONNECT_WORKER_ID ? { workerId: env.TCONNECT_WORKER_ID } : {}),
  };
}
