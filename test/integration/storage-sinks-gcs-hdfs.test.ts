import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import avro from 'avsc';
import { openSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../src/client/index.js';
import type { ObjectStore } from '../../src/connectors/storage/object-store.js';
import { GcsStore } from '../../src/connectors/storage/stores/gcs.js';
import { WebHdfsStore } from '../../src/connectors/storage/stores/webhdfs.js';
import { groupOffsets, produce } from '../helpers/connectors.js';
import { useWorker } from '../helpers/fixture.js';
import { readTopic } from '../helpers/kafka.js';
import { TEST_LOG_DIR } from '../helpers/log-setup.js';
import { gcsServer, hdfsServer } from '../helpers/optional-service.js';
import { REPO_ROOT, stackEnv, uniqueIdent, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

// The GCS and HDFS sinks end to end: Kafka → a worker → the storage-sink core → fake-gcs-server or
// Hadoop's MiniDFSCluster (over WebHDFS). Expected object names per partitioner and format,
// rotation by size and by record time, bad records to the dead letter queue, a re-read that
// rewrites the same file names, and a kill -9 of the worker mid-stream: every record stored once.

const gcsEnv = await gcsServer();
const hdfsEnv = await hdfsServer();

const JSON_VALUES = { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false' };
const gcsAdmin = new Storage({ apiEndpoint: gcsEnv.GCS_ENDPOINT, projectId: 'tconnect-it' });
const bucket = uniqueIdent('it-gcs-sink').replace(/_/g, '-');
/** Each test's HDFS files go under a directory of this run (hdfs.url carries it as its path). */
const hdfsBase = `/${uniqueIdent('it_hdfs_sink')}`;
const topics: string[] = [];

beforeAll(async () => {
  await gcsAdmin.createBucket(bucket);
});
afterAll(async () => {
  await deleteTopics(topics);
  await gcsAdmin.bucket(bucket).deleteFiles({ force: true }).catch(() => undefined);
  await gcsAdmin.bucket(bucket).delete().catch(() => undefined);
  await fetch(`${hdfsEnv.WEBHDFS_URL}/webhdfs/v1${hdfsBase}?op=DELETE&recursive=true&user.name=${hdfsEnv.HDFS_USER}`, { method: 'DELETE' });
});

function topic(prefix: string): string {
  const t = uniqueName(prefix);
  topics.push(t);
  return t;
}

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

async function lines(store: ObjectStore, key: string): Promise<unknown[]> {
  const body = await store.get(key);
  if (!body) throw new Error(`no object ${key}`);
  const text = key.endsWith('.gz') ? gunzipSync(body).toString('utf8') : Buffer.from(body).toString('utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
}

const pad = (n: number) => String(n).padStart(10, '0');
const gcsStore = () => new GcsStore({ bucket, endpoint: gcsEnv.GCS_ENDPOINT });
// As the sinks open it: files being written (or left by a killed worker) under topics/+tmp, never listed.
const hdfsStore = (dir: string) => new WebHdfsStore({ httpUrl: hdfsEnv.WEBHDFS_URL, root: `${hdfsBase}/${dir}`, tempDir: 'topics/+tmp' });

describe('GcsSinkConnector on fake-gcs-server', () => {
  const fx = useWorker({ sdk: true });

  it('DefaultPartitioner, JSON lines gzipped: files of flush.size records per Kafka partition, offsets committed up to the last file', async () => {
    const t = topic('gcs-default');
    await produce(t, 2, Array.from({ length: 11 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ n: i }) })));
    const name = uniqueName('gcs-default');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'io.confluent.connect.gcs.GcsSinkConnector', topics: t, 'tasks.max': '1', ...JSON_VALUES,
      'gcs.bucket.name': bucket, 'store.url': gcsEnv.GCS_ENDPOINT, 'format.class': 'io.confluent.connect.gcs.format.json.JsonFormat',
      'flush.size': '2', 'gcs.compression.type': 'gzip', 'topics.dir': `d-${t}`,
    } });
    const store = gcsStore();
    // Partition 0 has offsets 0..5 (n even), partition 1 has 0..4 (n odd): 3 + 2 files.
    const expected = [
      ...[0, 2, 4].map((o) => `d-${t}/${t}/partition=0/${t}+0+${pad(o)}.json.gz`),
      ...[0, 2].map((o) => `d-${t}/${t}/partition=1/${t}+1+${pad(o)}.json.gz`),
    ];
    await waitFor(async () => (await keysOf(store, `d-${t}/`)).length === 5, { what: 'five objects', timeout: 60_000 });
    expect(await keysOf(store, `d-${t}/`)).toEqual(expected);
    expect(await lines(store, expected[0])).toEqual([{ n: 0 }, { n: 2 }]);
    expect(await lines(store, expected[2])).toEqual([{ n: 8 }, { n: 10 }]);
    expect(await lines(store, expected[4])).toEqual([{ n: 5 }, { n: 7 }]);
    // The record at partition 1 offset 4 (n=9) waits in an open file: its offset is not committed.
    await waitFor(async () => {
      const o = await groupOffsets(`connect-${name}`);
      return o[`${t}:0`] === 6 && o[`${t}:1`] === 4;
    }, { what: 'offsets 6 and 4 committed', timeout: 30_000 });
  });

  it('TimeBasedPartitioner on record time, Avro: one directory per hour, files rotated by rotate.interval.ms', async () => {
    const t = topic('gcs-time');
    const hour = Date.UTC(2026, 0, 2, 10, 0, 0);
    const at = [0, 1, 20, 61, 62, 130].map((m) => hour + m * 60_000);
    const schema = { type: 'struct', fields: [{ field: 'n', type: 'int32' }], optional: false, name: 'it.Reading' };
    await produce(t, 1, at.map((ts, n) => ({ value: JSON.stringify({ schema, payload: { n } }), timestamp: ts })));
    const name = uniqueName('gcs-time');
    fx.cleanups.push(() => fx.sdk.delete(name));
    await fx.sdk.create({ name, config: {
      'connector.class': 'GcsSinkConnector', topics: t, 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true',
      'gcs.bucket.name': bucket, 'store.url': gcsEnv.GCS_ENDPOINT, 'format.class': 'io.confluent.connect.gcs.format.avro.AvroFormat',
      'flush.size': '100', 'rotate.interval.ms': '1800000', 'topics.dir': `t-${t}`,
      'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner', 'partition.duration.ms': '3600000',
      'path.format': "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", locale: 'en-US', timezone: 'UTC', 'timestamp.extractor': 'Record',
    } });
    const store = gcsStore();
    // Record time decides: 10:00 and 10:01 together; 10:20 is within 30 min of 10:00 too; 11:01
    // opens a new hour (partition change: rotate); 11:02 with it; 12:10 rotates again and stays open.
    const dir = (h: string) => `t-${t}/${t}/year=2026/month=01/day=02/hour=${h}`;
    await waitFor(async () => (await keysOf(store, `t-${t}/`)).length === 2, { what: 'two committed Avro files', timeout: 60_000 });
    expect(await keysOf(store, `t-${t}/`)).toEqual([`${dir('10')}/${t}+0+${pad(0)}.avro`, `${dir('11')}/${t}+0+${pad(3)}.avro`]);
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      void store.get(`${dir('11')}/${t}+0+${pad(3)}.avro`).then((body) => {
        const decoder = new avro.streams.BlockDecoder();
        decoder.on('data', (v: unknown) => decoded.push({ ...(v as object) }));
        decoder.on('end', resolve);
        decoder.on('error', reject);
        decoder.end(Buffer.from(body!));
      }, reject);
    });
    expect(decoded).toEqual([{ n: 3 }, { n: 4 }]);
    await waitFor(async () => (await groupOffsets(`connect-${name}`))[`${t}:0`] === 5, { what: 'offset 5 committed', timeout: 30_000 });
  });
});

describe('HdfsSinkConnector / Hdfs3SinkConnector on MiniDFSCluster', () => {
  const fx = useWorker({ sdk: true });

  it('Hdfs3SinkConnector with an hdfs:// URL, FieldPartitioner, JSON: directories per field value, a record the format rejects to the DLQ', async () => {
    const t = topic('hdfs-field');
    const dlq = topic('hdfs-field-dlq');
    const values = [{ region: 'eu', n: 0 }, { region: 'us', n: 1 }, { region: 'eu', n: 2 }, { region: 'eu', n: 3 }, { region: 'us', n: 4 }];
    await produce(t, 1, values.map((v, i) => ({ key: i === 2 ? null : `k${i}`, value: JSON.stringify(v) })));
    const name = uniqueName('hdfs-field');
    fx.cleanups.push(() => fx.sdk.delete(name));
    const dir = 'field';
    await fx.sdk.create({ name, config: {
      'connector.class': 'io.confluent.connect.hdfs3.Hdfs3SinkConnector', topics: t, ...JSON_VALUES,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      // hdfs://host:8020/<dir>: WebHDFS on the same host's port 9870, files under /<dir>/topics.
      'hdfs.url': `${hdfsEnv.HDFS_URL}${hdfsBase}/${dir}`, 'format.class': 'io.confluent.connect.hdfs3.json.JsonFormat', 'flush.size': '2',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner', 'partition.field.name': 'region',
      // Keys are stored beside the values: the record without a key cannot be, so it is dead-lettered.
      'store.kafka.keys': 'true', 'keys.format.class': 'io.confluent.connect.hdfs3.json.JsonFormat',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq, 'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true', 'hadoop.conf.dir': '/etc/hadoop/conf',
    } });
    const store = hdfsStore(dir);
    const dead = await readTopic(dlq, 1);
    expect(dead[0].headers['__connect.errors.offset']).toBe('2');
    expect(dead[0].headers['__connect.errors.exception.message']).toMatch(/key/i);
    // flush.size counts the partition's open records across both directories: 0 (eu) and 1 (us)
    // commit together, then 3 (eu) and 4 (us).
    const expected = [
      `topics/${t}/region=eu/${t}+0+${pad(0)}.json`, `topics/${t}/region=eu/${t}+0+${pad(0)}.keys.json`,
      `topics/${t}/region=eu/${t}+0+${pad(3)}.json`, `topics/${t}/region=eu/${t}+0+${pad(3)}.keys.json`,
      `topics/${t}/region=us/${t}+0+${pad(1)}.json`, `topics/${t}/region=us/${t}+0+${pad(1)}.keys.json`,
      `topics/${t}/region=us/${t}+0+${pad(4)}.json`, `topics/${t}/region=us/${t}+0+${pad(4)}.keys.json`,
    ];
    await waitFor(async () => (await keysOf(store, 'topics/')).length === 8, { what: 'eight files', timeout: 60_000 });
    expect(await keysOf(store, 'topics/')).toEqual(expected);
    expect(await lines(store, expected[0])).toEqual([{ region: 'eu', n: 0 }]);
    expect(await lines(store, expected[1])).toEqual(['k0']);
    expect(await lines(store, expected[6])).toEqual([{ region: 'us', n: 4 }]);
    await waitFor(async () => (await groupOffsets(`connect-${name}`))[`${t}:0`] === 5, { what: 'offset 5 committed', timeout: 30_000 });
  });

  it('HdfsSinkConnector: offsets reset to 0 while stopped, the sink rewrites the same file names with the same records, none twice', async () => {
    const t = topic('hdfs-reread');
    await produce(t, 1, Array.from({ length: 9 }, (_, n) => ({ value: JSON.stringify({ n }) })));
    const name = uniqueName('hdfs-reread');
    fx.cleanups.push(() => fx.sdk.delete(name));
    const dir = 'reread';
    await fx.sdk.create({ name, config: {
      'connector.class': 'io.confluent.connect.hdfs.HdfsSinkConnector', topics: t, ...JSON_VALUES,
      'store.url': `webhdfs://${new URL(hdfsEnv.WEBHDFS_URL).host}${hdfsBase}/${dir}`, 'format.class': 'io.confluent.connect.hdfs.json.JsonFormat',
      'flush.size': '3', 'logs.dir': 'logs',
    } });
    const store = hdfsStore(dir);
    const files = [0, 3, 6].map((o) => `topics/${t}/partition=0/${t}+0+${pad(o)}.json`);
    await waitFor(async () => (await groupOffsets(`connect-${name}`))[`${t}:0`] === 9, { what: 'offset 9 committed', timeout: 60_000 });
    expect(await keysOf(store, 'topics/')).toEqual(files);
    const before = await Promise.all(files.map((f) => lines(store, f)));
    const status = async (e: string) => (await fx.sdk.status(name).catch(() => undefined))?.connector.state === e;
    await fx.sdk.stop(name);
    await waitFor(() => status('STOPPED'), { what: 'STOPPED' });
    await fx.sdk.alterOffsets(name, { offsets: [{ partition: { kafka_topic: t, kafka_partition: 0 }, offset: { kafka_offset: 0 } }] });
    // Mark the files so a rewrite is visible: each one is replaced by the sink's own content again.
    for (const f of files) await store.put(f, new TextEncoder().encode('{"stale":true}\n'));
    await fx.sdk.resume(name);
    await waitFor(async () => {
      const now = await Promise.all(files.map((f) => lines(store, f)));
      return JSON.stringify(now) === JSON.stringify(before);
    }, { what: 'the three files rewritten', timeout: 60_000 });
    expect(await keysOf(store, 'topics/')).toEqual(files);
    expect(before.flat()).toEqual(Array.from({ length: 9 }, (_, n) => ({ n })));
  });
});

describe('exactly once across a kill -9 of the worker (HdfsSinkConnector)', () => {
  const env = stackEnv();
  const children: ChildProcess[] = [];
  let sdk: ConnectClient | undefined;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sdk?.close();
  });

  const spawnWorker = (taskQueue: string, id: string): ChildProcess => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, TCONNECT_TASK_QUEUE: taskQueue, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'info' },
      stdio: ['ignore', openSync(path.join(TEST_LOG_DIR, `${taskQueue}-${id}.log`), 'a'), 'ignore'],
    });
    children.push(child);
    return child;
  };

  it('another worker takes over; every record is in exactly one file, rewritten files keep their names', async () => {
    const t = topic('hdfs-kill');
    const perPartition = 3000;
    await produce(t, 2, Array.from({ length: 2 * perPartition }, (_, n) => ({ partition: n % 2, value: JSON.stringify({ n, pad: 'x'.repeat(50) }) })));
    const taskQueue = uniqueName('hdfs-kill');
    const a = spawnWorker(taskQueue, 'hdfs-worker-a');
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
    const name = uniqueName('hdfs-kill');
    const dir = 'kill';
    await sdk.create({ name, config: {
      'connector.class': 'HdfsSinkConnector', topics: t, ...JSON_VALUES,
      'hdfs.url': `${hdfsEnv.HDFS_URL}${hdfsBase}/${dir}`, 'format.class': 'io.confluent.connect.hdfs.json.JsonFormat',
      'flush.size': '100', 'temporal.batch.max.records': '250',
    } });
    const store = hdfsStore(dir);
    await waitFor(async () => (await keysOf(store, 'topics/')).length >= 6, { what: 'the first files', timeout: 90_000, interval: 300 });
    const b = spawnWorker(taskQueue, 'hdfs-worker-b');
    a.kill('SIGKILL');
    const filesAtKill = (await keysOf(store, 'topics/')).length;
    expect(filesAtKill).toBeLessThan(60);
    let last = '';
    await waitFor(async () => {
      const keys = await keysOf(store, 'topics/');
      // A file not starting at a multiple of flush.size overlaps another one: a duplicate.
      const unaligned = keys.filter((k) => { const m = /\+(\d{10})\.json$/.exec(k); return !m || Number(m[1]) % 100 !== 0; });
      last = `${keys.length} files (not at a flush.size boundary: ${unaligned.join(', ') || 'none'}), status ${JSON.stringify(await sdk!.status(name).catch((e: Error) => e.message))}`;
      return keys.length === 60;
    }, { what: 'all 60 files', timeout: 150_000, interval: 1000 }).catch((e: Error) => {
      throw new Error(`${e.message}; ${last}`);
    });
    // Every record once: 6000 distinct n in 60 files of 100, each file named after its first offset.
    const seen = new Map<number, string>();
    for (const key of await keysOf(store, 'topics/')) {
      const m = /partition=(\d)\/.*\+(\d)\+(\d{10})\.json$/.exec(key)!;
      const rows = (await lines(store, key)) as Array<{ n: number }>;
      expect(rows).toHaveLength(100);
      expect(rows[0].n).toBe(Number(m[3]) * 2 + Number(m[2]));
      for (const r of rows) {
        expect(seen.has(r.n), `record ${r.n} in ${key} and ${seen.get(r.n)}`).toBe(false);
        seen.set(r.n, key);
      }
    }
    expect(seen.size).toBe(2 * perPartition);
    await waitFor(async () => {
      const o = await groupOffsets(`connect-${name}`);
      return o[`${t}:0`] === perPartition && o[`${t}:1`] === perPartition;
    }, { what: 'both partitions committed to the end', timeout: 60_000 });
    expect((await sdk.status(name)).tasks[0].worker_id).toBe('hdfs-worker-b');
    await sdk.delete(name);
    b.kill('SIGTERM');
  }, 360_000);
});
