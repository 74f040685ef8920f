#!/usr/bin/env bash
# Load test of `relance serve`: a simulated portfolio, one signed-in session, wrk on loopback against the main pages.
# Prints wrk's latency distribution (with p99) for each page. Not part of CI: timing targets are not tests.
#   Tests/load/wrk.sh [path/to/relance] [rate]   (default: .build/release/relance, rate 8 invoices per site and month)
set -euo pipefail
cd "$(dirname "$0")/../.."
relance=$(realpath "${1:-.build/release/relance}")
rate=${2:-8}
duration=${DURATION:-20s}
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$relance" simulate --from 2026-01-05 --as-of 2026-11-27 --seed 11 --rate "$rate" --out "$work/sim" --db "$work/load.sqlite"
printf '%s\n' 'load-test-password' | "$relance" user add load --role manager --db "$work/load.sqlite"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$relance" serve --db "$work/load.sqlite" --port "$port" --as-of 2026-11-27 >"$work/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fsS "$base/health" >/dev/null 2>&1 && break; sleep 0.2; done

token=$(curl -fsS -H 'Content-Type: application/json' -d '{"name":"load","password":"load-test-password"}' "$base/api/v1/tokens" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
# A browser session for the pages: the sign-in form with its token and cookie.
jar="$work/jar"
csrf=$(curl -fsS -c "$jar" "$base/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fsS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" -d name=load -d password=load-test-password "$base/signin"
session=$(awk '$6 == "relance_session" { print $7 }' "$jar")
customer=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/customers" | python3 -c 'import json, sys; print(max(json.load(sys.stdin), key=lambda c: c["openCount"])["id"])')
invoice=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/customers/$customer" | python3 -c 'import json, sys; print(json.load(sys.stdin)["invoices"][0]["id"])')
open=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/overview" | python3 -c 'import json, sys; print(json.load(sys.stdin)["openCount"])')
echo "portfolio: $(sqlite3 "$work/load.sqlite" 'SELECT count(*) FROM invoice' 2>/dev/null || echo '?') invoices, $open open; customer $customer, invoice $invoice"

for page in / "/customers/$customer" "/invoices/$invoice" /stuck /api/v1/overview; do
  case "$page" in /api/*) auth="Authorization: Bearer $token" ;; *) auth="Cookie: relance_session=$session" ;; esac
  curl -fsS -o /dev/null -H "$auth" "$base$page"   # warm
  echo "== $page"
  wrk -t2 -c8 -d"$duration" --latency -H "$auth" "$base$page" \
    | grep -E 'Latency|50%|90%|99%|Requests/sec|requests in|Non-2xx'
done
