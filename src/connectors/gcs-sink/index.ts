import { key } from '../../config/define.js';
import { defineStorageSink } from '../storage/sink.js';
import { GCS_DEFAULT_PART_SIZE } from '../storage/stores/gcs-config.js';

// Confluent's Google Cloud Storage sink (io.confluent.connect.gcs.GcsSinkConnector): the shared
// storage-sink core (partitioners, formats, rotation, exactly-once file names) over GcsStore.
// store.url points it at another endpoint, e.g. the fake-gcs-server emulator.

const GCS = 'GCS';

const gcsKeys = {
  'gcs.bucket.name': key.string({ required: true, importance: 'HIGH', group: GCS, doc: 'The name of the GCS bucket.' }),
  'gcs.part.size': key.int({ default: GCS_DEFAULT_PART_SIZE, min: 5 * 1024 * 1024, group: GCS, doc: 'The part size in GCS uploads, in bytes: an object larger than this goes up as a resumable upload in parts of this size (rounded down to a multiple of 256 KiB); a smaller one in one request.' }),
  'gcs.credentials.path': key.string({ importance: 'HIGH', group: GCS, doc: 'Path to a service-account key file (JSON). If neither this nor gcs.credentials.json is set, Google\'s application default credentials are used (GOOGLE_APPLICATION_CREDENTIALS, the metadata server).' }),
  'gcs.credentials.json': key.password({ importance: 'HIGH', group: GCS, doc: 'The content of a service-account key file (JSON); a secret, best given as a config provider reference (${file:...}, ${env:...}).' }),
  'gcs.compression.type': key.enum(['none', 'gzip'] as const, { default: 'none', group: GCS, doc: 'Compression of JsonFormat and ByteArrayFormat objects: none or gzip (objects get Content-Encoding gzip and the .gz extension).' }),
  'gcs.compression.level': key.int({ default: -1, min: -1, max: 9, group: GCS, doc: 'The gzip level: -1 (the default level), 0 (none) to 9 (best).' }),
  'gcs.part.retries': key.int({ default: 3, min: 0, group: GCS, doc: 'Retries of a failed GCS request (network error, 408, 429, 5xx) before the task gives up on it; the runtime then retries the batch per errors.retry.timeout.' }),
  'gcs.retry.backoff.ms': key.int({ type: 'LONG', default: 200, min: 0, group: GCS, doc: 'Wait before the first retry of a failed GCS request, doubled for each further one (at most 30 s).' }),
  'store.url': key.string({ group: GCS, example: 'http://127.0.0.1:4443', doc: 'The store\'s URL: another GCS JSON API endpoint than Google\'s, such as an emulator. No token is sent to it unless credentials are configured.' }),
};

export const gcsSink = defineStorageSink({
  name: 'GcsSink',
  className: 'io.confluent.connect.gcs.GcsSinkConnector',
  aliases: ['GcsSinkConnector', 'GcsSink'],
  version: '0.1.0',
  summary: 'Writes topics to Google Cloud Storage objects (JSON lines, raw bytes, Avro), partitioned by Kafka partition, field or time, exactly once.',
  formatPackage: 'io.confluent.connect.gcs.format',
  storeKeys: gcsKeys,
  validateStore(cfg) {
    const problems: Array<{ key: string; message: string }> = [];
    if (cfg['gcs.credentials.path'] && cfg['gcs.credentials.json']) problems.push({ key: 'gcs.credentials.json', message: 'set gcs.credentials.path or gcs.credentials.json, not both' });
    if (cfg['gcs.credentials.json']) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(cfg['gcs.credentials.json']);
      } catch {
        parsed = undefined;
      }
      // The content is never echoed: it is a secret.
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push({ key: 'gcs.credentials.json', message: 'is not a JSON object: give the content of a service-account key file' });
    }
    if (cfg['store.url'] && !/^https?:\/\/[^/]+/i.test(cfg['store.url'])) problems.push({ key: 'store.url', message: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:4443' });
    return problems;
  },
  compression: (cfg) => ({ type: cfg['gcs.compression.type'], level: cfg['gcs.compression.level'] }),
  // Google's client loads when a task opens its store, not with the connector registry.
  async openStore(cfg) {
    const { GcsStore } = await import('../storage/stores/gcs.js');
    return new GcsStore({
      bucket: cfg['gcs.bucket.name'],
      endpoint: cfg['store.url'],
      partSize: cfg['gcs.part.size'],
      keyFilename: cfg['gcs.credentials.path'],
      credentials: cfg['gcs.credentials.json'] ? (JSON.parse(cfg['gcs.credentials.json']) as Record<string, unknown>) : undefined,
      retries: cfg['gcs.part.retries'],
      retryBackoffMs: cfg['gcs.retry.backoff.ms'],
    });
  },
});
