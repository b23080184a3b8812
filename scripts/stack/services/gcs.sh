# shellcheck shell=bash
# Google Cloud Storage emulator: fake-gcs-server (github.com/fsouza/fake-gcs-server), a Go program built
# once with `go install` through the Go module proxy and cached under $OPT. It serves the GCS JSON API
# (buckets, objects, simple/multipart/resumable uploads, listing with prefixes) over plain HTTP on
# 127.0.0.1:$GCS_PORT and keeps objects on disk under $RUN/gcs/data. No credentials are checked.
# Sourced by scripts/stack.sh; see README.md beside this file.

GCS_VERSION=${GCS_VERSION:-v1.56.1}
GCS_PORT=${GCS_PORT:-4443}
GCS_BIN=$OPT/fake-gcs-server-$GCS_VERSION/fake-gcs-server

provision_gcs() {
  [ -f "$OPT/fake-gcs-server-$GCS_VERSION/.installed" ] && [ -x "$GCS_BIN" ] && return 0
  local log=$OPT/fake-gcs-server-install.log
  command -v go >/dev/null || fail "install fake-gcs-server" "" "the Go toolchain is needed to build fake-gcs-server (apt-get install golang-go, or Go from go.dev)"
  say "building fake-gcs-server $GCS_VERSION with go install (Go module proxy) ..."
  rm -rf "$OPT/fake-gcs-server-$GCS_VERSION"; mkdir -p "$OPT/fake-gcs-server-$GCS_VERSION"
  GOBIN=$OPT/fake-gcs-server-$GCS_VERSION CGO_ENABLED=0 go install "github.com/fsouza/fake-gcs-server@$GCS_VERSION" >"$log" 2>&1 \
    || fail "install fake-gcs-server" "$log" "go install failed"
  "$GCS_BIN" -help >/dev/null 2>&1 || [ $? -le 2 ] || fail "install fake-gcs-server" "$log" "the built binary does not run"
  touch "$OPT/fake-gcs-server-$GCS_VERSION/.installed"
}

start_gcs() {
  alive gcs && return 0
  port_open "$GCS_PORT" && fail "start gcs" "" "port $GCS_PORT is taken by another process (set GCS_PORT)"
  mkdir -p "$RUN/gcs/data"
  start_bg gcs "$GCS_BIN" -scheme http -host 127.0.0.1 -port "$GCS_PORT" \
    -external-url "http://127.0.0.1:$GCS_PORT" -public-host "127.0.0.1:$GCS_PORT" \
    -backend filesystem -filesystem-root "$RUN/gcs/data" -log-level warn
}

health_gcs() { http_health gcs "http://127.0.0.1:$GCS_PORT/storage/v1/b"; }

describe_gcs() { echo "http://127.0.0.1:$GCS_PORT (fake-gcs-server $GCS_VERSION, GCS JSON API, no auth)"; }

env_gcs() {
  # Not STORAGE_EMULATOR_HOST: Google's clients disagree on it (Go and Python take host:port and add
  # /storage/v1; Node's @google-cloud/storage takes it as the whole base URL), and exported to every
  # test process it would redirect any GCS client there. Clients get the endpoint explicitly
  # (store.url, apiEndpoint); for another tool: STORAGE_EMULATOR_HOST=$GCS_ENDPOINT (Go, Python).
  echo "GCS_ENDPOINT=http://127.0.0.1:$GCS_PORT"
}
