import type { Logger } from '../../src/logging.js';
import { startWorker, type RunningWorker } from '../../src/worker/index.js';
import { stackEnv, uniqueName } from './stack.js';

/** An in-process worker on a task queue of the test's own, so tests do not steal each other's work. */
export async function testWorker(opts: { taskQueue?: string; workerConfig?: Record<string, string>; workerId?: string; logger?: Logger } = {}): Promise<RunningWorker & { taskQueue: string }> {
  const env = stackEnv();
  const taskQueue = opts.taskQueue ?? uniqueName('connect-test');
  const w = await startWorker({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue,
    kafkaBrokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','),
    workerConfig: opts.workerConfig,
    workerId: opts.workerId,
    logger: opts.logger,
  });
  return { ...w, taskQueue };
}
