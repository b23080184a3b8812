import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client, Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { stackEnv } from './stack.js';

/** Clients for each server of the local stack, built from `stack env` values. */
export async function temporalClient(): Promise<{ client: Client; connection: Connection }> {
  const env = stackEnv();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  return { client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), connection };
}

export function kafka(clientId = 'tconnect-test'): Kafka {
  return new Kafka({ clientId, brokers: stackEnv().KAFKA_BOOTSTRAP_SERVERS.split(','), logLevel: logLevel.NOTHING });
}

export async function mysqlConnection(): Promise<mysql.Connection> {
  const env = stackEnv();
  return mysql.createConnection({
    host: env.MYSQL_HOST,
    port: Number(env.MYSQL_PORT),
    user: env.MYSQL_USER,
    password: env.MYSQL_PASSWORD,
    database: env.MYSQL_DATABASE,
  });
}

export function elastic(): ElasticClient {
  return new ElasticClient({ node: stackEnv().ELASTICSEARCH_URL });
}
