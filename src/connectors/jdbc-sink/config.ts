import { z } from 'zod';
import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';
import { ConfigError } from '../../errors.js';
import type { TableRef } from '../jdbc/dialect.js';
import { configDialect, dialectNameProblem, jdbcConnectionKeys, zoneIdValue } from '../jdbc/keys.js';
import { parseJdbcUrl } from '../jdbc/url.js';

// Kafka Connect JDBC's sink keys (Confluent's names, defaults and docs). The connection keys are
// shared with the source (src/connectors/jdbc/keys.ts): one definition of connection.url, user,
// password and attempts.

export const INSERT_MODES = ['insert', 'upsert', 'update'] as const;
export type InsertMode = (typeof INSERT_MODES)[number];
export const PK_MODES = ['none', 'kafka', 'record_key', 'record_value'] as const;
export type PkMode = (typeof PK_MODES)[number];
/** Column names of pk.mode=kafka when pk.fields is empty (Confluent's DEFAULT_KAFKA_PK_NAMES). */
export const DEFAULT_KAFKA_PK_NAMES = ['__connect_topic', '__connect_partition', '__connect_offset'] as const;
const TOPIC_PLACEHOLDER = '${topic}';

const dbTimezone = key.custom(
  {
    type: 'STRING', importance: 'MEDIUM', group: 'Connection', default: 'UTC', displayName: 'DB Time Zone',
    documentation: 'Name of the JDBC timezone that should be used in the connector when inserting time-based values '
      + '(the wall clock written into DATETIME columns). Defaults to UTC.',
    example: 'Europe/Paris',
  },
  zoneIdValue(),
);

const tableTypes = key.custom(
  {
    type: 'LIST', importance: 'LOW', group: 'Writes', default: ['TABLE'], validValues: ['TABLE', 'VIEW'],
    documentation: 'The comma-separated types of database tables to which the sink connector can write: TABLE, VIEW.',
  },
  z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? ['TABLE'] : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(z.string().transform((s) => s.toUpperCase()).pipe(z.enum(['TABLE', 'VIEW'], { errorMap: () => ({ message: 'must be TABLE or VIEW' }) }))),
  ),
);

export const jdbcSinkKeys = {
  'connection.url': jdbcConnectionKeys['connection.url'],
  'connection.user': jdbcConnectionKeys['connection.user'],
  'connection.password': jdbcConnectionKeys['connection.password'],
  'connection.attempts': jdbcConnectionKeys['connection.attempts'],
  'connection.backoff.ms': jdbcConnectionKeys['connection.backoff.ms'],
  'dialect.name': jdbcConnectionKeys['dialect.name'],
  'insert.mode': key.enum(INSERT_MODES, {
    doc: 'The insertion mode to use: insert (standard SQL INSERT statements), upsert (MySQL: INSERT ... ON DUPLICATE KEY UPDATE, PostgreSQL: INSERT ... ON CONFLICT (key) DO UPDATE; '
      + 'idempotent, so re-delivered records leave the same rows), update (UPDATE ... WHERE primary key).',
    default: 'insert', caseInsensitive: true, importance: 'HIGH', group: 'Writes',
  }),
  'batch.size': key.int({ doc: 'Specifies how many records to attempt to batch together for insertion into the destination table, when possible.', default: 3000, min: 1, importance: 'MEDIUM', group: 'Writes' }),
  'delete.enabled': key.boolean({ doc: 'Whether to treat null record values (tombstones) as deletes. Requires pk.mode to be record_key.', default: false, importance: 'MEDIUM', group: 'Writes' }),
  'table.types': tableTypes,
  'table.name.format': key.string({
    doc: 'A format string for the destination table name, which may contain \'${topic}\' as a placeholder for the originating topic name. '
      + 'For example, kafka_${topic} for the topic \'orders\' will map to the table name \'kafka_orders\'. A database (a schema on PostgreSQL, default public) may be named '
      + 'before a dot (archive.${topic}); dots inside the topic name stay part of the table name.',
    default: TOPIC_PLACEHOLDER, importance: 'MEDIUM', group: 'Data Mapping', example: 'kafka_${topic}',
  }),
  'pk.mode': key.enum(PK_MODES, {
    doc: 'The primary key mode, also refer to pk.fields documentation for interplay: none (no keys utilized), kafka (Apache Kafka '
      + 'coordinates are used as the PK), record_key (field(s) from the record key are used, which may be a primitive or a struct), '
      + 'record_value (field(s) from the record value are used, which must be a struct).',
    default: 'none', caseInsensitive: true, importance: 'HIGH', group: 'Data Mapping',
  }),
  'pk.fields': key.list({
    doc: 'List of comma-separated primary key field names. none: ignored. kafka: must be a trio naming the topic, partition and offset '
      + 'columns (default __connect_topic,__connect_partition,__connect_offset). record_key: if empty, all fields from the key struct; '
      + 'for a primitive key exactly one name. record_value: if empty, all fields from the value struct, otherwise the desired fields.',
    importance: 'MEDIUM', group: 'Data Mapping',
  }),
  'fields.whitelist': key.list({
    doc: 'List of comma-separated record value field names. If empty, all fields from the record value are utilized, otherwise used to '
      + 'filter to the desired fields. pk.fields decides the primary key columns independently; this applies to the other columns.',
    importance: 'MEDIUM', group: 'Data Mapping',
  }),
  'db.timezone': dbTimezone,
  'auto.create': key.boolean({ doc: 'Whether to automatically create the destination table based on record schema if it is found to be missing by issuing CREATE.', default: false, importance: 'MEDIUM', group: 'DDL Support' }),
  'auto.evolve': key.boolean({ doc: 'Whether to automatically add columns in the table schema when found to be missing relative to the record schema by issuing ALTER.', default: false, importance: 'MEDIUM', group: 'DDL Support' }),
  'quote.sql.identifiers': jdbcConnectionKeys['quote.sql.identifiers'],
  'max.retries': key.int({ doc: 'The maximum number of times to retry on errors before failing the task. Here: how often a CREATE/ALTER that raced with another task is re-attempted; writes are retried by the runtime (errors.retry.timeout).', default: 10, min: 0, importance: 'MEDIUM', group: 'Retries' }),
  'retry.backoff.ms': key.int({ doc: 'The time in milliseconds to wait following an error before a retry attempt is made. Accepted for compatibility: the runtime\'s errors.retry.delay.max.ms backoff applies to retried batches.', default: 3000, min: 0, importance: 'MEDIUM', group: 'Retries' }),
};

export const jdbcSinkConfig = defineConfig(jdbcSinkKeys);
export type JdbcSinkConfig = ConfigOf<typeof jdbcSinkKeys>;

/** table.name.format split into its (database, table) parts, each still holding ${topic}. */
function formatParts(cfg: JdbcSinkConfig): string[] {
  const format = cfg['table.name.format']!;
  const names = configDialect(cfg).parseQualifiedList(format);
  if (names.length !== 1 || names[0].length > 2 || names[0].some((p) => p === '')) {
    throw new Error(`${JSON.stringify(format)} must name one table, optionally qualified by its database (db.table)`);
  }
  return names[0];
}

/**
 * The table a topic's records go to. Confluent splits the substituted name at every dot, so a topic
 * "mysql.orders" would land in database `mysql`; we split the format only, so topic dots stay in the
 * table name and a database is chosen explicitly ("archive.${topic}").
 */
export function tableFor(cfg: JdbcSinkConfig, topic: string, defaultDb: string | null): TableRef {
  const parts = formatParts(cfg).map((p) => p.replaceAll(TOPIC_PLACEHOLDER, topic));
  const db = parts.length === 2 ? parts[0] : defaultDb;
  if (db === null) throw new ConfigError('connection.url names no database and table.name.format names none');
  return { db, table: parts[parts.length - 1] };
}

/** Cross-key rules; Confluent's message where it has one, earlier than Confluent where it fails only at write time. */
export function validateJdbcSink(cfg: JdbcSinkConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (k: string, message: string) => problems.push({ key: k, message });
  const pkMode = cfg['pk.mode'];

  if (cfg['delete.enabled'] && pkMode !== 'record_key') {
    add('delete.enabled', 'Primary key mode must be \'record_key\' when delete support is enabled');
  }
  if (cfg['insert.mode'] !== 'insert' && pkMode === 'none') {
    // Confluent fails each write instead; an UPDATE without a key would touch every row.
    add('insert.mode', `insert.mode ${cfg['insert.mode']} requires key field names to be known: set pk.mode to kafka, record_key or record_value`);
  }
  const pkFields = cfg['pk.fields'];
  if (pkMode === 'kafka' && pkFields.length !== 0 && pkFields.length !== 3) {
    add('pk.fields', `PK mode is kafka so there should either be no field names defined for defaults ${DEFAULT_KAFKA_PK_NAMES.join(',')} to be applicable, or exactly 3, defined fields are: ${pkFields.join(',')}`);
  }
  if (new Set(pkFields).size !== pkFields.length) add('pk.fields', 'pk.fields names a field twice');

  let parts: string[] | null = null;
  try {
    parts = formatParts(cfg);
  } catch (e) {
    add('table.name.format', `Invalid table.name.format: ${(e as Error).message}`);
  }
  try {
    if (parts?.length === 1 && configDialect(cfg).defaultNamespace(parseJdbcUrl(cfg['connection.url'])) === null) {
      add('connection.url', 'connection.url must name a database (jdbc:mysql://host:3306/<database>) unless table.name.format names one (db.${topic})');
    }
  } catch {
    // the key's own check reports a bad URL
  }
  const badDialect = dialectNameProblem(cfg['dialect.name']);
  if (badDialect) problems.push(badDialect);
  return problems;
}

/** Parses and cross-checks a raw config; throws ConfigError naming every offending key. */
export function parseJdbcSinkConfig(raw: Record<string, unknown>): JdbcSinkConfig {
  const r = jdbcSinkConfig.parse(raw);
  const problems = r.ok ? validateJdbcSink(r.value) : r.problems;
  if (!r.ok || problems.length > 0) {
    throw new ConfigError(`Invalid JDBC sink configuration: ${problems.map((p) => p.message).join(' ')}`, problems);
  }
  return r.value;
}
