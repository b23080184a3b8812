import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { ConnectClient } from '../../../src/client/index.js';
import { ConnectorNotFoundError } from '../../../src/client/errors.js';
import { LoggerLevels } from '../../../src/rest/loggers.js';
import { buildRestApp, type RestDeps } from '../../../src/rest/server.js';

/** A ConnectClient stand-in: create echoes its input (plain secret included) to prove the answer is scrubbed. */
function fakeClient(overrides: Record<string, unknown> = {}): ConnectClient {
  return {
    taskQueue: 'q',
    temporal: { connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() }, workflowService: { getSystemInfo: async () => ({}) } },
    create: async (spec: { name: string; config: Record<string, unknown> }) => ({ name: spec.name, config: spec.config, tasks: [], type: 'source' }),
    status: async (name: string) => { throw new ConnectorNotFoundError(name); },
    ...overrides,
  } as unknown as ConnectClient;
}

function app(deps: Partial<RestDeps> = {}) {
  return buildRestApp({
    client: fakeClient(),
    ready: () => true,
    loggers: new LoggerLevels(pino({ level: 'info' }, { write() {} })),
    kafkaClusterId: async () => 'cluster-1',
    ...deps,
  });
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('REST server plumbing (fastify inject, fake SDK)', () => {
  it('GET / and GET /health (503 while starting)', async () => {
    let ready = false;
    const a = app({ ready: () => ready });
    expect((await a.inject('/')).json()).toEqual({ version: expect.any(String), commit: expect.any(String), kafka_cluster_id: 'cluster-1' });
    const starting = await a.inject('/health');
    expect(starting.statusCode).toBe(503);
    expect(starting.json()).toEqual({ status: 'starting', message: 'Worker is still starting up.' });
    ready = true;
    expect((await a.inject('/health')).json()).toEqual({ status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' });
  });

  it('answers errors as {error_code, message}: malformed JSON, media type, size, unknown route, unknown connector', async () => {
    const a = app({ bodyLimit: 100 });
    const bad = await a.inject({ method: 'POST', url: '/connectors', headers: { 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error_code: 400, message: expect.stringMatching(/JSON/) });
    const form = await a.inject({ method: 'POST', url: '/connectors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(form.json()).toEqual({ error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
    const big = await a.inject({ method: 'POST', url: '/connectors', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(200) }) });
    expect(big.json()).toEqual({ error_code: 413, message: 'HTTP 413 Request Entity Too Large' });
    expect((await a.inject('/nope')).json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
    expect((await a.inject('/connectors/x/status')).json()).toEqual({ error_code: 404, message: 'Connector x not found' });
    const invalid = await a.inject({ method: 'POST', url: '/connectors', payload: { name: 'x' } });
    expect(invalid.json()).toEqual({ error_code: 400, message: expect.stringContaining('config') });
    // An empty JSON body is no body (PUT …/pause with a Content-Type header).
    const empty = await a.inject({ method: 'PUT', url: '/admin/loggers/root', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.json()).toEqual({ error_code: 400, message: "Desired 'level' parameter was not specified in request." });
  });

  it('never echoes a secret the request carried', async () => {
    const r = await app().inject({ method: 'POST', url: '/connectors', payload: { name: 'c', config: { 'connector.class': 'JdbcSource', 'connection.password': 'Pa55-word!', 'x.api.key': 'k-e-y-9' } } });
    expect(r.statusCode).toBe(201);
    expect(r.headers.location).toBe('/connectors/c');
    expect(r.body).not.toContain('Pa55-word!');
    expect(r.body).not.toContain('k-e-y-9');
    expect(r.json().config['connection.password']).toBe('[hidden]');
  });

  it('masks the request\'s secrets by key, never as substrings of other values (a one-letter password)', async () => {
    const config = { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.password': 'e', 'connection.user': 'tester', 'topic.prefix': 'pre-' };
    const r = await app().inject({ method: 'POST', url: '/connectors', payload: { name: 'probe-shortpw', config } });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({
      name: 'probe-shortpw',
      config: { ...config, 'connection.password': '[hidden]' },
      tasks: [],
      type: 'source',
    });
    // Free text is still scrubbed: quoted where the value is short, everywhere where it is long.
    const failing = app({ client: fakeClient({ create: async () => { throw new Error("Access denied for user 'tester' with password 'e' (probe-shortpw)"); } }) });
    const f = await failing.inject({ method: 'POST', url: '/connectors', payload: { name: 'probe-shortpw', config: { ...config, 'x.api.key': 'long-key-1' } } });
    expect(f.json().message).toBe("Access denied for user 'tester' with password '[hidden]' (probe-shortpw)");
    const g = await failing.inject({ method: 'POST', url: '/connectors', payload: { name: 'probe-shortpw', config: { ...config, 'connection.password': 'tester' } } });
    expect(g.json().message).toBe("Access denied for user '[hidden]' with password 'e' (probe-shortpw)");
  });

  it('with credentials: 401 and WWW-Authenticate without them, 200 with basic or bearer; /health stays open', async () => {
    const a = app({ credentials: { users: new Map([['admin', 'pw']]), tokens: ['tok'] } });
    const denied = await a.inject('/connector-plugins');
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toEqual({ error_code: 401, message: 'User cannot access the resource.' });
    expect(denied.headers['www-authenticate']).toEqual(['Basic realm="temporal-connect", charset="UTF-8"', 'Bearer realm="temporal-connect"']);
    expect((await a.inject({ url: '/connector-plugins', headers: { authorization: basic('admin', 'wrong') } })).statusCode).toBe(401);
    expect((await a.inject({ url: '/connector-plugins', headers: { authorization: basic('admin', 'pw') } })).statusCode).toBe(200);
    expect((await a.inject({ url: '/connector-plugins', headers: { authorization: 'Bearer tok' } })).statusCode).toBe(200);
    expect((await a.inject('/health')).statusCode).toBe(200);
  });

  it('answers 500 "Request timed out" when Temporal does not answer in time', async () => {
    const a = app({ requestTimeoutMs: 50, client: fakeClient({ status: () => new Promise(() => undefined) }) });
    expect((await a.inject('/connectors/x/status')).json()).toEqual({ error_code: 500, message: 'Request timed out' });
  });
});
