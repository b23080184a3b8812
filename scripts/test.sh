#!/usr/bin/env bash
# npm test: installs npm packages when missing, brings the local stack up when it is not running
# (and stops it again afterwards unless TC_KEEP_STACK=1), type-checks, lints (ESLint and ShellCheck),
# then runs the unit, workflows and integration tests against the real servers and a short part of the
# cluster tests (npm run test:cluster runs them all; temporal_cluster is among `up all`'s servers). Extra
# arguments go to vitest.
#
# What does not depend on the servers overlaps their start: the servers come up in the background
# (log: <log dir>/stack-up.log) while the type-check, the lint and the build run side by side (each
# one process, mostly on one core); the tools the tests run beside the stack are checked meanwhile.
# Each line of ours carries the UTC time and the seconds since the start, so a CI log shows what
# each phase cost.
set -euo pipefail
cd "$(dirname "$0")/.."

t0=$SECONDS
say() { printf 'test: [%s +%ds] %s\n' "$(date -u +%H:%M:%S)" $((SECONDS - t0)) "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm install, from package-lock.json)"
  npm install --no-audit --no-fund
fi

# Test workers and the Temporal SDK log here, not to the console (test/helpers/log-setup.ts); fresh each run.
export TCONNECT_TEST_LOG_DIR="${TCONNECT_TEST_LOG_DIR:-${TMPDIR:-/tmp}/tconnect-test-logs}"
rm -rf "$TCONNECT_TEST_LOG_DIR"
mkdir -p "$TCONNECT_TEST_LOG_DIR"

# The Debian command-line tools first and alone (apt takes one lock): the stack and the lint use them.
bash scripts/stack.sh tools

# Every server the tests use: the core four and the optional ones under scripts/stack/services/,
# started in the background, then Apache Kafka Connect's jars, which the REST compatibility tests
# run beside the stack (after the stack's own Maven downloads: no two Maven runs share the local
# repository cold). Meanwhile a second job checks (installs once, then cached) the Python REST
# client and the deployment checkers (helm, kubernetes-validate, check-jsonschema).
started=0
stack_log=$TCONNECT_TEST_LOG_DIR/stack-up.log tools_log=$TCONNECT_TEST_LOG_DIR/stack-tools.log
if ! bash scripts/stack.sh status all >/dev/null 2>&1; then started=1; fi
say "$([ "$started" = 1 ] && echo "starting the stack in the background (all servers; log $stack_log)" || echo "the stack is up")"
{
  if [ "$started" = 1 ]; then bash scripts/stack.sh up all; fi
  bash scripts/stack.sh connect-libs
} >"$stack_log" 2>&1 &
stack_pid=$!
{ bash scripts/stack.sh pyclient && bash scripts/stack.sh deploy-tools; } >"$tools_log" 2>&1 &
tools_pid=$!

# shellcheck disable=SC2317 # cleanup runs from the EXIT trap below
cleanup() {
  # A stack still starting is let finish before it is stopped, so nothing is left running.
  if [ -n "$stack_pid" ]; then wait "$stack_pid" 2>/dev/null || true; fi
  if [ -n "$tools_pid" ]; then wait "$tools_pid" 2>/dev/null || true; fi
  if [ "$started" = 1 ] && [ "${TC_KEEP_STACK:-0}" != 1 ]; then bash scripts/stack.sh down || true; fi
}
trap cleanup EXIT

# The type-check, the lint and the build, side by side (the package test packs and installs dist/,
# and plugin examples import the built package). Each one's output is shown once it has ended.
say "type-checking (tsc --noEmit), linting (npm run lint: eslint, shellcheck) and building (npm run build), side by side"
checks=$(mktemp -d -t tconnect-checks-XXXXXX)
# run_check NAME CMD...: CMD's output to $checks/NAME, its exit code to $checks/NAME.rc.
run_check() {
  local name=$1 rc=0; shift
  "$@" >"$checks/$name" 2>&1 || rc=$?
  echo "$rc" >"$checks/$name.rc"
  say "$name done (exit $rc)" >>"$checks/times"
}
run_check tsc npx tsc --noEmit -p . &
tsc_pid=$!
run_check lint bash scripts/lint.sh &
lint_pid=$!
run_check build npm run --silent build &
build_pid=$!
wait "$tsc_pid" "$lint_pid" "$build_pid" || true
cat "$checks/times"
for c in tsc lint build; do
  [ -s "$checks/$c" ] && { echo "--- $c ---"; cat "$checks/$c"; }
done
tsc_rc=$(cat "$checks/tsc.rc") lint_rc=$(cat "$checks/lint.rc") build_rc=$(cat "$checks/build.rc")
rm -rf "$checks"
# A type error or a failed build ends the run here; lint errors fail it after the tests have run.
[ "$tsc_rc" = 0 ] || { say "type-check failed (above)"; exit "$tsc_rc"; }
[ "$build_rc" = 0 ] || { say "build failed (above)"; exit "$build_rc"; }

say "waiting for the stack"
stack_rc=0
wait "$stack_pid" || stack_rc=$?
stack_pid=""
grep -v '^/' "$stack_log" || true # its status lines, not the printed jar folder
[ "$stack_rc" = 0 ] || { say "the stack did not come up (above; npm run stack -- logs shows every server's log)"; exit "$stack_rc"; }
tools_rc=0
wait "$tools_pid" || tools_rc=$?
tools_pid=""
[ "$tools_rc" = 0 ] || { cat "$tools_log"; say "installing the tools the tests run beside the stack failed (above)"; exit "$tools_rc"; }
say "stack up, tools ready"

set -a
eval "$(bash scripts/stack.sh env)"
set +a
export KAFKAJS_NO_PARTITIONER_WARNING=1
# The build above made dist/ from these very sources: the `tconnect` processes the tests start (CLI
# commands, worker processes) run it (bin/tconnect.mjs) rather than the sources through tsx, which
# costs each start about 0.7-1.1 s of CPU more. In-process workers still run the sources.
export TCONNECT_RUN_DIST=1

# The JSON report stays in the log directory: `node scripts/test-durations.mjs` refreshes the
# file weights the test order is planned by from vitest's cache of this run (or from this report).
report=$TCONNECT_TEST_LOG_DIR/vitest-report.json
rc=0
say "running the tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || rc=$?
say "tests done"
echo "test: worker and Temporal SDK logs in $TCONNECT_TEST_LOG_DIR"
# One plain closing line with the counts, so any CI reader sees what ran.
# shellcheck disable=SC2016 # the single-quoted text is JavaScript: its ${...} are template literals
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report" || true
if [ "$lint_rc" != 0 ]; then
  say "lint failed (the tests ran; fix the ESLint/ShellCheck errors above; npm run lint repeats only the lint)"
  [ "$rc" != 0 ] || rc=$lint_rc
fi
exit "$rc"
