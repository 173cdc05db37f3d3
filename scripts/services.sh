#!/usr/bin/env bash
# Makes sure PostgreSQL's, Redis's and nginx's servers exist for the scale-out profile and its tests (each test
# session starts its own throwaway servers on loopback). Skipped when already installed.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -eq 0 ]; then
  echo "PostgreSQL, Redis and nginx: installed"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the tests (apt-get, about a minute)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "error: the tests need ${missing[*]}. Install them (e.g. 'sudo apt-get install ${missing[*]}')." >&2
exit 1
