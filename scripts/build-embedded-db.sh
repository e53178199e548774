#!/usr/bin/env bash
# Builds the embedded FerretDB program (scripts/embedded-db) into .build/ once, and again
# only when its sources change. Go modules come from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
src=scripts/embedded-db
out=.build/embedded-db
stamp=.build/embedded-db.sha256
sum=$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -d' ' -f1)
if [[ -x "$out" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
  exit 0
fi
command -v go >/dev/null || { echo "Go is needed to build the embedded database (scripts/embedded-db)." >&2; exit 1; }
echo "Building the embedded database (FerretDB v1.24.2 on SQLite); the first build takes a minute..."
mkdir -p .build
(cd "$src" && go build -trimpath -o "$root/$out" .)
echo "$sum" > "$stamp"
