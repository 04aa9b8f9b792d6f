#!/usr/bin/env bash
# Allocation benchmarks through the running server (release build), on SQLite and, when
# BENCH_DATABASE_URL / BENCH_DATABASE_URL_LARGE are set, on PostgreSQL. See BENCHMARKS.md.
#   1. runAllocation for the district with the most Kitas (wrk, 1 and 4 connections: p50, p99)
#   2. officialPlans of all 41 districts for a year, with every Kita's amount (wrk, 1 connection)
#   3. XLSX export of that district's run (curl, 10 times)
#   4. import of an XLSX with one district's Kitas × 10 indicators (curl, first import and
#      then alternating files, so every import writes every value)
# The first three run at --scale 1 (the state's size: about 2,600 Kitas, the largest district
# about 140) and at --scale 2 (the largest district about 280, more than any real one; on
# PostgreSQL in the database ${BENCH_DATABASE_URL}_2), the import at --scale 20, whose largest
# district has about 2,800 Kitas.
# Usage: bench/plans.sh [seconds per wrk run]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
command -v jq >/dev/null || { echo "needs jq (apt-get install jq)"; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p srb-server --bin srb
cargo build --release --quiet -p srb-sheets --example fill_template
bin="$CARGO_TARGET_DIR/release/srb"
fill="$CARGO_TARGET_DIR/release/examples/fill_template"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT

start() { # name url scale port
  local name=$1 url=$2 scale=$3 port=$4 t0
  t0=$(date +%s.%N)
  SRB_LOG=warn DATABASE_URL="$url" SRB_DATA_DIR="$work/$name" SRB_ADDR="127.0.0.1:$port" \
    "$bin" serve --demo --scale "$scale" >"$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 900); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/$name.log"; exit 1; }
  echo "$name: demo at scale $scale seeded and ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
}

stop() { kill $pid; wait $pid 2>/dev/null || true; pid=; }

token() { # url district
  local email="bench-$RANDOM$RANDOM@example.org"
  DATABASE_URL="$1" SRB_LOG=warn "$bin" user add --email "$email" --role coordinator --district "$2" >/dev/null
  DATABASE_URL="$1" SRB_LOG=warn "$bin" token create --email "$email"
}

gql() { # port token json
  curl -fs "http://127.0.0.1:$1/graphql" -H 'content-type: application/json' \
    -H "authorization: Bearer $2" -d "$3"
}

largest() { # port: AGS of the district with the most Kitas
  local port=$1 best= most=0 n
  for ags in $(curl -fs "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
      -d '{"query":"{ districts { ags } }"}' | jq -r '.data.districts[].ags'); do
    n=$(curl -fs "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
      -d "{\"query\":\"{ kitas(filter: {districtAgs: \\\"$ags\\\"}, first: 1) { totalCount } }\"}" |
      jq '.data.kitas.totalCount')
    if [ "$n" -gt "$most" ]; then most=$n; best=$ags; fi
  done
  echo "$best $most"
}

wrk_line() { # label token body-file port conns
  local out
  out=$(TOKEN="$2" BODY_FILE="$3" wrk -t1 -c"$5" -d"${secs}s" --latency -s bench/post.lua "http://127.0.0.1:$4/graphql")
  echo "$1 c=$5: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s, p50 $(echo "$out" | awk '$1=="50%" {print $2}'), p99 $(echo "$out" | awk '$1=="99%" {print $2}'), non-2xx $(echo "$out" | awk '/Non-2xx/ {print $NF}')"
}

timed() { # label repetitions command...
  local label=$1 n=$2; shift 2
  local times=()
  for _ in $(seq 1 "$n"); do times+=("$("$@")"); done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%s: min %.3f s, median %.3f s, max %.3f s (%d runs)\n", l, a[1], a[int((NR+1)/2)], a[NR], NR}'
}

plans() { # name url scale
  local name=$1 url=$2 scale=$3 port=18095
  start "$name" "$url" "$scale" $port
  read -r ags kitas < <(largest $port)
  local tok; tok=$(token "$url" "$ags")
  local concept
  concept=$(gql $port "$tok" "{\"query\":\"{ concepts(districtAgs: \\\"$ags\\\") { id status } }\"}" |
    jq -r '.data.concepts[] | select(.status=="DECIDED") | .id' | head -n1)
  echo "$name: largest district $ags with $kitas Kitas"
  printf '{"query":"mutation Run($c: ID!) { runAllocation(conceptId: $c, dataYear: 2025) { id allocated } }","variables":{"c":"%s"}}' "$concept" >"$work/run.json"
  wrk_line "$name runAllocation" "$tok" "$work/run.json" $port 1
  wrk_line "$name runAllocation" "$tok" "$work/run.json" $port 4
  echo '{"query":"query Plans { officialPlans(year: 2025) { id allocated kitas { kitaId amount fte } } }"}' >"$work/plans.json"
  wrk_line "$name officialPlans(41 districts, every Kita)" "" "$work/plans.json" $port 1
  local run
  run=$(gql $port "$tok" '{"query":"{ officialPlans(year: 2025) { id district { ags } } }"}' |
    jq -r --arg ags "$ags" '.data.officialPlans[] | select(.district.ags == $ags) | .id')
  printf '{"query":"{ exportAllocationRun(id: \\"%s\\", format: XLSX) { size } }"}' "$run" >"$work/export.json"
  timed "$name XLSX export of $kitas Kitas" 10 curl -fs -o /dev/null -w '%{time_total}\n' \
    "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: Bearer $tok" -d @"$work/export.json"
  stop
}

import() { # name url
  local name=$1 url=$2 port=18096
  start "$name" "$url" 20 $port
  read -r ags kitas < <(largest $port)
  local tok; tok=$(token "$url" "$ags")
  # Ten Kita indicators: the demo's five and five more.
  for i in 1 2 3 4 5; do
    gql $port "$tok" "{\"query\":\"mutation { createIndicatorDefinition(input: {districtAgs: \\\"$ags\\\", key: \\\"extra_$i\\\", label: \\\"Anteil Zusatz $i\\\", unit: SHARE}) { id } }\"}" >/dev/null
  done
  gql $port "$tok" "{\"query\":\"{ indicatorTemplate(districtAgs: \\\"$ags\\\") { contentBase64 } }\"}" |
    jq -r '.data.indicatorTemplate.contentBase64' | base64 -d >"$work/template.xlsx"
  "$fill" "$work/template.xlsx" "$work/a.xlsx" 1
  "$fill" "$work/template.xlsx" "$work/b.xlsx" 2
  echo "$name: import file of $kitas Kitas × 10 indicators, $(stat -c %s "$work/a.xlsx") bytes"
  local ops='{"query":"mutation Import($input: ImportIndicatorValuesInput!) { importIndicatorValues(input: $input) { ok stored inserted updated unchanged } }","variables":{"input":{"districtAgs":"'"$ags"'","year":2026,"file":null,"referenceDate":"2026-03-01","source":"Benchmark"}}}'
  upload() { # file
    curl -fs -o "$work/import.out" -w '%{time_total}\n' "http://127.0.0.1:$port/graphql" \
      -H "authorization: Bearer $tok" -F "operations=$ops" -F 'map={"0":["variables.input.file"]}' -F "0=@$1"
  }
  echo "$name first import (inserts): $(upload "$work/a.xlsx") s; $(jq -c '.data.importIndicatorValues' "$work/import.out")"
  local flip=b times=()
  for _ in $(seq 1 6); do
    times+=("$(upload "$work/$flip.xlsx")")
    [ "$flip" = b ] && flip=a || flip=b
  done
  echo "$name last import: $(jq -c '.data.importIndicatorValues' "$work/import.out")"
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$name import (every value updated)" '{a[NR]=$1} END {printf "%s: min %.3f s, median %.3f s, max %.3f s (%d runs)\n", l, a[1], a[int((NR+1)/2)], a[NR], NR}'
  echo "$name same file again (nothing changes): $(upload "$work/$( [ "$flip" = a ] && echo b || echo a ).xlsx") s; $(jq -c '.data.importIndicatorValues' "$work/import.out")"
  stop
}

plans sqlite-1 "sqlite:$work/sqlite-1/srb.sqlite3" 1
plans sqlite-2 "sqlite:$work/sqlite-2/srb.sqlite3" 2
import sqlite-large "sqlite:$work/sqlite-large/srb.sqlite3"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  plans postgres-1 "$BENCH_DATABASE_URL" 1
  plans postgres-2 "${BENCH_DATABASE_URL}_2" 2
fi
if [ -n "${BENCH_DATABASE_URL_LARGE:-}" ]; then import postgres-large "$BENCH_DATABASE_URL_LARGE"; fi
