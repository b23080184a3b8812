#!/usr/bin/env bash
# npm run lint: ESLint (eslint.config.js) over the TypeScript and JavaScript, then ShellCheck over the
# shell scripts. Installs ShellCheck from Debian when it is missing (npm run stack -- tools).
set -euo pipefail
cd "$(dirname "$0")/.."

rc=0
npx eslint . || rc=1
command -v shellcheck >/dev/null || bash scripts/stack.sh tools
shellcheck scripts/*.sh .ci/run || rc=1
exit $rc
