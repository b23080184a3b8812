import { gzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, RetriableError } from '../../src/errors.js';
import type { ObjectStore, StoredObject } from '../../src/connectors/storage/object-store.js';
import { GcsStore } from '../../src/connectors/storage/stores/gcs.js';
import { WebHdfsStore } from '../../src/connectors/storage/stores/webhdfs.js';
import { gcsServer, hdfsServer } from '../helpers/optional-service.js';
import { freePort, uniqueIdent } from '../helpers/stack.js';

// The GCS and WebHDFS object stores against the stack's real servers (fake-gcs-server, Hadoop's
// MiniDFSCluster): the ObjectStore contract the storage-sink core relies on (put/get/list/delete,
// overwrite, key order, readers never see a partial object), then what is particular to each.

const gcsEnv = await gcsServer();
const hdfsEnv = await hdfsServer();

const admin = new Storage({ apiEndpoint: gcsEnv.GCS_ENDPOINT, projectId: 'tconnect-it' });
const bucket = uniqueIdent('it-gcs-store').replace(/_/g, '-');
const hdfsRoot = `/${uniqueIdent('it_webhdfs_store')}`;

beforeAll(async () => {
  await admin.createBucket(bucket);
});
afterAll(async () => {
  await admin.bucket(bucket).deleteFiles({ force: true }).catch(() => undefined);
  await admin.bucket(bucket).delete().catch(() => undefined);
  await fetch(`${hdfsEnv.WEBHDFS_URL}/webhdfs/v1${hdfsRoot}?op=DELETE&recursive=true&user.name=${hdfsEnv.HDFS_USER}`, { method: 'DELETE' });
});

async function listAll(store: ObjectStore, prefix: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const o of store.list(prefix)) out.push(o);
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** The checks every store must pass; make() returns a store rooted in a fresh, empty place. */
function contract(make: () => ObjectStore) {
  it('puts, gets, lists in key order (prefixes that end mid-name too) and deletes', async () => {
    const store = make();
    await store.check();
    const keys = ['topics/t/partition=0/t+0+0000000000.json', 'topics/t/partition=0/t+0+0000000010.json', 'topics/t/partition=1/t+1+0000000000.json', 'topics/t-x/partition=0/a.json', 'topics/tt/b.json', 'top.json'];
    for (const k of [...keys].reverse()) await store.put(k, text(`body of ${k}`), { contentType: 'application/json' });
    for (const k of keys) expect(decode(await store.get(k))).toBe(`body of ${k}`);

    const all = await listAll(store, '');
    expect(all.map((o) => o.key)).toEqual([...keys].sort());
    expect(all.find((o) => o.key === 'top.json')?.size).toBe(text('body of top.json').byteLength);
    // A directory-like prefix and one ending inside a name: 'topics/t-x/…' sorts before 'topics/t/…'.
    expect((await listAll(store, 'topics/t/partition=0/')).map((o) => o.key)).toEqual(keys.slice(0, 2));
    expect((await listAll(store, 'topics/t')).map((o) => o.key)).toEqual(['topics/t-x/partition=0/a.json', ...keys.slice(0, 3), 'topics/tt/b.json']);
    expect((await listAll(store, 'topics/t/partition=0/t+0+00000000')).map((o) => o.key)).toEqual(keys.slice(0, 2));
    expect(await listAll(store, 'nothing/here/')).toEqual([]);

    await store.delete(keys[0]);
    await store.delete(keys[0]); // a missing key is no error
    expect(await store.get(keys[0])).toBeUndefined();
    expect((await listAll(store, 'topics/t/partition=0/')).map((o) => o.key)).toEqual([keys[1]]);
    await store.close();
  });

  it('replaces an object written again, and readers see the old or the new body, never a part', async () => {
    const store = make();
    const key = 'atomic/t+0+0000000000.bin';
    const size = 2 * 1024 * 1024;
    const bodies = [Buffer.alloc(size, 'a'), Buffer.alloc(size, 'b')];
    await store.put(key, bodies[0]);
    let reads = 0;
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) {
        const got = await store.get(key);
        reads++;
        // Never missing, never short, never mixed.
        expect(got?.byteLength).toBe(size);
        const first = String.fromCharCode(got![0]);
        expect(Buffer.from(got!).equals(Buffer.alloc(size, first))).toBe(true);
        seen.add(first);
      }
    })();
    for (let i = 1; i <= 6; i++) await store.put(key, bodies[i % 2]);
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(decode((await store.get(key))!.subarray(0, 1))).toBe('a');
    expect(await listAll(store, 'atomic/')).toEqual([{ key, size }]);
    await store.close();
  });

  it('keeps bytes exactly, binary and gzip-encoded alike', async () => {
    const store = make();
    const binary = Uint8Array.from({ length: 1024 }, (_, i) => (i * 31) % 256);
    const gz = gzipSync(Buffer.from('{"a":1}\n'.repeat(100)));
    await store.put('bytes/raw.bin', binary);
    await store.put('bytes/lines.json.gz', gz, { contentType: 'application/json', contentEncoding: 'gzip' });
    expect(Buffer.from((await store.get('bytes/raw.bin'))!).equals(Buffer.from(binary))).toBe(true);
    expect(Buffer.from((await store.get('bytes/lines.json.gz'))!).equals(gz)).toBe(true);
    await store.close();
  });
}

describe('GcsStore on fake-gcs-server', () => {
  let n = 0;
  // Each test under its own prefix of the shared bucket: a store has no root of its own, so the
  // contract's keys get one through a tiny wrapper.
  const make = (): ObjectStore => prefixed(new GcsStore({ bucket, endpoint: gcsEnv.GCS_ENDPOINT, partSize: 256 * 1024 }), `c${n++}/`);
  contract(make);

  it('uploads a body larger than gcs.part.size as a resumable upload in chunks', async () => {
    const store = new GcsStore({ bucket, endpoint: gcsEnv.GCS_ENDPOINT, partSize: 256 * 1024 });
    const body = Uint8Array.from({ length: 1024 * 1024 + 17 }, (_, i) => i % 251);
    await store.put('resumable/big.bin', body);
    expect(Buffer.from((await store.get('resumable/big.bin'))!).equals(Buffer.from(body))).toBe(true);
    const [meta] = await admin.bucket(bucket).file('resumable/big.bin').getMetadata();
    expect(Number(meta.size)).toBe(body.byteLength);
  });

  it('a missing bucket is a ConfigError naming gcs.bucket.name; no server is a RetriableError', async () => {
    const missing = new GcsStore({ bucket: `${bucket}-missing`, endpoint: gcsEnv.GCS_ENDPOINT });
    const err = await missing.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.key)).toEqual(['gcs.bucket.name']);
    const nowhere = new GcsStore({ bucket, endpoint: `http://127.0.0.1:${await freePort()}`, retries: 1, retryBackoffMs: 10 });
    await expect(nowhere.put('x', text('x'))).rejects.toBeInstanceOf(RetriableError);
  });
});

describe('WebHdfsStore on MiniDFSCluster', () => {
  let n = 0;
  const make = () => new WebHdfsStore({ httpUrl: hdfsEnv.WEBHDFS_URL, root: `${hdfsRoot}/c${n++}`, description: hdfsEnv.HDFS_URL });
  contract(make);

  it('writes through a temporary file under +tmp that listings never show, and leaves none behind', async () => {
    const root = `${hdfsRoot}/tmpdir`;
    const store = new WebHdfsStore({ httpUrl: hdfsEnv.WEBHDFS_URL, root });
    await store.put('a/b.json', text('{}'));
    const res = await fetch(`${hdfsEnv.WEBHDFS_URL}/webhdfs/v1${root}/+tmp?op=LISTSTATUS&user.name=${hdfsEnv.HDFS_USER}`);
    expect(res.status).toBe(200);
    const statuses = ((await res.json()) as { FileStatuses: { FileStatus: unknown[] } }).FileStatuses.FileStatus;
    expect(statuses).toEqual([]);
    expect((await listAll(store, '')).map((o) => o.key)).toEqual(['a/b.json']);
  });

  it('a user without write permission is a ConfigError naming hdfs.url; no server is a RetriableError', async () => {
    const owned = `${hdfsRoot}/owned`;
    const mine = new WebHdfsStore({ httpUrl: hdfsEnv.WEBHDFS_URL, root: owned });
    await mine.check();
    const stranger = new WebHdfsStore({ httpUrl: hdfsEnv.WEBHDFS_URL, root: owned, user: 'tconnect-stranger' });
    const err = await stranger.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.key)).toEqual(['hdfs.url']);
    expect((err as Error).message).toMatch(/tconnect-stranger/);
    await expect(stranger.put('x.json', text('{}'))).rejects.toBeInstanceOf(ConfigError);
    const nowhere = new WebHdfsStore({ httpUrl: `http://127.0.0.1:${await freePort()}`, root: owned, retries: 1, retryBackoffMs: 10 });
    await expect(nowhere.put('x.json', text('{}'))).rejects.toBeInstanceOf(RetriableError);
  });
});

/** A store whose keys live under prefix of another (for the shared-bucket GCS tests). */
function prefixed(store: ObjectStore, prefix: string): ObjectStore {
  return {
    description: `${store.description}/${prefix}`,
    put: (k, b, o) => store.put(prefix + k, b, o),
    get: (k, s) => store.get(prefix + k, s),
    async *list(p, s) {
      for await (const o of store.list(prefix + p, s)) yield { key: o.key.slice(prefix.length), size: o.size };
    },
    delete: (k) => store.delete(prefix + k),
    check: (s) => store.check(s),
    close: () => store.close(),
  };
}
