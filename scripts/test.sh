#!/usr/bin/env bash
# npm test: installs npm packages when missing, brings the local stack up when it is not running
# (and stops it again afterwards unless TC_KEEP_STACK=1), type-checks, lints (ESLint and ShellCheck),
# then runs the unit, workflows and integration tests against the real servers and a short part of the
# cluster tests (npm run test:cluster runs them all). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/test-lib.sh
. scripts/test-lib.sh
# Every server the tests use: the core four and the optional ones under scripts/stack/services/
# (temporal_cluster among them: the cluster project's short part runs here).
test_setup test all
# What the REST compatibility tests run beside the stack (installed once, then cached).
bash scripts/stack.sh connect-libs >/dev/null
bash scripts/stack.sh pyclient >/dev/null
# What the deployment test checks deploy/ with (helm, kubernetes-validate, check-jsonschema).
bash scripts/stack.sh deploy-tools >/dev/null
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
