// Kafka Connect's REST API (COMPAT.md section 1) on fastify. Stateless: every answer comes from
// Temporal through the SDK, so any worker process serves it.
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import fastify, { type FastifyHttpOptions, type FastifyInstance, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import { rawConfigSchema, type ConnectClient } from '../client/index.js';
import { redact, secretKeys, secretValues } from '../config/secrets.js';
import { findConnectorPlugin } from '../connectors/registry.js';
import type { Logger } from '../logging.js';
import { authorized, challenges, enabled, type Credentials } from './auth.js';
import { connectorRoutes } from './connectors-routes.js';
import { parseWith, RestError, toErrorBody } from './errors.js';
import { LoggerLevels } from './loggers.js';
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

/** Plain secrets a request carried (a config in its body): no answer may echo them back. */
function requestSecrets(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const inner = (body as { config?: unknown }).config;
  const parsed = rawConfigSchema.safeParse(inner && typeof inner === 'object' ? inner : body);
  if (!parsed.success) return [];
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.data)) if (v !== null) flat[k] = String(v);
  const plugin = flat['connector.class'] ? findConnectorPlugin(flat['connector.class']) : undefined;
  return secretValues(flat, secretKeys(plugin, flat));
}

/** Every string in an answer, with secrets replaced; keys and other values untouched. */
function scrub(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets)]));
  return value;
}

/** JSON.parse reviver: a `__proto__` key would poison whatever later merges the object. */
function noPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new RestError(400, 'Object contains forbidden prototype property');
  return value;
}

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
    routerOptions: { ignoreTrailingSlash: true },
    ...(serverFactory ? { serverFactory } : {}),
  };
  const app: FastifyInstance = fastify(options);
  const timeoutMs = deps.requestTimeoutMs ?? 90_000;

  // An empty body is no body (clients send Content-Type on PUT …/pause too). A malformed one is a
  // 400 with the parser's own message, as Connect answers with Jackson's.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text, noPrototypeKeys));
    } catch (e) {
      done(e instanceof RestError ? e : new RestError(400, (e as Error).message), undefined);
    }
  });

  const creds = enabled(deps.credentials) ? deps.credentials : undefined;
  const secretsOf = new WeakMap<FastifyRequest, string[]>();
  app.addHook('onRequest', async (req, reply) => {
    // /health stays open for load balancers and probes; it tells nothing about connectors.
    if (!creds || req.routeOptions.url === '/health' || authorized(req.headers.authorization, creds)) return;
    return reply.code(401).header('WWW-Authenticate', challenges(creds)).send({ error_code: 401, message: 'User cannot access the resource.' });
  });
  app.addHook('preHandler', async (req) => {
    const secrets = requestSecrets(req.body);
    if (secrets.length) secretsOf.set(req, secrets);
  });
  app.addHook('preSerialization', async (req, _reply, payload) => {
    const secrets = secretsOf.get(req);
    return secrets ? scrub(payload, secrets) : payload;
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function timed(this: FastifyInstance, req, reply) {
      return withTimeout(Promise.resolve(handler.call(this, req, reply)), timeoutMs);
    };
  });

  app.setErrorHandler((err, req, reply) => {
    const body = toErrorBody(err);
    if (body.error_code >= 500) deps.logger?.error({ method: req.method, url: req.url, err: body.message }, 'REST request failed');
    const secrets = secretsOf.get(req);
    return reply.code(body.error_code).send(secrets ? { ...body, message: redact(body.message, secrets) } : body);
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' }));

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
    validatePluginConfig(req.params.plugin, parseWith(rawConfigSchema, req.body ?? {}, 'connector config')));

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
    const changed = deps.loggers.set(req.params.logger, level);
    if (!changed) throw new RestError(404, `Logger ${req.params.logger} not found.`);
    // scope=cluster: Connect tells every worker; we have no worker-to-worker channel, so only this one changes.
    if ((req.query.scope ?? '').toLowerCase() === 'cluster') return reply.code(204).send();
    return changed;
  });

  connectorRoutes(app, deps.client);
  return app;
}
