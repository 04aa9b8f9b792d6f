#!/usr/bin/env bash
# kill -9 of the server during a large Kita import, N times (default 50), on SQLite:
# after every kill the database passes `PRAGMA integrity_check` and `foreign_key_check`, the
# import is there whole or not at all (every imported Kita with the same places, as many as
# the file has), and the next start serves. Also prints the server's peak memory during one
# complete import. Usage: faults/kill_import.sh [rounds] [rows]
cd "$(dirname "$0")/.."
source faults/common.sh
rounds=${1:-50}
rows=${2:-20000}
port=18201
export SRB_DATA_DIR="$work/data"
db="$work/data/srb.sqlite3"
demo_with_coordinator

# file <places>: the import, every Kita with <places> places.
file() {
  { echo "Kita;Plätze;Straße;PLZ;Ort"
    seq 1 "$rows" | awk -v p="$1" '{ printf "Fehlerprobe-Kita %d;%d;Probeweg %d;56068;Koblenz\n", $1, p, $1 }'
  } >"$work/kitas.csv"
}
import() { # prints the answer
  curl -s -H "authorization: Bearer $token" \
    -F 'operations={"query":"mutation($f: Upload!) { importKitas(input: { districtAgs: \"07111\", file: $f }) { ok stored rows created updated } }","variables":{"f":null}}' \
    -F 'map={"0":["variables.f"]}' -F "0=@$work/kitas.csv;type=text/csv" \
    "http://127.0.0.1:$port/graphql"
}
check() { # <round>
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "round $1: integrity_check"
  [ -z "$(sqlite3 "$db" 'PRAGMA foreign_key_check')" ] || fail "round $1: foreign_key_check"
  local count distinct
  count=$(sqlite3 "$db" "SELECT COUNT(*) FROM kitas WHERE name LIKE 'Fehlerprobe-Kita %'")
  distinct=$(sqlite3 "$db" "SELECT COUNT(DISTINCT places) FROM kitas WHERE name LIKE 'Fehlerprobe-Kita %'")
  [ "$count" = "$rows" ] && [ "$distinct" = 1 ] ||
    fail "round $1: partial import ($count Kitas, $distinct different place counts)"
}

# One whole import first: its duration sets when to kill, its memory is the figure.
file 10
start_server $port
started=$(date +%s%N)
answer=$(import)
took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "$answer" | grep -q '"stored":true' || fail "the first import failed: $answer"
peak=$(rss_peak "$server")
kill "$server"; wait "$server" 2>/dev/null || true
check 0
echo "whole import of $rows rows: ${took_ms} ms, server peak memory ${peak} MiB"

killed=0
for r in $(seq 1 "$rounds"); do
  file $((10 + r))
  start_server $port
  (import >"$work/answer" 2>/dev/null) &
  client=$!
  # Somewhere between the upload and a little past the import's usual end.
  sleep "$(awk -v r="$RANDOM" -v t="$took_ms" 'BEGIN { printf "%.3f", (r / 32767) * t * 1.1 / 1000 }')"
  kill -9 "$server"; wait "$server" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  grep -q '"stored":true' "$work/answer" 2>/dev/null || killed=$((killed + 1))
  check "$r"
done
start_server $port
gql $port "$token" '{"query":"{ districts { ags } }"}' | grep -q '"07111"' || fail "the next start does not serve"
echo "kill -9 during import: $rounds rounds, $killed killed before the answer, 0 partial imports, integrity ok, the next start serves"
