# shellcheck shell=bash
# MinIO, an S3-compatible object server (github.com/minio/minio), for the S3 sink and source. Built
# once with `go install` of the MinIO server module through the Go module proxy and cached under
# $OPT (a cold build compiles a large module graph: see the README's figure). It serves the S3 API
# over plain HTTP on 127.0.0.1:$MINIO_PORT with path-style buckets and signature v4 checked against
# the root user below; objects live under $RUN/minio/data. The web console is off unless
# MINIO_CONSOLE_PORT is set. Sourced by scripts/stack.sh; see README.md beside this file.

# A pinned pseudo-version of the server module (MinIO tags releases RELEASE.<date>, which the Go
# module proxy does not list as versions).
MINIO_VERSION=${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}
MINIO_PORT=${MINIO_PORT:-9000}
MINIO_CONSOLE_PORT=${MINIO_CONSOLE_PORT:-}
MINIO_ROOT_USER=${MINIO_ROOT_USER:-tconnect}
MINIO_ROOT_PASSWORD=${MINIO_ROOT_PASSWORD:-tconnect-minio-dev}
MINIO_REGION=${MINIO_REGION:-us-east-1}
MINIO_BIN=$OPT/minio-$MINIO_VERSION/minio

provision_minio() {
  [ -f "$OPT/minio-$MINIO_VERSION/.installed" ] && [ -x "$MINIO_BIN" ] && return 0
  local log=$OPT/minio-install.log
  command -v go >/dev/null || fail "install minio" "" "the Go toolchain is needed to build MinIO (apt-get install golang-go, or Go from go.dev)"
  say "building the MinIO server $MINIO_VERSION with go install (Go module proxy; a cold build takes several minutes) ..."
  rm -rf "$OPT/minio-$MINIO_VERSION"; mkdir -p "$OPT/minio-$MINIO_VERSION"
  GOBIN=$OPT/minio-$MINIO_VERSION CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION" >"$log" 2>&1 \
    || fail "install minio" "$log" "go install failed"
  "$MINIO_BIN" --version >>"$log" 2>&1 || fail "install minio" "$log" "the built binary does not run"
  touch "$OPT/minio-$MINIO_VERSION/.installed"
}

start_minio() {
  alive minio && return 0
  port_open "$MINIO_PORT" && fail "start minio" "" "port $MINIO_PORT is taken by another process (set MINIO_PORT)"
  mkdir -p "$RUN/minio/data"
  local console=()
  if [ -n "$MINIO_CONSOLE_PORT" ]; then console=(--console-address "127.0.0.1:$MINIO_CONSOLE_PORT"); fi
  local browser=off
  if [ -n "$MINIO_CONSOLE_PORT" ]; then browser=on; fi
  start_bg minio env MINIO_ROOT_USER="$MINIO_ROOT_USER" MINIO_ROOT_PASSWORD="$MINIO_ROOT_PASSWORD" MINIO_REGION="$MINIO_REGION" \
    MINIO_BROWSER=$browser MINIO_UPDATE=off \
    "$MINIO_BIN" server --quiet --address "127.0.0.1:$MINIO_PORT" "${console[@]}" "$RUN/minio/data"
}

health_minio() { http_health minio "http://127.0.0.1:$MINIO_PORT/minio/health/ready"; }

describe_minio() { echo "http://127.0.0.1:$MINIO_PORT (MinIO $MINIO_VERSION, S3 API, root user $MINIO_ROOT_USER)"; }

env_minio() {
  echo "S3_ENDPOINT=http://127.0.0.1:$MINIO_PORT"
  echo "AWS_ACCESS_KEY_ID=$MINIO_ROOT_USER"
  echo "AWS_SECRET_ACCESS_KEY=$MINIO_ROOT_PASSWORD"
  echo "AWS_REGION=$MINIO_REGION"
}
