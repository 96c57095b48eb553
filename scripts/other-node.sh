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
if [ ! -x "$dir/node_modules/.bin/node" ]; then
  echo "other-node: fetching Node.js $major from the npm registry into .tools/"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$major" >/dev/null \
    || { echo "other-node: cannot install node@$major from the npm registry" >&2; exit 1; }
fi
export PATH="$dir/node_modules/.bin:$PATH"
echo "other-node: $(node --version)"
rc=0
for pkg in core native; do
  (cd "packages/$pkg" && LWS_REQUIRE_NATIVE=1 node ../../node_modules/vitest/vitest.mjs run) || rc=1
done
exit $rc
