import { defineSink } from '../types.js';
import { bigQuerySinkConfig, parseBigQuerySinkConfig, validateBigQuerySink } from './config.js';

// The WePay/Confluent BigQuery sink (com.wepay.kafka.connect.bigquery.BigQuerySinkConnector).

export const bigQuerySink = defineSink({
  name: 'BigQuerySink',
  className: 'com.wepay.kafka.connect.bigquery.BigQuerySinkConnector',
  aliases: ['BigQuerySinkConnector', 'BigQuerySink'],
  version: '0.1.0',
  summary: 'Writes Kafka records to BigQuery tables with insertAll: tables created from the Connect schema (or inferred from schemaless JSON) and evolved on new fields, upserts and deletes through an intermediate table and MERGE, rows BigQuery refuses to the dead letter queue.',
  config: bigQuerySinkConfig,
  validate: validateBigQuerySink,

  /** Every task runs the same config: the runtime assigns the topic-partitions. */
  async taskConfigs(raw, maxTasks) {
    parseBigQuerySinkConfig(raw);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  // The task's module (and its client library) loads when a task starts, not with the registry.
  startTask: (taskConfig, ctx) => import('./task.js').then((m) => m.startBigQuerySinkTask(taskConfig, ctx)),
});
