#!/usr/bin/env bash
# `npm test`: set up (pnpm, install, native build, Debian peers), then run
# typecheck, unit tests on both backends (native required, then forced
# fallback), the core and native unit tests again on Node.js 22 and 24, the
# selftests, and the publish build with a smoke test of the
# packed packages. Ends with the one line
# CI reads: `N passed, N failed`, totalled over every suite.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --peers || exit 1

export LWS_REPORT_DIR
LWS_REPORT_DIR=$(mktemp -d /tmp/lws-report.XXXXXX)
TURBO="node_modules/.bin/turbo run --concurrency=2 --continue --output-logs=errors-only"
step_failures=0

step() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then echo "== $name: ok"; else echo "== $name: FAILED"; step_failures=$((step_failures + 1)); fi
}

step "typecheck" $TURBO typecheck
step "typecheck examples" node_modules/.bin/tsc -p minimal-examples/tsconfig.json
step "unit tests (native backend required)" env LWS_REQUIRE_NATIVE=1 $TURBO test
step "unit tests (TypeScript fallback forced)" env LWS_NO_NATIVE=1 $TURBO test
step "unit tests on Node.js 22 (core, native)" bash scripts/other-node.sh 22
step "unit tests on Node.js 24 (core, native)" bash scripts/other-node.sh 24
step "selftests" env LWS_REQUIRE_NATIVE=1 $TURBO selftest
step "publish build and packed-example smoke test" bash scripts/pack-smoke.sh

node scripts/summary.mjs "$LWS_REPORT_DIR" "$step_failures"
