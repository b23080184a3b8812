import { ConfigError } from '../../errors.js';
import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { parseSnowflakeUrl } from './url.js';

// The Snowflake Kafka connector's keys (com.snowflake.kafka.connector.SnowflakeSinkConnectorConfig,
// 3.x names and defaults) for the parts we run. Rows are written through Snowflake's SQL API.

const G_CONN = 'Snowflake Login Info';
const G_BUF = 'Connector Config';

export const snowflakeSinkKeys = {
  'snowflake.url.name': key.string({ required: true, importance: 'HIGH', group: G_CONN, example: 'myorg-myaccount.snowflakecomputing.com:443', doc: 'Snowflake account URL: [https://]<account>.snowflakecomputing.com[:443]. The account name is its first label (override with snowflake.account.name). http:// is accepted for a local stand-in only.' }),
  'snowflake.account.name': key.string({ importance: 'LOW', group: G_CONN, doc: 'Ours (not in Snowflake\'s connector): the account identifier used in the key-pair JWT, when it is not the first label of snowflake.url.name (a local stand-in, a proxy). Upper-cased as Snowflake requires.' }),
  'snowflake.user.name': key.string({ required: true, importance: 'HIGH', group: G_CONN, doc: 'User name for the Snowflake account; the user\'s RSA_PUBLIC_KEY must match snowflake.private.key.' }),
  'snowflake.private.key': key.password({ required: true, importance: 'HIGH', group: G_CONN, doc: 'Private key of the user (PKCS#8, PEM with or without its BEGIN/END lines, line breaks optional); encrypted keys need snowflake.private.key.passphrase. Prefer a config provider reference such as ${file:/run/secrets/sf.properties:key}.' }),
  'snowflake.private.key.passphrase': key.password({ importance: 'LOW', group: G_CONN, doc: 'Passphrase of an encrypted private key.' }),
  'snowflake.database.name': key.string({ required: true, importance: 'HIGH', group: G_CONN, doc: 'Snowflake database name.' }),
  'snowflake.schema.name': key.string({ required: true, importance: 'HIGH', group: G_CONN, doc: 'Snowflake schema name.' }),
  'snowflake.role.name': key.string({ importance: 'LOW', group: G_CONN, doc: 'Snowflake role to use; unset: the user\'s default role.' }),
  'snowflake.warehouse.name': key.string({ importance: 'LOW', group: G_CONN, doc: 'Ours (the SQL API runs statements on a warehouse; Snowpipe, which Snowflake\'s connector uses, does not): the warehouse for the inserts; unset: the user\'s default warehouse.' }),
  'snowflake.topic2table.map': key.string({ default: '', importance: 'LOW', group: G_BUF, example: 'orders:ORDERS,audit.*:AUDIT', doc: 'Map of topics to tables (optional). Format: comma-separated tuples, e.g. <topic-1>:<table-1>,<topic-2>:<table-2>; a topic may be a regex (.*) matching several. Table names start with _ or a letter and hold only _, $, letters and digits. Unmapped topics: the topic name when it is a valid identifier, else a name made valid plus _<hash of the topic>.' }),
  'buffer.count.records': key.int({ default: 10_000, min: 1, type: 'LONG', importance: 'LOW', group: G_BUF, doc: 'Number of records buffered in memory per partition before ingesting to Snowflake: here, the most records one put writes (one SQL API request per buffer.size.bytes of them).' }),
  'buffer.flush.time': key.int({ default: 120, min: 10, type: 'LONG', importance: 'LOW', group: G_BUF, doc: 'The time in seconds to flush cached data. Accepted for compatibility: the runtime gathers records into batches and every put is written before it returns, so nothing waits in a buffer.' }),
  'buffer.size.bytes': key.int({ default: 5_000_000, min: 1, type: 'LONG', importance: 'LOW', group: G_BUF, doc: 'Cumulative size in bytes of records buffered in memory per partition before they are ingested in Snowflake: here, the largest JSON payload of one INSERT request.' }),
  'snowflake.metadata.createtime': key.boolean({ default: true, importance: 'LOW', group: G_BUF, doc: 'If true, the record\'s timestamp is in RECORD_METADATA as CreateTime or LogAppendTime.' }),
  'snowflake.metadata.topic': key.boolean({ default: true, importance: 'LOW', group: G_BUF, doc: 'If true, the topic name is in RECORD_METADATA.' }),
  'snowflake.metadata.offset.and.partition': key.boolean({ default: true, importance: 'LOW', group: G_BUF, doc: 'If true, the Kafka offset and partition are in RECORD_METADATA.' }),
  'snowflake.metadata.all': key.boolean({ default: true, importance: 'LOW', group: G_BUF, doc: 'If false, RECORD_METADATA has no topic, offset, partition or time (only key and headers), whatever the other snowflake.metadata keys say.' }),
};

export const snowflakeSinkConfig = defineConfig(snowflakeSinkKeys);
export type SnowflakeSinkConfig = ConfigOf<typeof snowflakeSinkKeys>;

const TABLE_NAME = /^[_a-zA-Z][_$a-zA-Z0-9]+$/;

/** Utils.parseTopicToTableMap: "topic:table,...", valid table names, no topic twice, no overlapping regexes. */
export function parseTopic2Table(text: string): Map<string, string> | { error: string } {
  const map = new Map<string, string>();
  if (text.trim() === '') return map;
  for (const pair of text.split(',')) {
    const parts = pair.split(':');
    if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') return { error: `Invalid snowflake.topic2table.map format: ${JSON.stringify(pair.trim())}; use <topic>:<table>,<topic>:<table>` };
    const topic = parts[0]!.trim();
    const table = parts[1]!.trim();
    if (!TABLE_NAME.test(table)) return { error: `table name ${table} should have at least 2 characters, start with _a-zA-Z, and only contains _$a-zA-z0-9` };
    if (map.has(topic)) return { error: `topic name ${topic} is duplicated` };
    for (const other of map.keys()) {
      if (fullMatch(other, topic) || fullMatch(topic, other)) return { error: `topic regexes cannot overlap. overlapping regexes: ${other}, ${topic}` };
    }
    map.set(topic, table);
  }
  return map;
}

/** Java's String.matches (the whole string), on the linear-time engine like every user regex; a pattern RE2 refuses matches nothing. */
export function fullMatch(text: string, regex: string): boolean {
  try {
    return compileJavaRegex(regex).matches(text);
  } catch {
    return false;
  }
}

export function validateSnowflakeSink(cfg: SnowflakeSinkConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const map = parseTopic2Table(cfg['snowflake.topic2table.map'] ?? '');
  if ('error' in map) problems.push({ key: 'snowflake.topic2table.map', message: map.error });
  const url = parseSnowflakeUrl(cfg['snowflake.url.name']);
  if ('error' in url) problems.push({ key: 'snowflake.url.name', message: url.error });
  return problems;
}

export function parseSnowflakeSinkConfig(raw: Record<string, unknown>): SnowflakeSinkConfig {
  const r = snowflakeSinkConfig.parse(raw);
  const problems = r.ok ? validateSnowflakeSink(r.value) : r.problems;
  if (!r.ok || problems.length > 0) {
    throw new ConfigError(`Invalid Snowflake sink configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`, problems);
  }
  return r.value;
}
