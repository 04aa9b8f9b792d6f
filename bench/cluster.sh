#!/usr/bin/env bash
# Three instances behind HAProxy against one instance alone, in one run (issue 19): PostgreSQL
# and Meilisearch as in deploy/, the load balancer configured from deploy/haproxy.cfg.
# `districts` and a search with all facets, wrk at 64 connections; memory per instance.
# Usage: BENCH_DATABASE_URL=postgres://…/postgres bench/cluster.sh [seconds per run]
# (MEILI_BIN names the Meilisearch server, default ../shared/tools/meilisearch/meilisearch.)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
admin=${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a PostgreSQL URL allowed to create databases}
meili_bin=${MEILI_BIN:-$(pwd)/../shared/tools/meilisearch/meilisearch}
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p srb-server --bin srb
bin="$CARGO_TARGET_DIR/release/srb"
work=$(mktemp -d)
pids=()
db=srb_bench_cluster
psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
"$meili_bin" --db-path "$work/meili" --http-addr 127.0.0.1:17760 --master-key "$key" \
  --no-analytics >"$work/meili.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:17760/health >/dev/null && break; sleep 0.1; done

# One load generator is one client: the per-client budgets would measure themselves.
export DATABASE_URL="${admin%/*}/$db" MEILI_URL=http://127.0.0.1:17760 MEILI_KEY="$key" \
  SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0 SRB_PROXY_HOPS=1 SRB_LOG=warn
SRB_DATA_DIR="$work/cli" "$bin" demo >/dev/null
declare -A port=([a]=18301 [b]=18302 [c]=18303)
declare -A pid
for i in a b c; do
  SRB_DATA_DIR="$work/$i" SRB_ADDR="127.0.0.1:${port[$i]}" "$bin" serve >"$work/$i.log" 2>&1 &
  pid[$i]=$!
  pids+=($!)
done
for i in a b c; do
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:${port[$i]}/readyz" >/dev/null && break; sleep 0.2; done
done
# The demo's 2,669 records reach Meilisearch through the outbox first.
for _ in $(seq 1 600); do
  pending=$(curl -fs http://127.0.0.1:18301/readyz | sed -n 's/.*"pending":\([0-9]*\).*/\1/p')
  [ "$pending" = 0 ] && break
  sleep 0.5
done
echo "index filled (pending: $pending)"

lb=18300
{
  grep -vE '^\s*(log |user |group |server |bind |default-server )|ssl_fc' deploy/haproxy.cfg \
    | sed "s|^frontend srb|frontend srb\n  bind 127.0.0.1:$lb|; s|^  option httpchk|  default-server inter 2s fall 2 rise 2\n  option httpchk|"
  for i in a b c; do echo "  server $i 127.0.0.1:${port[$i]} check"; done
} >"$work/haproxy.cfg"
"$haproxy" -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=($haproxy_pid)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$lb/readyz" >/dev/null && break; sleep 0.1; done
sleep 5 # every server through `rise 2`

printf '%s' '{"query":"query Districts { districts { ags name kind } }"}' >"$work/districts.json"
printf '%s' '{"query":"query S($q: String!) { search(query: $q, first: 10) { totalCount facets { kind { value count } district { value label count } workshop { value label count } session { value label count } tags { value count } category { value count } year { value count } } edges { score highlight node { __typename ... on Contribution { id body } ... on RoleProfile { id title } ... on CooperationModel { id title } ... on Kita { id name } } } } }","variables":{"q":"Fachkräfte gewinnen"}}' >"$work/search.json"

run() { # label body port
  local out
  out=$(TOKEN="" BODY_FILE="$work/$2.json" wrk -t2 -c64 -d"${secs}s" --latency -s bench/post.lua "http://127.0.0.1:$3/graphql")
  echo "| $1 | $2 | $(echo "$out" | awk '/Requests\/sec/ {printf "%\047d", $2}') | $(echo "$out" | awk '$1=="50%" {print $2}') | $(echo "$out" | awk '$1=="99%" {print $2}') | $(echo "$out" | awk '/Non-2xx/ {print $NF}')$(echo "$out" | awk '/Socket errors/ {print " " $0}') |"
}
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

echo "| target | request | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
for body in districts search; do
  run "one instance" $body 18301
  run "HAProxy, 3 instances" $body $lb
done
for i in a b c; do echo "instance $i: RSS $(rss "${pid[$i]}") MiB, peak $(hwm "${pid[$i]}") MiB"; done
echo "HAProxy: RSS $(rss $haproxy_pid) MiB"
