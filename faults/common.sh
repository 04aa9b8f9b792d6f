# Shared by the fault scripts: a server binary, a scratch directory, start/stop helpers.
# Each script prints what it checked and exits non-zero when a check fails.
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
bin="${SRB_BIN:-$CARGO_TARGET_DIR/release/srb}"
[ -x "$bin" ] || { echo "no srb binary at $bin (build it, or set SRB_BIN)"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# A fault script is one client hammering the server: the per-client budgets would only
# measure themselves.
export SRB_RATE_PER_ADDRESS=0 SRB_RATE_PER_TOKEN=0 SRB_LOG=warn

fail() { echo "FAIL: $*"; exit 1; }

# demo_with_coordinator: loads the demo data into the configured database and sets $token to
# an API token of a coordinator of Koblenz (07111).
demo_with_coordinator() {
  "$bin" demo >/dev/null
  "$bin" user add --email fault@example.org --role coordinator --district 07111 >/dev/null
  token=$("$bin" token create --email fault@example.org 2>/dev/null)
}

# start_server <port> [extra env assignments…]: starts `srb serve`, waits for /readyz, sets $server.
start_server() {
  local port=$1; shift
  env "$@" SRB_ADDR="127.0.0.1:$port" "$bin" serve >>"$work/serve-$port.log" 2>&1 &
  server=$!
  pids+=("$server")
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { tail -20 "$work/serve-$port.log"; fail "the server did not start"; }
    sleep 0.1
  done
  fail "the server was not ready within 30 s"
}

# gql <port> <token> <json body>: POSTs a GraphQL request, prints the answer.
gql() {
  curl -s -H "authorization: Bearer $2" -H 'content-type: application/json' \
    --data "$3" "http://127.0.0.1:$1/graphql"
}

# idea <port> <title>: creates a public staffing idea of 07111 as $token, prints the answer.
idea() {
  gql "$1" "$token" "{\"query\":\"mutation { createStaffingIdea(input: { districtAgs: \\\"07111\\\", idea: { title: \\\"$2\\\", category: HALTEN, measure: \\\"Eine Maßnahme\\\", publication: PUBLIC } }) { id } }\"}"
}

# rss_peak <pid>: the process's peak resident memory in MiB.
rss_peak() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
