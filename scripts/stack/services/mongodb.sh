# shellcheck shell=bash
# MongoDB wire protocol for the MongoDB sink: FerretDB v1 on its SQLite backend, built from the Go module
# proxy. No package registry here ships a real mongod (Debian dropped MongoDB; the npm and PyPI helpers
# download mongod from MongoDB's site at run time, which cannot be reached), and FerretDB v2 needs
# PostgreSQL with the DocumentDB extension. FerretDB speaks MongoDB's wire protocol to the official
# drivers (bulk writes, upserts, unique _id, write errors per document) but has no change streams.
MONGODB_FERRETDB_VERSION=${MONGODB_FERRETDB_VERSION:-v1.24.2}
MONGODB_PORT=${MONGODB_PORT:-27017}
MONGODB_HOME=$OPT/ferretdb-$MONGODB_FERRETDB_VERSION

provision_mongodb() {
  [ -f "$MONGODB_HOME/.installed" ] && return 0
  local log=$OPT/ferretdb-install.log src
  command -v go >/dev/null || fail "install mongodb" "" "FerretDB is built with Go, and go is not on PATH"
  say "building FerretDB $MONGODB_FERRETDB_VERSION from the Go module proxy (a few minutes on a cold cache) ..."
  rm -rf "$MONGODB_HOME"; mkdir -p "$MONGODB_HOME/bin"
  # `go install ...@version` builds a binary that panics at start: FerretDB reads its version from
  # build/version/version.txt, which its release process writes and the module leaves empty. So
  # the module's source is copied, that file written, and the copy built.
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$MONGODB_FERRETDB_VERSION" 2>>"$log" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
  if [ -z "$src" ] || [ ! -d "$src" ]; then fail "install mongodb" "$log" "go mod download of FerretDB failed"; fi
  rm -rf "$MONGODB_HOME/src"; cp -r "$src" "$MONGODB_HOME/src"; chmod -R u+w "$MONGODB_HOME/src"
  echo "$MONGODB_FERRETDB_VERSION" >"$MONGODB_HOME/src/build/version/version.txt"
  (cd "$MONGODB_HOME/src" && CGO_ENABLED=0 go build -o "$MONGODB_HOME/bin/ferretdb" ./cmd/ferretdb) >>"$log" 2>&1 \
    || fail "install mongodb" "$log" "go build of FerretDB failed"
  rm -rf "$MONGODB_HOME/src"
  "$MONGODB_HOME/bin/ferretdb" --version >>"$log" 2>&1 || fail "install mongodb" "$log" "the built ferretdb does not run"
  touch "$MONGODB_HOME/.installed"
}

start_mongodb() {
  alive mongodb && return 0
  port_open "$MONGODB_PORT" && fail "start mongodb" "" "port $MONGODB_PORT is taken by another process (set MONGODB_PORT)"
  local dir=$RUN/mongodb
  mkdir -p "$dir/data" "$dir/state"
  start_bg mongodb "$MONGODB_HOME/bin/ferretdb" --handler=sqlite --sqlite-url="file:$dir/data/" \
    --listen-addr="127.0.0.1:$MONGODB_PORT" --state-dir="$dir/state" --debug-addr=- --telemetry=disable --log-level=error
}

health_mongodb() {
  if ! alive mongodb; then echo "not running"; return 1; fi
  if ! port_open "$MONGODB_PORT"; then echo "not listening on $MONGODB_PORT yet"; return 1; fi
}

describe_mongodb() { echo "FerretDB $MONGODB_FERRETDB_VERSION (MongoDB wire protocol, SQLite backend) on mongodb://127.0.0.1:$MONGODB_PORT"; }

env_mongodb() {
  echo "MONGODB_PORT=$MONGODB_PORT"
  echo "MONGODB_URI=mongodb://127.0.0.1:$MONGODB_PORT"
}
