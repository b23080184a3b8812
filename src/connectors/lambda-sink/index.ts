import { parseConfig } from '../../plugins/define.js';
import { defineSink } from '../types.js';
import { lambdaSinkConfig, validateLambdaSink } from './config.js';

// An AWS Lambda sink with kafka-connect-lambda's class name and keys: records invoke a function
// (batched as a JSON array, or one invocation each), synchronously or as events, through the AWS
// SDK; function errors are reported per record for the DLQ, throttles and 5xx retried.

export const lambdaSink = defineSink({
  name: 'LambdaSink',
  className: 'com.nordstrom.kafka.connect.lambda.LambdaSinkConnector',
  aliases: ['com.amazon.kafka.connect.lambda.LambdaSinkConnector', 'LambdaSinkConnector', 'LambdaSink'],
  version: '0.1.0',
  summary: 'Invokes an AWS Lambda function with records (batched or one each, sync or async), function errors dead-lettered, throttles retried (not idempotent).',
  config: lambdaSinkConfig,
  validate: validateLambdaSink,

  async taskConfigs(raw, maxTasks) {
    parseConfig(lambdaSinkConfig, raw);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  async startTask(taskConfig, ctx) {
    const { startLambdaSinkTask } = await import('./task.js');
    return startLambdaSinkTask(parseConfig(lambdaSinkConfig, taskConfig), ctx);
  },
});
