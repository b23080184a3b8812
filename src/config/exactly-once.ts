import type { ConfigProblem } from './define.js';
import type { SourcePlugin } from '../connectors/types.js';
import { ConfigError } from '../errors.js';

// Exactly-once source delivery as Kafka Connect names it (KIP-618): the worker property
// exactly.once.source.support, the connector keys exactly.once.support and transaction.boundary,
// and the preflight checks Connect's herder runs on them (messages kept as Connect writes them).

export const EXACTLY_ONCE_SOURCE_SUPPORT_KEY = 'exactly.once.source.support';
export const EXACTLY_ONCE_SOURCE_SUPPORT_VALUES = ['disabled', 'preparing', 'enabled'] as const;
export type ExactlyOnceSourceSupport = (typeof EXACTLY_ONCE_SOURCE_SUPPORT_VALUES)[number];

/** What a source plugin answers to Connect's SourceConnector.exactlyOnceSupport / canDefineTransactionBoundaries. */
export type PluginSupport = 'SUPPORTED' | 'UNSUPPORTED';

/**
 * The worker's exactly.once.source.support (case-insensitive, Connect's default `disabled`); a
 * ConfigError naming the property when it is none of disabled, preparing, enabled.
 */
export function exactlyOnceSourceSupport(workerConfig: Readonly<Record<string, string | undefined>>): ExactlyOnceSourceSupport {
  const raw = workerConfig[EXACTLY_ONCE_SOURCE_SUPPORT_KEY];
  if (raw === undefined || raw.trim() === '') return 'disabled';
  const v = raw.trim().toLowerCase();
  if ((EXACTLY_ONCE_SOURCE_SUPPORT_VALUES as readonly string[]).includes(v)) return v as ExactlyOnceSourceSupport;
  const message = `Invalid value ${raw} for configuration ${EXACTLY_ONCE_SOURCE_SUPPORT_KEY}: String must be one of (case insensitive): DISABLED, ENABLED, PREPARING`;
  throw new ConfigError(message, [{ key: EXACTLY_ONCE_SOURCE_SUPPORT_KEY, message }]);
}

/**
 * Kafka Connect's transactional.id of a source task: `<group>-<connector>-<task>`. Connect's group
 * is the worker's group.id; ours is the task queue the cluster's workers share.
 */
export function taskTransactionalId(cluster: string, connector: string, taskId: number): string {
  return `${cluster}-${connector}-${taskId}`;
}

export type TransactionBoundary = 'poll' | 'interval' | 'connector';

/** The connector's transaction.boundary (validated at create; `poll` when unset). */
export function transactionBoundary(config: Readonly<Record<string, string | undefined>>): TransactionBoundary {
  const v = (config['transaction.boundary'] ?? '').trim().toLowerCase();
  return v === 'interval' || v === 'connector' ? v : 'poll';
}

/** Connect's default for transaction.boundary.interval.ms when unset: the worker's offset.flush.interval.ms (60 s). */
export const DEFAULT_TRANSACTION_INTERVAL_MS = 60_000;

/**
 * Connect's DistributedHerder preflight checks of a source config: exactly.once.support=required
 * needs a worker with exactly-once support enabled (checked when the worker's setting is known:
 * `workerSupport` undefined skips that half, for validation outside a worker) and a connector that
 * says it supports it; transaction.boundary=connector needs a connector that can define them.
 */
export function exactlyOnceProblems(plugin: SourcePlugin, values: Readonly<Record<string, string>>, workerSupport?: ExactlyOnceSourceSupport): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const support = (values['exactly.once.support'] ?? '').trim().toLowerCase();
  if (support === 'required') {
    const add = (message: string) => problems.push({ key: 'exactly.once.support', message });
    if (workerSupport !== undefined && workerSupport !== 'enabled') add('This worker does not have exactly-once source support enabled.');
    try {
      const s = plugin.exactlyOnceSupport?.(values);
      if (s === undefined) {
        add('The connector does not implement the API required for preflight validation of exactly-once source support. '
          + 'Please consult the documentation for the connector to determine whether it supports exactly-once semantics, '
          + 'and then consider reconfiguring the connector to use the value "requested" for this property '
          + '(which will disable this preflight check and allow the connector to be created).');
      } else if (s === 'UNSUPPORTED') {
        add('The connector does not support exactly-once semantics with the provided configuration.');
      }
    } catch (e) {
      add(unexpected(e));
    }
  }
  if (transactionBoundary(values) === 'connector') {
    try {
      if (plugin.canDefineTransactionBoundaries?.(values) !== 'SUPPORTED') {
        problems.push({
          key: 'transaction.boundary',
          message: 'The connector does not support connector-defined transaction boundaries with the given configuration. '
            + 'Please reconfigure it to use a different transaction boundary definition.',
        });
      }
    } catch (e) {
      problems.push({ key: 'transaction.boundary', message: unexpected(e) });
    }
  }
  return problems;
}

function unexpected(e: unknown): string {
  const m = e instanceof Error ? e.message.trim() : '';
  return m ? `An unexpected error occurred during validation: ${m}` : 'An unexpected error occurred during validation; please see the worker logs for more details.';
}
