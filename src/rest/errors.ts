// Errors as Kafka Connect's REST API answers them: `{error_code, message}`, error_code = HTTP status.
import type { z } from 'zod';
import { BadRequestError, ConnectorExistsError, ConnectorNotFoundError } from '../client/errors.js';
import { ConfigError } from '../errors.js';

/** An error with the HTTP status it answers with (Connect's ConnectRestException). */
export class RestError extends Error {
  override name = 'RestError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface ErrorBody {
  error_code: number;
  message: string;
}

/** Connect's message for a config that failed validation on create/update. */
export function invalidConfigMessage(problems: ReadonlyArray<{ message: string }>): string {
  return [
    `Connector configuration is invalid and contains the following ${problems.length} error(s):`,
    ...problems.map((p) => p.message),
    'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
  ].join('\n');
}

/** Jersey's text for errors that have no message of their own. */
const HTTP_TEXT: Record<number, string> = {
  404: 'HTTP 404 Not Found',
  405: 'HTTP 405 Method Not Allowed',
  413: 'HTTP 413 Request Entity Too Large',
  415: 'HTTP 415 Unsupported Media Type',
};

/** Maps anything thrown while serving a request to its status and message. */
export function toErrorBody(e: unknown): ErrorBody {
  const body = (status: number, message: string): ErrorBody => ({ error_code: status, message });
  if (e instanceof RestError) return body(e.status, e.message);
  if (e instanceof ConnectorNotFoundError) return body(404, `Connector ${e.connector} not found`);
  if (e instanceof ConnectorExistsError) return body(409, e.message);
  if (e instanceof ConfigError) return body(400, e.problems.length ? invalidConfigMessage(e.problems) : e.message);
  // Connect answers 400 (BadRequestException) also for offsets changed while not STOPPED.
  if (e instanceof BadRequestError) return body(400, e.message);
  const status = (e as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (e as { code?: string }).code;
    // fastify's own texts name its internals (FST_ERR_…); Connect's clients expect Jersey's.
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return body(status, HTTP_TEXT[status]);
    return body(status, (e as Error).message || HTTP_TEXT[status] || `HTTP ${status}`);
  }
  return body(500, e instanceof Error ? e.message : String(e));
}

/** Parses a request part with a zod schema; a mismatch is a 400 naming each bad field. */
export function parseWith<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  throw new RestError(400, `Invalid ${what}: ${why}`);
}
