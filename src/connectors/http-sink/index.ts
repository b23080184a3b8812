import { parseConfig } from '../../plugins/define.js';
import { defineSink } from '../types.js';
import { httpSinkConfig, validateHttpSink } from './config.js';

// An HTTP sink with Confluent's HTTP sink connector's class name and main keys: records POSTed (or
// PUT/PATCHed) to a URL in batches (a JSON array or newline-delimited JSON), extra headers, basic,
// bearer or OAuth2 client-credentials auth, retries on 429/5xx with backoff, and a refused request's
// records reported per record so the runtime dead-letters them.

export const httpSink = defineSink({
  name: 'HttpSink',
  className: 'io.confluent.connect.http.HttpSinkConnector',
  aliases: ['HttpSinkConnector', 'HttpSink'],
  version: '0.1.0',
  summary: 'Sends records to an HTTP endpoint in batches, with auth, retries on 429/5xx and refused records dead-lettered (not idempotent).',
  config: httpSinkConfig,
  validate: validateHttpSink,

  async taskConfigs(raw, maxTasks) {
    parseConfig(httpSinkConfig, raw);
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...raw }));
  },

  async startTask(taskConfig, ctx) {
    const { startHttpSinkTask } = await import('./task.js');
    return startHttpSinkTask(parseConfig(httpSinkConfig, taskConfig), ctx);
  },
});
