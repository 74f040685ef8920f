#!/usr/bin/env bash
# Browser test: builds the demo database, adds an account, starts `relance serve` on a free loopback port and drives
# headless Chromium through it (Tests/browser/drive.py). Screenshots go to docs/images/. Exits non-zero on failure.
#   Tests/browser/run.sh [path/to/relance]   (default: .build/debug/relance, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
relance=${1:-.build/debug/relance}
[ -x "$relance" ] || swift build --product relance
relance=$(realpath "$relance")
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "browser test: chromium is not installed (apt-get install chromium)" >&2; exit 1; }

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && "$relance" demo --db demo.sqlite >/dev/null)
printf '%s\n' 'browser-test-password' | "$relance" user add browser --role collector --db "$work/demo.sqlite" --bcrypt-cost 8
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$relance" serve --db "$work/demo.sqlite" --port "$port" --as-of 2026-11-27 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
python3 Tests/browser/drive.py --base "http://127.0.0.1:$port" --name browser --password browser-test-password \
  --out docs/images --chromium "$chromium"
