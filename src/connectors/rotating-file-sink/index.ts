import { defineConfig, key } from '../../config/define.js';
import { parseConfig } from '../../plugins/define.js';
import { applyAllowedPaths, checkFileAllowed, fileProblem } from '../file-stream/allowed-paths.js';
import { defineSink } from '../types.js';

// Writes records to CSV or JSON-lines files in a directory, one file series per topic-partition,
// rotated by record count, size or age, with the names and rotation keys of Confluent's storage
// sinks (flush.size, rotate.interval.ms; files <topic>+<partition>+<first offset>.<ext>). Kafka
// Connect has no such file sink of its own; the directory must be inside file.connectors.allowed.paths.

export const rotatingFileConfig = defineConfig({
  'output.path': key.string({ required: true, importance: 'HIGH', doc: 'Directory the files are written to.' }),
  format: key.enum(['json', 'csv'] as const, { default: 'json', caseInsensitive: true, importance: 'HIGH', doc: 'json: one JSON value per line (.jsonl); csv: one row per record (.csv), a Struct\'s fields as columns.' }),
  'flush.size': key.int({ default: 0, min: 0, doc: 'Records per file; the file is closed and a new one begun after this many (0: no limit).' }),
  'rotate.size.bytes': key.int({ type: 'LONG', default: 0, min: 0, doc: 'Close a file once it holds at least this many bytes (0: no limit).' }),
  'rotate.interval.ms': key.int({ type: 'LONG', default: 0, min: 0, doc: 'Close a file this long after its first record, at the next write or flush (0: never).' }),
  'csv.first.row.as.header': key.boolean({ default: true, doc: 'csv: each file starts with a header row of the field names.' }),
  'csv.separator.char': key.int({ default: 44, min: 1, max: 65535, importance: 'LOW', doc: 'csv: the separator as a character code (44 is a comma).' }),
});

export const rotatingFileSink = defineSink({
  name: 'RotatingFileSink',
  className: 'temporal.connect.file.RotatingFileSinkConnector',
  aliases: ['RotatingFileSinkConnector', 'RotatingFileSink'],
  version: '0.1.0',
  summary: 'Writes records to CSV or JSON-lines files rotated by count, size or age (not idempotent: records after the last commit may be written again after a restart).',
  config: rotatingFileConfig,
  applyWorkerConfig: applyAllowedPaths,
  validate(cfg) {
    const problem = fileProblem(cfg['output.path'], false, 'output.path', true);
    return problem ? [{ key: 'output.path', message: problem }] : [];
  },
  async taskConfigs(raw, maxTasks) {
    checkFileAllowed(parseConfig(rotatingFileConfig, raw)['output.path'], 'output.path', true);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },
  async startTask(taskConfig, ctx) {
    const { startRotatingFileTask } = await import('./task.js');
    return startRotatingFileTask(parseConfig(rotatingFileConfig, taskConfig), ctx);
  },
});
