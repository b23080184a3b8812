import path from 'node:path';
import pino from 'pino';
import { createLogger, type Logger } from '../../src/logging.js';
import { startWorker, type RunningWorker } from '../../src/worker/index.js';
import { TEST_LOG_DIR } from './log-setup.js';
import { stackEnv, uniqueName } from './stack.js';

/**
 * The config providers test workers enable: no provider is on unless the worker config names it,
 * so tests that say `${env:TC_TEST_MYSQL_PASSWORD}` need env, and only variables named TC_TEST_*.
 */
export const TEST_PROVIDERS: Readonly<Record<string, string>> = {
  'config.providers': 'env',
  'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
  'config.providers.env.param.allowlist.pattern': 'TC_TEST_.*',
};

/**
 * An in-process worker on a task queue of the test's own, so tests do not steal each other's work.
 * Its worker config is TEST_PROVIDERS with `workerConfig` over it. It logs to
 * <TEST_LOG_DIR>/<task queue>.log unless given a logger.
 */
export async function testWorker(opts: { taskQueue?: string; workerConfig?: Record<string, string>; workerId?: string; logger?: Logger } = {}): Promise<RunningWorker & { taskQueue: string }> {
  const env = stackEnv();
  const taskQueue = opts.taskQueue ?? uniqueName('connect-test');
  const w = await startWorker({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue,
    kafkaBrokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','),
    workerConfig: { ...TEST_PROVIDERS, ...opts.workerConfig },
    workerId: opts.workerId,
    logger: opts.logger ?? createLogger({}, pino.destination({ dest: path.join(TEST_LOG_DIR, `${taskQueue}.log`), sync: true, mkdir: true })),
  });
  return { ...w, taskQueue };
}
