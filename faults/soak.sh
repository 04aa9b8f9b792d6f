#!/usr/bin/env bash
# Soak: 64 connections of mixed reads and writes (three reads per write) for a while (default
# 600 s): 0 errors (transport, HTTP or GraphQL), and memory flat: the server's resident memory
# at the end within ±10 % of its value after the first fifth of the run. Runs shorter than five
# minutes (the short form in CI) are mostly warm-up: they check the errors and print the memory.
# Usage: faults/soak.sh [seconds] — on SQLite, or on PostgreSQL with FAULT_DATABASE_URL.
cd "$(dirname "$0")/.."
source faults/common.sh
secs=${1:-600}
command -v wrk >/dev/null || fail "needs wrk (apt-get install wrk)"
port=18231
export SRB_DATA_DIR="$work/data"
[ -n "${FAULT_DATABASE_URL:-}" ] && export DATABASE_URL="$FAULT_DATABASE_URL"
demo_with_coordinator
export TOKEN="$token"
start_server $port
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$server/status"; }
wrk -t2 -c64 -d"${secs}s" --timeout 10s -s faults/mixed.lua "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1 &
load=$!
sleep $((secs / 5))
early=$(rss)
samples="$early"
while kill -0 "$load" 2>/dev/null; do sleep $(( secs / 10 > 0 ? secs / 10 : 1 )); kill -0 "$load" 2>/dev/null && samples="$samples $(rss)"; done
wait "$load" || true
late=$(rss)
cat "$work/wrk.out"
errors=$(sed -n 's/^graphql_errors \([0-9]*\)/\1/p' "$work/wrk.out")
socket=$(grep -c 'Socket errors' "$work/wrk.out" || true)
non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$work/wrk.out")
echo "memory (MiB, every tenth of the run): $samples $late"
[ "${errors:-1}" = 0 ] && [ "$socket" = 0 ] && [ -z "$non2xx" ] || fail "errors under load (GraphQL: ${errors:-?}, see above)"
if [ "$secs" -ge 300 ]; then
  awk -v a="$early" -v b="$late" 'BEGIN { exit !(b <= a * 1.10 && b >= a * 0.90) }' ||
    fail "memory not flat: ${early} MiB after a fifth, ${late} MiB at the end"
fi
if [ "$secs" -ge 300 ]; then
  echo "soak: 64 connections, ${secs} s, 0 errors, memory ${early} → ${late} MiB (flat within ±10 %)"
else
  echo "soak: 64 connections, ${secs} s, 0 errors, memory ${early} → ${late} MiB (short run: not judged)"
fi
