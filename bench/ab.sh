#!/usr/bin/env bash
# A/B of two `srb` binaries on the HTTP load of bench/http.sh (`districts` and `kitas(first: 50)`),
# in one run, alternating A and B per measurement so that drift of the machine hits both alike.
# SQLite always; PostgreSQL too when BENCH_DATABASE_URL names a database the bench may drop and
# recreate (the user needs CREATEDB).
# Usage: bench/ab.sh A-binary B-binary [seconds per run] [rounds]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
a=$1 b=$2 secs=${3:-10} rounds=${4:-3}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT

cat >"$work/districts.json" <<'JSON'
{"query":"query Districts { districts { ags name kind } }"}
JSON
cat >"$work/kitas.json" <<'JSON'
{"query":"query KitaPage { kitas(first: 50) { edges { node { id name places placesUnder3 provider { name kind } socialSpace { name } } } } }"}
JSON

start() { # binary backend url
  local port=18091
  SRB_LOG=warn DATABASE_URL="$3" SRB_DATA_DIR="$work/$2" SRB_ADDR="127.0.0.1:$port" \
    "$1" serve --demo >"$work/$2.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
  # A new search index is filled from the database at start: measure once it is done.
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/readyz" | grep -q '"pending":0' && break; sleep 1; done
  curl -fs "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -d @"$work/kitas.json" >/dev/null
}

stop() { kill $pid; wait $pid 2>/dev/null || true; pid=; }

fresh_pg() { # database URL: drop and recreate it, so both binaries start from nothing
  local url=$1 name=${1##*/}
  psql "${url%/*}/postgres" -qAt -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
}

measure() { # label backend
  for what in districts kitas; do
    out=$(BODY_FILE="$work/$what.json" wrk -t2 -c16 -d${secs}s --latency -s bench/post.lua "http://127.0.0.1:18091/graphql")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    echo "$2 $what $1: $rps req/s, p99 $p99"
  done
}

for backend in sqlite postgres; do
  if [ "$backend" = postgres ] && [ -z "${BENCH_DATABASE_URL:-}" ]; then continue; fi
  for round in $(seq 1 "$rounds"); do
    for side in A B; do
      bin=$a; [ "$side" = B ] && bin=$b
      rm -rf "$work/$backend"
      if [ "$backend" = sqlite ]; then url="sqlite:$work/$backend/srb.sqlite3"; else url=$BENCH_DATABASE_URL; fresh_pg "$url"; fi
      start "$bin" "$backend" "$url"
      measure "$side" "$backend"
      stop
    done
  done
done
