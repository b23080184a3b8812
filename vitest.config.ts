import { defineConfig } from 'vitest/config';

// Two projects: unit (pure logic, fakes allowed) and integration (real servers from
// `npm run stack -- up`; a missing server fails the run, it never skips).
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
    ],
  },
});
