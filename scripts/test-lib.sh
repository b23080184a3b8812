# shellcheck shell=bash
# Sourced by scripts/test.sh (npm test) and scripts/test-cluster.sh (npm run test:cluster), from the
# repository's root: npm packages, the stack's servers and their settings for the tests.

# test_setup LABEL SERVICE...: installs npm packages when missing; starts the named servers (names as
# `stack.sh up` takes them) when one is not healthy, and then stops the stack again on exit unless
# TC_KEEP_STACK=1; exports the stack's settings (stack.sh env).
test_setup() {
  local label=$1; shift
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "$label: installing npm packages (npm install, from package-lock.json)"
    npm install --no-audit --no-fund
  fi
  TEST_STACK_STARTED=0
  if ! bash scripts/stack.sh status "$@" >/dev/null 2>&1; then
    bash scripts/stack.sh up "$@"
    TEST_STACK_STARTED=1
  fi
  trap test_stack_cleanup EXIT
  set -a
  eval "$(bash scripts/stack.sh env)"
  set +a
  export KAFKAJS_NO_PARTITIONER_WARNING=1
}

# shellcheck disable=SC2317 # runs from the EXIT trap test_setup sets
test_stack_cleanup() {
  if [ "${TEST_STACK_STARTED:-0}" = 1 ] && [ "${TC_KEEP_STACK:-0}" != 1 ]; then bash scripts/stack.sh down || true; fi
}
