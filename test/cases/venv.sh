#!/usr/bin/env bash
# The virtualenv of a case project, as its user would have it: the pyproject's [project] dependencies
# and every optional group, plus pytest, pytest-asyncio, pytest-cov and mypy. Cached by the hash of
# that requirement list, so each distinct set is installed once (CI builds them while `npm ci` runs).
#
#   test/cases/venv.sh PROJECT_DIR...   prints one venv path per project, building the missing ones
#   test/cases/venv.sh --all            builds the venv of every case under test/cases and of every
#                                       sample under examples/ (in parallel; the FastAPI and FastMCP
#                                       samples need theirs, the shared venv lacks their packages)
#
# Where: CASE_VENVS, else <data folder>/case-venvs (data folder: SPECIALIST_HOME, else .specialist/
# in this checkout). A lock per venv makes concurrent callers wait for one build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venvs="${CASE_VENVS:-${SPECIALIST_HOME:-$root/.specialist}/case-venvs}"
python="${PYTHON:-python3}"
mkdir -p "$venvs"

requirements() { # the sorted requirement list of one project
  "$python" - "$1/pyproject.toml" <<'EOF'
import sys, tomllib
try:
    with open(sys.argv[1], "rb") as f:
        p = tomllib.load(f).get("project", {})
except FileNotFoundError:
    p = {}
deps = list(p.get("dependencies", []))
for group in p.get("optional-dependencies", {}).values():
    deps += group
deps += ["pytest", "pytest-asyncio", "pytest-cov", "mypy"]
print("\n".join(sorted(set(deps))))
EOF
}

build() { # prints the venv path; requirements.txt is written last, so it marks a finished build
  local reqs key venv
  reqs="$(requirements "$1")"
  key="$(echo "$reqs" | sha256sum | cut -c1-12)"
  venv="$venvs/$key"
  (
    flock 9
    if [ ! -x "$venv/bin/pytest" ] || [ ! -f "$venv/requirements.txt" ]; then
      rm -rf "$venv"
      "$python" -m venv "$venv"
      echo "$reqs" >"$venv/requirements.in"
      if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        -r "$venv/requirements.in" >"$venv/pip.log" 2>&1; then
        echo "could not install the dependencies of $1 into $venv:" >&2
        tail -5 "$venv/pip.log" >&2
        exit 1
      fi
      mv "$venv/requirements.in" "$venv/requirements.txt"
    fi
  ) 9>"$venvs/$key.lock"
  echo "$venv"
}

if [ "${1:-}" = --all ]; then
  declare -A seen=()
  pids=()
  for project in "$here"/*/project "$root"/examples/*/; do
    [ -f "$project/pyproject.toml" ] || continue
    key="$(requirements "$project" | sha256sum | cut -c1-12)"
    [ -n "${seen[$key]:-}" ] && continue
    seen[$key]=1
    build "$project" >/dev/null &
    pids+=($!)
  done
  status=0
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  echo "case venvs ready in $venvs (${#seen[@]} distinct dependency sets)"
  exit $status
fi

for project in "$@"; do build "$project"; done
