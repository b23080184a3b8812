import { defineConfig, key } from '../config/define.js';
import { DataException } from '../records/schema.js';
import { defineTransform, TRANSFORMS_PACKAGE } from './types.js';
import { configError } from './util/config-errors.js';
import { compileDateFormat, type DateFormat } from './util/date-format.js';

const TOPIC_FORMAT_DEFAULT = '${topic}-${timestamp}';
const TIMESTAMP_FORMAT_DEFAULT = 'yyyyMMdd';

const config = defineConfig({
  'topic.format': key.string({
    default: TOPIC_FORMAT_DEFAULT,
    importance: 'HIGH',
    doc: 'Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.',
  }),
  'timestamp.format': key.string({
    default: TIMESTAMP_FORMAT_DEFAULT,
    importance: 'HIGH',
    doc: 'Format string for the timestamp that is compatible with java.text.SimpleDateFormat (formatted in UTC).',
  }),
});

export const TimestampRouter = defineTransform({
  name: 'TimestampRouter',
  className: `${TRANSFORMS_PACKAGE}.TimestampRouter`,
  aliases: ['TimestampRouter'],
  summary: "Update the record's topic as a function of the original topic value and the record timestamp. "
    + 'Mainly useful for sink connectors, where the topic often names the destination table or index.',
  config,
  create(cfg) {
    let format: DateFormat;
    try {
      format = compileDateFormat(cfg['timestamp.format'] ?? TIMESTAMP_FORMAT_DEFAULT);
    } catch (e) {
      throw configError('timestamp.format', (e as Error).message);
    }
    const topicFormat = cfg['topic.format'] ?? TOPIC_FORMAT_DEFAULT;
    return {
      apply(record) {
        if (record.timestamp === null || record.timestamp === undefined) {
          throw new DataException(`Timestamp missing on record: topic=${record.topic}, partition=${record.kafkaPartition ?? null}`);
        }
        // Topic first, then timestamp, each replaced literally, as Connect does.
        const topic = topicFormat
          .replaceAll('${topic}', () => record.topic)
          .replaceAll('${timestamp}', () => format.format(new Date(record.timestamp as number)));
        return { ...record, topic };
      },
    };
  },
});
