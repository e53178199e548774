#!/usr/bin/env bash
# Compiles src/ into dist/ (incrementally) unless dist/ is newer than every source and
# setting it is built from, so a restart with nothing changed starts at once.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.tsbuildinfo
if [[ -f $stamp && -z $(find src tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" -print -quit) ]]; then
  exit 0
fi
tsc -p tsconfig.build.json
# tsc leaves its build info alone when nothing needed emitting; mark dist/ current all the same.
touch "$stamp"
