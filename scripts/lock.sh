#!/usr/bin/env bash
# Re-resolves requirements/*.in into the pinned requirements/*.lock files that `make setup` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3.10 -m venv "$tmp/rasa" && "$tmp/rasa/bin/pip" install --quiet -r requirements/rasa.in
"$tmp/rasa/bin/pip" freeze --exclude-editable > requirements/rasa.lock
python3.11 -m venv "$tmp/app" && "$tmp/app/bin/pip" install --quiet torch==2.13.0 && "$tmp/app/bin/pip" install --quiet -r requirements/app.in
"$tmp/app/bin/pip" freeze --exclude-editable > requirements/app.lock
echo "Pinned: requirements/rasa.lock, requirements/app.lock"
