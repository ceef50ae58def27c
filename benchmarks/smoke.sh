#!/usr/bin/env bash
# Every benchmark at a tiny size, so that none can rot: seconds each, 127.0.0.1 only, scratch
# PostgreSQL databases (PREFIX_*) dropped at the end. CI runs it (.ci/run); its figures mean
# nothing. The load benchmarks (wrk) and the others run side by side to keep it short.
#   benchmarks/smoke.sh [PREFIX] [REDIS_URL]      (defaults: elearn_smoke redis://127.0.0.1:6379/13)
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${1:-elearn_smoke}
broker=${2:-redis://127.0.0.1:6379/13}
server=postgresql+psycopg://postgres@127.0.0.1:5432
python=.venv/bin/python
logs=$(mktemp -d)
tiny=(--database-url "$server/${prefix}_load" --trainees 300 --enrolments 1200 --courses 40
      --tokens 60 --seconds 1 --workers 1 --reuse)

database() {
  psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q -c "$1 DATABASE \"$2\" $3"
}
cleanup() {
  database DROP "${prefix}_load" "WITH (FORCE)" 2>/dev/null || true
  database DROP "${prefix}_certificates" "WITH (FORCE)" 2>/dev/null || true
  rm -rf "$logs"
}
trap cleanup EXIT
cleanup
logs=$(mktemp -d)
database CREATE "${prefix}_certificates" ""

run() {
  local started=$SECONDS
  $python -m "benchmarks.$@"
  echo "== benchmarks.$1: $((SECONDS - started)) s"
}
load_benchmarks() {
  run catalogue "${tiny[@]}"
  run learning "${tiny[@]}"
  run quiz_attempts "${tiny[@]}"
  run serving "${tiny[@]}" --configurations gthread:1x2
}
other_benchmarks() {
  run login --logins 2
  run mail_throughput --mails 2
  run certificates --count 3
  run certificates --end-to-end --count 2 --storage local \
    --database-url "$server/${prefix}_certificates" --broker-url "$broker"
  run tasks --tasks 3 --broker-url "$broker"
  run storage --large 1 --small 3 --threads 2
  run media --sizes 1
}

load_benchmarks >"$logs/load.log" 2>&1 &
load=$!
other_benchmarks >"$logs/other.log" 2>&1 &
other=$!
failed=0
wait "$load" || { failed=1; cat "$logs/load.log"; }
wait "$other" || { failed=1; cat "$logs/other.log"; }
if [ "$failed" = 0 ]; then
  grep -h -e '^== ' "$logs/load.log" "$logs/other.log"
  echo "every benchmark ran"
fi
exit "$failed"
