import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * Integration test processes log to files, not the console, so `npm test` stays readable:
 * the Temporal SDK's own warnings (activity retries, failed workflows: many tests cause them on
 * purpose) go to <TCONNECT_TEST_LOG_DIR>/temporal-sdk-<pid>.log; test workers' logs go next to
 * them (test/helpers/worker.ts). A failing test's message says what failed; the logs say why.
 */
export const TEST_LOG_DIR = process.env.TCONNECT_TEST_LOG_DIR || path.join(os.tmpdir(), 'tconnect-test-logs');
mkdirSync(TEST_LOG_DIR, { recursive: true });

const sdkLog = path.join(TEST_LOG_DIR, `temporal-sdk-${process.pid}.log`);
try {
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      appendFileSync(sdkLog, `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {}, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);
    }),
  });
} catch {
  // Already installed in this process: keep it.
}
