#!/usr/bin/env bash
# The allocation pages under load, on `srb serve --demo --scale 2` (SQLite, release build): the
# run page of the district with the most Kitas (Mainz, 276 at scale 2) at 4 connections, the
# concept editor's what-if preview (signed in, the form as the script posts it) at 1 and 4
# connections, each chart's size, and the state map page's size.
# Usage: bench/allocation_pages.sh [binary] [seconds per run]
set -euo pipefail
# One load generator is one client: the per-client request budgets would measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/srb} secs=${2:-15}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
command -v python3 >/dev/null || { echo "needs python3"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"' EXIT
port=18093
base="http://127.0.0.1:$port"
jar="$work/cookies"

cat >"$work/stats.lua" <<'LUA'
local f = os.getenv("BODY_FILE")
if f and f ~= "" then
  local h = assert(io.open(f, "r"))
  wrk.method = "POST"
  wrk.body = h:read("*a")
  h:close()
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local c = os.getenv("COOKIE")
if c and c ~= "" then wrk.headers["Cookie"] = c end
done = function(summary, latency, requests)
  io.write(string.format("p50 %.1f ms  p99 %.1f ms  max %.1f ms  %d req/s  errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

SRB_LOG=warn SRB_DATA_DIR="$work/data" SRB_ADDR="127.0.0.1:$port" "$bin" serve --demo --scale 2 >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fs "$base/readyz" >/dev/null && break; sleep 1; done

gql() { curl -fs -H 'Content-Type: application/json' -d "$1" "$base/graphql"; }
run=$(gql '{"query":"{ officialPlan(districtAgs: \"07315\", year: 2025) { id kitas { kitaId } } }"}' |
  python3 -c 'import json,sys; p=json.load(sys.stdin)["data"]["officialPlan"]; print(p["id"], len(p["kitas"]))')
read -r run_id kitas <<<"$run"
echo "-- run page of Stadt Mainz, $kitas Kitas"
curl -fs "$base/laeufe/$run_id" >"$work/run.html"
printf 'page %d bytes\n' "$(wc -c <"$work/run.html")"
python3 - "$work/run.html" <<'PY'
import re, sys
for m in re.finditer(r'<svg role="img" aria-label="([^"]*)".*?</svg>', open(sys.argv[1]).read(), re.S):
    print(f"chart {m.group(1)!r}: {len(m.group(0))} bytes")
PY
printf '4 connections: '
wrk -t2 -c4 -d"${secs}s" -s "$work/stats.lua" "$base/laeufe/$run_id" | tail -n 1

echo "-- state map page"
printf '/bezirke %d bytes\n' "$(curl -fs -o /dev/null -w '%{size_download}' "$base/bezirke")"
printf '4 connections: '
wrk -t2 -c4 -d"${secs}s" -s "$work/stats.lua" "$base/bezirke" | tail -n 1

echo "-- what-if preview of a draft of Mainz's concept (signed in)"
token=$(curl -fs -c "$jar" -b "$jar" "$base/anmelden" | grep -o 'name="token" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -fs -c "$jar" -b "$jar" -o /dev/null -d "email=koordination.mainz@demo.invalid&password=werkstatt-demo&token=$token&weiter=/" "$base/anmelden"
concept=$(curl -fs -b "$jar" "$base/bezirke/07315" | grep -o 'href="/konzeptionen/[^"]*"' | head -1 | cut -d'"' -f2)
form=$(curl -fs -b "$jar" "$base$concept")
token=$(grep -o 'name="token" value="[^"]*"' <<<"$form" | head -1 | cut -d'"' -f4)
draft=$(curl -fs -b "$jar" -o /dev/null -w '%{redirect_url}' -d "token=$token" "$base$concept/kopieren")
curl -fs -b "$jar" "$draft" >"$work/draft.html"
python3 - "$work/draft.html" >"$work/body" <<'PY'
import html, re, sys, urllib.parse
s = open(sys.argv[1]).read()
form = s[s.index('id="konzeption-form"'):]
form = form[:form.index('</form>')]
fields = []
for m in re.finditer(r'<input ([^>]*)>', form):
    a = m.group(1)
    name, value, kind = (re.search(p, a) for p in (r'name="([^"]*)"', r'value="([^"]*)"', r'type="([^"]*)"'))
    if name and not (kind and kind.group(1) == 'checkbox' and 'checked' not in a):
        fields.append((name.group(1), html.unescape(value.group(1)) if value else ''))
for m in re.finditer(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', form, re.S):
    chosen = re.search(r'<option value="([^"]*)" selected', m.group(2)) or re.search(r'<option value="([^"]*)"', m.group(2))
    fields.append((m.group(1), chosen.group(1)))
print(urllib.parse.urlencode(fields), end='')
PY
cookie=$(awk '$6 == "srb_sitzung" { print "srb_sitzung=" $7 }' "$jar")
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" --data @"$work/body" "$draft/vorschau")
echo "preview answers $status"
for c in 1 4; do
  printf '%d connection(s): ' "$c"
  BODY_FILE="$work/body" COOKIE="$cookie" wrk -t1 -c"$c" -d"${secs}s" -s "$work/stats.lua" "$draft/vorschau" | tail -n 1
done
