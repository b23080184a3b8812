import { key, type ConfigOf } from '../../../config/define.js';

// The S3 store's config keys and checks, apart from the store (s3.ts) so that the connector
// registry loads them without the AWS SDK.

const S3 = 'S3';
const MIB = 1024 * 1024;

/** Confluent's S3 connection keys, shared by the S3 sink and source. */
export const s3ConnectionKeys = {
  's3.bucket.name': key.string({ required: true, importance: 'HIGH', group: S3, doc: 'The S3 Bucket.' }),
  's3.region': key.string({ default: 'us-west-2', importance: 'MEDIUM', group: S3, doc: 'The AWS region to be used the connector (MinIO accepts its configured region, us-east-1 by default).' }),
  'store.url': key.string({ importance: 'HIGH', group: S3, example: 'http://127.0.0.1:9000', doc: 'Store\'s connection URL: the S3 endpoint of an S3-compatible server (MinIO) or a private endpoint; unset for AWS\'s own.' }),
  's3.path.style.access.enabled': key.boolean({ default: true, group: S3, doc: 'Use path-style access (http://host/bucket/key) rather than virtual-hosted buckets (http://bucket.host/key).' }),
  'aws.access.key.id': key.string({ group: S3, doc: 'The AWS Access Key ID used to connect to S3; unset: the AWS SDK\'s default credentials chain (AWS_ACCESS_KEY_ID, profiles, instance roles).' }),
  'aws.secret.access.key': key.password({ group: S3, doc: 'The secret access key of aws.access.key.id (use a config provider, e.g. ${env:AWS_SECRET_ACCESS_KEY}).' }),
  's3.part.retries': key.int({ default: 3, min: 0, group: S3, doc: 'Maximum number of retry attempts for a failed request (a part upload, a put, a get, a listing).' }),
  's3.retry.backoff.ms': key.int({ type: 'LONG', default: 200, min: 0, group: S3, doc: 'How long to wait in milliseconds before the first retry; each further retry waits twice as long (with jitter, at most 30 s).' }),
};

/** The sink's multipart key (the source only reads). */
export const s3PartSizeKey = {
  's3.part.size': key.int({ default: 25 * MIB, min: 5 * MIB, max: 2 ** 31 - 1, group: S3, doc: 'The part size in S3 multipart uploads: a file larger than this goes up in parts of this size.' }),
};

export type S3ConnectionConfig = ConfigOf<typeof s3ConnectionKeys> & { 's3.part.size'?: number };

export function s3Problems(cfg: S3ConnectionConfig): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const url = cfg['store.url'];
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push({ key: 'store.url', message: 'must be an http:// or https:// URL' });
    } catch {
      problems.push({ key: 'store.url', message: `is not a URL: ${url}` });
    }
  }
  if ((cfg['aws.access.key.id'] === undefined) !== (cfg['aws.secret.access.key'] === undefined)) {
    problems.push({ key: cfg['aws.access.key.id'] === undefined ? 'aws.access.key.id' : 'aws.secret.access.key', message: 'set both aws.access.key.id and aws.secret.access.key, or neither (the default credentials chain)' });
  }
  return problems;
}
