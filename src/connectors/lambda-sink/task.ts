import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { ConfigError, DataError, RetriableError } from '../../errors.js';
import type { SinkRecord } from '../../records/record.js';
import { sleep } from '../../wait.js';
import { retryWaitMs } from '../elasticsearch-sink/retry.js';
import type { PutResult, SinkTask, SinkTaskContext } from '../types.js';
import type { LambdaSinkConfig } from './config.js';
import { payloadWriter } from './payload.js';

// Invokes a Lambda function with the records of each put, through the AWS SDK's Invoke
// (POST /2015-03-31/functions/{name}/invocations, X-Amz-Invocation-Type RequestResponse or Event).
// - A function error (X-Amz-Function-Error: Unhandled or Handled, in SYNC mode) fails the records of
//   that invocation one by one: the runtime dead-letters them under errors.tolerance=all.
// - A throttle (429), a retried status (retriable.error.codes) or a network error is retried
//   retries.max times with backoff; then the put fails with a RetriableError and nothing is skipped.
// - A payload too large (413) splits the batch in halves; a single record too large is refused.
// - An unknown function or refused credentials (404, 401, 403) fail the task with a ConfigError.
// Not idempotent: a redelivered record is invoked again (Lambda functions should dedupe by
// topic/partition/offset, which every payload carries).

/** Invoke payload limits: 6 MiB for RequestResponse, 256 KiB for Event (split before sending). */
const MAX_SYNC_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_BYTES = 256 * 1024;

interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  retryAfterSeconds?: string;
}

type Outcome = { ok: true } | { ok: false; message: string; tooLarge?: boolean };

export async function startLambdaSinkTask(cfg: LambdaSinkConfig, ctx: SinkTaskContext): Promise<SinkTask> {
  const credentials = cfg['aws.access.key.id'] && cfg['aws.secret.access.key']
    ? { accessKeyId: cfg['aws.access.key.id'], secretAccessKey: cfg['aws.secret.access.key'], ...(cfg['aws.session.token'] ? { sessionToken: cfg['aws.session.token'] } : {}) }
    : undefined;
  const client = new LambdaClient({
    region: cfg['aws.region'],
    ...(cfg['aws.lambda.endpoint'] ? { endpoint: cfg['aws.lambda.endpoint'] } : {}),
    ...(credentials ? { credentials } : {}),
    // Retries are ours (retries.max, retriable.error.codes), so they do not multiply with the SDK's.
    maxAttempts: 1,
  });
  const fn = cfg['aws.lambda.function.arn'];
  const sync = cfg['aws.lambda.invocation.mode'] === 'SYNC';
  const maxBytes = sync ? MAX_SYNC_BYTES : MAX_ASYNC_BYTES;
  const writer = payloadWriter(cfg);
  const retried = new Set([...cfg['retriable.error.codes'], 429]);

  /** One invocation, retried; resolves with its outcome, or throws when retries ran out. */
  const invoke = async (body: string, signal: AbortSignal): Promise<Outcome> => {
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let retryAfterMs: number;
      let out: InvokeCommandOutput;
      try {
        out = await client.send(
          new InvokeCommand({ FunctionName: fn, InvocationType: sync ? 'RequestResponse' : 'Event', Payload: Buffer.from(body, 'utf8') }),
          { abortSignal: AbortSignal.any([signal, AbortSignal.timeout(cfg['aws.lambda.invocation.timeout.ms'])]) },
        );
        if (out.FunctionError) {
          const text = out.Payload ? Buffer.from(out.Payload).toString('utf8').slice(0, 1000) : '';
          return { ok: false, message: `Lambda function ${fn} failed (${out.FunctionError}): ${text}` };
        }
        return { ok: true };
      } catch (e) {
        if (signal.aborted) throw e;
        const err = e as SdkError;
        const status = err.$metadata?.httpStatusCode;
        problem = `Invoke of ${fn} failed${status ? ` with HTTP ${status}` : ''}: ${err.name}: ${err.message}`;
        if (status === 404 || status === 401 || status === 403) {
          throw new ConfigError(`${problem} (check aws.lambda.function.arn, aws.region and the credentials)`, [{ key: status === 404 ? 'aws.lambda.function.arn' : 'aws.access.key.id', message: `HTTP ${status} ${err.name}` }]);
        }
        if (status === 413) return { ok: false, message: problem, tooLarge: true };
        if (status !== undefined && !retried.has(status)) return { ok: false, message: problem };
        retryAfterMs = Number(err.retryAfterSeconds ?? 0) * 1000 || 0;
      }
      if (attempt >= cfg['retries.max']) throw new RetriableError(`${problem} (after ${attempt + 1} attempts)`);
      ctx.logger.warn({ attempt: attempt + 1, function: fn }, `retrying: ${problem}`);
      await sleep(Math.max(retryAfterMs, retryWaitMs(attempt, cfg['retry.backoff.millis'])), signal);
    }
  };

  /** Invokes the function with these records (indexes into the put's batch) as one JSON array, splitting while too large. */
  const invokeBatch = async (items: Array<{ index: number; json: string }>, signal: AbortSignal, failed: PutResult['failed']): Promise<void> => {
    const body = `[${items.map((i) => i.json).join(',')}]`;
    const outcome = items.length > 1 && Buffer.byteLength(body) > maxBytes ? { ok: false as const, message: 'over the payload limit', tooLarge: true } : await invoke(body, signal);
    if (outcome.ok) return;
    if (outcome.tooLarge && items.length > 1) {
      const middle = Math.floor(items.length / 2);
      await invokeBatch(items.slice(0, middle), signal, failed);
      await invokeBatch(items.slice(middle), signal, failed);
      return;
    }
    for (const i of items) failed.push({ index: i.index, error: new DataError(outcome.message, 'TASK_PUT') });
  };

  return {
    putBatchSize: 500,
    async put(records: SinkRecord[], signal): Promise<PutResult> {
      const failed: PutResult['failed'] = [];
      const unformatted: PutResult['failed'] = [];
      const items: Array<{ index: number; json: string }> = [];
      for (let i = 0; i < records.length; i++) {
        try {
          items.push({ index: i, json: writer.record(records[i]) });
        } catch (e) {
          unformatted.push({ index: i, error: e instanceof DataError ? e : new DataError(`Records could not be formatted: ${(e as Error).message}`, 'TASK_PUT', { cause: e }) });
        }
      }
      if (cfg['aws.lambda.batch.enabled']) {
        if (items.length) await invokeBatch(items, signal, failed);
      } else {
        for (const item of items) {
          const outcome = await invoke(item.json, signal);
          if (!outcome.ok) failed.push({ index: item.index, error: new DataError(outcome.message, 'TASK_PUT') });
        }
      }
      if (failed.length && cfg['aws.lambda.invocation.failure.mode'] === 'DROP') {
        ctx.logger.warn({ dropped: failed.length, function: fn }, `dropping records whose invocation failed (aws.lambda.invocation.failure.mode=DROP): ${failed[0].error.message}`);
        return { failed: unformatted };
      }
      return { failed: [...unformatted, ...failed].sort((a, b) => a.index - b.index) };
    },
    async close() {
      client.destroy();
    },
  };
}
