// Kafka Connect's REST API (COMPAT.md section 1) on fastify. Stateless: every answer comes from
// Temporal through the SDK, so any worker process serves it.
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import fastify, { type FastifyHttpOptions, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import { rawConfigSchema, type ConnectClient } from '../client/index.js';
import { maskedValue, redact, secretKeys, secretValues } from '../config/secrets.js';
import { findConnectorPlugin } from '../connectors/registry.js';
import type { Logger } from '../logging.js';
import { authorized, challenges, enabled, type Credentials } from './auth.js';
import { connectorRoutes } from './connectors-routes.js';
import { parseWith, RestError, toErrorBody } from './errors.js';
import { LoggerLevels, LoggerLimitError } from './loggers.js';
import { pluginConfig, pluginRows, validatePluginConfig } from './plugins.js';
import { registry as metricsRegistry } from '../metrics.js';
import { VERSION } from '../version.js';

export { VERSION };

export interface RestDeps {
  client: ConnectClient;
  /** False until this process's worker runs: GET /health answers 503 meanwhile. */
  ready(): boolean;
  loggers: LoggerLevels;
  /** For GET /: the Kafka cluster id, null when Kafka cannot be asked. */
  kafkaClusterId(): Promise<string | null>;
  /** Basic users and bearer tokens; none = no auth. */
  credentials?: Credentials;
  /** TLS options of an https listener. */
  https?: HttpsOptions;
  bodyLimit?: number;
  requestTimeoutMs?: number;
  logger?: Logger;
}

const HEALTHY = 'Worker has completed startup and is ready to handle requests.';
const STARTING = 'Worker is still starting up.';
const UNHEALTHY = 'Worker was unable to handle this request and may be unable to handle other requests.';

/** The secret keys and plain secret values a request carried (a config in its body): no answer may echo them back. */
interface RequestSecrets {
  keys: Set<string>;
  values: string[];
}

function requestSecrets(body: unknown): RequestSecrets | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const inner = (body as { config?: unknown }).config;
  const parsed = rawConfigSchema.safeParse(inner && typeof inner === 'object' ? inner : body);
  if (!parsed.success) return undefined;
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.data)) if (v !== null) flat[k] = String(v);
  const plugin = flat['connector.class'] ? findConnectorPlugin(flat['connector.class']) : undefined;
  const keys = secretKeys(plugin, flat);
  const values = secretValues(flat, keys);
  return values.length ? { keys: new Set(keys), values } : undefined;
}

/** Where answers carry free text (error messages, status traces, validation errors): scrubbed by value. */
const FREE_TEXT_KEYS = new Set(['message', 'trace', 'errors']);

/**
 * An answer with the request's secrets hidden: by key where a config echoes a secret key (the
 * value becomes [hidden] whatever it is), by value only inside free text (redact). Other values
 * are never touched: a one-letter password must not turn `"name": "probe"` into `prob[hidden]`.
 */
function scrub(value: unknown, secrets: RequestSecrets, key?: string): unknown {
  if (typeof value === 'string') {
    if (key === undefined) return value;
    if (secrets.keys.has(key)) return maskedValue(value);
    return FREE_TEXT_KEYS.has(key) ? redact(value, secrets.values) : value;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, key !== undefined && FREE_TEXT_KEYS.has(key) ? key : undefined));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets, k)]));
  return value;
}

/** JSON.parse reviver: a `__proto__` key would poison whatever later merges the object. */
function noPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new RestError(400, 'Object contains forbidden prototype property');
  return value;
}

/** Jackson's default nesting limit; deeper bodies are refused before parsing (no stack overflow). */
export const MAX_JSON_DEPTH = 1000;

/** How deeply arrays and objects nest in a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Whether an Accept header admits application/json (absent = anything). */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    return type === 'application/json' || type === 'application/*' || type === '*/*' || type === '*';
  });
}

/** A route pattern (`/connectors/:connector/status`) as a regular expression over raw paths. */
function pathPattern(url: string): RegExp {
  const parts = url.replace(/\/+$/, '').split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}/?$`);
}

/** Status, reason phrase and message for a request Node's HTTP parser refused (by its llhttp error code). */
export function clientErrorAnswer(code: string | undefined): [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large', 'HTTP 431 Request Header Fields Too Large: the path and headers together must stay under 16 KiB'];
  if (code === 'HPE_INVALID_URL') return [400, 'Bad Request', 'Malformed request path: percent-encode every character that is not ASCII or not allowed in a path (e.g. é as %C3%A9, a space as %20)'];
  return [400, 'Bad Request', `Malformed HTTP request (${code ?? 'unknown parser error'}): send a well-formed HTTP/1.1 request`];
}

/** Routes outside Kafka Connect's API, which do not answer JSON only. */
const NOT_CONNECT = new Set(['/metrics']);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RestError(500, 'Request timed out')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function buildRestApp(deps: RestDeps): FastifyInstance {
  // https through serverFactory keeps one (http) type for the app and its routes.
  const serverFactory: FastifyServerFactory<HttpServer> | undefined = deps.https
    ? (handler) => createHttpsServer(deps.https!, handler) as unknown as HttpServer
    : undefined;
  const options: FastifyHttpOptions<HttpServer> = {
    logger: false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    // A connector name may be 255 characters, up to 9 times as long percent-encoded; longer ones reach the
    // handler too, which answers why (find-my-way's default, 100, would make them an unknown path).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    ...(serverFactory ? { serverFactory } : {}),
    // A path that is not valid percent-encoded UTF-8 (e.g. /connectors/%ff), in Connect's error shape.
    frameworkErrors: (err, req, reply: FastifyReply) => {
      if (err.code === 'FST_ERR_BAD_URL') {
        return reply.code(400).send({ error_code: 400, message: `The request path ${req.url} is not valid percent-encoded UTF-8: encode each name as UTF-8 bytes (e.g. é as %C3%A9)` });
      }
      return reply.code(400).send({ error_code: 400, message: err.message });
    },
    // Requests Node's HTTP parser refuses (raw non-ASCII in the path, bad headers): no route runs.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return;
      const [status, text, message] = clientErrorAnswer((err as { code?: string }).code);
      const body = JSON.stringify({ error_code: status, message });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  };
  const app: FastifyInstance = fastify(options);
  const timeoutMs = deps.requestTimeoutMs ?? 90_000;

  // An empty body is no body (clients send Content-Type on PUT …/pause too). A malformed one is a
  // 400 with the parser's own message, as Connect answers with Jackson's.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return done(new RestError(400, `JSON body nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels: send a flat connector config`), undefined);
    try {
      done(null, JSON.parse(text, noPrototypeKeys));
    } catch (e) {
      done(e instanceof RestError ? e : new RestError(400, (e as Error).message), undefined);
    }
  });

  const creds = enabled(deps.credentials) ? deps.credentials : undefined;
  const secretsOf = new WeakMap<FastifyRequest, RequestSecrets>();
  app.addHook('onRequest', async (req, reply) => {
    // /health stays open for load balancers and probes; it tells nothing about connectors.
    if (!creds || req.routeOptions.url === '/health' || authorized(req.headers.authorization, creds)) return;
    return reply.code(401).header('WWW-Authenticate', challenges(creds)).send({ error_code: 401, message: 'User cannot access the resource.' });
  });
  // Connect's resources consume and produce application/json only (Jersey: 415, then 406), checked
  // once the route is known and before the body is read. Jersey's own texts, as clients see them
  // from Connect; the 405 carries an Allow header naming the methods the path takes.
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    if (route === undefined || NOT_CONNECT.has(route)) return;
    const type = req.headers['content-type'];
    if (type !== undefined && type.split(';')[0].trim().toLowerCase() !== 'application/json') {
      return reply.code(415).send({ error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
    }
    if (!acceptsJson(req.headers.accept)) {
      return reply.code(406).send({ error_code: 406, message: 'HTTP 406 Not Acceptable' });
    }
  });
  app.addHook('preHandler', async (req) => {
    const secrets = requestSecrets(req.body);
    if (secrets) secretsOf.set(req, secrets);
  });
  app.addHook('preSerialization', async (req, _reply, payload) => {
    const secrets = secretsOf.get(req);
    return secrets ? scrub(payload, secrets) : payload;
  });
  // Every route's path and methods, for 405 and OPTIONS on a path that exists.
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().map(String);
    routes.push({ pattern: pathPattern(route.url), methods });
    const handler = route.handler;
    route.handler = function timed(this: FastifyInstance, req, reply) {
      return withTimeout(Promise.resolve(handler.call(this, req, reply)), timeoutMs);
    };
  });

  app.setErrorHandler((err, req, reply) => {
    const body = toErrorBody(err);
    if (body.error_code >= 500) deps.logger?.error({ method: req.method, url: req.url, err: body.message }, 'REST request failed');
    const secrets = secretsOf.get(req);
    return reply.code(body.error_code).send(secrets ? { ...body, message: redact(body.message, secrets.values) } : body);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods));
    if (allowed.size === 0) return reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' });
    allowed.add('OPTIONS');
    const allow = [...allowed].sort().join(', ');
    // Jersey answers OPTIONS on any resource with the methods it takes.
    if (req.method === 'OPTIONS') return reply.code(200).header('Allow', allow).type('text/plain').send(allow);
    return reply.code(405).header('Allow', allow).send({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
  });

  app.get('/', async () => ({ version: VERSION, commit: process.env.TCONNECT_COMMIT ?? 'unknown', kafka_cluster_id: await deps.kafkaClusterId() }));

  // Prometheus text format: this worker process's task metrics and Node's own (same auth as the rest).
  app.get('/metrics', async (_req, reply) => reply.header('content-type', metricsRegistry.contentType).send(await metricsRegistry.metrics()));

  app.get('/health', async (_req, reply) => {
    if (!deps.ready()) return reply.code(503).send({ status: 'starting', message: STARTING });
    try {
      await deps.client.temporal.connection.withDeadline(Date.now() + 10_000, () => deps.client.temporal.workflowService.getSystemInfo({}));
      return { status: 'healthy', message: HEALTHY };
    } catch (e) {
      return reply.code(500).send({ status: 'unhealthy', message: `${UNHEALTHY} Temporal did not answer: ${(e as Error).message}` });
    }
  });

  app.get<{ Querystring: { connectorsOnly?: string } }>('/connector-plugins', async (req) =>
    pluginRows(String(req.query.connectorsOnly ?? 'true').toLowerCase() !== 'false', VERSION));
  app.get<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config', async (req) => pluginConfig(req.params.plugin));
  app.put<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config/validate', async (req) =>
    validatePluginConfig(req.params.plugin, parseWith(rawConfigSchema, req.body ?? {}, 'connector config'), deps.client.exactlyOnceSourceSupport));

  app.get('/admin/loggers', async () => deps.loggers.list());
  app.get<{ Params: { logger: string } }>('/admin/loggers/:logger', async (req) => {
    const level = deps.loggers.get(req.params.logger);
    if (!level) throw new RestError(404, `Logger ${req.params.logger} not found.`);
    return level;
  });
  app.put<{ Params: { logger: string }; Querystring: { scope?: string } }>('/admin/loggers/:logger', async (req, reply) => {
    const level = (req.body as { level?: unknown } | undefined)?.level;
    if (typeof level !== 'string') throw new RestError(400, "Desired 'level' parameter was not specified in request.");
    // Connect's own (odd) status for an unknown level.
    if (!LoggerLevels.pinoLevel(level)) throw new RestError(404, `invalid log level '${level}'.`);
    let changed: string[];
    try {
      changed = deps.loggers.set(req.params.logger, level);
    } catch (e) {
      if (e instanceof LoggerLimitError) throw new RestError(400, e.message);
      throw e;
    }
    // scope=cluster: Connect tells every worker; we have no worker-to-worker channel, so only this one changes.
    if ((req.query.scope ?? '').toLowerCase() === 'cluster') return reply.code(204).send();
    return changed;
  });

  connectorRoutes(app, deps.client);
  return app;
}
