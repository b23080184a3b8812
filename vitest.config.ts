import { defineConfig } from 'vitest/config';

// Three projects: unit (pure logic, fakes allowed), workflows (the workflows with stub activities
// on a dev server of their own) and integration (real servers from `npm run stack -- up`; a missing
// server fails the run, it never skips).
export default defineConfig({
  test: {
    reporters: ['default'],
    pool: 'forks',
    // 2 cores shared with four servers: keep concurrency modest.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        // The real workflows with stub activities on a Temporal dev server of their own (the
        // temporal CLI the stack installs, on a free port): no Kafka, MariaDB or Elasticsearch, so
        // not under integration (whose global set-up requires all four servers); not unit either,
        // since each file starts a server process.
        test: {
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/helpers/log-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          // Worker and Temporal SDK logs to files (test/helpers/log-setup.ts), not the console.
          setupFiles: ['test/helpers/log-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Distributed-mode tests on production-shaped servers (npx vitest run --project cluster);
        // test/cluster/kafka-broker-kill.test.ts starts a private three-broker Kafka of its own.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/log-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
