#!/usr/bin/env bash
# Makes sure a Chromium exists for the browser tests (Playwright drives the system's Chromium:
# `playwright install` cannot download browsers here). Skipped when one is already installed.
set -euo pipefail
chromium=${SHOPBOT_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  echo "Chromium for the browser tests: $chromium"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (apt-get, about a minute)..."
  apt-get install -y --no-install-recommends chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  exit 0
fi
echo "error: the browser tests need Chromium at $chromium. Install it (e.g. 'sudo apt-get install chromium')" >&2
echo "or point SHOPBOT_CHROMIUM at a Chromium binary." >&2
exit 1
