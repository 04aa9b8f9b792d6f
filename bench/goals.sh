#!/usr/bin/env bash
# The performance goals of search and the graph, measured in one run (see BENCHMARKS.md):
#   - memory at rest of `srb serve --demo` (embedded index), 2 s and 25 s after one request of
#     each kind (idle database connections close after 10 s)
#   - `districts` through GraphQL against a plain axum handler reading the same rows (64 conns)
#   - `kitas(first: 50)` at 16 connections
#   - search "Fachkräfte gewinnen", first 10, without and with all seven facets, at 1 and 16
#     connections: Meilisearch's own HTTP API on the documents srb gave it, srb's embedded index
#     through GraphQL, and srb's Meilisearch backend through GraphQL
# Needs wrk (Debian) and the Meilisearch binary (MEILI_BIN, default ../shared/tools).
# Usage: bench/goals.sh [seconds per run]
set -euo pipefail
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
meili_bin=${MEILI_BIN:-../shared/tools/meilisearch/meilisearch}
[ -x "$meili_bin" ] || { echo "needs the Meilisearch binary (MEILI_BIN)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p srb-server --bin srb
bin="$CARGO_TARGET_DIR/release/srb"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT

key=bench-key-0123456789abcdef
# srb names its index after MEILI_INDEX and the index format (a new format, a new index).
meili_index="srb_$(grep -o 'pub const FORMAT: &str = "[^"]*"' search/src/lib.rs | cut -d'"' -f2)"
meili_port=18190 embedded_port=18191 backend_port=18192
"$meili_bin" --db-path "$work/meili" --http-addr "127.0.0.1:$meili_port" --master-key "$key" \
  --no-analytics --log-level WARN >"$work/meili.log" 2>&1 &
pids+=($!)
ready() { for _ in $(seq 1 180); do curl -fs "$1" >/dev/null && return 0; sleep 1; done; echo "not ready: $1"; exit 1; }
ready "http://127.0.0.1:$meili_port/health"

SRB_BENCH_ROUTES=1 SRB_LOG=warn DATABASE_URL="sqlite:$work/embedded/srb.sqlite3" \
  SRB_DATA_DIR="$work/embedded" SRB_ADDR="127.0.0.1:$embedded_port" "$bin" serve --demo \
  >"$work/embedded.log" 2>&1 &
embedded=$!
pids+=($embedded)
SRB_LOG=warn DATABASE_URL="sqlite:$work/backend/srb.sqlite3" SRB_DATA_DIR="$work/backend" \
  SRB_ADDR="127.0.0.1:$backend_port" MEILI_URL="http://127.0.0.1:$meili_port" MEILI_KEY="$key" \
  MEILI_INDEX=srb "$bin" serve --demo >"$work/backend.log" 2>&1 &
pids+=($!)
ready "http://127.0.0.1:$embedded_port/readyz"
ready "http://127.0.0.1:$backend_port/readyz"

gql() { curl -fs "http://127.0.0.1:$1/graphql" -H 'content-type: application/json' -d @"$2"; }
fields='totalCount edges { score highlight node { __typename ... on Contribution { id body } ... on RoleProfile { id title } ... on StaffingIdea { id title } ... on CooperationModel { id title } ... on Workshop { id title } ... on Kita { id name } } }'
facets='facets { kind { value count } district { value label count } workshop { value label count } session { value label count } tags { value count } category { value count } year { value count } }'
printf '{"query":"query S($q: String!) { search(query: $q, first: 10) { %s } }","variables":{"q":"Fachkräfte gewinnen"}}' "$fields" >"$work/search.json"
printf '{"query":"query S($q: String!) { search(query: $q, first: 10) { %s %s } }","variables":{"q":"Fachkräfte gewinnen"}}' "$fields" "$facets" >"$work/facets.json"
printf '{"query":"{ search(query: \\"\\", first: 0) { totalCount } }"}' >"$work/count.json"
echo '{"query":"query Districts { districts { ags name kind } }"}' >"$work/districts.json"
echo '{"query":"query KitaPage { kitas(first: 50) { edges { node { id name places placesUnder3 provider { name kind } socialSpace { name } } } } }"}' >"$work/kitas.json"

# Both servers have indexed everything when their totals agree and stay put.
count() { gql "$1" "$work/count.json" | sed 's/.*"totalCount":\([0-9]*\).*/\1/'; }
last=-1
for _ in $(seq 1 300); do
  a=$(count $embedded_port) b=$(count $backend_port)
  if [ "$a" = "$b" ] && [ "$a" = "$last" ] && [ "$a" -gt 0 ]; then break; fi
  last=$a
  sleep 1
done
echo "documents: embedded $a, Meilisearch backend $b"
# The same question, asked of Meilisearch directly: the terms srb's backend sends for it (the
# analysed words, one each); the hit counts printed below must agree.
terms="fachkraft gewinn"
printf '{"q":"%s","limit":10,"locales":["eng"],"showRankingScore":true}' "$terms" >"$work/meili.json"
printf '{"q":"%s","limit":10,"locales":["eng"],"showRankingScore":true,"facets":["kind","district","workshop","session","tags","category","year"]}' "$terms" >"$work/meili_facets.json"
echo "srb's Meilisearch backend: $(gql $backend_port "$work/search.json" | sed 's/.*"totalCount":\([0-9]*\).*/\1/') hits"
echo "Meilisearch answers $(curl -fs "http://127.0.0.1:$meili_port/indexes/$meili_index/search" -H "authorization: Bearer $key" -H 'content-type: application/json' -d @"$work/meili.json" | sed 's/.*"estimatedTotalHits":\([0-9]*\).*/\1/') hits for \"$terms\""

for f in search facets districts kitas; do gql $embedded_port "$work/$f.json" >/dev/null; done
gql $backend_port "$work/facets.json" >/dev/null
sleep 2
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
echo "memory 2 s after one request of each kind (embedded, demo data): $(rss $embedded)"
# The connections those requests opened close after 10 s idle; the pool looks every 10 s.
sleep 23
echo "memory at rest, 25 s without requests: $(rss $embedded)"

measure() { # label url body-file conns [token]
  local threads=$(( $4 < 2 ? 1 : 2 )) out
  out=$(TOKEN="${5:-}" BODY_FILE="$3" wrk -t$threads -c"$4" -d"${secs}s" --latency -s bench/post.lua "$2")
  printf '%-44s c=%-2s %8s req/s  p50 %-8s p99 %-8s non-2xx %s\n' "$1" "$4" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
}
plain() { # label url conns
  local out
  out=$(wrk -t2 -c"$3" -d"${secs}s" --latency "$2")
  printf '%-44s c=%-2s %8s req/s  p50 %-8s p99 %s\n' "$1" "$3" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')"
}

for c in 1 16; do
  measure "Meilisearch HTTP API" "http://127.0.0.1:$meili_port/indexes/$meili_index/search" "$work/meili.json" $c $key
  measure "embedded index through GraphQL" "http://127.0.0.1:$embedded_port/graphql" "$work/search.json" $c
  measure "Meilisearch backend through GraphQL" "http://127.0.0.1:$backend_port/graphql" "$work/search.json" $c
  measure "Meilisearch HTTP API, 7 facets" "http://127.0.0.1:$meili_port/indexes/$meili_index/search" "$work/meili_facets.json" $c $key
  measure "embedded index through GraphQL, 7 facets" "http://127.0.0.1:$embedded_port/graphql" "$work/facets.json" $c
  measure "Meilisearch backend through GraphQL, 7 facets" "http://127.0.0.1:$backend_port/graphql" "$work/facets.json" $c
done
measure "districts through GraphQL" "http://127.0.0.1:$embedded_port/graphql" "$work/districts.json" 64
plain "districts, plain handler" "http://127.0.0.1:$embedded_port/_bench/districts" 64
measure "kitas(first: 50) through GraphQL" "http://127.0.0.1:$embedded_port/graphql" "$work/kitas.json" 16
echo "memory after the runs (embedded): $(rss $embedded)"
