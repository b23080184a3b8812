// The HTTP sink against a local HTTP server the test starts: batches from Kafka through a worker
// (JSON array and newline-delimited bodies), headers, basic and OAuth2 client-credentials auth,
// retries on 503 without losing a record, a refused record dead-lettered; and the conformance kit.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSink } from '../../src/connectors/http-sink/index.js';
import type { SinkRecord } from '../../src/records/record.js';
import { runConformance } from '../../src/testing/index.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic, sendJson } from '../helpers/kafka.js';
import { uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('HTTP sink', () => {
  const fx = useWorker({ sdk: true });
  const received: Received[] = [];
  /** Per path: statuses to answer before accepting (503 503 → two retries). */
  const failFirst = new Map<string, number[]>();
  let server: Server;
  let base: string;
  const topics: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const path = req.url ?? '/';
        if (path === '/token') {
          const ok = req.headers.authorization === `Basic ${Buffer.from('client-1:cs3cret').toString('base64')}` && body.includes('grant_type=client_credentials');
          res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
          return res.end(ok ? JSON.stringify({ access_token: 'tok-from-oauth', expires_in: 3600 }) : '{}');
        }
        if (path.startsWith('/oauth') && req.headers.authorization !== 'Bearer tok-from-oauth') return res.writeHead(401).end();
        if (path.startsWith('/basic') && req.headers.authorization !== `Basic ${Buffer.from('u:p4ss').toString('base64')}`) return res.writeHead(401).end();
        const queue = failFirst.get(path);
        if (queue?.length) return res.writeHead(queue.shift()!, { 'retry-after': '0' }).end('busy');
        if (body.includes('"refuse me"')) return res.writeHead(422).end('unprocessable');
        received.push({ path, headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await deleteTopics(topics);
  });

  const bodiesAt = (path: string) => received.filter((r) => r.path === path);

  it('sends Kafka records in JSON-array batches with headers and basic auth, retrying 503s, and dead-letters a refused record', async () => {
    const topic = uniqueName('http-in');
    const dlq = `${topic}-dlq`;
    topics.push(topic, dlq);
    failFirst.set('/basic/events', [503, 503]);
    await sendJson(topic, [...Array.from({ length: 5 }, (_, i) => ({ n: i })), 'refuse me', { n: 5 }], 0);
    const name = uniqueName('http-sink');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'HttpSink', topics: topic, 'http.api.url': `${base}/basic/events`,
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
      'batch.max.size': '3', headers: 'X-Source:tconnect|X-Env:test', 'auth.type': 'BASIC', 'connection.user': 'u', 'connection.password': 'p4ss',
      'retry.backoff.ms': '10', 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1',
    } });
    // Batches of 3: [0 1 2] after two 503s, [3 4 "refuse me"] refused (422), [5].
    await waitFor(() => bodiesAt('/basic/events').flatMap((r) => JSON.parse(r.body)).length >= 4, { what: '4 records received', timeout: 60_000 });
    const got = bodiesAt('/basic/events');
    expect(got.map((r) => JSON.parse(r.body))).toEqual([[{ n: 0 }, { n: 1 }, { n: 2 }], [{ n: 5 }]]);
    expect(got[0].headers).toMatchObject({ 'x-source': 'tconnect', 'x-env': 'test', 'content-type': 'application/json' });
    expect(failFirst.get('/basic/events')).toEqual([]);
    // The batch holding the refused record was refused as a whole: its records go to the DLQ, one each.
    const dead = await readTopic(dlq, 3);
    expect(dead.map((m) => m.value)).toEqual(['{"n":3}', '{"n":4}', '"refuse me"']);
  });

  it('OAuth2 client credentials, newline-delimited JSON, and the conformance kit', async () => {
    const topic = uniqueName('http-oauth');
    topics.push(topic);
    await sendJson(topic, [{ a: 1 }, { a: 2 }], 0);
    const name = uniqueName('http-oauth');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'io.confluent.connect.http.HttpSinkConnector', topics: topic, 'http.api.url': `${base}/oauth/in`,
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
      'batch.max.size': '10', 'batch.json.as.array': 'false',
      'auth.type': 'OAUTH2', 'oauth2.token.url': `${base}/token`, 'oauth2.client.id': 'client-1', 'oauth2.client.secret': 'cs3cret',
    } });
    await waitFor(() => bodiesAt('/oauth/in').length > 0, { what: 'an OAuth2 request', timeout: 60_000 });
    expect(bodiesAt('/oauth/in')[0]).toMatchObject({ body: '{"a":1}\n{"a":2}\n', headers: { 'content-type': 'application/x-ndjson' } });

    const records = (): SinkRecord[] => [0, 1, 2].map((i) => ({
      topic: 'kit', kafkaPartition: 0, kafkaOffset: i, originalTopic: 'kit', originalKafkaPartition: 0, originalKafkaOffset: i, key: null, value: { i }, headers: [],
    }));
    const results = await runConformance({
      plugin: httpSink,
      config: { topics: 'kit', 'http.api.url': `${base}/kit`, 'auth.type': 'BEARER', 'bearer.token': 'kit-t0ken' },
      invalid: [{ patch: { 'auth.type': 'BASIC' }, key: 'connection.user' }, { patch: { 'retry.on.status.codes': '5xx' }, key: 'retry.on.status.codes' }],
      broken: { 'http.api.url': `${base}/basic/kit` },
      records,
      reset: async () => void received.splice(0, received.length, ...received.filter((r) => r.path !== '/kit')),
      count: async () => bodiesAt('/kit').length,
      idempotent: false,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(bodiesAt('/kit')[0].headers.authorization).toBe('Bearer kit-t0ken');
  });
});
