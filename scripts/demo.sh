#!/usr/bin/env bash
# The Quick start's main job: bring the local stack up and say where everything is.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund
bash scripts/stack.sh up
eval "$(bash scripts/stack.sh env)"
cat <<MSG

temporal-connect local stack is running:
  Temporal        $TEMPORAL_ADDRESS   Web UI: $TEMPORAL_UI_URL
  Kafka           $KAFKA_BOOTSTRAP_SERVERS   (tools: npm run stack -- kafka topics --bootstrap-server $KAFKA_BOOTSTRAP_SERVERS --list)
  MariaDB         $MYSQL_HOST:$MYSQL_PORT   database $MYSQL_DATABASE, user $MYSQL_USER
  Elasticsearch   $ELASTICSEARCH_URL

Use it from a shell:   eval "\$(npm run --silent stack -- env)"
Stop everything:       npm run stack -- down
MSG
