import { errors } from '@elastic/elasticsearch';
import { ConfigError, RetriableError } from '../../errors.js';
import { sleep } from '../../wait.js';

/**
 * Our own retries of Elasticsearch requests (the client's are off, so counts do not multiply):
 * max.retries attempts after the first, waits starting at retry.backoff.ms and doubling, with
 * jitter so that tasks retrying together spread out. What is still failing after that becomes a
 * RetriableError, and the runtime retries the whole batch per errors.retry.timeout.
 */

export interface RetrySettings {
  maxRetries: number;
  backoffMs: number;
}

/** Confluent's cap on one wait (RetryUtil.MAX_RETRY_TIME_MS). */
const MAX_WAIT_MS = 86_400_000;

/** The wait before retry number `retry` (0 = the first): half of backoff·2^retry, plus up to as much again at random. */
export function retryWaitMs(retry: number, backoffMs: number, random: () => number = Math.random): number {
  if (backoffMs <= 0) return 0;
  const ceiling = Math.min(MAX_WAIT_MS, backoffMs * 2 ** Math.min(retry, 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * What a failed request means:
 * - retry: the server is unreachable, slow or overloaded (connection refused, timeout, 429, 5xx,
 *   an index blocked read-only by a full disk);
 * - config: credentials, permissions, or a URL that is not Elasticsearch: no retry fixes these;
 * - rejected: Elasticsearch refused the request's content (4xx), so the records in it failed;
 * - aborted: our signal (flush.timeout.ms, cancellation, a failed sibling request).
 */
export interface RequestProblem {
  kind: 'retry' | 'config' | 'rejected' | 'aborted';
  message: string;
  type?: string;
  /** The config key to look at, for kind config. */
  key?: string;
}

export function classifyRequestError(e: unknown): RequestProblem | null {
  if (e instanceof errors.RequestAbortedError) return { kind: 'aborted', message: 'request aborted' };
  if (e instanceof errors.ConnectionError || e instanceof errors.TimeoutError || e instanceof errors.NoLivingConnectionsError) {
    return { kind: 'retry', message: `${e.name}: ${e.message}` };
  }
  if (e instanceof errors.ProductNotSupportedError) return { kind: 'config', key: 'connection.url', message: 'the server at connection.url is not Elasticsearch' };
  if (e instanceof errors.ResponseError) {
    const status = e.statusCode ?? 0;
    const error = (e.body as { error?: { type?: string; reason?: string } | string } | undefined)?.error;
    const type = typeof error === 'object' ? error?.type : undefined;
    const reason = typeof error === 'object' ? error?.reason : error;
    const message = `HTTP ${status}${type ? ` ${type}` : ''}${reason ? `: ${reason}` : ''}`;
    if (status === 429 || status >= 500 || type === 'cluster_block_exception') return { kind: 'retry', message, type };
    // Elasticsearch marks every answer; a 4xx without the mark comes from something else (a wrong URL, a proxy).
    if (e.headers?.['x-elastic-product'] !== 'Elasticsearch') {
      return { kind: 'config', key: 'connection.url', message: `${message} from a server that is not Elasticsearch (no X-Elastic-Product header); check connection.url` };
    }
    if (status === 401 || status === 403) {
      return { kind: 'config', key: 'connection.username', message: `${message}; check connection.username, connection.password and their privileges` };
    }
    return { kind: 'rejected', message, type };
  }
  return null;
}

/** The ConfigError for a request refused for configuration reasons. */
export function configError(what: string, problem: { message: string; key?: string }, cause?: unknown): ConfigError {
  return new ConfigError(`Elasticsearch refused to ${what}: ${problem.message}`, [{ key: problem.key ?? 'connection.url', message: problem.message }], { cause });
}

/**
 * Runs one request with retries. Returns its result, or throws: RetriableError when retries ran
 * out, ConfigError for credentials or a wrong URL, and the original error otherwise (rejected, aborted, bugs).
 */
export async function withRetries<T>(what: string, settings: RetrySettings, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (e) {
      const problem = classifyRequestError(e);
      if (problem?.kind === 'config') throw configError(what, problem, e);
      if (problem?.kind !== 'retry' || signal.aborted) throw e;
      if (attempt >= settings.maxRetries) {
        throw new RetriableError(`Could not ${what} after ${settings.maxRetries} retries: ${problem.message}`, { cause: e });
      }
      await sleep(retryWaitMs(attempt, settings.backoffMs), signal);
    }
  }
}
