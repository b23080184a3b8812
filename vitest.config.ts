import { defineConfig } from 'vitest/config';
import WeightedSequencer from './test/helpers/sequencer.js';

// The cluster project's short part, what `npm test` (CI) runs of it; `npm run test:cluster` sets
// TC_CLUSTER_SUITE=full and runs all of test/cluster/.
const CLUSTER_SHORT = ['test/cluster/shards.test.ts'];

// Four projects: unit (pure logic, fakes allowed), workflows (the workflows with stub activities
// on a dev server of their own) and integration (real servers from `npm run stack -- up`; a missing
// server fails the run, it never skips), and cluster (distributed-mode integration tests again, on
// the production-shaped stack: the Temporal server on PostgreSQL with 4 history shards, service
// temporal_cluster, and the three-broker Kafka when it runs; TC_TARGET=cluster, test/helpers/stack.ts).
export default defineConfig({
  test: {
    reporters: ['default'],
    pool: 'forks',
    // 2 cores shared with four servers: keep concurrency modest.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // The three projects share that pool and one queue of files: the longest start first, by the
    // committed weights in test/durations.json, so a fresh clone balances the two forks too.
    sequence: { sequencer: WeightedSequencer },
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
        // test/cluster/kafka-broker-kill.test.ts (full suite only) starts a private three-broker Kafka of its own.
        test: {
          name: 'cluster',
          include: process.env.TC_CLUSTER_SUITE === 'full' ? ['test/cluster/**/*.test.ts'] : CLUSTER_SHORT,
          environment: 'node',
          env: { TC_TARGET: 'cluster' },
          globalSetup: ['test/helpers/cluster-setup.ts'],
          setupFiles: ['test/helpers/log-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
