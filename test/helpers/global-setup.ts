import net from 'node:net';
import { stackEnv, stackTarget } from './stack.js';

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
  await checkServers(stackTarget());
}

/** The servers of a target stack (test/helpers/stack.ts) answer, or an error names those that do not. */
export async function checkServers(target: 'dev' | 'cluster'): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const env = stackEnv(target);
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
        (target === 'cluster'
          ? `Start it with 'bash scripts/stack.sh up mariadb temporal_cluster' (npm run test:cluster does this for you) and see 'npm run stack -- status all'.`
          : `Start it with 'npm run stack -- up' (npm test does this for you) and see 'npm run stack -- status'.`),
    );
  }
}
