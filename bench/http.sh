#!/usr/bin/env bash
# HTTP load benchmark of `srb serve --demo` with wrk (Debian package), on SQLite and, when
# BENCH_DATABASE_URL is set, on PostgreSQL. Prints one line per run; see BENCHMARKS.md.
# Usage: bench/http.sh [seconds per run]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p srb-server --bin srb
bin="$CARGO_TARGET_DIR/release/srb"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT

cat >"$work/districts.json" <<'JSON'
{"query":"query Districts { districts { ags name kind } }"}
JSON
cat >"$work/kitas.json" <<'JSON'
{"query":"query KitaPage { kitas(first: 50) { edges { node { id name places placesUnder3 provider { name kind } socialSpace { name } } } } }"}
JSON

rss() { awk '/VmRSS/ {print $2/1024 " MiB"}' "/proc/$1/status"; }

run() { # backend label database-url
  local backend=$1 url=$2 port=18090
  SRB_BENCH_ROUTES=1 SRB_LOG=warn DATABASE_URL="$url" SRB_DATA_DIR="$work/$backend" \
    SRB_ADDR="127.0.0.1:$port" "$bin" serve --demo >"$work/$backend.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
  # Warm up, then measure memory at rest.
  curl -fs "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -d @"$work/kitas.json" >/dev/null
  echo "$backend: memory at rest $(rss $pid)"
  for conns in 1 16 64; do
    threads=$(( conns < 2 ? 1 : 2 ))
    for what in districts kitas plain; do
      if [ "$what" = plain ]; then
        out=$(wrk -t$threads -c$conns -d${secs}s --latency "http://127.0.0.1:$port/_bench/districts")
      else
        out=$(BODY_FILE="$work/$what.json" wrk -t$threads -c$conns -d${secs}s --latency -s bench/post.lua "http://127.0.0.1:$port/graphql")
      fi
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      p50=$(echo "$out" | awk '$1=="50%" {print $2}')
      p99=$(echo "$out" | awk '$1=="99%" {print $2}')
      bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
      echo "$backend $what c=$conns: ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${bad:-0}, rss $(rss $pid)"
    done
  done
  kill $pid; wait $pid 2>/dev/null || true; pid=
}

run sqlite "sqlite:$work/sqlite/srb.sqlite3"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then run postgres "$BENCH_DATABASE_URL"; fi
