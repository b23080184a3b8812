#!/usr/bin/env bash
# Builds Benthos v4.27.0 (github.com/benthosdev/benthos/v4, MIT; the last release before the project became
# Redpanda Connect) with every plugin, as its cmd/benthos does, into $RPC_HOME/bin/benthos.
#   bash build.sh            (about 5-6 min on 2 cores with an empty Go module cache)
# RPC_HOME defaults to the stack cache's opt/benthos-4.27.0 (/var/cache/temporal-connect/opt for root, as
# scripts/stack.sh); a complete binary there is reused, and a build of the same binary already running (another
# session's) is waited for rather than repeated. bench/lib/peers.ts runs this when the binary is absent.
# Why not `go install .../cmd/benthos@v4.27.0`: the Go module proxy refuses the module's version list
# (403), which go install reads for deprecation; a wrapper module that requires v4.27.0 builds the same
# packages. cmd/benthos calls internal/cli.Run; the wrapper calls service.RunCLI, its public wrapper.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then TC_HOME=${TC_STACK_HOME:-/var/cache/temporal-connect}; else TC_HOME=${TC_STACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-connect}; fi
RPC_HOME=${RPC_HOME:-$TC_HOME/opt/benthos-4.27.0}
BIN=$RPC_HOME/bin/benthos
mkdir -p "$RPC_HOME/bin"
exec 9>"$RPC_HOME/.build.lock"; flock 9
# Another build writing the same binary (one not holding the lock): wait for it to end.
while pgrep -f -- "-o $BIN( |$)" >/dev/null 2>&1; do sleep 5; done
if "$BIN" --version >/dev/null 2>&1; then "$BIN" --version; exit 0; fi
B=$RPC_HOME/build-full; mkdir -p "$B/stub/peercred" "$RPC_HOME/bin"; cd "$B"
cat >main.go <<'GO'
package main

import (
	"context"

	"github.com/benthosdev/benthos/v4/public/service"

	// Import all plugins defined within the repo.
	_ "github.com/benthosdev/benthos/v4/public/components/all"
)

func main() {
	service.RunCLI(context.Background())
}
GO
printf 'module inet.af/peercred\n\ngo 1.16\n' >stub/peercred/go.mod
cat >go.mod <<'MOD'
module rpcbuild

go 1.21

// copied from benthos' own go.mod (a dependency's replace does not apply)
replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3

// the proxy here refuses this .mod (403); it is only in the module graph (github.com/AthenZ/athenz), no package of it is built
replace inet.af/peercred v0.0.0-20210906144145-0893ea02156a => ./stub/peercred

require github.com/benthosdev/benthos/v4 v4.27.0
MOD
# no `go mod tidy`: it would resolve test-only imports of dependencies at today's versions and so raise
# golang.org/x/* and nkeys above v4.27.0's pins; -mod=mod adds only what the built packages need, so every
# linked module is at the version benthos v4.27.0's go.mod names (check: go version -m "$RPC_HOME/bin/benthos").
# -checklinkname=0: parquet-go's aeshash links to runtime.aeskeysched, which Go >= 1.23 refuses by default
GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags=-checklinkname=0 -o "$BIN.partial" .
mv -f "$BIN.partial" "$BIN"
"$BIN" --version
