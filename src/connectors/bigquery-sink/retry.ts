import { ConfigError, RetriableError } from '../../errors.js';
import { sleep } from '../../wait.js';

/**
 * What a failed BigQuery request means, as WePay's BigQueryErrorResponses reads it:
 * - retry: a backend error (5xx, backendError, internalError, jobInternalError), a quota or rate
 *   limit (quotaExceeded, rateLimitExceeded, 429), or no answer at all (connection refused, reset,
 *   timeout): bigQueryRetry attempts, bigQueryRetryWait apart (plus up to 1 s of jitter);
 * - config: credentials or permissions (401, 403 other than quotas): no retry helps;
 * - other: the request itself was refused (400 invalid, 404 not found, 409 exists).
 */
export type Failure = { kind: 'retry' | 'config' | 'other'; status: number; reason: string; message: string };

const RETRY_REASONS = new Set(['backendError', 'internalError', 'jobInternalError', 'quotaExceeded', 'rateLimitExceeded', 'jobRateLimitExceeded']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ECONNABORTED']);

export function classify(e: unknown): Failure {
  const err = e as { code?: unknown; status?: unknown; errors?: Array<{ reason?: string; message?: string }>; message?: string; cause?: { code?: string } };
  const status = typeof err?.code === 'number' ? err.code : typeof err?.status === 'number' ? err.status : 0;
  const reason = err?.errors?.[0]?.reason ?? (typeof err?.code === 'string' ? err.code : '');
  const message = err?.errors?.[0]?.message ?? err?.message ?? String(e);
  const net = typeof err?.code === 'string' ? err.code : err?.cause?.code;
  if (status === 0 && (net && NETWORK_CODES.has(net) || /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed|network/i.test(message))) {
    return { kind: 'retry', status, reason: net ?? 'network', message };
  }
  if (status >= 500 || status === 429 || RETRY_REASONS.has(reason)) return { kind: 'retry', status, reason, message };
  if (status === 401 || status === 403) return { kind: 'config', status, reason, message };
  return { kind: 'other', status, reason, message };
}

export interface RetrySettings {
  retries: number;
  waitMs: number;
}

/** WePay's SleepUtils.waitRandomTime: the wait plus up to 1 s of jitter. */
const MAX_JITTER_MS = 1000;

/**
 * Runs a BigQuery request: retried per bigQueryRetry/bigQueryRetryWait while it fails with a
 * backend or quota error; then RetriableError (the runtime retries the batch). Credentials and
 * permissions become ConfigError; other failures are thrown as they are, classified by the caller.
 */
export async function withBigQueryRetry<T>(what: string, settings: RetrySettings, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      const f = classify(e);
      if (f.kind === 'config') {
        throw new ConfigError(`BigQuery refused to ${what}: HTTP ${f.status} ${f.message}; check keyfile, keySource and the account's BigQuery permissions`, [{ key: 'keyfile', message: f.message }], { cause: e });
      }
      if (f.kind !== 'retry') throw e;
      if (attempt >= settings.retries) {
        throw new RetriableError(`Could not ${what} after ${settings.retries} retries (bigQueryRetry): ${f.status ? `HTTP ${f.status} ` : ''}${f.reason ? `${f.reason}: ` : ''}${f.message}`, { cause: e });
      }
      await sleep(settings.waitMs + Math.floor(Math.random() * MAX_JITTER_MS), signal);
    }
  }
}
