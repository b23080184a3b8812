import { defineConfig, key } from '../../config/define.js';
import { parseConfig as parse } from '../../plugins/define.js';
import { defineSink, defineSource } from '../types.js';
import { applyAllowedPaths, checkFileAllowed, fileProblem } from './allowed-paths.js';
import { startFileSinkTask } from './sink.js';
import { startFileSourceTask } from './source.js';

// Kafka Connect's FileStream connectors (org.apache.kafka.connect.file.*), with their keys and
// offsets. Unlike Connect, `file` is required (no stdin/stdout) and must lie inside a directory the
// worker allows (file.connectors.allowed.paths), so REST users cannot read or write worker files.

const fileKey = (doc: string) => key.string({ required: true, importance: 'HIGH', doc, example: '/var/lib/tconnect/files/input.txt' });

const sourceConfig = defineConfig({
  file: fileKey('Source filename (absolute, inside a directory listed in the worker property file.connectors.allowed.paths).'),
  topic: key.string({ required: true, importance: 'HIGH', doc: 'The topic to publish data to' }),
  'batch.size': key.int({ default: 2000, min: 1, importance: 'LOW', doc: 'The maximum number of records the source task can read from the file each time it is polled' }),
});

const sinkConfig = defineConfig({
  file: fileKey('Destination filename (absolute, inside a directory listed in the worker property file.connectors.allowed.paths).'),
});

const VERSION = '0.1.0';

/** The path check where the worker's settings are known (workers, REST servers); clients leave it to them. */
function validateFile(cfg: { file: string }) {
  const problem = fileProblem(cfg.file, false);
  return problem ? [{ key: 'file', message: problem }] : [];
}

export const fileStreamSource = defineSource({
  name: 'FileStreamSource',
  className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
  aliases: ['FileStreamSourceConnector', 'FileStreamSource'],
  version: VERSION,
  summary: 'Reads the lines of a file into a topic, one record per line (a string value); offsets are byte positions, as Connect.',
  config: sourceConfig,
  validate: validateFile,
  applyWorkerConfig: applyAllowedPaths,

  async taskConfigs(raw) {
    const cfg = parse(sourceConfig, raw);
    checkFileAllowed(cfg.file);
    // As Connect: one file, one task, whatever tasks.max says.
    return [{ ...raw }];
  },

  async startTask(taskConfig, ctx) {
    const cfg = parse(sourceConfig, taskConfig);
    return startFileSourceTask({ file: cfg.file, topic: cfg.topic, batchSize: cfg['batch.size'] }, ctx);
  },
});

export const fileStreamSink = defineSink({
  name: 'FileStreamSink',
  className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
  aliases: ['FileStreamSinkConnector', 'FileStreamSink'],
  version: VERSION,
  summary: "Appends each record's value to a file as a line (not idempotent: a redelivered record is written again).",
  config: sinkConfig,
  validate: validateFile,
  applyWorkerConfig: applyAllowedPaths,

  async taskConfigs(raw, maxTasks) {
    checkFileAllowed(parse(sinkConfig, raw).file);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  async startTask(taskConfig) {
    return startFileSinkTask(parse(sinkConfig, taskConfig).file);
  },
});
