#!/usr/bin/env bash
# Search benchmarks (release build) on SQLite with the embedded index. See BENCHMARKS.md.
# For each corpus size (default 10000 and 100000 records):
#   1. tests/examples/search_corpus.rs fills a database in the style of the demo workshop,
#      indexes it through the outbox (documents/s) and measures searches with facets in process
#   2. `srb reindex` rebuilds the whole index from the database (wall time)
#   3. the server answers `search` with facets through GraphQL (wrk, 1 and 32 connections)
# Usage: bench/search.sh [seconds per wrk run] [corpus sizes ...]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
secs=${1:-10}
shift || true
sizes=("${@:-10000 100000}")
read -r -a sizes <<<"${sizes[*]}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p srb-server --bin srb -p srb-tests --example search_corpus
bin="$CARGO_TARGET_DIR/release/srb"
corpus="$CARGO_TARGET_DIR/release/examples/search_corpus"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT

wrk_line() { # label body-file port conns
  local out
  out=$(TOKEN="" BODY_FILE="$2" wrk -t1 -c"$4" -d"${secs}s" --latency -s bench/post.lua "http://127.0.0.1:$3/graphql")
  echo "$1 c=$4: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s, p50 $(echo "$out" | awk '$1=="50%" {print $2}'), p99 $(echo "$out" | awk '$1=="99%" {print $2}'), non-2xx $(echo "$out" | awk '/Non-2xx/ {print $NF}')"
}

for n in "${sizes[@]}"; do
  dir="$work/$n"
  url="sqlite:$dir/srb.sqlite3"
  mkdir -p "$dir"
  echo "== $n records"
  SRB_LOG=warn "$corpus" "$url" "$dir" "$n"
  start=$(date +%s.%N)
  DATABASE_URL="$url" SRB_DATA_DIR="$dir" SRB_LOG=warn "$bin" reindex 2>/dev/null
  echo "srb reindex: $(echo "$(date +%s.%N) - $start" | bc) s wall time"

  port=18099
  SRB_LOG=warn DATABASE_URL="$url" SRB_DATA_DIR="$dir" SRB_ADDR="127.0.0.1:$port" "$bin" serve >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
  printf '%s' '{"query":"query S($q: String!) { search(query: $q, first: 10) { totalCount facets { kind { value count } district { value label count } workshop { value label count } session { value label count } tags { value count } category { value count } year { value count } } edges { score highlight node { __typename ... on Contribution { id body } ... on RoleProfile { id title } ... on CooperationModel { id title } ... on Kita { id name } } } } }","variables":{"q":"Fachkräfte Träger"}}' >"$work/search.json"
  wrk_line "GraphQL search with facets ($n records)" "$work/search.json" $port 1
  wrk_line "GraphQL search with facets ($n records)" "$work/search.json" $port 32
  kill $pid; wait $pid 2>/dev/null || true; pid=
done
