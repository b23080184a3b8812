import { z } from 'zod';
import { RUNTIME_DEFAULTS } from '../../../workflows/settings.js';
import { ConfigError } from '../../errors.js';
import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { querySuffixProblem, readQueryProblem } from './read-query.js';
import { dialectNameProblem, ISOLATION_MODES, jdbcConnectionKeys, zoneIdValue } from '../jdbc/keys.js';
import { parseJdbcUrl } from '../jdbc/url.js';

// Kafka Connect JDBC's source keys (Confluent's names, defaults and docs), plus the
// table.include.list / table.exclude.list regex lists of its newest releases.

export const MODES = ['bulk', 'timestamp', 'incrementing', 'timestamp+incrementing'] as const;
export type Mode = (typeof MODES)[number];
export const NUMERIC_MAPPINGS = ['none', 'best_fit', 'best_fit_eager_double', 'precision_only'] as const;
export type NumericMapping = (typeof NUMERIC_MAPPINGS)[number];

const dbTimezone = key.custom(
  {
    type: 'STRING', importance: 'MEDIUM', group: 'Connector', default: 'UTC', displayName: 'DB time zone',
    documentation: 'Name of the time zone DATETIME values are written in, used for values and for both bounds of '
      + 'time-based queries. TIMESTAMP columns are exact instants and need no zone. Defaults to UTC.',
    example: 'Europe/Paris',
  },
  zoneIdValue(),
);

const topicPrefix = key.custom(
  {
    type: 'STRING', importance: 'HIGH', group: 'Connector', default: '', displayName: 'Topic Prefix',
    documentation: 'Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, '
      + 'or in the case of a custom query, the full name of the topic to publish to.',
    example: 'mysql-',
  },
  z.preprocess((v) => (v === null || v === undefined ? '' : v), z.string().transform((s) => s.trim()).superRefine((s, ctx) => {
    if (s.length > 249) ctx.addIssue({ code: 'custom', message: 'Topic prefix length must not exceed max topic name length, 249 chars' });
    if (/[^a-zA-Z0-9._-]/.test(s)) ctx.addIssue({ code: 'custom', message: "Topic prefix must not contain any character other than ASCII alphanumerics, '.', '_' and '-'." });
  })),
);

export const jdbcSourceKeys = {
  'connection.url': jdbcConnectionKeys['connection.url'],
  'connection.user': jdbcConnectionKeys['connection.user'],
  'connection.password': jdbcConnectionKeys['connection.password'],
  'connection.attempts': jdbcConnectionKeys['connection.attempts'],
  'connection.backoff.ms': jdbcConnectionKeys['connection.backoff.ms'],
  'table.whitelist': key.list({ doc: 'List of tables to include in copying (name, db.name or `db`.`name`). If specified, table.blacklist may not be set.', importance: 'MEDIUM', group: 'Database' }),
  'table.blacklist': key.list({ doc: 'List of tables to exclude from copying. If specified, table.whitelist may not be set.', importance: 'MEDIUM', group: 'Database' }),
  'table.include.list': key.list({ doc: 'Regular expressions matched against the whole db.table name of the tables to copy. Not combinable with table.whitelist or table.blacklist.', importance: 'MEDIUM', group: 'Database' }),
  'table.exclude.list': key.list({ doc: 'Regular expressions matched against the whole db.table name of tables to skip among those table.include.list selects.', importance: 'MEDIUM', group: 'Database' }),
  'schema.pattern': key.string({ doc: 'PostgreSQL: a LIKE pattern of the schemas whose tables are listed; unset lists every user schema. MySQL has no schemas and ignores it.', importance: 'MEDIUM', group: 'Database' }),
  'table.types': key.list({ doc: 'Table types to copy: TABLE, VIEW or SYSTEM TABLE.', default: ['TABLE'], importance: 'LOW', group: 'Connector' }),
  'numeric.precision.mapping': key.boolean({ doc: 'Deprecated: use numeric.mapping=precision_only.', default: false, importance: 'LOW', group: 'Database' }),
  'numeric.mapping': key.enum(NUMERIC_MAPPINGS, { doc: 'Map DECIMAL/NUMERIC columns by precision and scale: none (Connect Decimal), best_fit (INT8..INT64 or FLOAT64 when it fits), best_fit_eager_double (FLOAT64 for any scale > 0), precision_only (integers when the scale is 0).', caseInsensitive: true, importance: 'LOW', group: 'Database' }),
  'dialect.name': jdbcConnectionKeys['dialect.name'],
  mode: key.enum(MODES, { doc: 'The mode for updating a table each time it is polled: bulk, incrementing, timestamp or timestamp+incrementing.', importance: 'HIGH', group: 'Mode' }),
  'incrementing.column.name': key.string({ doc: 'The name of the strictly incrementing column to use to detect new rows. Empty: the table\'s AUTO_INCREMENT column (table mode only). This column may not be nullable.', default: '', importance: 'MEDIUM', group: 'Mode' }),
  'timestamp.column.name': key.list({ doc: 'Comma separated list of one or more timestamp columns, combined with COALESCE, to detect new or modified rows. At least one column should not be nullable.', importance: 'MEDIUM', group: 'Mode' }),
  'timestamp.initial': key.int({ doc: 'The epoch timestamp (ms) used for initial queries that use timestamp criteria. Use -1 to use the current time. If not specified, all data will be retrieved.', type: 'LONG', importance: 'LOW', group: 'Mode' }),
  'validate.non.null': key.boolean({ doc: 'Fail the task when an incrementing or timestamp column is nullable.', default: true, importance: 'LOW', group: 'Mode' }),
  query: key.string({ doc: 'If specified, the query to perform to select new or updated rows. The incremental WHERE clause is appended, so the query itself must not have one (wrap it in a subselect). It must be one SELECT statement (or WITH … SELECT), without \';\', INTO or a locking clause; it runs in a read-only session.', default: '', importance: 'MEDIUM', group: 'Mode' }),
  'query.suffix': key.string({ doc: 'Suffix to append at the end of the generated query. No \';\', INTO or locking clause.', default: '', importance: 'LOW', group: 'Mode' }),
  'quote.sql.identifiers': jdbcConnectionKeys['quote.sql.identifiers'],
  'transaction.isolation.mode': key.enum(ISOLATION_MODES, { doc: 'Transaction isolation level of the queries: DEFAULT (the server\'s), READ_UNCOMMITTED, READ_COMMITTED, REPEATABLE_READ or SERIALIZABLE.', default: 'DEFAULT', importance: 'LOW', group: 'Mode' }),
  'poll.interval.ms': key.int({ doc: 'Frequency in ms to poll for new data in each table.', default: 5000, min: 0, importance: 'HIGH', group: 'Connector' }),
  'batch.max.rows': key.int({ doc: 'Maximum number of rows read from one table in one turn.', default: 100, min: 1, importance: 'LOW', group: 'Connector' }),
  'table.poll.interval.ms': key.int({ doc: 'Frequency in ms to poll for new or removed tables, which may result in updated task configurations.', default: RUNTIME_DEFAULTS['table.poll.interval.ms'], min: 0, type: 'LONG', importance: 'LOW', group: 'Connector' }),
  'topic.prefix': topicPrefix,
  'timestamp.delay.interval.ms': key.int({ doc: 'How long to wait after a row with a certain timestamp appears before including it, so that transactions with earlier timestamps can complete.', default: 0, min: 0, type: 'LONG', importance: 'HIGH', group: 'Connector' }),
  'db.timezone': dbTimezone,
};

export const jdbcSourceConfig = defineConfig(jdbcSourceKeys);
export type JdbcSourceConfig = ConfigOf<typeof jdbcSourceKeys>;

/** numeric.mapping, falling back to the deprecated numeric.precision.mapping as Connect does. */
export function numericMapping(cfg: JdbcSourceConfig): NumericMapping {
  return cfg['numeric.mapping'] ?? (cfg['numeric.precision.mapping'] ? 'precision_only' : 'none');
}

/** The incrementing column, or null when the mode has none ('' = find the AUTO_INCREMENT column). */
export function incrementingColumn(cfg: JdbcSourceConfig): string | null {
  return cfg.mode === 'incrementing' || cfg.mode === 'timestamp+incrementing' ? cfg['incrementing.column.name'] ?? '' : null;
}

export function timestampColumns(cfg: JdbcSourceConfig): string[] {
  return cfg.mode === 'timestamp' || cfg.mode === 'timestamp+incrementing' ? cfg['timestamp.column.name'] : [];
}

export function isQueryMode(cfg: JdbcSourceConfig): boolean {
  return (cfg.query ?? '').trim() !== '';
}

/** Cross-key rules, with Kafka Connect's messages where it has one. */
export function validateJdbcSource(cfg: JdbcSourceConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (k: string, message: string) => problems.push({ key: k, message });
  const set = (k: 'table.whitelist' | 'table.blacklist' | 'table.include.list' | 'table.exclude.list') => cfg[k].length > 0;

  if (!cfg.mode) add('mode', 'Query mode must be specified');
  if ((cfg.mode === 'timestamp' || cfg.mode === 'timestamp+incrementing') && cfg['timestamp.column.name'].length === 0) {
    add('timestamp.column.name', `timestamp.column.name must be set when mode is ${cfg.mode}`);
  }
  if (set('table.whitelist') && set('table.blacklist')) add('table.blacklist', 'table.whitelist and table.blacklist are exclusive.');
  if ((set('table.include.list') || set('table.exclude.list')) && (set('table.whitelist') || set('table.blacklist'))) {
    add('table.include.list', 'table.include.list and table.exclude.list cannot be combined with table.whitelist or table.blacklist.');
  }
  if (set('table.exclude.list') && !set('table.include.list')) add('table.exclude.list', 'table.exclude.list requires table.include.list.');
  for (const k of ['table.include.list', 'table.exclude.list'] as const) {
    for (const re of cfg[k]) {
      try {
        compileJavaRegex(re);
      } catch (e) {
        add(k, (e as Error).message);
      }
    }
  }
  for (const t of cfg['table.types']) {
    if (!['TABLE', 'VIEW', 'SYSTEM TABLE'].includes(t.toUpperCase())) add('table.types', `Unsupported table type ${t}: use TABLE, VIEW or SYSTEM TABLE`);
  }

  if (isQueryMode(cfg)) {
    const refused = readQueryProblem(cfg.query!);
    if (refused) add('query', `Invalid query: ${refused}.`);
    if (set('table.whitelist') || set('table.blacklist') || set('table.include.list') || set('table.exclude.list')) {
      add('query', 'query can not be combined with table.whitelist, table.blacklist, table.include.list or table.exclude.list.');
    }
    if (cfg['topic.prefix'] === '') add('topic.prefix', 'topic.prefix must be set in query mode: it is the name of the topic.');
    if (incrementingColumn(cfg) === '') add('incrementing.column.name', `incrementing.column.name must be set when mode is ${cfg.mode} with a query: there is no table to find an AUTO_INCREMENT column in.`);
  } else {
    try {
      if (parseJdbcUrl(cfg['connection.url']).database === null) add('connection.url', 'connection.url must name a database (jdbc:mysql://host:3306/<database>) unless query is set.');
    } catch {
      // the key's own check reports a bad URL
    }
  }
  const suffix = cfg['query.suffix'] ?? '';
  const badSuffix = suffix.trim() === '' ? undefined : querySuffixProblem(suffix);
  if (badSuffix) add('query.suffix', `Invalid query.suffix: ${badSuffix}.`);
  if (cfg['transaction.isolation.mode'] === 'SQL_SERVER_SNAPSHOT') {
    add('transaction.isolation.mode', 'Isolation mode of `SQL_SERVER_SNAPSHOT` can only be configured with a Sql Server Dialect');
  }
  const badDialect = dialectNameProblem(cfg['dialect.name']);
  if (badDialect) problems.push(badDialect);
  if (cfg['timestamp.initial'] !== undefined && cfg['timestamp.initial'] < -1) add('timestamp.initial', 'timestamp.initial must be -1 (now) or an epoch timestamp in ms');
  return problems;
}

/** Parses and cross-checks a raw config; throws ConfigError naming every offending key. */
export function parseJdbcSourceConfig(raw: Record<string, unknown>): JdbcSourceConfig {
  const r = jdbcSourceConfig.parse(raw);
  const problems = r.ok ? validateJdbcSource(r.value) : r.problems;
  if (!r.ok || problems.length > 0) {
    throw new ConfigError(`Invalid JDBC source configuration: ${problems.map((p) => p.message).join(' ')}`, problems);
  }
  return r.value;
}
