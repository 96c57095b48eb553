#!/usr/bin/env bash
# The core and native unit tests on another Node.js major (users run 22 and
# 24 besides the 20 we develop on). The official binary comes from the npm
# registry as the `node` package and is kept in .tools/ (ignored by git).
# The addon is Node-API: the one built for Node 20 loads unchanged, and is
# required here, so a Node release that broke it would fail this step.
#   bash scripts/other-node.sh 24
set -uo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: other-node.sh MAJOR}
dir="$PWD/.tools/node-$major"
source scripts/npm-tool.sh
npm_tool "$dir" "node@$major" node other-node || exit 1
echo "other-node: $(node --version)"
rc=0
for pkg in core native; do
  (cd "packages/$pkg" && LWS_REQUIRE_NATIVE=1 node ../../node_modules/vitest/vitest.mjs run) || rc=1
done
exit $rc
