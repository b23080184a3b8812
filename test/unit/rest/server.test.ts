import { describe, expect, it } from 'vitest';
import net from 'node:net';
import pino from 'pino';
import type { ConnectClient } from '../../../src/client/index.js';
import { ConnectorNotFoundError } from '../../../src/client/errors.js';
import { LoggerLevels } from '../../../src/rest/loggers.js';
import { buildRestApp, clientErrorAnswer, type RestDeps } from '../../../src/rest/server.js';

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

  it("answers 405 (with Allow), OPTIONS, 415 and 406 as Connect's Jersey does", async () => {
    const a = app();
    const del = await a.inject({ method: 'DELETE', url: '/connectors' });
    expect(del.statusCode).toBe(405);
    expect(del.json()).toEqual({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
    expect(del.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect((await a.inject({ method: 'POST', url: '/connectors/a%2Fb' })).statusCode).toBe(405);
    const options = await a.inject({ method: 'OPTIONS', url: '/connectors/x/status' });
    expect([options.statusCode, options.headers.allow]).toEqual([200, 'GET, HEAD, OPTIONS']);
    expect((await a.inject({ method: 'OPTIONS', url: '/nope' })).statusCode).toBe(404);
    // Content-Type other than JSON: 415 even without a body (Connect checks @Consumes first).
    const text = await a.inject({ method: 'POST', url: '/connectors', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.json()).toEqual({ error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
    expect((await a.inject({ method: 'PUT', url: '/connectors/x/pause', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(415);
    const plain = await a.inject({ method: 'GET', url: '/connectors/x/status', headers: { accept: 'text/plain' } });
    expect(plain.json()).toEqual({ error_code: 406, message: 'HTTP 406 Not Acceptable' });
    expect((await a.inject({ method: 'GET', url: '/connectors/x/status', headers: { accept: 'text/html, application/json;q=0.9' } })).statusCode).toBe(404);
    expect((await a.inject({ method: 'GET', url: '/connectors/x/status', headers: { accept: 'application/json;q=0' } })).statusCode).toBe(406);
  });

  it('answers requests the HTTP parser refuses with a status and message that say what to fix', () => {
    expect(clientErrorAnswer('HPE_HEADER_OVERFLOW')).toEqual([431, 'Request Header Fields Too Large', expect.stringContaining('under 16 KiB')]);
    expect(clientErrorAnswer('HPE_INVALID_URL')[2]).toContain('é as %C3%A9');
    expect(clientErrorAnswer('HPE_INVALID_METHOD')).toEqual([400, 'Bad Request', expect.stringContaining('HPE_INVALID_METHOD')]);
  });

  it('a raw non-ASCII path over a real socket gets the {error_code, message} shape', async () => {
    const a = app();
    await a.listen({ host: '127.0.0.1', port: 0 });
    try {
      const socket = net.connect((a.server.address() as net.AddressInfo).port, '127.0.0.1');
      socket.end(Buffer.concat([Buffer.from('GET /connectors/'), Buffer.from('é', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
      let answer = '';
      for await (const chunk of socket) answer += chunk.toString();
      expect(answer).toMatch(/^HTTP\/1.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error_code: 400, message: expect.stringContaining('é as %C3%A9') });
    } finally {
      await a.close();
    }
  });

  it('routes long connector names to their handler (not an unknown path)', async () => {
    const name = 'n'.repeat(255);
    expect((await app().inject(`/connectors/${name}/status`)).json()).toEqual({ error_code: 404, message: `Connector ${name} not found` });
  });

  it('answers a bad path encoding and a deeply nested body in the {error_code, message} shape', async () => {
    const a = app();
    const bad = await a.inject('/connectors/%ff');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error_code: 400, message: expect.stringContaining('not valid percent-encoded UTF-8') });
    const deep = await a.inject({ method: 'POST', url: '/connectors', headers: { 'content-type': 'application/json' }, payload: `${'['.repeat(20_000)}${']'.repeat(20_000)}` });
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toEqual({ error_code: 400, message: expect.stringContaining('deeper than 1000 levels') });
    // Brackets inside strings do not count.
    const quoted = await a.inject({ method: 'POST', url: '/connectors', payload: { name: 'c', config: { 'connector.class': 'JdbcSource', note: '['.repeat(5000) } } });
    expect(quoted.statusCode).toBe(201);
  });

  it('never echoes a secret the request carried', async () => {
    const r = await app().inject({ method: 'POST', url: '/connectors', payload: { name: 'c', config: { 'connector.class': 'JdbcSource', 'connection.password': 'Pa55-word!', 'x.api.key': 'k-e-y-9' } } });
    expect(r.statusCode).toBe(201);
    // Absolute, as Jersey builds it from the request's host.
    expect(r.headers.location).toBe('http://localhost:80/connectors/c');
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
