#!/usr/bin/env bash
# The Quick start's main job: bring the local stack up, then run the flagship pipeline
# (MariaDB orders -> Kafka mysql.orders -> Elasticsearch) with a worker left running.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund
bash scripts/stack.sh up
set -a
eval "$(bash scripts/stack.sh env)"
set +a
export TCONNECT_LOG_LEVEL=${TCONNECT_LOG_LEVEL:-warn}
exec npx tsx scripts/demo.ts
