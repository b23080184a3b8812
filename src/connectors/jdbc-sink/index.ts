import { defineSink } from '../types.js';
import { jdbcSinkConfig, parseJdbcSinkConfig, validateJdbcSink } from './config.js';

// Kafka Connect JDBC's sink (io.confluent.connect.jdbc.JdbcSinkConnector) for MySQL and MariaDB.

export const jdbcSink = defineSink({
  name: 'JdbcSink',
  className: 'io.confluent.connect.jdbc.JdbcSinkConnector',
  taskClass: 'io.confluent.connect.jdbc.sink.JdbcSinkTask',
  aliases: ['JdbcSinkConnector', 'JdbcSink'],
  version: '0.1.0',
  summary: 'Writes Kafka records into MySQL/MariaDB tables: insert, upsert (idempotent) or update, primary keys from Kafka coordinates, '
    + 'the record key or value, tombstones as deletes, tables created and evolved from Connect schemas.',
  config: jdbcSinkConfig,
  validate: validateJdbcSink,

  async taskConfigs(raw, maxTasks) {
    parseJdbcSinkConfig(raw);
    // As Connect: every task gets the same config; the runtime assigns the topic-partitions.
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  // The task's module (and its client library) loads when a task starts, not with the registry.
  startTask: (taskConfig, ctx) => import('./task.js').then((m) => m.startJdbcSinkTask(taskConfig, ctx)),
});
