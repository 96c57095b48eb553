#!/usr/bin/env bash
# `npm start`: set up, then run the showcase server on http://127.0.0.1:7681
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec node_modules/.bin/tsx showcase/main.ts "$@"
