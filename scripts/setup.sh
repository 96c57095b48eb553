#!/usr/bin/env bash
# Set up a fresh machine for lws-ts: pnpm (pinned, via npx), the workspace
# install, the native addon, and (with --peers) the Debian peers the tests
# drive. Installs with apt-get when run as root; otherwise names what is
# missing and stops. Sourced by scripts/start.sh and scripts/test.sh.
set -euo pipefail

PNPM_VERSION=12.4.2
# turbo runs package scripts through a `pnpm` on PATH: keep the pinned one in
# .tools/ (ignored by git), installed once with npm.
TOOLS="$PWD/.tools/pnpm-${PNPM_VERSION}"
source scripts/npm-tool.sh
npm_tool "$TOOLS" "pnpm@${PNPM_VERSION}" pnpm setup || exit 1
export PNPM="pnpm"
export TURBO_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1

die() { echo "setup: $*" >&2; exit 1; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "Node.js is not installed: install Node.js 20 or later"
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: install Node.js 20 or later"

# Debian packages the tests need, as "command:package" pairs.
# A check is a command name, or a path that must exist.
PEERS=(
  "curl:curl"
  "chromium:chromium"
  "openssl:openssl"
  "make:make"
  "g++:g++"
  "h2load:nghttp2-client"
  "nginx:nginx"
  "libwebsockets-test-server:libwebsockets-test-server"
  "/usr/lib/python3/dist-packages/websockets:python3-websockets"
)

have() { case "$1" in /*) [ -e "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }

need_peers() {
  local missing=()
  for pair in "${PEERS[@]}"; do
    have "${pair%%:*}" || missing+=("${pair#*:}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    # services in these packages (nginx) must not start system-wide: tests start their own
    local rc=/usr/sbin/policy-rc.d had_rc=0
    [ -e "$rc" ] && had_rc=1
    if [ "$had_rc" -eq 0 ]; then printf '#!/bin/sh\nexit 101\n' > "$rc"; chmod +x "$rc"; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    [ "$had_rc" -eq 1 ] || rm -f "$rc"
  else
    die "missing Debian packages: ${missing[*]} (run as root to install them, or: sudo apt-get install ${missing[*]})"
  fi
  for pair in "${PEERS[@]}"; do
    have "${pair%%:*}" || die "still missing after install: ${pair#*:}"
  done
}

if [ "${1:-}" = "--peers" ]; then need_peers; fi

echo "setup: pnpm ${PNPM_VERSION} install"
$PNPM install --frozen-lockfile --reporter=append-only >/dev/null \
  || $PNPM install --frozen-lockfile
if [ ! -f packages/native/build/Release/lws_native.node ]; then
  echo "setup: building the native addon"
  $PNPM --filter @lws/native run build:native >/dev/null 2>&1 \
    || { echo "setup: native build failed; re-running to show why" >&2; $PNPM --filter @lws/native run build:native; }
fi
