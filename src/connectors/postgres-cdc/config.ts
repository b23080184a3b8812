import { ConfigError } from '../../errors.js';
import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';
import { compileJavaRegex } from '../../transforms/util/java-regex.js';
import { DECIMAL_HANDLING_MODES } from '../debezium/types.js';

// Debezium's PostgreSQL connector keys (io.debezium.connector.postgresql.PostgresConnector), with
// its names, defaults and meanings, for the subset this connector implements.

export const SNAPSHOT_MODES = ['initial', 'initial_only', 'no_data', 'never'] as const;
export type SnapshotMode = (typeof SNAPSHOT_MODES)[number];
export const PUBLICATION_AUTOCREATE_MODES = ['all_tables', 'filtered', 'disabled'] as const;

export const postgresCdcKeys = {
  'database.hostname': key.string({ required: true, importance: 'HIGH', group: 'Connection', doc: 'Resolvable hostname or IP address of the PostgreSQL database server.' }),
  'database.port': key.int({ default: 5432, min: 1, max: 65535, importance: 'HIGH', group: 'Connection', doc: 'Port of the PostgreSQL database server.' }),
  'database.user': key.string({ required: true, importance: 'HIGH', group: 'Connection', doc: 'Name of the database user to connect as; it needs the REPLICATION attribute (and ownership of the tables for a filtered publication).' }),
  'database.password': key.password({ importance: 'HIGH', group: 'Connection', doc: 'Password of the database user. Prefer a config provider reference such as ${env:PG_PASSWORD}.' }),
  'database.dbname': key.string({ required: true, importance: 'HIGH', group: 'Connection', doc: 'The name of the database to stream changes from.' }),
  'database.sslmode': key.enum(['disable', 'require', 'verify-ca', 'verify-full'] as const, { default: 'disable', importance: 'MEDIUM', group: 'Connection', doc: 'Whether to use an encrypted connection: disable, require, verify-ca or verify-full.' }),
  'topic.prefix': key.string({ required: true, importance: 'HIGH', group: 'Connector', doc: 'Topic prefix naming this database server (Debezium\'s logical name): the prefix of every topic (<prefix>.<schema>.<table>), the source partition and source.name.' }),
  'plugin.name': key.enum(['pgoutput', 'decoderbufs'] as const, { default: 'pgoutput', importance: 'MEDIUM', group: 'Replication', doc: 'The logical decoding plug-in installed on the server. Only pgoutput (built into PostgreSQL 10+) is supported here.' }),
  'slot.name': key.string({ default: 'debezium', importance: 'MEDIUM', group: 'Replication', doc: 'The name of the PostgreSQL logical decoding slot created for streaming changes from this plug-in and database.' }),
  'slot.drop.on.stop': key.boolean({ default: false, importance: 'LOW', group: 'Replication', doc: 'Whether to drop the logical replication slot when the task stops (for tests and development: the server then keeps no WAL for it, and changes in between are lost).' }),
  'publication.name': key.string({ default: 'dbz_publication', importance: 'MEDIUM', group: 'Replication', doc: 'The name of the PostgreSQL publication created for streaming changes when using pgoutput.' }),
  'publication.autocreate.mode': key.enum(PUBLICATION_AUTOCREATE_MODES, { default: 'all_tables', importance: 'MEDIUM', group: 'Replication', doc: 'all_tables: create the publication FOR ALL TABLES if it does not exist (needs a superuser); filtered: create it (or set its tables) for the tables the include/exclude lists select; disabled: the publication must exist.' }),
  'schema.include.list': key.list({ importance: 'HIGH', group: 'Filters', doc: 'Regular expressions matched against schema names to capture; not with schema.exclude.list.' }),
  'schema.exclude.list': key.list({ importance: 'HIGH', group: 'Filters', doc: 'Regular expressions matched against schema names not to capture; not with schema.include.list.' }),
  'table.include.list': key.list({ importance: 'HIGH', group: 'Filters', doc: 'Regular expressions matched against schema.table names to capture; not with table.exclude.list.' }),
  'table.exclude.list': key.list({ importance: 'HIGH', group: 'Filters', doc: 'Regular expressions matched against schema.table names not to capture; not with table.include.list.' }),
  'snapshot.mode': key.enum(SNAPSHOT_MODES, { default: 'initial', importance: 'MEDIUM', group: 'Connector', doc: 'initial: snapshot the captured tables when there is no offset, then stream; initial_only: snapshot, then stop; no_data (never): stream only, from the slot\'s position.' }),
  'tombstones.on.delete': key.boolean({ default: true, importance: 'MEDIUM', group: 'Connector', doc: 'Whether a delete event is followed by a tombstone (same key, null value) so that log compaction drops the key.' }),
  'decimal.handling.mode': key.enum(DECIMAL_HANDLING_MODES, { default: 'precise', importance: 'MEDIUM', group: 'Connector', doc: 'precise: numeric as Connect Decimal (VariableScaleDecimal when the column has no scale); double: FLOAT64; string: text.' }),
  'max.batch.size': key.int({ default: 2048, min: 1, importance: 'MEDIUM', group: 'Connector', doc: 'Maximum number of events in one batch.' }),
  'max.queue.size': key.int({ default: 8192, min: 1, importance: 'MEDIUM', group: 'Connector', doc: 'Maximum number of change events held in memory before the replication stream is paused.' }),
  'poll.interval.ms': key.int({ default: 500, min: 0, type: 'LONG', importance: 'MEDIUM', group: 'Connector', doc: 'How long a poll waits for new change events before it returns an empty batch.' }),
};

export const postgresCdcConfig = defineConfig(postgresCdcKeys);
export type PostgresCdcConfig = ConfigOf<typeof postgresCdcKeys>;

export function validatePostgresCdc(cfg: PostgresCdcConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (k: string, message: string) => problems.push({ key: k, message });
  if (cfg['plugin.name'] !== 'pgoutput') add('plugin.name', 'Only the pgoutput plug-in is supported: set plugin.name=pgoutput (it is built into PostgreSQL 10 and later).');
  if (cfg['schema.include.list'].length && cfg['schema.exclude.list'].length) add('schema.exclude.list', 'schema.include.list and schema.exclude.list cannot both be set.');
  if (cfg['table.include.list'].length && cfg['table.exclude.list'].length) add('table.exclude.list', 'table.include.list and table.exclude.list cannot both be set.');
  for (const k of ['schema.include.list', 'schema.exclude.list', 'table.include.list', 'table.exclude.list'] as const) {
    for (const re of cfg[k]) {
      try {
        compileJavaRegex(re);
      } catch (e) {
        add(k, (e as Error).message);
      }
    }
  }
  if (!/^[a-z0-9_]{1,63}$/.test(cfg['slot.name'] ?? '')) add('slot.name', 'slot.name may hold lower-case letters, digits and underscores only (at most 63), as PostgreSQL requires of slot names.');
  if (/[^a-zA-Z0-9._-]/.test(cfg['topic.prefix'])) add('topic.prefix', "topic.prefix may hold ASCII letters, digits, '.', '_' and '-' only: it starts every topic name.");
  return problems;
}

export function parsePostgresCdcConfig(raw: Record<string, unknown>): PostgresCdcConfig {
  const r = postgresCdcConfig.parse(raw);
  const problems = r.ok ? validatePostgresCdc(r.value) : r.problems;
  if (!r.ok || problems.length > 0) {
    throw new ConfigError(`Invalid PostgreSQL connector configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join(' ')}`, problems);
  }
  return r.value;
}

/** Whether a schema.table is captured under the include/exclude lists (RelationalTableFilters). */
export function tableFilter(cfg: PostgresCdcConfig): (schema: string, table: string) => boolean {
  const res = (k: 'schema.include.list' | 'schema.exclude.list' | 'table.include.list' | 'table.exclude.list') => cfg[k].map((r) => compileJavaRegex(r));
  const [si, se, ti, te] = [res('schema.include.list'), res('schema.exclude.list'), res('table.include.list'), res('table.exclude.list')];
  return (schema, table) => {
    if (schema === 'pg_catalog' || schema === 'information_schema' || schema.startsWith('pg_toast') || schema.startsWith('pg_temp')) return false;
    const full = `${schema}.${table}`;
    if (si.length && !si.some((r) => r.test(schema))) return false;
    if (se.some((r) => r.test(schema))) return false;
    if (ti.length && !ti.some((r) => r.test(full))) return false;
    if (te.some((r) => r.test(full))) return false;
    return true;
  };
}
