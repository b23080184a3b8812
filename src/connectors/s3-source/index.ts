import { defineConfig, key } from '../../config/define.js';
import { parseConfig } from '../../plugins/define.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { defineSource } from '../types.js';
import { s3ConnectionKeys, s3Problems } from '../storage/stores/s3-config.js';

// Confluent's S3 source (io.confluent.connect.s3.source.S3SourceConnector), in its two modes:
// RESTORE_BACKUP reads back what the S3 sink wrote (<topics.dir>/<topic>/<partition path>/
// <topic>+<partition>+<offset>.<ext>) into the same topics and partitions, each partition's
// files in name (so offset) order; GENERALIZED reads any objects under topics.dir whose keys
// match topic.regex.list into the topic named there. Offsets are per object: how many records of
// it were produced, and whether it is done.

const SOURCE = 'S3 Source';

export const FORMAT_PACKAGE = 'io.confluent.connect.s3.format';

export const s3SourceConfig = defineConfig({
  ...s3ConnectionKeys,
  mode: key.enum(['RESTORE_BACKUP', 'GENERALIZED'] as const, { default: 'RESTORE_BACKUP', caseInsensitive: true, importance: 'HIGH', group: SOURCE, doc: 'RESTORE_BACKUP: read the files the S3 sink wrote back into their topics and partitions. GENERALIZED: read any objects under topics.dir whose keys match topic.regex.list.' }),
  'format.class': key.string({ required: true, importance: 'HIGH', group: SOURCE, example: `${FORMAT_PACKAGE}.json.JsonFormat`, doc: 'The format of the objects: a class ending in JsonFormat (JSON lines), ByteArrayFormat (records split at format.bytearray.separator), AvroFormat (Avro container files) or CsvFormat (GENERALIZED: the first line names the columns; each row a Struct of optional strings).' }),
  'topics.dir': key.string({ default: 'topics', group: SOURCE, doc: 'Top level directory (key prefix) the objects are read from.' }),
  'topic.regex.list': key.list({ group: SOURCE, example: 'orders:.*\\.json,clicks:clicks/.*', doc: 'GENERALIZED: <topic>:<regex> pairs, comma-separated: an object under topics.dir whose whole key matches the regex goes to the topic; the first match wins.' }),
  'directory.delim': key.string({ default: '/', group: SOURCE, doc: 'Directory delimiter pattern.' }),
  'file.delim': key.string({ default: '+', group: SOURCE, doc: 'File delimiter pattern of the sink\'s file names (RESTORE_BACKUP).' }),
  'format.bytearray.separator': key.string({ importance: 'LOW', group: SOURCE, doc: 'ByteArrayFormat: the separator between records; unset: a line feed.' }),
  's3.poll.interval.ms': key.int({ type: 'LONG', default: 60_000, min: 1, group: SOURCE, doc: 'How often to list the bucket for new objects once every known object is read.' }),
  'record.batch.max.size': key.int({ default: 200, min: 1, group: SOURCE, doc: 'Most records one poll returns.' }),
  'behavior.on.error': key.enum(['fail', 'ignore'] as const, { default: 'fail', caseInsensitive: true, group: SOURCE, doc: 'An object that cannot be parsed: fail fails the task (naming the object); ignore logs it and skips the object.' }),
  // Set by taskConfigs, never by users.
  'task.index': key.int({ default: 0, min: 0, importance: 'LOW', doc: 'Internal: which share of the objects this task reads.' }),
  'task.count': key.int({ default: 1, min: 1, importance: 'LOW', doc: 'Internal: how many tasks share the objects.' }),
});

export const s3Source = defineSource({
  name: 'S3Source',
  className: 'io.confluent.connect.s3.source.S3SourceConnector',
  aliases: ['S3SourceConnector', 'S3Source'],
  version: '0.1.0',
  summary: 'Reads back what the S3 sink wrote (or JSON-lines, CSV, Avro, byte objects under a prefix) into topics, with offsets per object and position.',
  config: s3SourceConfig,
  validate(cfg) {
    const problems = s3Problems(cfg);
    if (!/(JsonFormat|ByteArrayFormat|AvroFormat|CsvFormat)$/.test(cfg['format.class'])) problems.push({ key: 'format.class', message: 'use a class ending in JsonFormat, ByteArrayFormat, AvroFormat or CsvFormat' });
    if (cfg.mode === 'RESTORE_BACKUP' && cfg['format.class'].endsWith('CsvFormat')) problems.push({ key: 'format.class', message: 'CsvFormat is for GENERALIZED mode (the S3 sink writes no CSV)' });
    if (cfg.mode === 'GENERALIZED') {
      if (cfg['topic.regex.list'].length === 0) problems.push({ key: 'topic.regex.list', message: 'GENERALIZED mode needs at least one <topic>:<regex> pair' });
      for (const pair of cfg['topic.regex.list']) {
        const i = pair.indexOf(':');
        if (i <= 0 || i === pair.length - 1) {
          problems.push({ key: 'topic.regex.list', message: `"${pair}" is not <topic>:<regex>` });
          continue;
        }
        try {
          compileJavaRegex(pair.slice(i + 1), true, 'topic.regex.list');
        } catch (e) {
          problems.push({ key: 'topic.regex.list', message: (e as Error).message });
        }
      }
    }
    return problems;
  },
  async taskConfigs(raw, maxTasks) {
    parseConfig(s3SourceConfig, raw);
    const tasks = Math.max(1, maxTasks);
    return Array.from({ length: tasks }, (_, i) => ({ ...raw, 'task.index': String(i), 'task.count': String(tasks) }));
  },
  async startTask(taskConfig, ctx) {
    const { startS3SourceTask } = await import('./task.js');
    return startS3SourceTask(parseConfig(s3SourceConfig, taskConfig), ctx);
  },
});
