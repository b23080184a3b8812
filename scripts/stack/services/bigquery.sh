# shellcheck shell=bash
# BigQuery emulator: goccy/bigquery-emulator, built from the Go module proxy (pure Go since v0.7:
# GoogleSQL on SQLite, no cgo). A cold build compiles several large generated packages and takes
# tens of minutes on two shared cores; the binary is cached under $OPT, so later runs start at once.
# Settings: BIGQUERY_PORT (REST, default 9050), BIGQUERY_GRPC_PORT (Storage API, default 9060),
# BIGQUERY_PROJECT (default tc-test), BIGQUERY_DATASET (created at start, default tc_dataset).
BIGQUERY_PORT=${BIGQUERY_PORT:-9050}
BIGQUERY_GRPC_PORT=${BIGQUERY_GRPC_PORT:-9060}
BIGQUERY_PROJECT=${BIGQUERY_PROJECT:-tc-test}
BIGQUERY_DATASET=${BIGQUERY_DATASET:-tc_dataset}
BIGQUERY_EMULATOR_VERSION=v0.8.1
BIGQUERY_HOME=$OPT/bigquery-emulator-$BIGQUERY_EMULATOR_VERSION

provision_bigquery() {
  [ -f "$BIGQUERY_HOME/.installed" ] && [ -x "$BIGQUERY_HOME/bin/bigquery-emulator" ] && return 0
  local log=$OPT/bigquery-install.log build=$OPT/bigquery-build
  command -v go >/dev/null || fail "install bigquery" "" "the Go toolchain is needed to build the BigQuery emulator"
  say "building the BigQuery emulator $BIGQUERY_EMULATOR_VERSION from the Go module proxy (cold: tens of minutes; cached afterwards) ..."
  mkdir -p "$BIGQUERY_HOME/bin" "$build/mod"
  # A module that requires the emulator, built with `go build`: `go install pkg@version` asks the
  # proxy for the module's version list, which it refuses for this module.
  cat >"$build/mod/go.mod" <<MOD
module tcbigqueryemulator

go 1.25.0

require github.com/goccy/bigquery-emulator $BIGQUERY_EMULATOR_VERSION
MOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"\n' >"$build/mod/tools.go"
  local start=$SECONDS
  if ! (cd "$build/mod" && export GOMODCACHE="$build/gomod" GOCACHE="$build/gocache" GOFLAGS=-p=2 \
        && go mod tidy && go build -o "$BIGQUERY_HOME/bin/bigquery-emulator" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator) >"$log" 2>&1; then
    fail "install bigquery" "$log" "go build failed"
  fi
  say "built the BigQuery emulator in $((SECONDS - start)) s"
  touch "$BIGQUERY_HOME/.installed"
}

start_bigquery() {
  alive bigquery && return 0
  port_open "$BIGQUERY_PORT" && fail "start bigquery" "" "port $BIGQUERY_PORT is taken by another process (set BIGQUERY_PORT)"
  port_open "$BIGQUERY_GRPC_PORT" && fail "start bigquery" "" "port $BIGQUERY_GRPC_PORT is taken by another process (set BIGQUERY_GRPC_PORT)"
  start_bg bigquery "$BIGQUERY_HOME/bin/bigquery-emulator" --host=127.0.0.1 --port="$BIGQUERY_PORT" --grpc-port="$BIGQUERY_GRPC_PORT" \
    --project="$BIGQUERY_PROJECT" --dataset="$BIGQUERY_DATASET" --log-level=warn
}

health_bigquery() { http_health bigquery "http://127.0.0.1:$BIGQUERY_PORT/bigquery/v2/projects/$BIGQUERY_PROJECT/datasets"; }

describe_bigquery() { echo "http://127.0.0.1:$BIGQUERY_PORT project $BIGQUERY_PROJECT (gRPC 127.0.0.1:$BIGQUERY_GRPC_PORT; goccy/bigquery-emulator $BIGQUERY_EMULATOR_VERSION)"; }

env_bigquery() {
  echo "BIGQUERY_EMULATOR_HOST=http://127.0.0.1:$BIGQUERY_PORT"
  echo "BIGQUERY_PROJECT=$BIGQUERY_PROJECT"
  echo "BIGQUERY_DATASET=$BIGQUERY_DATASET"
}
