import { defineSink } from '../types.js';
import { elasticsearchSinkConfig, parseElasticsearchSinkConfig, validateElasticsearchSink } from './config.js';

// Confluent's Elasticsearch sink (io.confluent.connect.elasticsearch.ElasticsearchSinkConnector)
// for Elasticsearch 7.x/8.x indices.

export const elasticsearchSink = defineSink({
  name: 'ElasticsearchSink',
  className: 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
  aliases: ['ElasticsearchSinkConnector', 'ElasticsearchSink'],
  version: '0.1.0',
  summary: 'Writes Kafka records to Elasticsearch indices with bulk requests: insert or upsert, ids from the record key or its topic+partition+offset, mappings from Connect schemas, tombstones ignored, deleted or failed.',
  config: elasticsearchSinkConfig,
  validate: validateElasticsearchSink,

  /** Every task runs the same config: the runtime assigns the topic-partitions. */
  async taskConfigs(raw, maxTasks) {
    parseElasticsearchSinkConfig(raw);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  // The task's module (and its client library) loads when a task starts, not with the registry.
  startTask: (taskConfig, ctx) => import('./task.js').then((m) => m.startElasticsearchSinkTask(taskConfig, ctx)),
});
