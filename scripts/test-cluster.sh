#!/usr/bin/env bash
# npm run test:cluster: the distributed-mode integration tests (several workers, failover, pause and
# resume, offsets, sinks) and the shard test again, on the production-shaped stack: the Temporal
# server on PostgreSQL with 4 history shards (service temporal_cluster) and the three-broker Kafka
# (service kafka3). Runs the whole `cluster` vitest project (test/cluster/); `npm test` runs a short
# part of it. Brings the servers up when one is not serving (and stops the stack again afterwards
# unless TC_KEEP_STACK=1, as npm test does). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

# The production-shaped servers. Beside them: mariadb (a core name: the core four, for the JDBC
# sources the tests read) and postgres (temporal_cluster's database; it would start it anyway).
CLUSTER_SERVICES="temporal_cluster kafka3"

# shellcheck source=scripts/test-lib.sh
. scripts/test-lib.sh
# shellcheck disable=SC2086 # CLUSTER_SERVICES is a list of names: split on spaces on purpose
test_setup test:cluster mariadb postgres $CLUSTER_SERVICES
export TCONNECT_TEST_LOG_DIR="${TCONNECT_TEST_LOG_DIR:-${TMPDIR:-/tmp}/tconnect-test-logs}"
# The whole project (vitest.config.ts: the short part otherwise); its files run with TC_TARGET=cluster.
export TC_CLUSTER_SUITE=full
echo "test:cluster: Temporal $TEMPORAL_CLUSTER_ADDRESS ($TEMPORAL_CLUSTER_SHARDS history shards), Kafka ${KAFKA3_BOOTSTRAP_SERVERS:-$KAFKA_BOOTSTRAP_SERVERS}; logs in $TCONNECT_TEST_LOG_DIR"
npx vitest run --project cluster "$@"
