import { afterAll, beforeAll } from 'vitest';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client, Connection } from '@temporalio/client';
import type mysql from 'mysql2/promise';
import { ConnectClient } from '../../src/client/index.js';
import { elastic, mysqlConnection, temporalClient } from './clients.js';
import { stackEnv } from './stack.js';
import { testWorker } from './worker.js';

// Vitest hooks live here, not in worker.ts: test/replay/record.ts imports that outside vitest.

/** A test file's worker and the clients it asked useWorker for, all set in beforeAll. */
export interface WorkerFixture {
  worker: Awaited<ReturnType<typeof testWorker>>;
  /** The SDK on the worker's task queue (`sdk: true`). */
  sdk: ConnectClient;
  /** A Temporal client and its connection (`temporal: true`). */
  client: Client;
  conn: Connection;
  /** `es: true` */
  es: ElasticClient;
  /** `db: true` */
  db: mysql.Connection;
  /** Run last to first at the end, before anything closes; failures are ignored. */
  cleanups: Array<() => Promise<unknown>>;
}

/**
 * Registers beforeAll/afterAll (call it inside `describe`) for a testWorker and the clients asked for;
 * `passwordEnv` sets TC_TEST_MYSQL_PASSWORD first, for configs that say `${env:TC_TEST_MYSQL_PASSWORD}`
 * (the worker enables the env provider for TC_TEST_* variables only: TEST_PROVIDERS in worker.ts).
 * Teardown: cleanups (reversed), SDK, worker, Temporal connection, Elasticsearch, MariaDB.
 */
export function useWorker(opts: { sdk?: boolean; temporal?: boolean; es?: boolean; db?: boolean; passwordEnv?: boolean }): WorkerFixture {
  const fx = { cleanups: [] as WorkerFixture['cleanups'] } as WorkerFixture;
  beforeAll(async () => {
    const env = stackEnv();
    if (opts.passwordEnv) process.env.TC_TEST_MYSQL_PASSWORD = env.MYSQL_PASSWORD;
    fx.worker = await testWorker();
    if (opts.sdk) fx.sdk = await ConnectClient.connect({ address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: fx.worker.taskQueue });
    if (opts.temporal) ({ client: fx.client, connection: fx.conn } = await temporalClient());
    if (opts.es) fx.es = elastic();
    if (opts.db) fx.db = await mysqlConnection();
  });
  afterAll(async () => {
    for (const c of fx.cleanups.reverse()) await c().catch(() => undefined);
    await fx.sdk?.close();
    await fx.worker?.shutdown();
    await fx.conn?.close();
    await fx.es?.close();
    await fx.db?.end();
  });
  return fx;
}
