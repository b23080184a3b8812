import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { ElasticsearchSinkConfig } from './config.js';

/**
 * The official client for a sink task. Its own retries are off: max.retries and retry.backoff.ms
 * are applied by us, per request, and the runtime retries whole batches on top.
 */
export function createClient(cfg: ElasticsearchSinkConfig): Client {
  const username = cfg['connection.username'];
  const password = cfg['connection.password'];
  const options: ClientOptions = {
    nodes: cfg['connection.url'],
    maxRetries: 0,
    // read.timeout.ms bounds the wait for an answer; 0 means none, as Connect's socket timeout.
    requestTimeout: cfg['read.timeout.ms'],
    compression: cfg['connection.compression'],
    // connection.timeout.ms is undici's connect timeout (the transport passes agent options through).
    agent: { connect: { timeout: cfg['connection.timeout.ms'] } } as ClientOptions['agent'],
    // As Confluent: authenticate only when both are set.
    ...(username && password ? { auth: { username, password } } : {}),
  };
  return new Client(options);
}
