import net from 'node:net';
import { stackEnv } from './stack.js';

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.replace(/^https?:\/\//, '').split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    s.setTimeout(2000);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

/** Integration tests need every server: a missing one fails the run with a clear message, never a skip. */
export default async function setup(): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const env = stackEnv();
  const servers: Array<[string, string]> = [
    ['Temporal', env.TEMPORAL_ADDRESS],
    ['Kafka', env.KAFKA_BOOTSTRAP_SERVERS.split(',')[0]],
    ['MariaDB', `${env.MYSQL_HOST}:${env.MYSQL_PORT}`],
    ['Elasticsearch', env.ELASTICSEARCH_URL],
  ];
  const down: string[] = [];
  for (const [name, addr] of servers) if (!(await reachable(addr))) down.push(`${name} at ${addr}`);
  if (down.length) {
    throw new Error(
      `Integration tests need the local stack, but nothing answers on: ${down.join(', ')}. ` +
        `Start it with 'npm run stack -- up' (npm test does this for you) and see 'npm run stack -- status'.`,
    );
  }
}
