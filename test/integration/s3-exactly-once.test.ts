// Exactly-once files across a kill -9: the S3 sink commits a Kafka offset only after the objects
// holding the records before it are in MinIO, and a task restarted from that offset (on another
// worker process) writes the same objects again under the same names. After the kill, every
// record is in exactly one object and the objects are exactly the flush.size-aligned ones.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConnectClient } from '../../src/client/index.js';
import { kafka } from '../helpers/clients.js';
import { createBucket, emptyBucket, getObject, listKeys, minioEnv, requireMinio, s3Client } from '../helpers/s3.js';
import { REPO_ROOT, stackEnv, uniqueName, waitFor } from '../helpers/stack.js';
import { deleteTopics } from '../helpers/tconnect-process.js';

function spawnWorker(taskQueue: string, id: string): ChildProcess {
  return spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tconnect.mjs'), 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...stackEnv(), TCONNECT_TASK_QUEUE: taskQueue, TCONNECT_WORKER_ID: id, TCONNECT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

describe('S3 sink: exactly once across kill -9 of the worker', () => {
  const env = stackEnv();
  const bucket = uniqueName('tc-s3eo').toLowerCase();
  const topic = uniqueName('s3eo');
  const taskQueue = uniqueName('s3eo-q');
  let s3: S3Client;
  let sdk: ConnectClient;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    await requireMinio();
    s3 = s3Client();
    await createBucket(s3, bucket);
    sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
    await sdk?.close();
    await deleteTopics([topic]);
    if (s3) await emptyBucket(s3, bucket);
    s3?.destroy();
  });

  it('no record missing, none in two objects, object names aligned to flush.size', async () => {
    const partitions = 2;
    const perPartition = 5000;
    const flush = 250;
    const total = partitions * perPartition;
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i += 1000) {
        await producer.send({ topic, messages: Array.from({ length: Math.min(1000, to - i) }, (_, j) => ({ partition: (i + j) % partitions, value: JSON.stringify({ n: i + j, pad: 'x'.repeat(64) }) })) });
      }
    };
    // Half before the kill, half after: whatever the machine's speed, the kill lands mid-stream.
    await send(0, total / 2);

    const a = spawnWorker(taskQueue, 's3-worker-a');
    workers.push(a);
    const e = minioEnv();
    const name = uniqueName('s3eo-sink');
    try {
      await sdk.create({ name, config: {
        'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: topic,
        's3.bucket.name': bucket, 's3.region': e.AWS_REGION, 'store.url': e.S3_ENDPOINT, 'aws.access.key.id': e.AWS_ACCESS_KEY_ID, 'aws.secret.access.key': e.AWS_SECRET_ACCESS_KEY,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
        'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': String(flush),
        // Small batches, so the kill lands between an upload and its offset commit where the machine allows.
        'temporal.batch.max.records': '300',
      } });
      await waitFor(async () => (await listKeys(s3, bucket, `topics/${topic}/`)).length >= 4, { what: 'the first objects', timeout: 90_000, interval: 250 });
      await waitFor(async () => (await sdk.status(name)).tasks[0]?.worker_id === 's3-worker-a', { what: 'the task on worker a' });
      const b = spawnWorker(taskQueue, 's3-worker-b');
      workers.push(b);
      a.kill('SIGKILL');
      const atKill = (await listKeys(s3, bucket, `topics/${topic}/`)).length;
      await send(total / 2, total);
      await producer.disconnect();

      const expected = Array.from({ length: partitions }, (_, p) => Array.from({ length: perPartition / flush }, (_, f) => `topics/${topic}/partition=${p}/${topic}+${p}+${String(f * flush).padStart(10, '0')}.json`)).flat().sort();
      await waitFor(async () => (await listKeys(s3, bucket, `topics/${topic}/`)).length >= expected.length, { what: `${expected.length} objects`, timeout: 180_000, interval: 1000 });
      const keys = await listKeys(s3, bucket, `topics/${topic}/`);
      // Exactly the aligned objects: a restart that did not resume at a file boundary would have written others.
      expect(keys).toEqual(expected);
      expect(atKill).toBeLessThan(expected.length);
      const seen = new Map<number, string>();
      let lines = 0;
      for (const k of keys) {
        for (const line of (await getObject(s3, bucket, k)).toString().split('\n').filter(Boolean)) {
          const n = (JSON.parse(line) as { n: number }).n;
          lines++;
          expect(seen.get(n), `record ${n} in ${k} and ${seen.get(n)}`).toBeUndefined();
          seen.set(n, k);
        }
      }
      expect(lines).toBe(total);
      expect(seen.size).toBe(total);
      const status = await sdk.status(name);
      expect(status.tasks[0].state).toBe('RUNNING');
      expect(status.tasks[0].worker_id).toBe('s3-worker-b');
    } finally {
      await sdk.delete(name).catch(() => undefined);
    }
  });
});
