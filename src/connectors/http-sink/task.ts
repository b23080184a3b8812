import { ConfigError, DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import { documentJson } from '../elasticsearch-sink/document.js';
import { retryWaitMs } from '../elasticsearch-sink/retry.js';
import { sleep } from '../../wait.js';
import type { HttpSinkConfig } from './config.js';

// Sends records to an HTTP endpoint, batch.max.size per request. A retried status (429, 5xx) or a
// network error is retried max.retries times with backoff, then the put fails with a
// RetriableError (nothing skipped); any other non-2xx answer rejects the records of that request,
// which the runtime dead-letters per errors.tolerance. Not idempotent: a redelivered record is sent again.

interface OAuthToken {
  value: string;
  expiresAt: number;
}

function bodyOf(records: SinkRecord[], cfg: HttpSinkConfig): { body: string; contentType: string } {
  if (cfg['request.body.format'] === 'string') {
    const text = (v: unknown) => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : JSON.stringify(v));
    return { body: records.map((r) => text(r.value)).join('\n'), contentType: 'text/plain; charset=utf-8' };
  }
  const docs = records.map((r) => r.valueJson ?? documentJson(r.value, r.valueSchema, { compactMapEntries: true }));
  if (records.length > 1 && !cfg['batch.json.as.array']) return { body: docs.join('\n') + '\n', contentType: 'application/x-ndjson' };
  return { body: records.length === 1 && cfg['batch.max.size'] === 1 ? docs[0] : `[${docs.join(',')}]`, contentType: 'application/json' };
}

export async function startHttpSinkTask(cfg: HttpSinkConfig, ctx: SinkTaskContext): Promise<SinkTask> {
  const url = cfg['http.api.url'];
  const extraHeaders: Record<string, string> = {};
  for (const pair of (cfg.headers ?? '').split(cfg['header.separator'] ?? '|').filter((p) => p.trim() !== '')) {
    const i = pair.indexOf(':');
    extraHeaders[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  let token: OAuthToken | undefined;
  const retried = (status: number) => cfg['retry.on.status.codes'].some(([a, b]) => status >= a && status <= b);

  const oauthToken = async (signal: AbortSignal): Promise<string> => {
    if (token && token.expiresAt > Date.now() + 5000) return token.value;
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(cfg['oauth2.client.scope'] ? { scope: cfg['oauth2.client.scope'] } : {}) });
    const basic = Buffer.from(`${encodeURIComponent(cfg['oauth2.client.id']!)}:${encodeURIComponent(cfg['oauth2.client.secret']!)}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(cfg['oauth2.token.url']!, { method: 'POST', body: form, headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.any([signal, AbortSignal.timeout(cfg['http.request.timeout.ms'])]) });
    } catch (e) {
      throw new RetriableError(`OAuth2 token request to ${cfg['oauth2.token.url']} failed: ${(e as Error).message}`, { cause: e });
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) throw new ConfigError(`OAuth2 token endpoint refused the client credentials (HTTP ${res.status})`, [{ key: 'oauth2.client.id', message: `refused by ${cfg['oauth2.token.url']}` }]);
    if (!res.ok) throw new RetriableError(`OAuth2 token endpoint answered HTTP ${res.status}`);
    const json = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!json.access_token) throw new RetriableError('OAuth2 token endpoint answered without access_token');
    token = { value: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
    return token.value;
  };

  const authorization = async (signal: AbortSignal): Promise<string | undefined> => {
    switch (cfg['auth.type']) {
      case 'BASIC': return `Basic ${Buffer.from(`${cfg['connection.user']}:${cfg['connection.password']}`).toString('base64')}`;
      case 'BEARER': return `Bearer ${cfg['bearer.token']}`;
      case 'OAUTH2': return `Bearer ${await oauthToken(signal)}`;
      default: return undefined;
    }
  };

  /** Sends one request, retrying; resolves with null when accepted, or the refusal of a non-retried status. */
  const send = async (records: SinkRecord[], signal: AbortSignal): Promise<string | null> => {
    const { body, contentType } = bodyOf(records, cfg);
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let retryAfterMs = 0;
      try {
        const auth = await authorization(signal);
        const res = await fetch(url, {
          method: cfg['request.method'],
          body,
          headers: { 'content-type': contentType, ...extraHeaders, ...(auth ? { authorization: auth } : {}) },
          signal: AbortSignal.any([signal, AbortSignal.timeout(cfg['http.request.timeout.ms'])]),
        });
        const text = await res.text().catch(() => '');
        if (res.ok) return null;
        if (res.status === 401 && cfg['auth.type'] === 'OAUTH2' && attempt === 0) token = undefined;
        problem = `HTTP ${res.status} from ${cfg['request.method']} ${url}: ${text.slice(0, 200)}`;
        if (!retried(res.status) && !(res.status === 401 && cfg['auth.type'] === 'OAUTH2' && attempt === 0)) {
          if (res.status === 401 || res.status === 403) throw new ConfigError(`${problem} (check the authentication settings)`, [{ key: 'auth.type', message: `HTTP ${res.status}` }]);
          return problem;
        }
        retryAfterMs = Number(res.headers.get('retry-after') ?? 0) * 1000 || 0;
      } catch (e) {
        if (e instanceof ConfigError || e instanceof RetriableError || signal.aborted) throw e;
        problem = `${cfg['request.method']} ${url} failed: ${(e as Error).message}`;
      }
      if (attempt >= cfg['max.retries']) throw new RetriableError(`${problem} (after ${attempt + 1} attempts)`);
      ctx.logger.warn({ attempt: attempt + 1, url }, `retrying: ${problem}`);
      await sleep(Math.max(retryAfterMs, retryWaitMs(attempt, cfg['retry.backoff.ms'])), signal);
    }
  };

  return {
    putBatchSize: Math.max(cfg['batch.max.size'], 500),
    async put(records, signal): Promise<PutResult> {
      const failed: PutResult['failed'] = [];
      for (let i = 0; i < records.length; i += cfg['batch.max.size']) {
        const chunk = records.slice(i, i + cfg['batch.max.size']);
        let refusal: string | null;
        try {
          refusal = await send(chunk, signal);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          refusal = e.message;
        }
        if (refusal) chunk.forEach((_, j) => failed.push({ index: i + j, error: new DataError(refusal!, 'TASK_PUT') }));
      }
      return { failed };
    },
    async close() {},
  };
}
