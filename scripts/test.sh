#!/usr/bin/env bash
# npm test: installs npm packages when missing, brings the local stack up when it is not running
# (and stops it again afterwards unless TC_KEEP_STACK=1), type-checks, lints (ESLint and ShellCheck),
# then runs the unit and integration tests against the real servers. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: installing npm packages (npm install, from package-lock.json)"
  npm install --no-audit --no-fund
fi

# Every server the tests use: the core four and the optional ones under scripts/stack/services/.
started=0
if ! bash scripts/stack.sh status all >/dev/null 2>&1; then
  bash scripts/stack.sh up all
  started=1
fi
# shellcheck disable=SC2317 # cleanup runs from the EXIT trap below
cleanup() {
  if [ "$started" = 1 ] && [ "${TC_KEEP_STACK:-0}" != 1 ]; then bash scripts/stack.sh down || true; fi
}
trap cleanup EXIT

set -a
eval "$(bash scripts/stack.sh env)"
set +a
# What the REST compatibility tests run beside the stack (installed once, then cached).
bash scripts/stack.sh connect-libs >/dev/null
bash scripts/stack.sh pyclient >/dev/null
# What the deployment test checks deploy/ with (helm, kubernetes-validate, check-jsonschema).
bash scripts/stack.sh deploy-tools >/dev/null
export KAFKAJS_NO_PARTITIONER_WARNING=1
# Test workers and the Temporal SDK log here, not to the console (test/helpers/log-setup.ts); fresh each run.
export TCONNECT_TEST_LOG_DIR="${TCONNECT_TEST_LOG_DIR:-${TMPDIR:-/tmp}/tconnect-test-logs}"
rm -rf "$TCONNECT_TEST_LOG_DIR"

echo "test: type-checking (tsc --noEmit)"
npx tsc --noEmit -p .

echo "test: linting (npm run lint: eslint, shellcheck)"
lint_rc=0
bash scripts/lint.sh || lint_rc=$?
# Lint errors fail the run, after the tests have still run and reported.

# The package test packs and installs dist/, and plugin examples import the built package.
echo "test: building the package (npm run build)"
npm run --silent build

report=$(mktemp -t tconnect-vitest-XXXXXX.json)
rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || rc=$?
echo "test: worker and Temporal SDK logs in $TCONNECT_TEST_LOG_DIR"
# One plain closing line with the counts, so any CI reader sees what ran.
# shellcheck disable=SC2016 # the single-quoted text is JavaScript: its ${...} are template literals
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report" || true
rm -f "$report"
if [ "$lint_rc" != 0 ]; then
  echo "test: lint failed (the tests ran; fix the ESLint/ShellCheck errors above; npm run lint repeats only the lint)"
  [ "$rc" != 0 ] || rc=$lint_rc
fi
exit $rc
