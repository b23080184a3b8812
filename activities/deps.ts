import type { KafkaPool } from '../src/kafka/client.js';
import type { PluginLogger } from '../src/connectors/types.js';
import type { ConfigProviders } from '../src/config/providers.js';

/** What every activity gets from its worker process. */
export interface ActivityDeps {
  kafka: KafkaPool;
  logger: PluginLogger & { child(bindings: object): PluginLogger };
  /** Worker properties (converter defaults, config.providers, offset.storage.topic, ...). */
  workerConfig: Record<string, string>;
  /** The config providers of workerConfig, built once when the worker starts. */
  providers: ConfigProviders;
  /** This process's identity, shown as worker_id in status. */
  workerId: string;
  /** This process's own task queue: data activities of a batch run here. */
  workerQueue: string;
  /** The task queue the cluster's workers share (Connect's group.id: it names transactional ids). */
  taskQueue?: string;
}

/** Activity failure types the workflows branch on (ApplicationFailure.type). */
export const FAILURE = {
  /** The worker that ran a batch no longer holds the task (restarted, or a batch was lost): reopen it. */
  taskNotLoaded: 'TaskNotLoaded',
  config: 'ConfigError',
  data: 'DataError',
  retriable: 'RetriableError',
} as const;
