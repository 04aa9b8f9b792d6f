#!/usr/bin/env bash
# Monitoring under load, on `srb serve --demo --scale N` (SQLite, release build): the ministry's
# `stateMonitoring` for one year (every field the overview reads) at 4 connections, and the
# overview page `/monitoring` (its time to first byte is the whole page: it is rendered before
# it is sent) at 4 connections.
# Usage: bench/monitoring.sh [binary] [scale] [seconds per run]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/srb} scale=${2:-1} secs=${3:-15}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
port=18094
base="http://127.0.0.1:$port"

cat >"$work/stats.lua" <<'LUA'
local f = os.getenv("BODY_FILE")
if f and f ~= "" then
  local h = assert(io.open(f, "r"))
  wrk.method = "POST"
  wrk.body = h:read("*a")
  h:close()
  wrk.headers["Content-Type"] = "application/json"
end
local t = os.getenv("TOKEN")
if t and t ~= "" then wrk.headers["Authorization"] = "Bearer " .. t end
done = function(summary, latency, requests)
  io.write(string.format("p50 %.1f ms  p99 %.1f ms  max %.1f ms  %d req/s  errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

SRB_LOG=warn SRB_DATA_DIR="$work/data" SRB_ADDR="127.0.0.1:$port" "$bin" serve --demo --scale "$scale" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 900); do curl -fs "$base/readyz" >/dev/null && break; sleep 1; done

token=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"query":"mutation { login(email: \"ministerium@demo.invalid\", password: \"werkstatt-demo\") { token } }"}' \
  "$base/graphql" | sed -E 's/.*"token":"([^"]+)".*/\1/')
cat >"$work/state.json" <<'JSON'
{"query":"{ stateMonitoring(year: 2025) { year asOf totals { allocated spent spentPercent positions { positions plannedFte filledFte vacantFte } } series { year allocated spent positions { plannedFte filledFte vacantFte } } uses { roleLabel pillarName positions fte withheld } districts { districtAgs name allocated spent spentPercent positionsWithheld positions { positions plannedFte filledFte vacantFte longestVacancyMonths } concept { name adoptedOn reviewDue reviewOverdue } lastReview oldestReferenceDate staleIndicators flags } } }"}
JSON
printf 'positions in 2025: '
curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d @"$work/state.json" "$base/graphql" |
  sed -E 's/.*"totals":\{[^}]*"positions":\{"positions":([0-9]+).*/\1/'
echo
echo "-- stateMonitoring(year: 2025), ministry, scale $scale"
printf '4 connections: '
BODY_FILE="$work/state.json" TOKEN="$token" wrk -t2 -c4 -d"${secs}s" -s "$work/stats.lua" "$base/graphql" | tail -n 1
echo "-- /monitoring?jahr=2025 (public), scale $scale"
printf '%d bytes; 4 connections: ' "$(curl -fs -o /dev/null -w '%{size_download}' "$base/monitoring?jahr=2025")"
wrk -t2 -c4 -d"${secs}s" -s "$work/stats.lua" "$base/monitoring?jahr=2025" | tail -n 1
