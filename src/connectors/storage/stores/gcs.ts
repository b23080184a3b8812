import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IdempotencyStrategy, RETRYABLE_ERR_FN_DEFAULT, Storage, type Bucket, type StorageOptions } from '@google-cloud/storage';
import { ConfigError, RetriableError } from '../../../errors.js';
import type { ObjectStore, PutOptions, StoredObject } from '../object-store.js';
import { abortError, withRetries } from './retry.js';

// Google Cloud Storage through Google's own client (@google-cloud/storage). An object becomes
// visible only when its upload is finalized, so a put is atomic: a body up to partSize goes in one
// multipart request; a larger one as a resumable upload in partSize chunks (gcs.part.size), and an
// upload that is abandoned (abort, crash) leaves no object. Writing a key again replaces the object.

export interface GcsStoreOptions {
  /** gcs.bucket.name */
  bucket: string;
  /** store.url: the API endpoint, e.g. an emulator's http://127.0.0.1:4443; unset for Google's. */
  endpoint?: string;
  /** Bytes per resumable-upload chunk (gcs.part.size); bodies up to this size go in one request. */
  partSize?: number;
  /** The parsed service-account key (gcs.credentials.json). */
  credentials?: Record<string, unknown>;
  /** A service-account key file (gcs.credentials.path). */
  keyFilename?: string;
  projectId?: string;
  /** Attempts after the first for a failed upload (network, 429, 5xx). */
  retries?: number;
  /** First backoff between upload attempts; doubles each time, capped at 30 s. */
  retryBackoffMs?: number;
}

import { GCS_DEFAULT_PART_SIZE } from './gcs-config.js';

export { GCS_DEFAULT_PART_SIZE };
/** Resumable-upload chunks are multiples of 256 KiB (a rule of the GCS API). */
const CHUNK_QUANTUM = 256 * 1024;

interface ApiErrorLike { code?: number | string; message?: string; errors?: Array<{ reason?: string }> }

function statusOf(e: unknown): number | undefined {
  const code = (e as ApiErrorLike | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function isRetriable(e: unknown): boolean {
  const status = statusOf(e);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  return RETRYABLE_ERR_FN_DEFAULT(e as Parameters<typeof RETRYABLE_ERR_FN_DEFAULT>[0]);
}

export class GcsStore implements ObjectStore {
  readonly description: string;
  private readonly storage: Storage;
  private readonly bucket: Bucket;
  private readonly partSize: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;

  constructor(private readonly options: GcsStoreOptions) {
    this.description = `gs://${options.bucket}`;
    this.partSize = Math.max(CHUNK_QUANTUM, Math.floor((options.partSize ?? GCS_DEFAULT_PART_SIZE) / CHUNK_QUANTUM) * CHUNK_QUANTUM);
    this.retries = options.retries ?? 3;
    this.retryBackoffMs = options.retryBackoffMs ?? 200;
    const storageOptions: StorageOptions = {
      // Every call here is idempotent (whole-object writes, reads, deletes that ignore a missing
      // object), so the client may retry all of them, not only those with preconditions.
      retryOptions: { autoRetry: true, maxRetries: this.retries, idempotencyStrategy: IdempotencyStrategy.RetryAlways },
    };
    if (options.projectId) storageOptions.projectId = options.projectId;
    if (options.credentials) storageOptions.credentials = options.credentials as StorageOptions['credentials'];
    if (options.keyFilename) storageOptions.keyFilename = options.keyFilename;
    if (options.endpoint) {
      storageOptions.apiEndpoint = options.endpoint.replace(/\/+$/, '');
      // A custom endpoint is usually an emulator, which takes no token; credentials given with one
      // (a private endpoint of Google's) are used.
      storageOptions.useAuthWithCustomEndpoint = Boolean(options.credentials || options.keyFilename);
    }
    this.storage = new Storage(storageOptions);
    // An explicit endpoint wins over STORAGE_EMULATOR_HOST in the worker's environment, which the
    // client would otherwise take as its whole base URL.
    if (storageOptions.apiEndpoint) this.storage.baseUrl = `${storageOptions.apiEndpoint}/storage/v1`;
    this.bucket = this.storage.bucket(options.bucket);
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    try {
      await withRetries({ retries: this.retries, backoffMs: this.retryBackoffMs }, isRetriable, () => this.upload(key, body, options), options.signal);
    } catch (e) {
      if (options.signal?.aborted) throw abortError(options.signal);
      throw this.failure(e, `upload of ${key}`);
    }
  }

  private async upload(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
    const resumable = body.byteLength > this.partSize;
    const metadata: Record<string, string> = {};
    if (options.contentEncoding) metadata.contentEncoding = options.contentEncoding;
    const sink = this.bucket.file(key).createWriteStream({
      resumable,
      ...(resumable ? { chunkSize: this.partSize } : {}),
      contentType: options.contentType ?? 'application/octet-stream',
      metadata,
      validation: 'crc32c',
    });
    // Destroying the stream abandons the request (or the resumable session): no object appears.
    await pipeline(Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]), sink, ...(options.signal ? [{ signal: options.signal }] : []));
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const chunks: Buffer[] = [];
    const collect = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk); done(); } });
    try {
      // decompress: false: the stored bytes, also for an object written with Content-Encoding gzip.
      await pipeline(this.bucket.file(key).createReadStream({ decompress: false, validation: false }), collect, ...(signal ? [{ signal }] : []));
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      if (signal?.aborted) throw abortError(signal);
      throw this.failure(e, `download of ${key}`);
    }
    return Buffer.concat(chunks);
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject> {
    let pageToken: string | undefined;
    do {
      if (signal?.aborted) throw abortError(signal);
      let files;
      let next;
      try {
        [files, next] = await this.bucket.getFiles({ prefix, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
      } catch (e) {
        throw this.failure(e, `listing of ${prefix || '(all)'}`);
      }
      // GCS lists in lexicographic order of names.
      for (const f of files) yield { key: f.name, size: Number(f.metadata.size ?? 0) };
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.bucket.file(key).delete({ ignoreNotFound: true });
    } catch (e) {
      throw this.failure(e, `delete of ${key}`);
    }
  }

  async check(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    try {
      await this.bucket.getMetadata();
    } catch (e) {
      throw this.failure(e, 'bucket check');
    }
    // Write permission is not probed (that would leave an object behind); a refused upload fails
    // the task with the same ConfigError naming the credentials.
  }

  async close(): Promise<void> {
    // The client keeps no connections of its own beyond Node's agent.
  }

  /** Classifies a client error: configuration (bucket, credentials) or a transient failure. */
  private failure(e: unknown, what: string): Error {
    const status = statusOf(e);
    const answer = (e as ApiErrorLike | null)?.message ?? String(e);
    const where = this.options.endpoint ? `${this.description} at ${this.options.endpoint}` : this.description;
    if (status === 404) {
      return new ConfigError(`${where}: ${what} failed: the bucket ${this.options.bucket} does not exist (${answer})`, [
        { key: 'gcs.bucket.name', message: `no bucket ${this.options.bucket} at ${this.options.endpoint ?? 'Google Cloud Storage'}: create it or fix the name` },
      ], { cause: e });
    }
    if (status === 401 || status === 403) {
      return new ConfigError(`${where}: ${what} was refused (HTTP ${status}): ${answer}`, [
        { key: this.options.keyFilename ? 'gcs.credentials.path' : 'gcs.credentials.json', message: `the service account may not use bucket ${this.options.bucket}: grant it roles/storage.objectAdmin or use another key` },
      ], { cause: e });
    }
    if (status === 400) return new ConfigError(`${where}: ${what} was refused (HTTP 400): ${answer}`, [], { cause: e });
    if (e instanceof Error && !isRetriable(e) && status === undefined && /credentials|private key|client_email/i.test(answer)) {
      return new ConfigError(`${where}: the credentials could not be used: ${answer}`, [{ key: 'gcs.credentials.json', message: 'not a usable service-account key' }], { cause: e });
    }
    return new RetriableError(`${where}: ${what} failed${status ? ` (HTTP ${status})` : ''}: ${answer}`, { cause: e });
  }
}
