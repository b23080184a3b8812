import { defineSink } from '../types.js';
import { parseSnowflakeSinkConfig, snowflakeSinkConfig, validateSnowflakeSink } from './config.js';

// Snowflake's Kafka connector (com.snowflake.kafka.connector.SnowflakeSinkConnector), writing
// through Snowflake's SQL API with key-pair JWT authentication.

export const snowflakeSink = defineSink({
  name: 'SnowflakeSink',
  className: 'com.snowflake.kafka.connector.SnowflakeSinkConnector',
  aliases: ['SnowflakeSinkConnector', 'SnowflakeSink'],
  version: '0.1.0',
  summary: 'Writes Kafka records to Snowflake tables of RECORD_METADATA and RECORD_CONTENT VARIANT columns (created as Snowflake\'s connector creates them) through the SQL API, authenticated with a key-pair JWT. Proven against a local SQL API stand-in only, not a Snowflake account.',
  config: snowflakeSinkConfig,
  validate: validateSnowflakeSink,

  /** Every task runs the same config: the runtime assigns the topic-partitions. */
  async taskConfigs(raw, maxTasks) {
    parseSnowflakeSinkConfig(raw);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  // The task's module (and its client library) loads when a task starts, not with the registry.
  startTask: (taskConfig, ctx) => import('./task.js').then((m) => m.startSnowflakeSinkTask(taskConfig, ctx)),
});
