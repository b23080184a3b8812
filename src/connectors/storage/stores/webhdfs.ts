import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { userInfo } from 'node:os';
import { posix } from 'node:path';
import { ConfigError, RetriableError } from '../../../errors.js';
import type { ObjectStore, PutOptions, StoredObject } from '../object-store.js';
import { abortError, withRetries } from './retry.js';

// HDFS over WebHDFS, Hadoop's REST API served by the NameNode's HTTP server (dfs.webhdfs.enabled,
// on by default). Written with fetch rather than a client package: the API is a handful of plain
// HTTP calls, and the npm clients for it are unmaintained wrappers of the deprecated `request`.
//
// A put writes the bytes to a temporary file under <root>/<tempDir> (CREATE: the NameNode answers
// 307 with a DataNode's address, the body goes there) and then renames it over the destination in
// one NameNode operation (RENAME with renameoptions=OVERWRITE, Hadoop's rename2), so readers see the
// old file or the new one, never a partial one. Authentication is Hadoop's "simple" mode: the
// user.name parameter, taken like Hadoop's own clients do from HADOOP_USER_NAME or the OS user.
// Kerberos (SPNEGO) is not supported.

export interface WebHdfsStoreOptions {
  /** The NameNode's HTTP address, e.g. http://namenode:9870 (WebHDFS lives under /webhdfs/v1). */
  httpUrl: string;
  /** Absolute HDFS directory the keys are relative to (the path of hdfs.url; default "/"). */
  root?: string;
  /** How the store names itself in logs and errors, e.g. hdfs://namenode:8020. */
  description?: string;
  /** user.name for simple authentication (default HADOOP_USER_NAME, else the OS user). */
  user?: string;
  /** Directory under root for files being written (default "+tmp"; Confluent's HDFS sink uses <topics.dir>/+tmp). */
  tempDir?: string;
  /** The config key to name when the address or permissions are wrong (default hdfs.url). */
  urlKey?: string;
  retries?: number;
  retryBackoffMs?: number;
  /** Bound of one HTTP request (default 60 s). */
  requestTimeoutMs?: number;
}

interface FileStatus { pathSuffix: string; type: 'FILE' | 'DIRECTORY' | 'SYMLINK'; length: number }

/** An error WebHDFS answered with ({"RemoteException": {...}}) or an unexpected status. */
export class WebHdfsError extends Error {
  override name = 'WebHdfsError';
  constructor(message: string, readonly status: number, readonly exception?: string) {
    super(message);
  }
}

/** The error for a non-2xx answer, with Hadoop's exception name when the body is a RemoteException. */
function webHdfsError(status: number, text: string): WebHdfsError {
  let exception: string | undefined;
  let message = text.slice(0, 500);
  try {
    const remote = (JSON.parse(text) as { RemoteException?: { exception?: string; message?: string } }).RemoteException;
    if (remote) { exception = remote.exception; message = remote.message ?? message; }
  } catch { /* not JSON: keep the text */ }
  return new WebHdfsError(`HTTP ${status}${exception ? ` ${exception}` : ''}: ${message}`, status, exception);
}

const RETRIED_EXCEPTIONS = new Set(['SafeModeException', 'StandbyException', 'RetriableException', 'ConnectTimeoutException']);

function retriable(e: unknown): boolean {
  if (e instanceof WebHdfsError) return e.status >= 500 || e.status === 408 || e.status === 429 || RETRIED_EXCEPTIONS.has(e.exception ?? '');
  // fetch's network failures (ECONNREFUSED, reset, timeout) are TypeErrors or AbortErrors.
  return !(e instanceof ConfigError);
}

/** Encodes each segment of an absolute path, keeping the separators. */
function encodePath(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s)).join('/');
}

/** Sorted so that walking directories depth-first yields keys in lexicographic order. */
function byKeyOrder(a: FileStatus, b: FileStatus): number {
  const ka = a.type === 'DIRECTORY' ? `${a.pathSuffix}/` : a.pathSuffix;
  const kb = b.type === 'DIRECTORY' ? `${b.pathSuffix}/` : b.pathSuffix;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class WebHdfsStore implements ObjectStore {
  readonly description: string;
  private readonly base: string;
  private readonly root: string;
  private readonly user: string;
  private readonly tempDir: string;
  private readonly urlKey: string;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly timeoutMs: number;
  /** Directories known to exist, so a put does not ask for its parent every time. */
  private readonly madeDirs = new Set<string>();

  constructor(options: WebHdfsStoreOptions) {
    this.base = `${options.httpUrl.replace(/\/+$/, '')}/webhdfs/v1`;
    this.root = posix.normalize(`/${options.root ?? '/'}`).replace(/\/+$/, '') || '';
    this.user = options.user ?? process.env.HADOOP_USER_NAME ?? userInfo().username;
    this.tempDir = (options.tempDir ?? '+tmp').replace(/^\/+|\/+$/g, '');
    this.urlKey = options.urlKey ?? 'hdfs.url';
    this.retries = options.retries ?? 3;
    this.retryBackoffMs = options.retryBackoffMs ?? 200;
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.description = options.description ?? `webhdfs ${options.httpUrl}${this.root || '/'}`;
  }

  private path(key: string): string {
    return `${this.root}/${key.replace(/^\/+/, '')}`;
  }

  private url(path: string, op: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ op, 'user.name': this.user, ...params });
    return `${this.base}${encodePath(path)}?${q}`;
  }

  /** One HTTP call; a non-2xx answer becomes a WebHdfsError carrying Hadoop's exception name. */
  private async call(method: string, url: string, init: RequestInit & { signal?: AbortSignal } = {}): Promise<Response> {
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
    const res = await fetch(url, { ...init, method, signal });
    if (res.ok || (res.status >= 300 && res.status < 400 && init.redirect === 'manual')) return res;
    throw webHdfsError(res.status, await res.text().catch(() => ''));
  }

  /**
   * The second step of CREATE: the body to the DataNode. Through node:http rather than fetch: the
   * DataNode answers every CREATE with an unsolicited "100 Continue" before its final status, which
   * fetch (undici) rejects as a bad response and node:http skips as an informational response.
   */
  private upload(location: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    const url = new URL(location);
    const signals = signal ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
    return new Promise<void>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) },
        signal: signals,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          reject(webHdfsError(status, Buffer.concat(chunks).toString('utf8')));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private async mkdirs(dir: string, signal?: AbortSignal): Promise<void> {
    if (dir === '' || this.madeDirs.has(dir)) return;
    await this.call('PUT', this.url(dir, 'MKDIRS'), { signal });
    this.madeDirs.add(dir);
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const { signal } = options;
    const dest = this.path(key);
    await this.guard(`write of ${key}`, signal, () =>
      withRetries({ retries: this.retries, backoffMs: this.retryBackoffMs }, retriable, async () => {
        // A fresh temporary name per attempt: a retried put never meets a half-written file.
        const temp = `${this.root}/${this.tempDir}/${randomUUID()}_tmp`;
        try {
          const first = await this.call('PUT', this.url(temp, 'CREATE', { overwrite: 'true' }), { redirect: 'manual', signal });
          const location = first.headers.get('location');
          if (!location) throw new WebHdfsError(`CREATE answered HTTP ${first.status} without a DataNode location`, 502);
          await first.arrayBuffer().catch(() => undefined);
          await this.upload(location, body, signal);
          await this.mkdirs(posix.dirname(dest), signal);
          try {
            await this.call('PUT', this.url(temp, 'RENAME', { destination: dest, renameoptions: 'OVERWRITE' }), { signal });
          } catch (e) {
            // The parent may have been removed since we made it: make it again, once.
            if (!(e instanceof WebHdfsError && e.exception === 'FileNotFoundException')) throw e;
            this.madeDirs.delete(posix.dirname(dest));
            await this.mkdirs(posix.dirname(dest), signal);
            await this.call('PUT', this.url(temp, 'RENAME', { destination: dest, renameoptions: 'OVERWRITE' }), { signal });
          }
        } catch (e) {
          // Best effort: the temporary file is invisible to listings either way.
          await this.call('DELETE', this.url(temp, 'DELETE')).catch(() => undefined);
          throw e;
        }
      }, signal),
    );
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    return this.guard(`read of ${key}`, signal, () =>
      withRetries({ retries: this.retries, backoffMs: this.retryBackoffMs }, retriable, async () => {
        try {
          // OPEN redirects to a DataNode; fetch follows it.
          const res = await this.call('GET', this.url(this.path(key), 'OPEN'), { signal });
          return new Uint8Array(await res.arrayBuffer());
        } catch (e) {
          if (e instanceof WebHdfsError && e.exception === 'FileNotFoundException') return undefined;
          throw e;
        }
      }, signal),
    );
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject> {
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const namePrefix = prefix.slice(slash + 1);
    yield* this.walk(dirKey, namePrefix, signal);
  }

  private async *walk(dirKey: string, namePrefix: string, signal?: AbortSignal): AsyncGenerator<StoredObject> {
    const entries = (await this.listDir(dirKey, signal))
      .filter((s) => s.pathSuffix.startsWith(namePrefix))
      .sort(byKeyOrder);
    for (const s of entries) {
      const key = dirKey === '' ? s.pathSuffix : `${dirKey}/${s.pathSuffix}`;
      // Files being written live in the temporary directory: never listed.
      if (key === this.tempDir) continue;
      if (s.type === 'DIRECTORY') yield* this.walk(key, '', signal);
      else yield { key, size: s.length };
    }
  }

  /** Every entry of a directory (LISTSTATUS_BATCH pages); none when it does not exist. */
  private async listDir(dirKey: string, signal?: AbortSignal): Promise<FileStatus[]> {
    const dir = dirKey === '' ? this.root || '/' : this.path(dirKey);
    const all: FileStatus[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.guard(`listing of ${dirKey || '/'}`, signal, () =>
        withRetries({ retries: this.retries, backoffMs: this.retryBackoffMs }, retriable, async () => {
          try {
            const res = await this.call('GET', this.url(dir, 'LISTSTATUS_BATCH', startAfter ? { startAfter } : {}), { signal });
            return (await res.json()) as { DirectoryListing: { partialListing: { FileStatuses: { FileStatus: FileStatus[] } }; remainingEntries: number } };
          } catch (e) {
            // A missing directory lists nothing; a file at that path is not a directory either.
            if (e instanceof WebHdfsError && (e.exception === 'FileNotFoundException' || /not a directory/i.test(e.message))) return undefined;
            throw e;
          }
        }, signal),
      );
      if (!page) return all;
      const statuses = page.DirectoryListing.partialListing.FileStatuses.FileStatus;
      all.push(...statuses);
      if (page.DirectoryListing.remainingEntries <= 0 || statuses.length === 0) return all;
      startAfter = statuses[statuses.length - 1].pathSuffix;
    }
  }

  async delete(key: string): Promise<void> {
    await this.guard(`delete of ${key}`, undefined, () =>
      withRetries({ retries: this.retries, backoffMs: this.retryBackoffMs }, retriable, async () => {
        // {"boolean": false} when there was nothing to delete: not an error.
        await this.call('DELETE', this.url(this.path(key), 'DELETE', { recursive: 'false' }));
      }),
    );
  }

  async check(signal?: AbortSignal): Promise<void> {
    const root = this.root || '/';
    await this.guard('check', signal, () =>
      withRetries({ retries: this.retries, backoffMs: this.retryBackoffMs }, retriable, async () => {
        await this.mkdirs(root, signal);
        // CHECKACCESS: may this user create entries in the root directory?
        await this.call('GET', this.url(root, 'CHECKACCESS', { fsaction: '-wx' }), { signal });
      }, signal),
    );
  }

  async close(): Promise<void> {
    // fetch keeps no per-store connections to close.
  }

  /** Runs call, turning what fails into a ConfigError (address, permissions) or a RetriableError. */
  private async guard<T>(what: string, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      const answer = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
      if (e instanceof WebHdfsError && (e.exception === 'AccessControlException' || e.status === 401 || e.status === 403) && !RETRIED_EXCEPTIONS.has(e.exception ?? '')) {
        throw new ConfigError(`${this.description}: ${what} refused for user ${this.user}: ${answer}`, [
          { key: this.urlKey, message: `user ${this.user} may not write under ${this.root || '/'}: grant it, point ${this.urlKey} at a directory it owns, or run the worker as (or set HADOOP_USER_NAME to) a user that may` },
        ], { cause: e });
      }
      if (e instanceof WebHdfsError && e.status === 404 && e.exception === undefined) {
        throw new ConfigError(`${this.description}: ${what} failed: ${answer}; is WebHDFS enabled (dfs.webhdfs.enabled) at ${this.base}?`, [
          { key: this.urlKey, message: `no WebHDFS at ${this.base}` },
        ], { cause: e });
      }
      throw new RetriableError(`${this.description}: ${what} failed: ${answer}`, { cause: e });
    }
  }
}
