#!/usr/bin/env bash
# Checks KQL queries with Microsoft's Kusto parser (see README.md).
#   bash .ci/kusto/run.sh < queries.json      JSON array of queries on stdin
#   bash .ci/kusto/run.sh FILE...             *.json arrays or one-query files
#   bash .ci/kusto/run.sh --self-test         the harness checks itself
# Exit: 0 clean, 1 a query has diagnostics, 2 bad input or broken harness.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)

# Install the pinned parser from package-lock.json when it is missing or is
# not the version package.json pins. npm's output goes to stderr.
want=$(node -p 'require(process.argv[1]).dependencies["@kusto/language-service-next"]' "$dir/package.json")
have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
  "$dir/node_modules/@kusto/language-service-next/package.json")
if [ "$have" != "$want" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

if [ "${1:-}" = "--self-test" ]; then
  # 1. in-process cases (good query accepted, bad ones rejected with their codes)
  node "$dir/check.js" --self-test
  # 2. end to end through stdin and the exit code, as CI calls it
  good='["Event | where EventID in (3701, 3702) | summarize count() by Computer"]'
  for bad in '["Event | where Foo == 1"]' '["Event | where"]'; do
    rc=0; printf '%s' "$bad" | node "$dir/check.js" >/dev/null || rc=$?
    if [ "$rc" -ne 1 ]; then echo "BROKEN: $bad gave exit $rc, want 1"; exit 2; fi
  done
  rc=0; printf '%s' "$good" | node "$dir/check.js" >/dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then echo "BROKEN: good query gave exit $rc, want 0"; exit 2; fi
  rc=0; printf 'not json' | node "$dir/check.js" >/dev/null 2>&1 || rc=$?
  if [ "$rc" -ne 2 ]; then echo "BROKEN: bad input gave exit $rc, want 2"; exit 2; fi
  echo "self-test end to end: 4 passed, 0 failed"
  exit 0
fi

exec node "$dir/check.js" "$@"
