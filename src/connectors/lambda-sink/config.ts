import { z } from 'zod';
import { defineConfig, key, type ConfigOf } from '../../config/define.js';

// The keys of the kafka-connect-lambda sink (com.nordstrom.kafka.connect.lambda.LambdaSinkConnector,
// first published under com.amazon.kafka.connect.lambda), with its defaults; plus static AWS keys
// (Confluent's Lambda sink names: aws.access.key.id, aws.secret.access.key) and an endpoint for
// Lambda-compatible servers.

const LAMBDA = 'Lambda';
const AWS = 'AWS';
const RETRIES = 'Retries';
const FORMAT = 'Payload';

export const DEFAULT_CREDENTIALS_PROVIDER = 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain';
export const PLAIN_FORMATTER = 'com.nordstrom.kafka.connect.formatters.PlainPayloadFormatter';
export const JSON_FORMATTER = 'com.nordstrom.kafka.connect.formatters.JsonPayloadFormatter';

const statusList = key.custom(
  { type: 'LIST', importance: 'LOW', group: RETRIES, default: '500,503,504', documentation: 'HTTP status codes of an invocation that are retried (comma-separated). A throttled invocation (429) is always retried.' },
  z.preprocess((v) => (v === '' || v === null || v === undefined ? '500,503,504' : v), z.string().transform((s, ctx) => {
    const codes: number[] = [];
    for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      if (!/^\d{3}$/.test(part)) ctx.addIssue({ code: 'custom', message: `"${part}" is not an HTTP status code` });
      else codes.push(Number(part));
    }
    return codes;
  })),
);

const visibility = (side: string) => key.enum(['none', 'min', 'all'] as const, { default: 'min', caseInsensitive: true, group: FORMAT, doc: `JsonPayloadFormatter: none leaves out the ${side} schema's name and version, min gives them, all also wraps the ${side} in JsonConverter's {"schema", "payload"} envelope.` });

export const lambdaSinkConfig = defineConfig({
  'aws.lambda.function.arn': key.string({ required: true, importance: 'HIGH', group: LAMBDA, doc: 'The function to invoke: its full ARN (a name or partial ARN works too, as in the Invoke API).', example: 'arn:aws:lambda:eu-west-1:123456789012:function:orders' }),
  'aws.region': key.string({ required: true, importance: 'HIGH', group: AWS, doc: 'The AWS region of the function.', example: 'eu-west-1' }),
  'aws.lambda.invocation.mode': key.enum(['SYNC', 'ASYNC'] as const, { default: 'SYNC', caseInsensitive: true, group: LAMBDA, doc: 'SYNC (RequestResponse): wait for the function, and report a function error per record; ASYNC (Event): Lambda queues the event and answers 202, so function errors are not seen here.' }),
  'aws.lambda.invocation.timeout.ms': key.int({ default: 300000, min: 1, group: LAMBDA, doc: 'Time one invocation may take; a timed-out invocation is retried.' }),
  'aws.lambda.invocation.failure.mode': key.enum(['STOP', 'DROP'] as const, { default: 'STOP', caseInsensitive: true, group: LAMBDA, doc: 'STOP: records whose invocation failed (a function error, a refused payload) are reported to the runtime, which fails the task or dead-letters them per errors.tolerance; DROP: they are logged and skipped.' }),
  'aws.lambda.batch.enabled': key.boolean({ default: true, group: LAMBDA, doc: 'true: the records of a put in one invocation, a JSON array (split in halves while over the payload limit); false: one invocation per record.' }),
  'aws.lambda.endpoint': key.string({ importance: 'LOW', group: LAMBDA, doc: 'Endpoint of a Lambda-compatible server instead of AWS\'s regional one (a local test server, a VPC endpoint).', example: 'http://127.0.0.1:9001' }),
  'aws.credentials.provider.class': key.enum([DEFAULT_CREDENTIALS_PROVIDER] as const, { default: DEFAULT_CREDENTIALS_PROVIDER, group: AWS, doc: 'Where credentials come from when aws.access.key.id is not set: the AWS default chain (environment, shared config and credentials files, container and instance metadata).' }),
  'aws.access.key.id': key.password({ group: AWS, doc: 'Static credentials: the access key id (with aws.secret.access.key). Prefer ${env:…} or ${file:…} references.' }),
  'aws.secret.access.key': key.password({ group: AWS, doc: 'Static credentials: the secret access key.' }),
  'aws.session.token': key.password({ group: AWS, doc: 'Static credentials: the session token of temporary credentials.' }),
  'retriable.error.codes': statusList,
  'retries.max': key.int({ default: 5, min: 0, group: RETRIES, doc: 'Retries of an invocation that failed with a retried status, a throttle or a network error, before the put fails (the runtime then retries it per errors.retry.timeout; nothing is skipped).' }),
  'retry.backoff.millis': key.int({ default: 500, min: 0, group: RETRIES, doc: 'First wait before a retry; doubles each time, with jitter. A throttle\'s Retry-After is honoured when longer.' }),
  'payload.formatter.class': key.enum([PLAIN_FORMATTER, JSON_FORMATTER] as const, { default: PLAIN_FORMATTER, group: FORMAT, doc: 'PlainPayloadFormatter: each record as {key, keySchemaName, value, valueSchemaName, topic, partition, offset, timestamp, timestampTypeName} with key and value as text; JsonPayloadFormatter: key and value as JSON, with schema names and versions.' }),
  'payload.formatter.key.schema.visibility': visibility('key'),
  'payload.formatter.value.schema.visibility': visibility('value'),
});

export type LambdaSinkConfig = ConfigOf<typeof lambdaSinkConfig.keys>;

export function validateLambdaSink(cfg: LambdaSinkConfig): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const hasId = !!cfg['aws.access.key.id'];
  const hasSecret = !!cfg['aws.secret.access.key'];
  if (hasId !== hasSecret) {
    const missing = hasId ? 'aws.secret.access.key' : 'aws.access.key.id';
    problems.push({ key: missing, message: `Missing required configuration "${missing}": static credentials need both aws.access.key.id and aws.secret.access.key (or neither, for the default provider chain)` });
  }
  if (cfg['aws.lambda.endpoint']) {
    try {
      const u = new URL(cfg['aws.lambda.endpoint']);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      problems.push({ key: 'aws.lambda.endpoint', message: `Invalid value ${cfg['aws.lambda.endpoint']} for configuration aws.lambda.endpoint: not an http(s) URL` });
    }
  }
  return problems;
}
