#!/usr/bin/env bash
# `npm test`: the type-check, ESLint + Prettier and the unit tests at once (none needs a server, and
# each leaves a core idle part of the time), then the integration and fault suites. Each step prints
# its time; the jest runs end with the time of every file (test/setup/timing-reporter.js).
#
#   TEST_WORKERS=n   jest workers for the integration and fault suites (default 2; 1 = in band).
#                    Every file starts its own servers on free ports and works in temp folders of
#                    its own, so files can run side by side (docs/how-to-test.md); most files run
#                    one Python process at a time, so in band leaves the second core idle.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

START=$SECONDS
workers="${TEST_WORKERS:-2}"
if [ "$workers" = 1 ]; then band=(--runInBand); else band=(--maxWorkers="$workers"); fi

# The static checks and the unit tests, side by side; each one's output is printed whole when it ends.
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
declare -A pids=()
for step in typecheck lint test:unit; do
  (
    begin=$SECONDS
    status=0
    npm run --silent "$step" >"$logs/$step" 2>&1 || status=$?
    echo "::: $step took $((SECONDS - begin)) s (exit $status)" >>"$logs/$step"
    exit "$status"
  ) &
  pids[$step]=$!
done
failed=()
for step in typecheck lint test:unit; do
  wait "${pids[$step]}" || failed+=("$step")
  echo "::: $step"
  cat "$logs/$step"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "::: failed: ${failed[*]}" >&2
  exit 1
fi

step() {
  local name="$1"
  shift
  local begin=$SECONDS
  echo "::: $name"
  "$@"
  echo "::: $name took $((SECONDS - begin)) s (npm test: $((SECONDS - START)) s so far)"
}
step "integration tests" npx jest --selectProjects integration "${band[@]}"
step "fault tests" npx jest --selectProjects fault "${band[@]}"
