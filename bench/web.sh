#!/usr/bin/env bash
# The web pages under load: time to first byte at 16 connections for the start page, a search
# and the documentation of Zwischenbilanz II, on `srb serve --demo` (SQLite; PostgreSQL too when
# BENCH_DATABASE_URL names a database the bench may drop and recreate). Also each page's size on
# the wire and the requests a first load needs (the page and the assets it names).
# Usage: bench/web.sh [binary] [seconds per page]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/srb} secs=${2:-20}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
port=18092
base="http://127.0.0.1:$port"

# wrk reports latency to the last byte; these pages are small (one TCP segment or a few), so it
# bounds the time to first byte from above.
cat >"$work/ttfb.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p50 %.1f ms  p99 %.1f ms  max %.1f ms  %d req/s  errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

run() { # backend url
  SRB_LOG=warn DATABASE_URL="$2" SRB_DATA_DIR="$work/$1" SRB_ADDR="127.0.0.1:$port" \
    "$bin" serve --demo >"$work/$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 180); do curl -fs "$base/readyz" >/dev/null && break; sleep 1; done
  for _ in $(seq 1 180); do curl -fs "$base/readyz" | grep -q '"pending":0' && break; sleep 1; done
  local workshop
  workshop=$(curl -fs "$base/workshops" | grep -o 'href="/workshops/[^"]*"' | head -1 | cut -d'"' -f2)
  echo "-- $1"
  for path in / "/suche?q=Kita-Sozialarbeit" "$workshop"; do
    # First load: the page and every stylesheet and script it names, compressed as a browser asks.
    local page assets bytes requests
    page=$(curl -fs --compressed "$base$path")
    bytes=$(curl -fs -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base$path")
    assets=$(grep -oE '(href|src)="/assets/[^"]+"' <<<"$page" | cut -d'"' -f2 | sort -u || true)
    requests=1
    for a in $assets; do
      bytes=$((bytes + $(curl -fs -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base$a")))
      requests=$((requests + 1))
    done
    printf '%-28s %3d requests, %6d bytes  ' "$path" "$requests" "$bytes"
    wrk -t2 -c16 -d"${secs}s" -s "$work/ttfb.lua" "$base$path" | tail -n 1
  done
  kill $pid; wait $pid 2>/dev/null || true; pid=
}

run sqlite "sqlite:$work/sqlite/srb.sqlite3"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  name=${BENCH_DATABASE_URL##*/}
  psql "${BENCH_DATABASE_URL%/*}/postgres" -qAt -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
  run postgres "$BENCH_DATABASE_URL"
fi
