// The Lambda sink through the AWS SDK against the test's own server for Lambda's Invoke API. No
// Lambda that runs functions installs here without Docker (moto's server runs functions in Docker;
// AWS's runtime interface emulator answers function errors as plain 200s and ignores the
// invocation type), so this server follows AWS's API reference for Invoke:
// POST /2015-03-31/functions/{FunctionName}/invocations, X-Amz-Invocation-Type RequestResponse (200)
// or Event (202), a function error as 200 with X-Amz-Function-Error and the error document as body,
// throttling as 429 TooManyRequestsException, an unknown function as 404 ResourceNotFoundException,
// and it checks each request's SigV4 credential scope (access key, region, service "lambda").
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaSink } from '../../src/connectors/lambda-sink/index.js';
import type { PluginLogger } from '../../src/connectors/types.js';
import { ConfigError, RetriableError } from '../../src/errors.js';
import type { SinkRecord } from '../../src/records/record.js';
import { Schemas, Struct } from '../../src/records/schema.js';
import { runConformance } from '../../src/testing/index.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic, sendJson } from '../helpers/kafka.js';
import { uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

const ACCESS_KEY = 'AKIDTCONNECTTEST';
const SECRET_KEY = 'tc-lambda-s3cret-key';
const REGION = 'eu-west-1';

interface Invocation {
  fn: string;
  type: string;
  headers: IncomingHttpHeaders;
  payload: unknown;
}

const invocations: Invocation[] = [];
/** Per function: how many requests to throttle before answering. */
const throttle = new Map<string, number>();
let server: Server;
let endpoint: string;

function lambdaError(res: import('node:http').ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'req-1', ...extra });
  res.end(JSON.stringify({ Type: 'User', message }));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) return lambdaError(res, 404, 'UnknownOperationException', `no route ${req.method} ${req.url}`);
      const fn = decodeURIComponent(m[1]);
      const scope = new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/\\d{8}/${REGION}/lambda/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`);
      if (!scope.test(String(req.headers.authorization))) return lambdaError(res, 403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (!fn.includes('orders') && !fn.includes('kit')) return lambdaError(res, 404, 'ResourceNotFoundException', `Function not found: ${fn}`);
      const left = throttle.get(fn) ?? 0;
      if (left > 0) {
        throttle.set(fn, left - 1);
        return lambdaError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', { 'retry-after': '0' });
      }
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const payload = JSON.parse(body) as unknown;
      invocations.push({ fn, type, headers: req.headers, payload });
      if (type === 'Event') return res.writeHead(202, { 'x-amzn-requestid': 'req-2' }).end();
      if (body.includes('boom')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
        return res.end(JSON.stringify({ errorType: 'Error', errorMessage: 'boom: cannot process this order', trace: [] }));
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify({ statusCode: 200 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const base = () => ({ 'aws.region': REGION, 'aws.lambda.endpoint': endpoint, 'aws.access.key.id': ACCESS_KEY, 'aws.secret.access.key': SECRET_KEY, 'retry.backoff.millis': '10' });
const of = (fn: string) => invocations.filter((i) => i.fn === fn);
const never = new AbortController().signal;
const logger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const rec = (offset: number, value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord => ({
  topic: 't', kafkaPartition: 0, kafkaOffset: offset, key: `k${offset}`, value, headers: [], timestamp: 1_700_000_000_000, originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset, ...extra,
});

describe('Lambda sink task', () => {
  it('batches one put into one invocation of Plain payloads, retrying throttles; JsonPayloadFormatter keeps JSON values and schema names', async () => {
    const fn = `arn:aws:lambda:${REGION}:123456789012:function:orders-${uniqueName('b')}`;
    throttle.set(fn, 2);
    const task = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': fn }, { connectorName: 'it', taskId: 0, logger });
    expect((await task.put([rec(0, 'plain text'), rec(1, { a: 1 })], never)).failed).toEqual([]);
    expect(throttle.get(fn)).toBe(0);
    expect(of(fn)).toHaveLength(1);
    expect(of(fn)[0].type).toBe('RequestResponse');
    expect(of(fn)[0].payload).toEqual([
      { key: 'k0', keySchemaName: null, value: 'plain text', valueSchemaName: null, topic: 't', partition: 0, offset: 0, timestamp: 1_700_000_000_000, timestampTypeName: null },
      { key: 'k1', keySchemaName: null, value: '{"a":1}', valueSchemaName: null, topic: 't', partition: 0, offset: 1, timestamp: 1_700_000_000_000, timestampTypeName: null },
    ]);
    await task.close();

    const json = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': fn, 'payload.formatter.class': 'com.nordstrom.kafka.connect.formatters.JsonPayloadFormatter' }, { connectorName: 'it', taskId: 0, logger });
    const schema = Schemas.struct([['id', Schemas.int64()]], { name: 'shop.Order', version: 3 });
    await json.put([rec(2, new Struct(schema, { id: 7 }), { valueSchema: schema })], never);
    expect(of(fn)[1].payload).toEqual([{ key: 'k2', keySchemaName: null, keySchemaVersion: null, value: { id: 7 }, valueSchemaName: 'shop.Order', valueSchemaVersion: '3', topic: 't', partition: 0, offset: 2, timestamp: 1_700_000_000_000, timestampTypeName: null }]);
    await json.close();
  });

  it('a function error fails the records of its invocation; ASYNC sends events; an unknown function is a ConfigError; endless throttling a RetriableError', async () => {
    const fn = `orders-${uniqueName('e')}`;
    const one = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': fn, 'aws.lambda.batch.enabled': 'false' }, { connectorName: 'it', taskId: 0, logger });
    const out = await one.put([rec(0, 'fine'), rec(1, 'boom'), rec(2, 'fine too')], never);
    expect(out.failed.map((f) => f.index)).toEqual([1]);
    expect(out.failed[0].error.message).toMatch(/failed \(Unhandled\).*boom: cannot process this order/);
    expect(of(fn).map((i) => (i.payload as { offset: number }).offset)).toEqual([0, 1, 2]);
    await one.close();

    const drop = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': fn, 'aws.lambda.invocation.failure.mode': 'DROP' }, { connectorName: 'it', taskId: 0, logger });
    expect((await drop.put([rec(3, 'boom'), rec(4, 'fine')], never)).failed).toEqual([]);
    expect(of(fn)).toHaveLength(4);
    await drop.close();

    const asyncFn = `orders-${uniqueName('a')}`;
    const ev = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': asyncFn, 'aws.lambda.invocation.mode': 'ASYNC' }, { connectorName: 'it', taskId: 0, logger });
    expect((await ev.put([rec(0, 'boom')], never)).failed).toEqual([]);
    expect(of(asyncFn).map((i) => i.type)).toEqual(['Event']);
    await ev.close();

    const missing = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': 'no-such-function' }, { connectorName: 'it', taskId: 0, logger });
    await expect(missing.put([rec(0, 'x')], never)).rejects.toBeInstanceOf(ConfigError);
    await missing.close();

    const busy = `orders-${uniqueName('t')}`;
    throttle.set(busy, 100);
    const throttled = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': busy, 'retries.max': '2' }, { connectorName: 'it', taskId: 0, logger });
    await expect(throttled.put([rec(0, 'x')], never)).rejects.toSatisfy((e: unknown) => e instanceof RetriableError && /HTTP 429.*after 3 attempts/.test((e as Error).message));
    expect(throttle.get(busy)).toBe(97);
    await throttled.close();

    const wrongKey = await lambdaSink.startTask({ ...base(), 'aws.lambda.function.arn': fn, 'aws.access.key.id': 'AKIDOTHER' }, { connectorName: 'it', taskId: 0, logger });
    await expect(wrongKey.put([rec(0, 'x')], never)).rejects.toBeInstanceOf(ConfigError);
    await wrongKey.close();
  });
});

describe('Lambda sink through a worker', () => {
  const fx = useWorker({ sdk: true });
  const topics: string[] = [];
  afterAll(async () => {
    await deleteTopics(topics);
  });

  it('invokes per record, dead-letters a function error, and after a stop/resume goes on from the committed offsets', async () => {
    const topic = uniqueName('lambda-in');
    const dlq = `${topic}-dlq`;
    topics.push(topic, dlq);
    const fn = `orders-${uniqueName('w')}`;
    throttle.set(fn, 1);
    await sendJson(topic, [{ n: 0 }, { n: 1, note: 'boom' }, { n: 2 }], 0);
    const name = uniqueName('lambda-sink');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'com.nordstrom.kafka.connect.lambda.LambdaSinkConnector', topics: topic, ...base(), 'aws.lambda.function.arn': fn,
      'aws.lambda.batch.enabled': 'false', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1', 'errors.deadletterqueue.context.headers.enable': 'true',
    } });
    await waitFor(() => of(fn).length >= 3, { what: '3 invocations', timeout: 60_000 });
    const dead = await readTopic(dlq, 1);
    expect(dead[0].value).toBe('{"n":1,"note":"boom"}');
    expect(dead[0].headers['__connect.errors.exception.message']).toMatch(/Unhandled.*boom/);

    await fx.sdk.stop(name);
    await waitFor(async () => (await fx.sdk.status(name)).connector.state === 'STOPPED', { what: 'STOPPED', timeout: 60_000 });
    const before = of(fn).length;
    await sendJson(topic, [{ n: 3 }], 0);
    await fx.sdk.resume(name);
    await waitFor(() => of(fn).some((i) => (i.payload as { offset: number }).offset === 3), { what: 'offset 3 invoked', timeout: 60_000 });
    // Offsets 0-2 were committed before the stop: only the new record is invoked again.
    expect(of(fn).slice(before).map((i) => (i.payload as { offset: number }).offset)).toEqual([3]);
    expect(JSON.stringify(await fx.sdk.config(name))).not.toContain(SECRET_KEY);
  });

  it('passes the conformance kit', async () => {
    const fn = `kit-${uniqueName('k')}`;
    const records = (): SinkRecord[] => [0, 1, 2].map((i) => rec(i, { i }));
    const results = await runConformance({
      plugin: lambdaSink,
      config: { topics: 'kit', ...base(), 'aws.lambda.function.arn': fn },
      invalid: [{ patch: { 'aws.secret.access.key': null }, key: 'aws.secret.access.key' }, { patch: { 'aws.lambda.invocation.mode': 'SOMETIMES' }, key: 'aws.lambda.invocation.mode' }],
      broken: { 'aws.lambda.function.arn': 'no-such-function' },
      records,
      reset: async () => void invocations.splice(0, invocations.length, ...invocations.filter((i) => i.fn !== fn)),
      count: async () => of(fn).flatMap((i) => i.payload as unknown[]).length,
      idempotent: false,
    });
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
