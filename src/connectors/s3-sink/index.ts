import { key } from '../../config/define.js';
import { defineStorageSink } from '../storage/sink.js';
import { S3Store } from '../storage/stores/s3.js';
import { s3ConnectionKeys, s3PartSizeKey, s3Problems } from '../storage/stores/s3-config.js';

// Confluent's S3 sink (io.confluent.connect.s3.S3SinkConnector): the storage-sink core over an
// S3 store. Everything but the store's keys is the core's (src/connectors/storage/).

const S3 = 'S3';

export const s3Sink = defineStorageSink({
  name: 'S3Sink',
  className: 'io.confluent.connect.s3.S3SinkConnector',
  aliases: ['S3SinkConnector', 'S3Sink'],
  version: '0.1.0',
  summary: 'Writes topics to S3 (or an S3-compatible server) as JSON-lines, raw-bytes or Avro files per partition, rotated by count and time, with exactly-once files across restarts.',
  formatPackage: 'io.confluent.connect.s3.format',
  storeKeys: {
    ...s3ConnectionKeys,
    ...s3PartSizeKey,
    's3.compression.type': key.enum(['none', 'gzip'] as const, { default: 'none', group: S3, doc: 'Compression of JsonFormat and ByteArrayFormat files (gzip adds .gz to the name); AvroFormat uses avro.codec.' }),
    's3.compression.level': key.int({ default: -1, min: -1, max: 9, group: S3, doc: 'The gzip level, -1 (zlib\'s default) or 0 to 9.' }),
  },
  validateStore: s3Problems,
  compression: (cfg) => ({ type: cfg['s3.compression.type'], level: cfg['s3.compression.level'] }),
  openStore: (cfg, ctx) => new S3Store(cfg, ctx.logger),
});
