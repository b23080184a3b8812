import { parseConfig } from '../../plugins/define.js';
import { defineSink } from '../types.js';
import { checkTopicOverrides, connectionUri, mongoSinkConfig, validateMongoSink } from './config.js';
import { connectionUriProblem } from './uri.js';

// The MongoDB Kafka connector's sink (com.mongodb.kafka.connect.MongoSinkConnector) on the
// official Node.js driver: its keys, id strategies, write model strategies, tombstone deletes,
// per-topic overrides and bulk writes, with refused writes reported per record for the DLQ.

export const mongoSink = defineSink({
  name: 'MongoSink',
  className: 'com.mongodb.kafka.connect.MongoSinkConnector',
  aliases: ['MongoSinkConnector', 'MongoSink'],
  version: '0.1.0',
  summary: 'Writes records to MongoDB collections with the MongoDB connector\'s id and write model strategies, bulk writes and per-record errors (idempotent with a key- or value-provided _id).',
  config: mongoSinkConfig,
  validate(cfg) {
    const problems = validateMongoSink(cfg);
    const uriProblem = connectionUriProblem(connectionUri(cfg));
    if (uriProblem) problems.push({ key: 'connection.uri', message: `Invalid value [hidden] for configuration connection.uri: ${uriProblem}` });
    return problems;
  },

  async taskConfigs(raw, maxTasks) {
    parseConfig(mongoSinkConfig, raw);
    checkTopicOverrides(raw);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  async startTask(taskConfig, ctx) {
    checkTopicOverrides(taskConfig);
    const { startMongoSinkTask } = await import('./task.js');
    return startMongoSinkTask(taskConfig, parseConfig(mongoSinkConfig, taskConfig), ctx);
  },
});
