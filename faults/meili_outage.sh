#!/usr/bin/env bash
# Meilisearch stopped (kill -9) during writes and started again: every write succeeds, the
# outbox catches up once Meilisearch is back, and every record is found: 0 index updates lost.
# Usage: faults/meili_outage.sh [writes] — MEILI_BIN names the Meilisearch server
# (default: ../shared/tools/meilisearch/meilisearch beside the repository).
cd "$(dirname "$0")/.."
source faults/common.sh
writes=${1:-300}
meili_bin="${MEILI_BIN:-$(pwd)/../shared/tools/meilisearch/meilisearch}"
[ -x "$meili_bin" ] || fail "no Meilisearch server at $meili_bin (set MEILI_BIN)"
port=18211 mport=17711
key="fault-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
meili() {
  "$meili_bin" --db-path "$work/meili" --http-addr "127.0.0.1:$mport" --master-key "$key" \
    --no-analytics >>"$work/meili.log" 2>&1 &
  mpid=$!
  pids+=("$mpid")
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$mport/health" >/dev/null && return; sleep 0.1; done
  fail "Meilisearch did not start"
}
meili
export SRB_DATA_DIR="$work/data" MEILI_URL="http://127.0.0.1:$mport" MEILI_KEY="$key" MEILI_INDEX="fault"
demo_with_coordinator
start_server $port

failed=0
for i in $(seq 1 "$writes"); do
  if [ "$i" = $((writes / 3)) ]; then kill -9 "$mpid"; wait "$mpid" 2>/dev/null || true; echo "Meilisearch stopped after $((i - 1)) writes"; fi
  if [ "$i" = $((2 * writes / 3)) ]; then meili; echo "Meilisearch started again after $((i - 1)) writes"; fi
  answer=$(idea $port "Ausfallprobe $i")
  echo "$answer" | grep -q '"id"' || { failed=$((failed + 1)); echo "write $i: $answer"; }
done
[ "$failed" = 0 ] || fail "$failed of $writes writes failed while Meilisearch was away"

for _ in $(seq 1 600); do
  pending=$(curl -fs "http://127.0.0.1:$port/readyz" | sed -n 's/.*"pending":\([0-9]*\).*/\1/p')
  [ "$pending" = 0 ] && break
  sleep 0.2
done
[ "$pending" = 0 ] || fail "the outbox did not catch up within 120 s ($pending pending)"
found=$(gql $port "$token" '{"query":"{ search(query: \"Ausfallprobe\", first: 1) { totalCount } }"}' | sed -n 's/.*"totalCount":\([0-9]*\).*/\1/p')
[ "$found" = "$writes" ] || fail "found $found of $writes records"
echo "Meilisearch outage during writes: $writes writes, 0 failed, outbox caught up, $found of $writes found: 0 index updates lost"
