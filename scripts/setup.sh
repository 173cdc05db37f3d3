#!/usr/bin/env bash
# Creates .venv (Python 3.11: api, actions, knowledge, tests) and .venv-rasa (Python 3.10: Rasa 3.6.21)
# from the pinned lock files. Each environment is rebuilt only when its lock file or Python changes.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "error: $*" >&2; exit 1; }

# find_python VERSION VARIABLE: the interpreter for VERSION (3.10 or 3.11), from $VARIABLE, PATH or pyenv.
find_python() {
  local version=$1 override=$2 candidate
  local candidates=("${!override:-}" "python$version")
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in $(pyenv root)/versions/"$version".*/bin/python; do candidates+=("$candidate"); done
  fi
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

# ensure_venv DIR PYTHON LOCKFILE [EXTRA_STAMP_INPUT...]: (re)create DIR unless its stamp matches.
ensure_venv() {
  local dir=$1 python=$2 lock=$3; shift 3
  local stamp
  stamp=$( { "$python" --version 2>&1; cat "$lock" "$@"; } | sha256sum | cut -d' ' -f1)
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
    echo "$dir is up to date"
    return 0
  fi
  echo "Setting up $dir from $lock (a few minutes the first time)..."
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --upgrade pip
  "$dir/bin/pip" install --progress-bar off -r "$lock"
  echo "$stamp" > "$dir/.stamp.pending"
}

py310=$(find_python 3.10 SHOPBOT_PYTHON310) || die "Python 3.10 is needed for Rasa 3.6.21 and was not found.
Install it (e.g. 'pyenv install 3.10.13') or point SHOPBOT_PYTHON310 at a python3.10 binary."
py311=$(find_python 3.11 SHOPBOT_PYTHON311) || die "Python 3.11 is needed for the api and was not found.
Install it (e.g. 'pyenv install 3.11.7') or point SHOPBOT_PYTHON311 at a python3.11 binary."

ensure_venv .venv-rasa "$py310" requirements/rasa.lock
[ -f .venv-rasa/.stamp.pending ] && mv .venv-rasa/.stamp.pending .venv-rasa/.stamp

ensure_venv .venv "$py311" requirements/app.lock pyproject.toml
if [ -f .venv/.stamp.pending ]; then
  .venv/bin/pip install --quiet --no-deps --no-build-isolation -e .   # console script shopbot-kb
  mv .venv/.stamp.pending .venv/.stamp
fi
