import { defineConfig, key } from '../../config/define.js';
import { parseConfig } from '../../plugins/define.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { applyAllowedPaths, checkFileAllowed, fileProblem } from '../file-stream/allowed-paths.js';
import { defineSource } from '../types.js';
import { parseDeclaredSchema } from './schema.js';
import { startSpoolDirTask } from './task.js';

// The spooldir CSV source users know (com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector),
// its main keys and offsets: a directory of CSV files, one record per row, files moved to
// finished.path once all their rows are in Kafka (error.path when they cannot be parsed).
// Its directories must lie inside the worker's file.connectors.allowed.paths, as FileStream's files.

export const spoolDirConfig = defineConfig({
  'input.path': key.string({ required: true, importance: 'HIGH', doc: 'Directory to read CSV files from.' }),
  'finished.path': key.string({ importance: 'HIGH', doc: 'Directory files go to once every row is in Kafka (required with cleanup.policy MOVE).' }),
  'error.path': key.string({ required: true, importance: 'HIGH', doc: 'Directory files that cannot be parsed go to.' }),
  'input.file.pattern': key.string({ required: true, importance: 'HIGH', doc: 'Regular expression a file name must match entirely to be read.', example: '^.*\\.csv$' }),
  topic: key.string({ required: true, importance: 'HIGH', doc: 'The topic to write the records to.' }),
  'csv.first.row.as.header': key.boolean({ default: false, doc: 'The first row holds the column names (else columns are column01, column02, …).' }),
  'schema.generation.enabled': key.boolean({ default: false, doc: 'Without value.schema: every column an optional string, named by the header.' }),
  'value.schema': key.string({ doc: 'The value schema as spooldir writes it: {"name":…, "type":"STRUCT", "fieldSchemas":{"id":{"type":"INT64","isOptional":false},…}}.' }),
  'csv.separator.char': key.int({ default: 44, min: 1, max: 65535, importance: 'LOW', doc: 'The separator as a character code (44 is a comma, 59 a semicolon, 9 a tab).' }),
  'batch.size': key.int({ default: 1000, min: 1, importance: 'LOW', doc: 'Records one poll returns at most.' }),
  'cleanup.policy': key.enum(['MOVE', 'DELETE', 'NONE'] as const, { default: 'MOVE', importance: 'LOW', doc: 'What happens to a file once all its rows are in Kafka.' }),
  'halt.on.error': key.boolean({ default: true, importance: 'LOW', doc: 'A file that cannot be parsed fails the task (true) or is moved to error.path and skipped (false).' }),
});

const DIR_KEYS = ['input.path', 'finished.path', 'error.path'] as const;

export const spoolDirCsvSource = defineSource({
  name: 'SpoolDirCsvSource',
  className: 'com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector',
  aliases: ['SpoolDirCsvSourceConnector', 'SpoolDirCsvSource'],
  version: '0.1.0',
  summary: 'Reads the CSV files of a directory into a topic, one record per row, with a declared or generated schema; finished files are moved away.',
  config: spoolDirConfig,
  applyWorkerConfig: applyAllowedPaths,
  validate(cfg) {
    const problems: Array<{ key: string; message: string }> = [];
    for (const k of DIR_KEYS) {
      const problem = cfg[k] ? fileProblem(cfg[k], false, k, true) : null;
      if (problem) problems.push({ key: k, message: problem });
    }
    if (cfg['cleanup.policy'] === 'MOVE' && !cfg['finished.path']) problems.push({ key: 'finished.path', message: 'Missing required configuration "finished.path" for cleanup.policy MOVE.' });
    try {
      compileJavaRegex(cfg['input.file.pattern'], true, 'input.file.pattern');
    } catch (e) {
      problems.push({ key: 'input.file.pattern', message: (e as Error).message });
    }
    if (cfg['value.schema']) {
      try {
        parseDeclaredSchema(cfg['value.schema']);
      } catch (e) {
        problems.push({ key: 'value.schema', message: `Invalid value for configuration value.schema: ${(e as Error).message}` });
      }
    } else if (!cfg['schema.generation.enabled']) {
      problems.push({ key: 'value.schema', message: 'Missing required configuration "value.schema" (or set schema.generation.enabled=true).' });
    }
    return problems;
  },

  async taskConfigs(raw) {
    const cfg = parseConfig(spoolDirConfig, raw);
    for (const k of DIR_KEYS) if (cfg[k]) checkFileAllowed(cfg[k], k, true);
    // One task: files are taken one at a time, in name order.
    return [{ ...raw }];
  },

  async startTask(taskConfig, ctx) {
    return startSpoolDirTask(parseConfig(spoolDirConfig, taskConfig), ctx);
  },
});
