#!/usr/bin/env bash
# Knowledge-store benchmarks through the running server (release build), on SQLite and, when
# BENCH_DATABASE_URL_KNOWLEDGE is set (an empty database), on PostgreSQL. See BENCHMARKS.md.
#   1. the documented demo workshop (sessions, 30 contributions of a room with tags) and its
#      Markdown documentation (wrk, 1 and 4 connections: p50, p99)
#   2. live capture: 1, 10 and 100 WebSocket subscribers follow a session while a facilitator
#      adds 200 contributions one after another (tests/examples/live_capture.rs): latency of
#      addContribution and of the delivery to every subscriber
# Usage: bench/knowledge.sh [seconds per wrk run]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
command -v jq >/dev/null || { echo "needs jq (apt-get install jq)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p srb-server --bin srb
cargo build --release --quiet -p srb-tests --example live_capture
bin="$CARGO_TARGET_DIR/release/srb"
live="$CARGO_TARGET_DIR/release/examples/live_capture"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT

wrk_line() { # label token body-file port conns
  local out
  out=$(TOKEN="$2" BODY_FILE="$3" wrk -t1 -c"$5" -d"${secs}s" --latency -s bench/post.lua "http://127.0.0.1:$4/graphql")
  echo "$1 c=$5: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s, p50 $(echo "$out" | awk '$1=="50%" {print $2}'), p99 $(echo "$out" | awk '$1=="99%" {print $2}'), non-2xx $(echo "$out" | awk '/Non-2xx/ {print $NF}')"
}

run() { # name url
  local name=$1 url=$2 port=18097
  SRB_LOG=warn DATABASE_URL="$url" SRB_DATA_DIR="$work/$name" SRB_ADDR="127.0.0.1:$port" \
    "$bin" serve --demo >"$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/$name.log"; exit 1; }
  local email="bench-$RANDOM$RANDOM@example.org" tok
  DATABASE_URL="$url" SRB_LOG=warn "$bin" user add --email "$email" --role facilitator >/dev/null
  tok=$(DATABASE_URL="$url" SRB_LOG=warn "$bin" token create --email "$email")
  gql() { curl -fs "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: Bearer $tok" -d "$1"; }

  local wid
  wid=$(gql '{"query":"{ workshops(first: 1) { edges { node { id } } } }"}' | jq -r '.data.workshops.edges[0].node.id')
  printf '{"query":"query W($id: ID!) { workshop(id: $id) { title sessions { title startsAt moderators contributions(first: 30) { totalCount edges { node { kind body tags } } } } } }","variables":{"id":"%s"}}' "$wid" >"$work/workshop.json"
  printf '{"query":"query D($id: ID!) { workshop(id: $id) { documentation } }","variables":{"id":"%s"}}' "$wid" >"$work/doc.json"
  wrk_line "$name workshop with sessions and contributions" "" "$work/workshop.json" $port 1
  wrk_line "$name workshop with sessions and contributions" "" "$work/workshop.json" $port 4
  wrk_line "$name documentation (Markdown)" "" "$work/doc.json" $port 1

  local lw session
  lw=$(gql '{"query":"mutation { createWorkshop(input: { title: \"Live\", heldOn: \"2026-11-24\", format: ONLINE, publication: PUBLIC }) { id } }"}' | jq -r '.data.createWorkshop.id')
  for n in 1 10 100; do
    session=$(gql "{\"query\":\"mutation { createWorkshopSession(input: { workshopId: \\\"$lw\\\", kind: THEME_ROOM, title: \\\"Raum $n\\\" }) { id } }\"}" | jq -r '.data.createWorkshopSession.id')
    echo "$name live capture: $("$live" "http://127.0.0.1:$port" "$tok" "$session" $n 200)"
  done
  kill $pid; wait $pid 2>/dev/null || true; pid=
}

run sqlite "sqlite:$work/sqlite/srb.sqlite3"
if [ -n "${BENCH_DATABASE_URL_KNOWLEDGE:-}" ]; then run postgres "$BENCH_DATABASE_URL_KNOWLEDGE"; fi
