import { randomUUID } from 'node:crypto';
import { ConfigError, RetriableError } from '../../errors.js';
import { sleep } from '../../wait.js';
import type { KeyPairAuth } from './auth.js';

/**
 * A client of Snowflake's SQL API: POST /api/v2/statements with positional bindings, then, on
 * 202 (still running: async, or longer than 45 s), GET the statementStatusUrl until 200 or 422.
 * Each statement carries a requestId; a retry after a lost answer resubmits it with retry=true,
 * which Snowflake answers without executing the statement a second time.
 */

export type BindingType = 'TEXT' | 'FIXED' | 'REAL' | 'BOOLEAN';
export interface Binding {
  type: BindingType;
  value: string | null;
}

export interface Statement {
  statement: string;
  bindings?: Record<string, Binding>;
}

export interface ResultSet {
  code?: string;
  statementHandle: string;
  message?: string;
  resultSetMetaData?: { numRows?: number; format?: string; rowType?: Array<{ name: string; type: string; nullable?: boolean }> };
  data?: Array<Array<string | null>>;
  stats?: { numRowsInserted?: number; numRowsUpdated?: number; numRowsDeleted?: number };
}

/** A statement Snowflake ran and refused (HTTP 422: QueryFailureStatus). */
export class StatementError extends Error {
  constructor(readonly code: string, readonly sqlState: string, message: string, readonly statementHandle?: string) {
    super(message);
    this.name = 'StatementError';
  }
}

export interface SessionContext {
  database: string;
  schema: string;
  role?: string;
  warehouse?: string;
}

export interface ClientOptions {
  /** Attempts after the first for a request that got no answer or a 408/429/5xx. */
  retries: number;
  /** First wait between attempts; doubles each time. */
  backoffMs: number;
  /** The statement's own timeout, in seconds, sent to Snowflake and bounding our polling. */
  timeoutSeconds: number;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export class SqlApiClient {
  constructor(
    private readonly base: string,
    private readonly auth: KeyPairAuth,
    private readonly session: SessionContext,
    private readonly options: ClientOptions,
  ) {}

  async execute(s: Statement, signal: AbortSignal): Promise<ResultSet> {
    const requestId = randomUUID();
    const body = JSON.stringify({
      statement: s.statement,
      timeout: this.options.timeoutSeconds,
      database: this.session.database,
      schema: this.session.schema,
      ...(this.session.role ? { role: this.session.role } : {}),
      ...(this.session.warehouse ? { warehouse: this.session.warehouse } : {}),
      ...(s.bindings ? { bindings: s.bindings } : {}),
    });
    let last = '';
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await sleep(this.options.backoffMs * 2 ** (attempt - 1), signal);
      const url = `${this.base}/api/v2/statements?requestId=${requestId}${attempt > 0 ? '&retry=true' : ''}`;
      const res = await this.send(url, 'POST', body, signal).catch((e: unknown) => {
        if (signal.aborted) throw e;
        last = `no answer from ${this.base}: ${(e as Error).message}`;
        return null;
      });
      if (!res) continue;
      const outcome = await this.answer(res, signal);
      if (outcome.retry) {
        last = outcome.retry;
        continue;
      }
      return outcome.result!;
    }
    throw new RetriableError(`Snowflake SQL API request failed after ${this.options.retries} retries: ${last}`);
  }

  private async send(url: string, method: 'GET' | 'POST', body: string | undefined, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${await this.auth.jwt()}`,
      'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT',
      Accept: 'application/json',
      'User-Agent': 'temporal-connect-snowflake-sink/0.1',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, { method, headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout((this.options.timeoutSeconds + 15) * 1000)]) });
  }

  /** What an answer means: a result, a reason to retry, or a thrown error. 202 is followed to its end here. */
  private async answer(res: Response, signal: AbortSignal): Promise<{ result?: ResultSet; retry?: string }> {
    const json = await res.json().catch(() => ({})) as Record<string, unknown>;
    const message = typeof json.message === 'string' ? json.message : res.statusText;
    switch (res.status) {
      case 200: return { result: json as unknown as ResultSet };
      case 202: return { result: await this.poll(String(json.statementStatusUrl ?? `/api/v2/statements/${String(json.statementHandle)}`), signal) };
      case 422: throw new StatementError(String(json.code ?? ''), String(json.sqlState ?? ''), message, json.statementHandle as string | undefined);
      case 401:
        this.auth.reset();
        throw new ConfigError(`Snowflake refused the key-pair JWT (HTTP 401 ${String(json.code ?? '')}: ${message}); check snowflake.user.name, snowflake.private.key and that the user's RSA_PUBLIC_KEY is its public key`,
          [{ key: 'snowflake.private.key', message: `HTTP 401: ${message}` }]);
      case 403:
        throw new ConfigError(`Snowflake refused the request (HTTP 403: ${message}); check snowflake.role.name and its privileges`, [{ key: 'snowflake.role.name', message }]);
    }
    if (RETRY_STATUS.has(res.status)) return { retry: `HTTP ${res.status}: ${message}` };
    throw new Error(`Snowflake SQL API answered HTTP ${res.status} ${String(json.code ?? '')}: ${message}`);
  }

  /** GET statementStatusUrl until the statement ends: 202 waits (from 50 ms, doubling to 1 s), 200 is the result, 422 its failure. */
  private async poll(statusUrl: string, signal: AbortSignal): Promise<ResultSet> {
    const url = new URL(statusUrl, this.base).toString();
    const deadline = Date.now() + (this.options.timeoutSeconds + 15) * 1000;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      const res = await this.send(url, 'GET', undefined, signal).catch((e: unknown) => {
        if (signal.aborted) throw e;
        return null;
      });
      if (res && res.status !== 202) {
        const outcome = await this.answer(res, signal);
        if (outcome.result) return outcome.result;
      } else if (res) {
        await res.body?.cancel();
      }
      if (Date.now() > deadline) throw new RetriableError(`Snowflake statement ${url} did not finish within ${this.options.timeoutSeconds} s`);
      await sleep(wait, signal);
    }
  }
}
