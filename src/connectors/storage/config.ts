import { key, type ConfigOf } from '../../config/define.js';
import { AVRO_CODECS } from './avro.js';
import { FORMATS, formatName } from './formats.js';
import { PARTITIONER_PACKAGE, PARTITIONERS, TIMESTAMP_EXTRACTORS, partitionerName } from './partitioner.js';
import { PathFormat } from './path-format.js';

// The keys every storage sink shares (Confluent's StorageCommonConfig, StorageSinkConnectorConfig,
// PartitionerConfig and the S3 sink's format keys), with their names, defaults and meaning.
// A store adds its own keys (bucket, credentials, compression) beside these.

const STORAGE = 'Storage';
const PARTITIONER = 'Partitioner';

/** The shared keys; `formatPackage` is the store's format package (io.confluent.connect.s3.format) for the defaults. */
export function storageSinkKeys(formatPackage: string) {
  const avroFormat = `${formatPackage}.avro.AvroFormat`;
  return {
    'format.class': key.string({ required: true, importance: 'HIGH', group: STORAGE, example: `${formatPackage}.json.JsonFormat`, doc: `The format of the files: a class name ending in ${FORMATS.join(', ')} (e.g. ${formatPackage}.json.JsonFormat: JSON lines; ByteArrayFormat: the raw value bytes, each followed by format.bytearray.separator; AvroFormat: Avro container files).` }),
    'flush.size': key.int({ required: true, min: 1, importance: 'HIGH', group: STORAGE, doc: 'Number of records written to store before invoking file commits: a file (with all open files of its Kafka partition) is committed once its Kafka partition has this many records in open files.' }),
    'rotate.interval.ms': key.int({ type: 'LONG', default: -1, min: -1, group: STORAGE, doc: 'The time interval in milliseconds to invoke file commits, measured in record time (the timestamp the time-based partitioner\'s timestamp.extractor gives): files are committed when a record\'s time is this far past the first record\'s of the open files, or when the encoded partition changes (rotate.file.on.partition.change). Only with a time-based partitioner. -1 disables it.' }),
    'rotate.schedule.interval.ms': key.int({ type: 'LONG', default: -1, min: -1, group: STORAGE, doc: 'The time interval in milliseconds to periodically invoke file commits by the wall clock (in timezone; intervals counted from the start of each day). Needs timezone. Files committed on this schedule are not reproduced identically after a restart. -1 disables it.' }),
    'rotate.file.on.partition.change': key.boolean({ default: true, group: STORAGE, doc: 'With rotate.interval.ms, commit the open files when a record\'s encoded partition differs from the previous record\'s.' }),
    'topics.dir': key.string({ default: 'topics', group: STORAGE, doc: 'Top level directory (key prefix) to store the data ingested from Kafka; blank for none.' }),
    'directory.delim': key.string({ default: '/', group: STORAGE, doc: 'Directory delimiter pattern.' }),
    'file.delim': key.string({ default: '+', group: STORAGE, doc: 'File delimiter pattern, between topic, Kafka partition and start offset in a file name.' }),
    'filename.offset.zero.pad.width': key.int({ default: 10, min: 0, importance: 'LOW', group: STORAGE, doc: 'Width to zero-pad offsets in file names to.' }),
    'store.kafka.keys': key.boolean({ default: false, group: STORAGE, doc: 'Also write the records\' keys, to <file>.keys.<ext> beside each value file, in keys.format.class. A record with a null key is then rejected (dead letter queue).' }),
    'store.kafka.headers': key.boolean({ default: false, group: STORAGE, doc: 'Also write the records\' headers, to <file>.headers.<ext> beside each value file, in headers.format.class. A record without headers is then rejected (dead letter queue).' }),
    'keys.format.class': key.string({ default: avroFormat, group: STORAGE, doc: 'The format of the key files (store.kafka.keys).' }),
    'headers.format.class': key.string({ default: avroFormat, group: STORAGE, doc: 'The format of the header files (store.kafka.headers).' }),
    'behavior.on.null.values': key.enum(['ignore', 'fail', 'write'] as const, { default: 'fail', caseInsensitive: true, group: STORAGE, doc: 'Records with a null value (tombstones): ignore skips them; fail fails the task; write puts them in the tombstone.encoded.partition directory, which holds only key files (needs store.kafka.keys=true).' }),
    'tombstone.encoded.partition': key.string({ default: 'tombstone', group: STORAGE, doc: 'The encoded partition (directory) of null-valued records with behavior.on.null.values=write.' }),
    'avro.codec': key.enum(AVRO_CODECS, { default: 'null', group: STORAGE, doc: 'The Avro compression codec of AvroFormat files: null or deflate.' }),
    'format.bytearray.extension': key.string({ default: '.bin', group: STORAGE, doc: 'Output file extension for ByteArrayFormat.' }),
    'format.bytearray.separator': key.string({ importance: 'LOW', group: STORAGE, doc: 'String inserted between records with ByteArrayFormat; unset: a line feed (Confluent: the JVM\'s line separator).' }),
    'partitioner.class': key.string({ default: `${PARTITIONER_PACKAGE}.DefaultPartitioner`, importance: 'HIGH', group: PARTITIONER, doc: `The partitioner: a class name ending in ${PARTITIONERS.join(', ')} (package ${PARTITIONER_PACKAGE}). DefaultPartitioner: partition=<kafka partition>; FieldPartitioner: <field>=<value> per partition.field.name; TimeBasedPartitioner: path.format of the record time floored to partition.duration.ms; Daily/HourlyPartitioner: 'year'=YYYY/'month'=MM/'day'=dd(/'hour'=HH).` }),
    'partition.field.name': key.list({ group: PARTITIONER, doc: 'FieldPartitioner: the value fields (dotted for nested ones) whose values name the directories, in order.' }),
    'partition.duration.ms': key.int({ type: 'LONG', default: -1, min: -1, group: PARTITIONER, doc: 'TimeBasedPartitioner: the duration of a partition in milliseconds.' }),
    'path.format': key.string({ default: '', group: PARTITIONER, example: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", doc: 'TimeBasedPartitioner: a Joda-Time pattern for the directories of a partition, e.g. \'year\'=YYYY/\'month\'=MM/\'day\'=dd/\'hour\'=HH.' }),
    locale: key.string({ default: '', group: PARTITIONER, example: 'en-US', doc: 'Time-based partitioners: the locale of the formatting (month and day names), e.g. en-US or en.' }),
    timezone: key.string({ default: '', group: PARTITIONER, example: 'UTC', doc: 'Time-based partitioners and rotate.schedule.interval.ms: the time zone (IANA id, e.g. UTC or Europe/Berlin).' }),
    'timestamp.extractor': key.string({ default: 'Wallclock', group: PARTITIONER, doc: 'Time-based partitioners: where a record\'s time comes from: Wallclock (now), Record (the Kafka timestamp) or RecordField (timestamp.field of the value: epoch milliseconds, an ISO-8601 string or a Timestamp).' }),
    'timestamp.field': key.string({ default: 'timestamp', group: PARTITIONER, doc: 'RecordField timestamp extractor: the (dotted) value field holding the time.' }),
  };
}

export type StorageSinkKeys = ReturnType<typeof storageSinkKeys>;
export type StorageSinkConfig = ConfigOf<StorageSinkKeys>;

const TIME_BASED = new Set(['TimeBasedPartitioner', 'DailyPartitioner', 'HourlyPartitioner']);

/** Cross-key checks of the shared keys, by key. */
export function validateStorageSink(cfg: StorageSinkConfig): Array<{ key: string; message: string }> {
  const str = (k: 'locale' | 'timezone' | 'path.format' | 'format.class' | 'keys.format.class' | 'headers.format.class' | 'partitioner.class' | 'directory.delim' | 'timestamp.extractor') => cfg[k] ?? '';
  const problems: Array<{ key: string; message: string }> = [];
  for (const k of ['format.class', 'keys.format.class', 'headers.format.class'] as const) {
    if (!formatName(str(k))) problems.push({ key: k, message: `unknown format ${str(k)}: use a class ending in ${FORMATS.join(', ')}` });
  }
  const partitioner = partitionerName(str('partitioner.class'));
  if (!partitioner) problems.push({ key: 'partitioner.class', message: `unknown partitioner ${str('partitioner.class')}: use ${PARTITIONER_PACKAGE}.<${PARTITIONERS.join('|')}>` });
  if (partitioner === 'FieldPartitioner' && cfg['partition.field.name'].length === 0) problems.push({ key: 'partition.field.name', message: 'FieldPartitioner needs at least one field name' });
  if (partitioner && TIME_BASED.has(partitioner)) {
    if (!(TIMESTAMP_EXTRACTORS as readonly string[]).includes(str('timestamp.extractor'))) problems.push({ key: 'timestamp.extractor', message: `must be one of ${TIMESTAMP_EXTRACTORS.join(', ')}` });
    if (!str('locale').trim()) problems.push({ key: 'locale', message: 'Locale cannot be empty with a time-based partitioner (e.g. en-US)' });
    if (!str('timezone').trim()) problems.push({ key: 'timezone', message: 'Timezone cannot be empty with a time-based partitioner (e.g. UTC)' });
    if (partitioner === 'TimeBasedPartitioner') {
      if (cfg['partition.duration.ms'] <= 0) problems.push({ key: 'partition.duration.ms', message: 'TimeBasedPartitioner needs a positive partition duration (e.g. 3600000)' });
      if (!str('path.format').trim() || str('path.format') === str('directory.delim')) problems.push({ key: 'path.format', message: 'Path format cannot be empty with TimeBasedPartitioner' });
    }
  }
  const zoneNeeded = (partitioner && TIME_BASED.has(partitioner)) || cfg['rotate.schedule.interval.ms'] > 0;
  if (zoneNeeded && str('timezone').trim()) {
    try {
      new PathFormat(partitioner === 'TimeBasedPartitioner' && str('path.format').trim() ? str('path.format') : 'YYYY', str('timezone'), str('locale') || 'en');
    } catch (e) {
      const message = (e as Error).message;
      problems.push({ key: message.startsWith('unknown time zone') ? 'timezone' : 'path.format', message });
    }
  }
  if (cfg['rotate.schedule.interval.ms'] > 0 && !str('timezone').trim()) problems.push({ key: 'timezone', message: 'rotate.schedule.interval.ms needs a timezone (e.g. UTC)' });
  if (cfg['behavior.on.null.values'] === 'write' && !cfg['store.kafka.keys']) problems.push({ key: 'behavior.on.null.values', message: 'write needs store.kafka.keys=true (tombstones are stored as their keys)' });
  if (!str('directory.delim')) problems.push({ key: 'directory.delim', message: 'must not be empty' });
  return problems;
}
