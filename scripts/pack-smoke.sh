#!/usr/bin/env bash
# Publish smoke test: pack @lws/native and @lws/core as they would be
# published (dist/ + declarations, publishConfig exports), install both into
# an empty folder outside the workspace with npm, copy minimal-http-server
# there as a user would, run it and fetch its index page.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PNPM=${PNPM:-pnpm}
tmp=$(mktemp -d /tmp/lws-pack.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

for pkg in native core; do
  (cd "packages/$pkg" && ../../node_modules/.bin/tsc -p tsconfig.build.json && $PNPM pack --pack-destination "$tmp" >/dev/null)
done
mkdir "$tmp/app"
cp -r minimal-examples/http-server/minimal-http-server/{main.ts,mount-origin} "$tmp/app/"
cd "$tmp/app"
echo '{ "name": "app", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error "$tmp"/lws-native-*.tgz "$tmp"/lws-core-*.tgz "tsx@$(node -p "require('$root/node_modules/tsx/package.json').version")" >/dev/null
[ -f node_modules/@lws/core/dist/index.d.ts ] || { echo "pack-smoke: @lws/core has no type declarations"; exit 1; }
node node_modules/tsx/dist/cli.mjs main.ts --port 0 > out.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q 'USER: .*http://' out.log && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' out.log | head -1)
[ -n "$url" ] || { echo "pack-smoke: the example did not start:"; cat out.log; exit 1; }
curl -sS --max-time 10 "$url/" -o index.html
cmp -s index.html mount-origin/index.html || { echo "pack-smoke: index.html differs"; exit 1; }
grep -q 'native: mask, utf8' out.log || { echo "pack-smoke: the packed addon did not load:"; cat out.log; exit 1; }
echo "pack-smoke: ok ($url served the example from packed @lws/core and @lws/native)"
