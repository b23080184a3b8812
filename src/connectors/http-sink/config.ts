import { z } from 'zod';
import { defineConfig, key, type ConfigOf } from '../../config/define.js';

// Confluent's HTTP sink keys (io.confluent.connect.http.HttpSinkConnector) where they exist.

const G = 'HTTP';
const AUTH = 'Authentication';
const RETRIES = 'Retries';

/** "429,500-599,503" or "500-" (open range): the statuses worth retrying. */
const statusRanges = key.custom(
  { type: 'STRING', importance: 'LOW', group: RETRIES, default: '429,500-', documentation: 'HTTP status codes (n, n-m, or n- for n and above, comma-separated) on which a request is retried.' },
  z.preprocess((v) => (v === '' || v === null || v === undefined ? '429,500-' : v), z.string().transform((s, ctx) => {
    const ranges: Array<[number, number]> = [];
    for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(\d{3})(?:-(\d{3})?)?$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not a status code or range (429, 500-599, 500-)` });
        continue;
      }
      const from = Number(m[1]);
      ranges.push([from, part.includes('-') ? (m[2] ? Number(m[2]) : 999) : from]);
    }
    return ranges;
  })),
);

export const httpSinkConfig = defineConfig({
  'http.api.url': key.string({ required: true, importance: 'HIGH', group: G, doc: 'The URL records are sent to.', example: 'https://api.example.com/events' }),
  'request.method': key.enum(['POST', 'PUT', 'PATCH'] as const, { default: 'POST', caseInsensitive: true, group: G, doc: 'HTTP method of each request.' }),
  headers: key.string({ group: G, doc: 'Extra request headers, "Name:value" pairs separated by header.separator.', example: 'X-Source:tconnect|X-Env:prod' }),
  'header.separator': key.string({ default: '|', importance: 'LOW', group: G, doc: 'Separator between the pairs in headers.' }),
  'request.body.format': key.enum(['json', 'string'] as const, { default: 'json', caseInsensitive: true, group: G, doc: 'json: each record value as JSON (Structs as objects); string: the value as text.' }),
  'batch.max.size': key.int({ default: 1, min: 1, group: G, doc: 'Records per request.' }),
  'batch.json.as.array': key.boolean({ default: true, group: G, doc: 'With json bodies: a batch as one JSON array; false: one value per line (newline-delimited JSON).' }),
  'auth.type': key.enum(['NONE', 'BASIC', 'BEARER', 'OAUTH2'] as const, { default: 'NONE', caseInsensitive: true, group: AUTH, doc: 'NONE, BASIC (connection.user/password), BEARER (bearer.token) or OAUTH2 (client credentials).' }),
  'connection.user': key.string({ group: AUTH, doc: 'User for BASIC authentication.' }),
  'connection.password': key.password({ group: AUTH, doc: 'Password for BASIC authentication.' }),
  'bearer.token': key.password({ group: AUTH, doc: 'Token for BEARER authentication.' }),
  'oauth2.token.url': key.string({ group: AUTH, doc: 'OAuth2 token endpoint (client credentials grant).' }),
  'oauth2.client.id': key.string({ group: AUTH, doc: 'OAuth2 client id.' }),
  'oauth2.client.secret': key.password({ group: AUTH, doc: 'OAuth2 client secret.' }),
  'oauth2.client.scope': key.string({ group: AUTH, doc: 'OAuth2 scope, if the server wants one.' }),
  'max.retries': key.int({ default: 10, min: 0, group: RETRIES, doc: 'Retries of a request that failed with a retried status or a network error, before the batch fails (the runtime then retries it per errors.retry.timeout).' }),
  'retry.backoff.ms': key.int({ default: 3000, min: 0, group: RETRIES, doc: 'First wait before a retry; doubles each time, with jitter. A Retry-After header is honoured when longer.' }),
  'retry.on.status.codes': statusRanges,
  'http.request.timeout.ms': key.int({ default: 30000, min: 1, importance: 'LOW', group: G, doc: 'Time one request may take.' }),
});

export type HttpSinkConfig = ConfigOf<typeof httpSinkConfig.keys>;

/** Cross-key rules: each auth type needs its keys. */
export function validateHttpSink(cfg: HttpSinkConfig): Array<{ key: string; message: string }> {
  const need = (k: keyof HttpSinkConfig, why: string) => (cfg[k] === undefined || cfg[k] === '' ? [{ key: k as string, message: `Missing required configuration "${k as string}" ${why}.` }] : []);
  const problems = [];
  try {
    new URL(cfg['http.api.url']);
  } catch {
    problems.push({ key: 'http.api.url', message: `Invalid value ${cfg['http.api.url']} for configuration http.api.url: not a URL` });
  }
  if (cfg['auth.type'] === 'BASIC') problems.push(...need('connection.user', 'for auth.type BASIC'), ...need('connection.password', 'for auth.type BASIC'));
  if (cfg['auth.type'] === 'BEARER') problems.push(...need('bearer.token', 'for auth.type BEARER'));
  if (cfg['auth.type'] === 'OAUTH2') {
    problems.push(...need('oauth2.token.url', 'for auth.type OAUTH2'), ...need('oauth2.client.id', 'for auth.type OAUTH2'), ...need('oauth2.client.secret', 'for auth.type OAUTH2'));
  }
  for (const pair of (cfg.headers ?? '').split(cfg['header.separator'] ?? '|').filter((p) => p.trim() !== '')) {
    if (!/^[^:\s]+:/.test(pair.trim())) problems.push({ key: 'headers', message: `Invalid value for configuration headers: "${pair}" is not Name:value` });
  }
  return problems;
}
