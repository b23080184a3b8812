import { defineSource } from '../types.js';
import { parsePostgresCdcConfig, postgresCdcConfig, validatePostgresCdc } from './config.js';

// Debezium's PostgreSQL connector (io.debezium.connector.postgresql.PostgresConnector) over the
// pgoutput plug-in: Debezium's keys, topics, change event envelope and offsets.

export const postgresCdcSource = defineSource({
  name: 'PostgresCdc',
  className: 'io.debezium.connector.postgresql.PostgresConnector',
  aliases: ['PostgresConnector', 'PostgresCdc'],
  version: '0.1.0',
  summary: 'Streams row changes of PostgreSQL tables (logical replication, pgoutput) as Debezium change events: a consistent snapshot, then inserts, updates and deletes with before/after images; the slot is confirmed only after Kafka acknowledged.',
  config: postgresCdcConfig,
  validate: validatePostgresCdc,

  async taskConfigs(raw) {
    parsePostgresCdcConfig(raw);
    // One slot, one stream: a single task, as Debezium's PostgreSQL connector.
    return [{ ...raw }];
  },

  // The task's module (and its client library) loads when a task starts, not with the registry.
  startTask: (taskConfig, ctx) => import('./task.js').then((m) => m.startPostgresCdcTask(taskConfig, ctx)),
});
