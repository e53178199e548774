#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through playwright-core; install it when missing.
# CHROMIUM_PATH may name another Chromium-based browser already installed.
set -euo pipefail
if [[ -x /usr/bin/chromium || (-n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}") ]]; then
  exit 0
fi
echo "Installing Chromium from Debian's packages for the browser tests..."
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
