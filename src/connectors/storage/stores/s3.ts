import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type S3ConnectionConfig } from './s3-config.js';
import { ConfigError, RetriableError } from '../../../errors.js';
import { abortableWait } from '../../../wait.js';
import type { PluginLogger } from '../../types.js';
import type { ObjectStore, PutOptions, StoredObject } from '../object-store.js';

// S3 (and S3-compatible servers: MinIO) behind the ObjectStore interface, with the AWS SDK v3.
// Objects go up with lib-storage's Upload: one PutObject for a body under s3.part.size, a
// multipart upload of s3.part.size parts above it (aborted on failure, so a failed write leaves
// no visible object). Every request is retried s3.part.retries times with exponential backoff
// from s3.retry.backoff.ms (the SDK's own retries are off, so counts do not multiply).

export { s3ConnectionKeys, s3PartSizeKey, s3Problems, type S3ConnectionConfig } from './s3-config.js';

const BACKOFF_CAP_MS = 30_000;
const MIB = 1024 * 1024;

const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'AuthorizationHeaderMalformed']);

export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(private readonly cfg: S3ConnectionConfig, private readonly logger: PluginLogger) {
    this.bucket = cfg['s3.bucket.name'];
    this.description = `s3://${this.bucket}${cfg['store.url'] ? ` at ${cfg['store.url']}` : ''}`;
    this.partSize = cfg['s3.part.size'] ?? 25 * MIB;
    this.retries = cfg['s3.part.retries'];
    this.backoffMs = cfg['s3.retry.backoff.ms'];
    const id = cfg['aws.access.key.id'];
    const secret = cfg['aws.secret.access.key'];
    this.client = new S3Client({
      region: cfg['s3.region'],
      endpoint: cfg['store.url'],
      forcePathStyle: cfg['s3.path.style.access.enabled'],
      credentials: id !== undefined && secret !== undefined ? { accessKeyId: id, secretAccessKey: secret } : undefined,
      maxAttempts: 1,
      // Checksums only where S3 requires them: S3-compatible servers differ on the newer defaults.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The error to throw for a failed request: ConfigError for what a retry cannot fix, else RetriableError. */
  private classify(what: string, e: unknown): Error {
    if (e instanceof ConfigError || e instanceof RetriableError) return e;
    const err = e as Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
    const code = err.name;
    const status = e instanceof S3ServiceException ? e.$metadata?.httpStatusCode : err.$metadata?.httpStatusCode;
    if (AUTH_CODES.has(code) || status === 403) {
      return new ConfigError(`${what} on ${this.description} was refused (${code}): check aws.access.key.id and aws.secret.access.key (and the bucket's policy)`, [{ key: 'aws.access.key.id', message: `refused by the server: ${code}` }]);
    }
    if (code === 'NoSuchBucket') {
      return new ConfigError(`${what}: the bucket ${this.bucket} does not exist on ${this.cfg['store.url'] ?? 'S3'}: create it or fix s3.bucket.name`, [{ key: 's3.bucket.name', message: 'no such bucket' }]);
    }
    const where = this.cfg['store.url'] ? ` (store.url ${this.cfg['store.url']})` : '';
    return new RetriableError(`${what} on ${this.description} failed${where}: ${code && code !== 'Error' ? `${code}: ` : ''}${err.message}`, { cause: e });
  }

  /** Runs a request with s3.part.retries retries and exponential backoff; ConfigErrors are not retried. */
  private async retry<T>(what: string, f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await f();
      } catch (e) {
        const err = this.classify(what, e);
        if (err instanceof ConfigError || attempt >= this.retries || signal?.aborted) throw err;
        const delay = Math.min(BACKOFF_CAP_MS, this.backoffMs * 2 ** attempt);
        const wait = delay / 2 + Math.random() * (delay / 2);
        this.logger.warn({ store: this.description, attempt: attempt + 1, of: this.retries, delayMs: Math.round(wait), error: err.message }, `${what} failed; retrying`);
        await abortableWait({ ms: wait, signal });
      }
    }
  }

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    await this.retry(`writing ${key}`, async () => {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: body, ContentType: options?.contentType, ContentEncoding: options?.contentEncoding },
        partSize: this.partSize,
        queueSize: 2,
        leavePartsOnError: false,
        abortController: options?.signal ? abortFrom(options.signal) : undefined,
      });
      await upload.done();
    }, options?.signal);
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    return this.retry(`reading ${key}`, async () => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (e) {
        if ((e as Error).name === 'NoSuchKey') return undefined;
        throw e;
      }
    }, signal);
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.retry(`listing ${prefix}`, () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal }), signal);
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.retry(`deleting ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async check(signal?: AbortSignal): Promise<void> {
    await this.retry('checking the bucket', async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal });
      } catch (e) {
        // HEAD answers carry no error code: the status says it.
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) throw new ConfigError(`the bucket ${this.bucket} does not exist on ${this.cfg['store.url'] ?? 'S3'}: create it or fix s3.bucket.name`, [{ key: 's3.bucket.name', message: 'no such bucket' }]);
        if (status === 403 || status === 400) throw new ConfigError(`access to the bucket ${this.bucket} on ${this.cfg['store.url'] ?? 'S3'} was refused (HTTP ${status}): check aws.access.key.id and aws.secret.access.key`, [{ key: 'aws.access.key.id', message: `refused by the server (HTTP ${status})` }]);
        throw e;
      }
    }, signal);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function abortFrom(signal: AbortSignal): AbortController {
  const c = new AbortController();
  if (signal.aborted) c.abort();
  else signal.addEventListener('abort', () => c.abort(), { once: true });
  return c;
}
