import { defineConfig, key, type ConfigOf, type ConfigProblem } from '../../config/define.js';
import { parseConfig } from '../../plugins/define.js';
import { isValidTopicName, TOPIC_NAME_RULE } from '../../kafka/topic-name.js';
import { compileJavaRegex, type JavaRegex } from '../../transforms/util/java-regex.js';
import { DECIMAL_HANDLING_MODES, TIME_PRECISION_MODES } from '../debezium/types.js';

// Debezium's MySQL/MariaDB connector keys (io.debezium.connector.binlog.BinlogConnectorConfig and
// CommonConnectorConfig): names, defaults and meanings as Debezium documents them.

export const SNAPSHOT_MODES = ['initial', 'initial_only', 'no_data', 'when_needed', 'never', 'schema_only'] as const;
export type SnapshotMode = 'initial' | 'initial_only' | 'no_data' | 'when_needed';
export const SNAPSHOT_LOCKING_MODES = ['minimal', 'extended', 'none'] as const;

export const mysqlCdcConfig = defineConfig({
  'database.hostname': key.string({ required: true, importance: 'HIGH', group: 'Connection', doc: 'Resolvable hostname or IP address of the database server.' }),
  'database.port': key.int({ default: 3306, min: 1, max: 65535, importance: 'HIGH', group: 'Connection', doc: 'Port of the database server.' }),
  'database.user': key.string({ required: true, importance: 'HIGH', group: 'Connection', doc: 'Name of the database user to be used when connecting to the database (needs SELECT, RELOAD, REPLICATION SLAVE and REPLICATION CLIENT / BINLOG MONITOR).' }),
  'database.password': key.password({ importance: 'HIGH', group: 'Connection', doc: 'Password of the database user to be used when connecting to the database.' }),
  'database.server.id': key.int({ required: true, min: 1, max: 4294967295, type: 'LONG', importance: 'HIGH', group: 'Connection', doc: 'A numeric ID of this database client, which must be unique across all currently-running database processes in the cluster (the binlog connection registers as a replica with it).' }),
  'topic.prefix': key.string({ required: true, importance: 'HIGH', group: 'Connector', doc: 'Topic prefix that identifies and provides a namespace for the particular database server/cluster that is capturing changes. It must be unique across connectors; it names the data topics (<prefix>.<db>.<table>), the schema change topic (<prefix>) and the source partition.' }),
  'database.include.list': key.list({ importance: 'HIGH', group: 'Filters', doc: 'The databases for which changes are to be captured: regular expressions matched against the whole database name. Not combinable with database.exclude.list.' }),
  'database.exclude.list': key.list({ importance: 'MEDIUM', group: 'Filters', doc: 'Databases not to capture: regular expressions matched against the whole database name. Not combinable with database.include.list.' }),
  'table.include.list': key.list({ importance: 'HIGH', group: 'Filters', doc: 'The tables for which changes are to be captured: regular expressions matched against the whole <db>.<table> name. Not combinable with table.exclude.list.' }),
  'table.exclude.list': key.list({ importance: 'MEDIUM', group: 'Filters', doc: 'Tables not to capture: regular expressions matched against the whole <db>.<table> name. Not combinable with table.include.list.' }),
  'column.exclude.list': key.list({ importance: 'MEDIUM', group: 'Filters', doc: 'Columns to leave out of change event values: regular expressions matched against the whole <db>.<table>.<column> name.' }),
  'snapshot.mode': key.enum(SNAPSHOT_MODES, {
    default: 'initial', caseInsensitive: true, importance: 'HIGH', group: 'Snapshot',
    doc: 'When to snapshot. initial (default): snapshot the data when no offsets exist, then stream. initial_only: snapshot, then stop '
      + '(no streaming). no_data: capture no data, stream from the current binlog position (schema_only is its old name). '
      + 'when_needed: like initial, and snapshot again when the stored binlog position is no longer on the server. '
      + 'never is not supported (it needs the whole binlog history).',
  }),
  'snapshot.locking.mode': key.enum(SNAPSHOT_LOCKING_MODES, {
    default: 'minimal', caseInsensitive: true, importance: 'LOW', group: 'Snapshot',
    doc: 'minimal (default): hold a global read lock (FLUSH TABLES WITH READ LOCK) only while the binlog position and table '
      + 'structures are read, then read rows in a consistent-snapshot transaction. extended: hold the lock for the whole snapshot. '
      + 'none: take no lock; on MariaDB the consistent-snapshot transaction itself reports its binlog position, so the snapshot '
      + 'stays consistent (without a GTID position).',
  }),
  'snapshot.fetch.size': key.int({ default: 2000, min: 1, importance: 'LOW', group: 'Snapshot', doc: 'Rows read per query while snapshotting a table.' }),
  'include.schema.changes': key.boolean({ default: true, importance: 'MEDIUM', group: 'Connector', doc: 'Whether the connector publishes schema changes (DDL) to the Kafka topic named after topic.prefix, keyed by database name.' }),
  'tombstones.on.delete': key.boolean({ default: true, importance: 'MEDIUM', group: 'Connector', doc: 'Whether a delete event is followed by a tombstone (same key, null value) so log compaction removes the key.' }),
  'decimal.handling.mode': key.enum(DECIMAL_HANDLING_MODES, { default: 'precise', caseInsensitive: true, importance: 'MEDIUM', group: 'Connector', doc: 'How DECIMAL/NUMERIC columns are represented: precise (Connect Decimal, exact), double (float64, may lose precision), string (exact decimal text).' }),
  'time.precision.mode': key.enum(TIME_PRECISION_MODES, {
    default: 'adaptive_time_microseconds', caseInsensitive: true, importance: 'MEDIUM', group: 'Connector',
    doc: 'adaptive_time_microseconds (default): DATE as io.debezium.time.Date, TIME as MicroTime, DATETIME as Timestamp (precision <= 3) '
      + 'or MicroTimestamp, TIMESTAMP as ZonedTimestamp text. connect: Connect\'s own Date, Time and Timestamp (millisecond precision).',
  }),
  'schema.history.internal.kafka.topic': key.string({ importance: 'LOW', group: 'History', doc: 'Debezium\'s database schema history topic. Accepted for compatibility; this connector takes each table\'s structure from the server (binlog_row_metadata=FULL row images and information_schema) and writes no history topic.' }),
  'schema.history.internal.kafka.bootstrap.servers': key.string({ importance: 'LOW', group: 'History', doc: 'Kafka brokers of the schema history topic. Accepted for compatibility (see schema.history.internal.kafka.topic).' }),
  'max.batch.size': key.int({ default: 2048, min: 1, importance: 'LOW', group: 'Connector', doc: 'Maximum number of change events returned by one poll.' }),
  'max.queue.size': key.int({ default: 8192, min: 1, importance: 'LOW', group: 'Connector', doc: 'Change events buffered from the binlog before reading pauses until the runtime takes them.' }),
  'poll.interval.ms': key.int({ default: 500, min: 1, importance: 'LOW', group: 'Connector', doc: 'How long a poll waits for new change events before returning none.' }),
  'connect.timeout.ms': key.int({ default: 30000, min: 1, importance: 'LOW', group: 'Connection', doc: 'Maximum time to wait for a connection to the database server.' }),
});

export type MysqlCdcConfig = ConfigOf<typeof mysqlCdcConfig.keys>;

/** The database/table/column filters, compiled once. */
export interface Filters {
  database(db: string): boolean;
  table(db: string, table: string): boolean;
  column(db: string, table: string, column: string): boolean;
}

function compileList(patterns: string[], key: string): JavaRegex[] {
  return patterns.map((p) => compileJavaRegex(p, true, key));
}

export function compileFilters(cfg: MysqlCdcConfig): Filters {
  const dbIn = compileList(cfg['database.include.list'], 'database.include.list');
  const dbEx = compileList(cfg['database.exclude.list'], 'database.exclude.list');
  const tIn = compileList(cfg['table.include.list'], 'table.include.list');
  const tEx = compileList(cfg['table.exclude.list'], 'table.exclude.list');
  const cEx = compileList(cfg['column.exclude.list'], 'column.exclude.list');
  const database = (db: string) => !SYSTEM_DATABASES.has(db.toLowerCase())
    && (dbIn.length ? dbIn.some((r) => r.test(db)) : !dbEx.some((r) => r.test(db)));
  return {
    database,
    table: (db, table) => database(db) && (tIn.length ? tIn.some((r) => r.test(`${db}.${table}`)) : !tEx.some((r) => r.test(`${db}.${table}`))),
    column: (db, table, column) => !cEx.some((r) => r.test(`${db}.${table}.${column}`)),
  };
}

/** Never captured, as in Debezium (Filters.BUILT_IN_DB_NAMES). */
const SYSTEM_DATABASES = new Set(['mysql', 'performance_schema', 'sys', 'information_schema']);

export function validateMysqlCdc(cfg: MysqlCdcConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const both = (a: keyof MysqlCdcConfig, b: keyof MysqlCdcConfig) => {
    if ((cfg[a] as string[]).length && (cfg[b] as string[]).length) problems.push({ key: b as string, message: `"${a}" is already specified; use one of ${a} and ${b}, not both` });
  };
  both('database.include.list', 'database.exclude.list');
  both('table.include.list', 'table.exclude.list');
  if (cfg['snapshot.mode'] === 'never') {
    problems.push({ key: 'snapshot.mode', message: 'never is not supported: it replays the whole binlog history from its start; use no_data to stream from now, or initial' });
  }
  const prefix = cfg['topic.prefix'];
  if (prefix !== undefined && !isValidTopicName(prefix)) {
    problems.push({ key: 'topic.prefix', message: `must be usable as a topic name: ${TOPIC_NAME_RULE}` });
  }
  for (const k of ['database.include.list', 'database.exclude.list', 'table.include.list', 'table.exclude.list', 'column.exclude.list'] as const) {
    for (const p of cfg[k]) {
      try {
        compileJavaRegex(p, true, k);
      } catch (e) {
        problems.push({ key: k, message: (e as Error).message });
      }
    }
  }
  return problems;
}

export function parseMysqlCdcConfig(raw: Record<string, string>): MysqlCdcConfig {
  return parseConfig(mysqlCdcConfig, raw);
}

/** schema_only is no_data's older name; never is refused by validate. */
export function snapshotMode(cfg: MysqlCdcConfig): SnapshotMode {
  const m = cfg['snapshot.mode'];
  return m === 'schema_only' ? 'no_data' : m === 'never' ? 'no_data' : m;
}
