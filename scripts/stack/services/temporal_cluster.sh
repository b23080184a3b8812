# shellcheck shell=bash
# A production-shaped Temporal beside the dev server: the Temporal server itself (go.temporal.io/server,
# all four services in one process) on the stack's PostgreSQL (service `postgres`; started here when it
# is not running) with TEMPORAL_CLUSTER_SHARDS history shards (default 4), SQL visibility (postgres12),
# the namespace `default` and the connectors' search attributes. `npm run test:cluster` runs the
# distributed-mode tests against it.
#
# Built from the Go module proxy with the machine's Go toolchain (temporal-server and temporal-sql-tool),
# cached under $OPT/temporal-server-<version>. v1.32.1 is the newest release whose go.mod accepts
# Go 1.26.8 (v1.32.2 asks for 1.26.10). The schema files come from the module's source.
#
# Settings: TEMPORAL_CLUSTER_PORT (frontend gRPC, default 7243), TEMPORAL_CLUSTER_HTTP_PORT (7244),
# the internal services' gRPC ports TEMPORAL_CLUSTER_HISTORY_PORT (7245), _MATCHING_PORT (7246),
# _WORKER_PORT (7247), their membership ports 7253-7256 (TEMPORAL_CLUSTER_MEMBERSHIP_BASE), Prometheus
# metrics TEMPORAL_CLUSTER_METRICS_PORT (7248), TEMPORAL_CLUSTER_SHARDS (fixed once the database is
# made: a different count needs new databases), TEMPORAL_CLUSTER_DB / _VISIBILITY_DB (temporal,
# temporal_visibility; owned by the stack's PostgreSQL user).
TEMPORAL_SERVER_VERSION=v1.32.1
TEMPORAL_SERVER_HOME=$OPT/temporal-server-$TEMPORAL_SERVER_VERSION
TEMPORAL_CLUSTER_PORT=${TEMPORAL_CLUSTER_PORT:-7243}
TEMPORAL_CLUSTER_HTTP_PORT=${TEMPORAL_CLUSTER_HTTP_PORT:-7244}
TEMPORAL_CLUSTER_HISTORY_PORT=${TEMPORAL_CLUSTER_HISTORY_PORT:-7245}
TEMPORAL_CLUSTER_MATCHING_PORT=${TEMPORAL_CLUSTER_MATCHING_PORT:-7246}
TEMPORAL_CLUSTER_WORKER_PORT=${TEMPORAL_CLUSTER_WORKER_PORT:-7247}
TEMPORAL_CLUSTER_METRICS_PORT=${TEMPORAL_CLUSTER_METRICS_PORT:-7248}
TEMPORAL_CLUSTER_MEMBERSHIP_BASE=${TEMPORAL_CLUSTER_MEMBERSHIP_BASE:-7253}
TEMPORAL_CLUSTER_SHARDS=${TEMPORAL_CLUSTER_SHARDS:-4}
TEMPORAL_CLUSTER_DB=${TEMPORAL_CLUSTER_DB:-temporal}
TEMPORAL_CLUSTER_VISIBILITY_DB=${TEMPORAL_CLUSTER_VISIBILITY_DB:-temporal_visibility}
TEMPORAL_CLUSTER_NAMESPACE=default
# The search attributes the connector workflows upsert (workflows/connector.ts), as the dev server's flags.
TEMPORAL_CLUSTER_SEARCH_ATTRIBUTES=(ConnectorName ConnectorState ConnectorClass)

# tcluster_go ARGS...: go in the build module, with a module and build cache of its own, niced.
tcluster_go() {
  local build=$OPT/temporal-server-build
  (cd "$build/mod" && GOMODCACHE="$build/gomod" GOCACHE="$build/gocache" GOFLAGS="-p=2 -buildvcs=false" CGO_ENABLED=0 nice -n 10 go "$@")
}

provision_temporal_cluster() {
  [ -f "$TEMPORAL_SERVER_HOME/.installed" ] && return 0
  local log=$OPT/temporal-cluster-install.log build=$OPT/temporal-server-build
  command -v go >/dev/null || fail "install temporal_cluster" "" "the Go toolchain is needed to build the Temporal server"
  say "building the Temporal server $TEMPORAL_SERVER_VERSION from the Go module proxy (cold: over an hour on two busy shared cores; cached afterwards) ..."
  mkdir -p "$TEMPORAL_SERVER_HOME/bin" "$build/mod"
  # A module that requires the server, built with `go build` (as bigquery.sh does): the server's
  # module is a library, and this pins the version without asking the proxy for a version list.
  cat >"$build/mod/go.mod" <<MOD
module tctemporalserver

go 1.26.8

require go.temporal.io/server $TEMPORAL_SERVER_VERSION
MOD
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.temporal.io/server/cmd/server"\n\t_ "go.temporal.io/server/cmd/tools/sql"\n)\n' >"$build/mod/tools.go"
  local start=$SECONDS cmd out
  tcluster_go mod tidy >"$log" 2>&1 || fail "install temporal_cluster" "$log" "go mod tidy failed"
  for cmd in server:temporal-server tools/sql:temporal-sql-tool; do
    out=${cmd#*:}; cmd=${cmd%%:*}
    tcluster_go build -o "$TEMPORAL_SERVER_HOME/bin/$out" "go.temporal.io/server/cmd/$cmd" >>"$log" 2>&1 \
      || fail "install temporal_cluster" "$log" "go build of cmd/$cmd failed"
  done
  # The SQL schemas (and their versioned updates) from the module's source, kept beside the binaries.
  rm -rf "$TEMPORAL_SERVER_HOME/schema"
  cp -r "$build/gomod/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql" "$TEMPORAL_SERVER_HOME/schema" \
    || fail "install temporal_cluster" "$log" "the module's schema/postgresql folder is missing"
  chmod -R u+w "$TEMPORAL_SERVER_HOME/schema"
  say "built the Temporal server in $((SECONDS - start)) s"
  touch "$TEMPORAL_SERVER_HOME/.installed"
}

tcluster_sql_tool() { # tcluster_sql_tool DB ARGS...: temporal-sql-tool on the stack's PostgreSQL as its user
  local db=$1; shift
  SQL_PASSWORD=$POSTGRES_PASSWORD "$TEMPORAL_SERVER_HOME/bin/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 \
    -p "$POSTGRES_PORT" -u "$POSTGRES_USER" --db "$db" "$@"
}

# Creates the two databases and brings their schemas to the version this server ships (idempotent).
tcluster_schema() {
  local log=$1 db dir
  for db in "$TEMPORAL_CLUSTER_DB:temporal" "$TEMPORAL_CLUSTER_VISIBILITY_DB:visibility"; do
    dir=$TEMPORAL_SERVER_HOME/schema/v12/${db#*:}/versioned; db=${db%%:*}
    if ! PGPASSWORD=$POSTGRES_PASSWORD psql -X -qtA -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$db" -c 'SELECT 1 FROM schema_version' >/dev/null 2>&1; then
      tcluster_sql_tool "$db" create-database >>"$log" 2>&1 || true # fails only when it exists
      tcluster_sql_tool "$db" setup-schema -v 0.0 >>"$log" 2>&1 || fail "set up temporal_cluster" "$log" "setup-schema of database $db failed"
    fi
    tcluster_sql_tool "$db" update-schema -d "$dir" >>"$log" 2>&1 || fail "set up temporal_cluster" "$log" "update-schema of database $db failed"
  done
}

start_temporal_cluster() {
  alive temporal_cluster && return 0
  local p
  for p in "$TEMPORAL_CLUSTER_PORT" "$TEMPORAL_CLUSTER_HTTP_PORT" "$TEMPORAL_CLUSTER_HISTORY_PORT" "$TEMPORAL_CLUSTER_MATCHING_PORT" \
           "$TEMPORAL_CLUSTER_WORKER_PORT" "$TEMPORAL_CLUSTER_METRICS_PORT" $(seq "$TEMPORAL_CLUSTER_MEMBERSHIP_BASE" $((TEMPORAL_CLUSTER_MEMBERSHIP_BASE + 3))); do
    port_open "$p" && fail "start temporal_cluster" "" "port $p is taken by another process (see the TEMPORAL_CLUSTER_*_PORT settings in scripts/stack/services/temporal_cluster.sh)"
  done
  # Its persistence is the stack's PostgreSQL: start that first when it is not serving.
  if ! health_postgres >/dev/null; then
    say "temporal_cluster needs the stack's PostgreSQL: starting service postgres"
    provision_postgres
    start_postgres
    wait_healthy postgres 120
  fi
  local dir=$RUN/temporal_cluster
  mkdir -p "$dir"
  touch "$(logfile temporal_cluster)"
  tcluster_schema "$dir/schema.log"
  (umask 077; tcluster_config "$dir" >"$dir/config.yaml") # it holds the database password
  cat >"$dir/dynamicconfig.yaml" <<'EOF'
# Search attributes registered by `stack up` are seen at once (as the dev server does).
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
EOF
  start_bg temporal_cluster "$TEMPORAL_SERVER_HOME/bin/temporal-server" --config-file "$dir/config.yaml" \
    start --service frontend --service history --service matching --service worker
}

tcluster_config() { # tcluster_config RUNDIR: the server's configuration
  local db_pw=${POSTGRES_PASSWORD//\"/\\\"} m=$TEMPORAL_CLUSTER_MEMBERSHIP_BASE store name db conns
  cat <<EOF
# Written by scripts/stack/services/temporal_cluster.sh at each start; edits are lost.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: $TEMPORAL_CLUSTER_SHARDS
  datastores:
EOF
  for store in "postgres-default:$TEMPORAL_CLUSTER_DB:20" "postgres-visibility:$TEMPORAL_CLUSTER_VISIBILITY_DB:10"; do
    IFS=: read -r name db conns <<<"$store"
    cat <<EOF
    $name:
      sql:
        pluginName: postgres12
        databaseName: "$db"
        connectAddr: "127.0.0.1:$POSTGRES_PORT"
        connectProtocol: tcp
        user: "$POSTGRES_USER"
        password: "$db_pw"
        maxConns: $conns
        maxIdleConns: $conns
        maxConnLifetime: 1h
EOF
  done
  cat <<EOF
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:$TEMPORAL_CLUSTER_METRICS_PORT"
services:
  frontend:
    rpc: { grpcPort: $TEMPORAL_CLUSTER_PORT, httpPort: $TEMPORAL_CLUSTER_HTTP_PORT, membershipPort: $m, bindOnLocalHost: true }
  history:
    rpc: { grpcPort: $TEMPORAL_CLUSTER_HISTORY_PORT, membershipPort: $((m + 1)), bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $TEMPORAL_CLUSTER_MATCHING_PORT, membershipPort: $((m + 2)), bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $TEMPORAL_CLUSTER_WORKER_PORT, membershipPort: $((m + 3)), bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$TEMPORAL_CLUSTER_PORT"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "$1/dynamicconfig.yaml"
  pollInterval: 10s
EOF
}

tcluster_cli() { "$TEMPORAL_BIN" "$@" --address "127.0.0.1:$TEMPORAL_CLUSTER_PORT" --namespace "$TEMPORAL_CLUSTER_NAMESPACE"; }

# The namespace and the search attributes, registered once (both stay in PostgreSQL).
setup_temporal_cluster() {
  local log=$RUN/temporal_cluster/setup.log a have
  if ! tcluster_cli operator namespace describe >/dev/null 2>&1; then
    tcluster_cli operator namespace create --retention 72h >>"$log" 2>&1 || return 1
  fi
  have=$(tcluster_cli operator search-attribute list 2>>"$log") || return 1
  for a in "${TEMPORAL_CLUSTER_SEARCH_ATTRIBUTES[@]}"; do
    grep -qw "$a" <<<"$have" || tcluster_cli operator search-attribute create --name "$a" --type Keyword >>"$log" 2>&1 || return 1
  done
}

health_temporal_cluster() {
  alive temporal_cluster || { echo "not running"; return 1; }
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$TEMPORAL_CLUSTER_PORT" 2>&1 | grep -q SERVING \
    || { echo "process up but gRPC health check on 127.0.0.1:$TEMPORAL_CLUSTER_PORT not SERVING"; return 1; }
  # Serving for the connectors: a visibility query on their search attribute in namespace default answers.
  if ! tcluster_cli workflow list --query "ConnectorName = 'stack-health'" --limit 1 >/dev/null 2>&1; then
    setup_temporal_cluster || { echo "serving, but registering namespace $TEMPORAL_CLUSTER_NAMESPACE / its search attributes failed (see $RUN/temporal_cluster/setup.log)"; return 1; }
    tcluster_cli workflow list --query "ConnectorName = 'stack-health'" --limit 1 >/dev/null 2>&1 \
      || { echo "serving, but a visibility query on ConnectorName in namespace $TEMPORAL_CLUSTER_NAMESPACE fails yet"; return 1; }
  fi
}

describe_temporal_cluster() {
  echo "127.0.0.1:$TEMPORAL_CLUSTER_PORT (Temporal server ${TEMPORAL_SERVER_VERSION#v}, PostgreSQL databases $TEMPORAL_CLUSTER_DB/$TEMPORAL_CLUSTER_VISIBILITY_DB, $TEMPORAL_CLUSTER_SHARDS history shards, metrics http://127.0.0.1:$TEMPORAL_CLUSTER_METRICS_PORT/metrics)"
}

env_temporal_cluster() {
  cat <<EOF
TEMPORAL_CLUSTER_ADDRESS=127.0.0.1:$TEMPORAL_CLUSTER_PORT
TEMPORAL_CLUSTER_NAMESPACE=$TEMPORAL_CLUSTER_NAMESPACE
TEMPORAL_CLUSTER_SHARDS=$TEMPORAL_CLUSTER_SHARDS
TEMPORAL_CLUSTER_DB=$TEMPORAL_CLUSTER_DB
TEMPORAL_CLUSTER_METRICS_URL=http://127.0.0.1:$TEMPORAL_CLUSTER_METRICS_PORT/metrics
EOF
}
