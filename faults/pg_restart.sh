#!/usr/bin/env bash
# PostgreSQL restarted under load: requests fail only while it is down, the server recovers by
# itself, and every write it acknowledged is there afterwards.
# Usage: faults/pg_restart.sh [writes]
#   FAULT_DATABASE_URL  an empty PostgreSQL database for the run (required)
#   PG_RESTART          the command that restarts PostgreSQL (default: pg_ctlcluster <newest> main restart)
cd "$(dirname "$0")/.."
source faults/common.sh
writes=${1:-400}
[ -n "${FAULT_DATABASE_URL:-}" ] || fail "set FAULT_DATABASE_URL to an empty PostgreSQL database"
restart="${PG_RESTART:-pg_ctlcluster $(ls /usr/lib/postgresql | sort -V | tail -n 1) main restart}"
port=18221
export DATABASE_URL="$FAULT_DATABASE_URL" SRB_DATA_DIR="$work/data"
demo_with_coordinator
start_server $port

acked=()
failed=0 during=0 after=0 n=0
write() { # <phase>: one write; counts it
  n=$((n + 1))
  local answer id
  answer=$(idea $port "Neustartprobe $n" || true)
  id=$(echo "$answer" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  if [ -n "$id" ]; then acked+=("$id"); else failed=$((failed + 1)); [ "$1" = after ] && echo "after the restart: $answer"; sleep 0.05; fi
}
for _ in $(seq 1 $((writes / 2))); do write before; done
[ "$failed" = 0 ] || fail "$failed writes failed before the restart"
$restart &
restarter=$!
# Writes go on all through the restart.
while kill -0 "$restarter" 2>/dev/null; do write during; during=$((during + 1)); done
wait "$restarter" || fail "the restart command failed"
refused=$failed
for _ in $(seq 1 $((writes / 2))); do write after; after=$((after + 1)); done
[ "$failed" = "$refused" ] || fail "$((failed - refused)) writes failed after PostgreSQL was back"
# Every acknowledged write is there.
missing=0
for id in "${acked[@]}"; do
  gql $port "$token" "{\"query\":\"{ node(id: \\\"$id\\\") { id } }\"}" | grep -q "\"$id\"" || missing=$((missing + 1))
done
[ "$missing" = 0 ] || fail "$missing acknowledged writes are missing"
echo "PostgreSQL restart under load: $n writes ($during during the restart), ${#acked[@]} acknowledged, $refused refused during the restart, 0 after it, 0 acknowledged writes lost; srb recovered by itself"
