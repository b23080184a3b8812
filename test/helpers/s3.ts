import { CreateBucketCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { stackSetting } from './stack.js';

/** MinIO's address and root credentials, from the environment or `scripts/stack.sh env` (scripts/stack/services/minio.sh). */
export interface MinioEnv {
  S3_ENDPOINT: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
}

let cached: MinioEnv | undefined;

export function minioEnv(): MinioEnv {
  if (cached) return cached;
  const keys = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
  const env = {} as MinioEnv;
  for (const k of keys) env[k] = stackSetting(k)!;
  cached = env;
  return env;
}

export function s3Client(): S3Client {
  const e = minioEnv();
  return new S3Client({ endpoint: e.S3_ENDPOINT, region: e.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY } });
}

/** Fails with the fix when MinIO does not answer (a missing server is a failure, never a skip). */
export async function requireMinio(): Promise<void> {
  const e = minioEnv();
  const ok = await fetch(`${e.S3_ENDPOINT}/minio/health/ready`).then((r) => r.ok, () => false);
  if (!ok) throw new Error(`MinIO does not answer at ${e.S3_ENDPOINT}: start it with 'npm run stack -- up minio' (npm test does)`);
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Empties a bucket (best effort at the end of a test file; MinIO keeps the empty bucket). */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  const keys = await listKeys(s3, bucket).catch(() => []);
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
  }
}

/** The S3 sink/source keys that reach MinIO; the secret through the env config provider. */
export function s3ConnectorConfig(bucket: string): Record<string, string> {
  const e = minioEnv();
  process.env.TC_TEST_S3_SECRET = e.AWS_SECRET_ACCESS_KEY;
  return {
    's3.bucket.name': bucket,
    's3.region': e.AWS_REGION,
    'store.url': e.S3_ENDPOINT,
    'aws.access.key.id': e.AWS_ACCESS_KEY_ID,
    'aws.secret.access.key': '${env:TC_TEST_S3_SECRET}',
  };
}
