#!/usr/bin/env bash
# Every benchmark at a tiny size, so that none can rot: seconds each, 127.0.0.1 only, scratch
# PostgreSQL databases (PREFIX_*) dropped at the end. CI runs it (.ci/run); its figures mean
# nothing. Benchmarks that share nothing run side by side to keep it short.
#   benchmarks/smoke.sh [PREFIX] [REDIS_URL]    (defaults: elearn_smoke redis://127.0.0.1:6379/13)
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${1:-elearn_smoke}
broker=${2:-redis://127.0.0.1:6379/13}
server=postgresql+psycopg://postgres@127.0.0.1:5432
python=.venv/bin/python
tiny=(--database-url "$server/${prefix}_load" --trainees 300 --enrolments 1200 --courses 40
      --tokens 60 --seconds 1 --workers 1 --reuse)

database() {
  psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q -c "$1 DATABASE \"$2\" $3"
}
logs=$(mktemp -d)
cleanup() {
  database DROP "${prefix}_load" "WITH (FORCE)" 2>/dev/null || true
  database DROP "${prefix}_certificates" "WITH (FORCE)" 2>/dev/null || true
  database DROP "${prefix}_reminders" "WITH (FORCE)" 2>/dev/null || true
  database DROP "${prefix}_reports" "WITH (FORCE)" 2>/dev/null || true
  rm -rf "$logs"
}
trap cleanup EXIT
cleanup
logs=$(mktemp -d)
database CREATE "${prefix}_certificates" ""
database CREATE "${prefix}_reminders" ""

# run NAME BENCHMARK ARGS...: one benchmark, its output in $logs/NAME.log.
run() {
  local name=$1 started=$SECONDS
  shift
  if $python -m "benchmarks.$@" >"$logs/$name.log" 2>&1; then
    echo "== $name: $((SECONDS - started)) s"
  else
    echo "== $name FAILED after $((SECONDS - started)) s:"
    cat "$logs/$name.log"
    return 1
  fi
}
jobs=()
start() { "$@" & jobs+=($!); }

# The load benchmarks share one dataset: the first builds it, the others reuse it.
load_benchmarks() {
  run catalogue catalogue "${tiny[@]}"
  local pids=()
  run learning learning "${tiny[@]}" & pids+=($!)
  run quiz_attempts quiz_attempts "${tiny[@]}" & pids+=($!)
  run serving serving "${tiny[@]}" --configurations gthread:1x2 & pids+=($!)
  local failed=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  return "$failed"
}
# These two flush and use the same Redis database.
broker_benchmarks() {
  run certificates_end_to_end certificates --end-to-end --count 2 --storage local \
    --database-url "$server/${prefix}_certificates" --broker-url "$broker"
  run tasks tasks --tasks 3 --broker-url "$broker"
}

start load_benchmarks
start broker_benchmarks
start run login login --logins 2
start run mail mail_throughput --mails 2
start run certificates certificates --count 3
start run storage storage --large 1 --small 3 --threads 2
start run media media --sizes 1
start run reminders reminders --trainees 50 --enrolments 2 --due 10 --mail-sample 5 \
  --database-url "$server/${prefix}_reminders"
start run reports reports --database "${prefix}_reports" --enrolments 2000 --export-rows 200 \
  --requests 5 --seconds 1

failed=0
for pid in "${jobs[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] && echo "every benchmark ran"
exit "$failed"
