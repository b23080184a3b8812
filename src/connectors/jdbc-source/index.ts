import type { ConnectorContext } from '../types.js';
import { defineSource } from '../types.js';
import { isQueryMode, jdbcSourceConfig, parseJdbcSourceConfig, validateJdbcSource, type JdbcSourceConfig } from './config.js';
import { classifyError, connectionSettings, Db } from '../jdbc/connection.js';
import type { TableRef } from '../jdbc/dialect.js';
import { configDialect } from '../jdbc/keys.js';
import { listTables, planTasks, sameTables, tablesOf, TABLES_FETCHED_KEY, TABLES_KEY } from './tables.js';

// Kafka Connect JDBC's source (io.confluent.connect.jdbc.JdbcSourceConnector) for MySQL and MariaDB.

async function currentTables(cfg: JdbcSourceConfig, ctx: ConnectorContext): Promise<TableRef[]> {
  const settings = connectionSettings(cfg, { readOnly: true });
  const db = await Db.open(settings, ctx.logger);
  try {
    return await listTables(db, settings.dialect, settings.url.database!, cfg);
  } catch (e) {
    throw classifyError(e, 'Could not list tables');
  } finally {
    await db.close();
  }
}

export const jdbcSource = defineSource({
  name: 'JdbcSource',
  className: 'io.confluent.connect.jdbc.JdbcSourceConnector',
  taskClass: 'io.confluent.connect.jdbc.source.JdbcSourceTask',
  aliases: ['JdbcSourceConnector', 'JdbcSource'],
  version: '0.1.0',
  summary: 'Copies MySQL/MariaDB tables or a query to Kafka topics: bulk, incrementing, timestamp and timestamp+incrementing modes, with Kafka Connect JDBC\'s offsets.',
  config: jdbcSourceConfig,
  validate: validateJdbcSource,

  async taskConfigs(raw, maxTasks, ctx) {
    const cfg = parseJdbcSourceConfig(raw);
    // A query is one source partition: one task, whatever tasks.max says.
    if (isQueryMode(cfg)) return [{ ...raw, [TABLES_KEY]: '', [TABLES_FETCHED_KEY]: 'true' }];
    const tables = await currentTables(cfg, ctx);
    if (tables.length === 0) ctx.logger.warn({}, 'No tables match the configuration; no task has work until one appears');
    return planTasks(configDialect(cfg), raw, tables, maxTasks);
  },

  // The task's module (and its client library) loads when a task starts, not with the registry.
  startTask: (taskConfig, ctx) => import('./task.js').then((m) => m.startJdbcSourceTask(taskConfig, ctx)),

  /**
   * Exactly once needs an offset that pins the position: the incrementing column (alone or after
   * the timestamp). Bulk re-reads whole tables, and timestamp alone repeats or skips rows that
   * share the last timestamp.
   */
  exactlyOnceSupport(raw) {
    const mode = (raw.mode ?? '').trim();
    return mode === 'incrementing' || mode === 'timestamp+incrementing' ? 'SUPPORTED' : 'UNSUPPORTED';
  },

  /** New or dropped tables since the plan (checked every table.poll.interval.ms by the runtime). */
  async needsReplan(raw, current, ctx) {
    const cfg = parseJdbcSourceConfig(raw);
    if (isQueryMode(cfg)) return false;
    const { url, dialect } = connectionSettings(cfg);
    const planned = current.flatMap((t) => tablesOf(dialect, t, url.database));
    const now = await currentTables(cfg, ctx);
    return !sameTables(planned, now);
  },
});
