#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries exist for the tests that run the api's data on PostgreSQL
# (each test session starts its own throwaway cluster on loopback). Skipped when already installed.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  echo "PostgreSQL for the tests: $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | tail -1)"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL for the tests (apt-get, about a minute)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends postgresql >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends postgresql >/dev/null; }
  exit 0
fi
echo "error: the tests need PostgreSQL's server (initdb, pg_ctl). Install it (e.g. 'sudo apt-get install postgresql')." >&2
exit 1
