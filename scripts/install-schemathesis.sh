#!/usr/bin/env bash
# The OpenAPI fuzz test (test/fuzz/) runs schemathesis from a project-local virtual
# environment in .venv/fuzz, installed from PyPI with every package pinned in
# test/fuzz/requirements.txt. Does nothing when that environment is already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv/fuzz
requirements=test/fuzz/requirements.txt
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)

if [[ -x "$venv/bin/st" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi

# schemathesis 4 needs Python 3.11 or later.
python=""
for candidate in python3 python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [[ -z "$python" ]]; then
  echo "install-schemathesis: Python 3.11 or later is required for the fuzz test" >&2
  exit 1
fi

echo "Installing schemathesis into $venv for the fuzz test..."
rm -rf "$venv"
if ! "$python" -m venv "$venv" 2>/dev/null; then
  # Debian's Python ships venv support as a separate package.
  rm -rf "$venv"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
echo "$wanted" >"$stamp"
"$venv/bin/st" --version
