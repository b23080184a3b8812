import { ConfigError } from '../../errors.js';
import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';

// The WePay/Confluent BigQuery sink keys (names, defaults and meanings of
// com.wepay.kafka.connect.bigquery.config.BigQuerySinkConfig) for the parts we run, plus one key
// of ours, bigQueryEndpoint, for a local emulator or a private endpoint.

export const KEY_SOURCES = ['FILE', 'JSON', 'APPLICATION_DEFAULT'] as const;
export type KeySource = (typeof KEY_SOURCES)[number];
export const PARTITIONING_TYPES = ['HOUR', 'DAY', 'MONTH', 'YEAR'] as const;

const G_CONN = 'Connection';
const G_TABLES = 'Tables';
const G_UPSERT = 'Upsert and delete';

export const bigQuerySinkKeys = {
  project: key.string({ required: true, importance: 'HIGH', group: G_CONN, doc: 'The BigQuery project to write to.' }),
  defaultDataset: key.string({ required: true, importance: 'HIGH', group: G_CONN, doc: 'The default dataset to be used. A topic renamed by a transform to <dataset>:<table> writes to that dataset instead.' }),
  keyfile: key.password({ importance: 'MEDIUM', group: G_CONN, doc: 'With keySource=FILE the path of a JSON service-account key file; with keySource=JSON the key itself. Prefer a config provider reference such as ${file:/run/secrets/bq.properties:key}. Unset with keySource=APPLICATION_DEFAULT.' }),
  keySource: key.enum(KEY_SOURCES, { default: 'FILE', importance: 'MEDIUM', group: G_CONN, doc: 'Whether keyfile is the path to the credentials JSON file (FILE) or the raw JSON of the key itself (JSON). With APPLICATION_DEFAULT, keyfile must not be set and the application default credentials of the worker are used.' }),
  bigQueryEndpoint: key.string({ importance: 'LOW', group: G_CONN, example: 'http://127.0.0.1:9050', doc: 'Ours (not in the WePay connector): the base URL of the BigQuery API, for a local emulator such as goccy/bigquery-emulator or a private endpoint. Unset: Google\'s public endpoint. With an endpoint and no keyfile, requests are sent without credentials (as emulators expect).' }),

  autoCreateTables: key.boolean({ default: true, importance: 'HIGH', group: G_TABLES, doc: 'Automatically create BigQuery tables if they don\'t already exist, with a schema from the record\'s Connect schema (or, for schemaless JSON, inferred from the values).' }),
  allowNewBigQueryFields: key.boolean({ default: false, importance: 'MEDIUM', group: G_TABLES, doc: 'If true, new fields can be added to BigQuery tables during subsequent schema updates (as NULLABLE, or REQUIRED when allowBigQueryRequiredFieldRelaxation permits).' }),
  allowBigQueryRequiredFieldRelaxation: key.boolean({ default: false, importance: 'MEDIUM', group: G_TABLES, doc: 'If true, fields in BigQuery Schema can be changed from REQUIRED to NULLABLE.' }),
  allowSchemaUnionization: key.boolean({ default: false, importance: 'MEDIUM', group: G_TABLES, doc: 'If true, the existing table schema (if one is present) will be unionized with new record schemas during schema updates: fields missing on one side become NULLABLE.' }),
  allBQFieldsNullable: key.boolean({ default: false, importance: 'LOW', group: G_TABLES, doc: 'If true, no fields in any produced BigQuery schema will be REQUIRED: non-optional Connect fields become NULLABLE (or REPEATED, if arrays).' }),
  sanitizeTopics: key.boolean({ default: false, importance: 'MEDIUM', group: G_TABLES, doc: 'Whether to automatically sanitize topic names before using them as table names (every character but letters, digits and _ becomes _, and a name not starting with a letter or _ gets a leading _); if not enabled topic names will be used directly as table names. Ignored for topics in topic2TableMap.' }),
  sanitizeFieldNames: key.boolean({ default: false, importance: 'MEDIUM', group: G_TABLES, doc: 'Whether to sanitize field names the same way before using them as BigQuery field names. Note: fields a.b and a_b then collide.' }),
  topic2TableMap: key.string({ default: '', importance: 'LOW', group: G_TABLES, example: 'orders:orders_v1,users:users_v1', doc: 'Map of topics to tables (optional). Format: comma-separated tuples, e.g. <topic-1>:<table-1>,<topic-2>:<table-2>. sanitizeTopics is ignored for topics in the map; a topic not in the map writes to the table named after it.' }),
  kafkaKeyFieldName: key.string({ importance: 'LOW', group: G_TABLES, doc: 'The name of a RECORD field holding the Kafka record key (its struct fields). Default null: the key is not written. Required with upsertEnabled or deleteEnabled.' }),
  kafkaDataFieldName: key.string({ importance: 'LOW', group: G_TABLES, doc: 'The name of a RECORD field holding the Kafka coordinates of each row: topic, partition, offset and insertTime. Default null: not written.' }),
  timestampPartitionFieldName: key.string({ importance: 'LOW', group: G_TABLES, doc: 'The name of the field in the value that contains the timestamp to partition by in BigQuery, for tables this connector creates. Leave this configuration blank to enable ingestion time partitioning for each table.' }),
  timePartitioningType: key.enum(PARTITIONING_TYPES, { default: 'DAY', caseInsensitive: true, importance: 'LOW', group: G_TABLES, doc: 'The time partitioning type of tables this connector creates: HOUR, DAY, MONTH or YEAR.' }),
  bigQueryPartitionDecorator: key.boolean({ default: true, importance: 'HIGH', group: G_TABLES, doc: 'Whether to append the partition decorator ($yyyyMMdd of the insert day, UTC) to the table name when inserting rows into a day-partitioned table. Set it to false with timestampPartitionFieldName (field-based partitioning) or for a server that does not accept decorators.' }),
  convertDoubleSpecialValues: key.boolean({ default: false, importance: 'LOW', group: G_TABLES, doc: 'Should +Infinity be converted to Double.MAX_VALUE and -Infinity and NaN be converted to Double.MIN_VALUE so they can make it to BigQuery.' }),

  upsertEnabled: key.boolean({ default: false, importance: 'LOW', group: G_UPSERT, doc: 'Enable upsert functionality on the connector through the use of record keys, intermediate tables, and merge flushes. Row-matching will be performed based on the contents of record keys (kafkaKeyFieldName is required).' }),
  deleteEnabled: key.boolean({ default: false, importance: 'LOW', group: G_UPSERT, doc: 'Enable delete functionality through the use of record keys, intermediate tables, and merge flushes. A delete will be performed when a record with a null value (i.e., a tombstone record) is read.' }),
  intermediateTableSuffix: key.string({ default: 'tmp', importance: 'LOW', group: G_UPSERT, doc: 'A suffix that will be appended to the names of destination tables to create the names for the corresponding intermediate tables: <table>_<suffix>_<task>_<uuid>_<epoch ms>.' }),
  mergeIntervalMs: key.int({ default: 60_000, min: -1, type: 'LONG', importance: 'LOW', group: G_UPSERT, doc: 'Accepted for compatibility. Here every put ends with its merge flush (the runtime commits Kafka offsets when put returns, so rows may not wait in the intermediate table); -1 or a positive number.' }),
  mergeRecordsThreshold: key.int({ default: -1, min: -1, type: 'LONG', importance: 'LOW', group: G_UPSERT, doc: 'Accepted for compatibility, like mergeIntervalMs: each put is merged before it returns; -1 or a positive number.' }),

  bigQueryRetry: key.int({ default: 0, min: 0, importance: 'MEDIUM', group: G_CONN, doc: 'The number of retry attempts that will be made per BigQuery request that fails with a backend error (5xx) or a quota exceeded error. When they run out the batch fails with a retriable error, which the runtime retries per errors.retry.timeout.' }),
  bigQueryRetryWait: key.int({ default: 1000, min: 0, type: 'LONG', importance: 'MEDIUM', group: G_CONN, doc: 'The minimum amount of time, in milliseconds, to wait between BigQuery backend or quota exceeded error retry attempts (plus up to 1 s of jitter).' }),
};

export const bigQuerySinkConfig = defineConfig(bigQuerySinkKeys);
export type BigQuerySinkConfig = ConfigOf<typeof bigQuerySinkKeys>;

/** Parses topic2TableMap as WePay does: "t1:table1,t2:table2", each side non-blank, no topic twice. */
export function parseTopic2TableMap(text: string): Map<string, string> | { error: string } {
  const map = new Map<string, string>();
  if (text.trim() === '') return map;
  for (const pair of text.split(',')) {
    const parts = pair.split(':');
    if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
      return { error: `One of the topic to table mappings has an invalid format: ${JSON.stringify(pair.trim())}; use <topic>:<table>,<topic>:<table>` };
    }
    const topic = parts[0]!.trim();
    if (map.has(topic)) return { error: `The topic name ${topic} is duplicated. Topic names cannot be duplicated.` };
    map.set(topic, parts[1]!.trim());
  }
  return map;
}

export function validateBigQuerySink(cfg: BigQuerySinkConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const map = parseTopic2TableMap(cfg.topic2TableMap ?? '');
  if ('error' in map) problems.push({ key: 'topic2TableMap', message: map.error });
  const keyfile = cfg.keyfile?.trim() ?? '';
  if (cfg.keySource === 'APPLICATION_DEFAULT' && keyfile !== '') {
    problems.push({ key: 'keyfile', message: 'keyfile must not be set with keySource=APPLICATION_DEFAULT: remove it, or set keySource to FILE or JSON' });
  }
  if (cfg.keySource !== 'APPLICATION_DEFAULT' && keyfile === '' && !cfg.bigQueryEndpoint) {
    problems.push({ key: 'keyfile', message: `keyfile is required with keySource=${cfg.keySource}: give the service-account key ${cfg.keySource === 'FILE' ? 'file path' : 'JSON'}, or set keySource=APPLICATION_DEFAULT` });
  }
  if (cfg.keySource === 'JSON' && keyfile !== '') {
    try {
      const parsed: unknown = JSON.parse(keyfile);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    } catch {
      // Never echo the value: it is a secret.
      problems.push({ key: 'keyfile', message: 'keyfile is not a JSON object (keySource=JSON expects the service-account key JSON itself)' });
    }
  }
  if (cfg.bigQueryEndpoint) {
    try {
      const u = new URL(cfg.bigQueryEndpoint);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push({ key: 'bigQueryEndpoint', message: `${JSON.stringify(cfg.bigQueryEndpoint)} is not an http(s) URL` });
    }
  }
  if ((cfg.upsertEnabled || cfg.deleteEnabled) && !cfg.kafkaKeyFieldName) {
    problems.push({ key: 'kafkaKeyFieldName', message: 'Kafka key field must be configured when upsert/delete is enabled: set kafkaKeyFieldName' });
  }
  for (const k of ['mergeIntervalMs', 'mergeRecordsThreshold'] as const) {
    if (cfg[k] === 0) problems.push({ key: k, message: 'Cannot be zero: use -1 or a positive number' });
  }
  if ((cfg.upsertEnabled || cfg.deleteEnabled) && cfg.mergeIntervalMs === -1 && cfg.mergeRecordsThreshold === -1) {
    problems.push({ key: 'mergeIntervalMs', message: 'Either mergeIntervalMs or mergeRecordsThreshold, or both must be enabled' });
  }
  if ((cfg.intermediateTableSuffix ?? '').trim() === '') problems.push({ key: 'intermediateTableSuffix', message: 'must not be blank' });
  return problems;
}

export function parseBigQuerySinkConfig(raw: Record<string, unknown>): BigQuerySinkConfig {
  const r = bigQuerySinkConfig.parse(raw);
  const problems = r.ok ? validateBigQuerySink(r.value) : r.problems;
  if (!r.ok || problems.length > 0) {
    throw new ConfigError(`Invalid BigQuery sink configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
  }
  return r.value;
}
