import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ConnectClient } from '../../src/client/index.js';
import { LoggerLevels } from '../../src/rest/loggers.js';
import { buildRestApp } from '../../src/rest/server.js';
import { stackEnv } from './stack.js';

/** Our REST API in this process on a free loopback port, serving the connectors of `taskQueue` (its Kafka cluster id reads `cluster`). */
export async function startRestApp(taskQueue: string): Promise<{ base: string; client: ConnectClient; close(): Promise<void> }> {
  const env = stackEnv();
  const client = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
  const app = buildRestApp({ client, ready: () => true, loggers: new LoggerLevels(pino({ level: 'info' }, { write() {} })), kafkaClusterId: async () => 'cluster' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    client,
    async close() {
      await app.close();
      await client.close();
    },
  };
}
