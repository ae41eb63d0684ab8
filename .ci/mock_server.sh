#!/usr/bin/env bash
# The mock server of clients/typescript (`npm run mock`: Prism, pinned in its package-lock.json, serving the
# examples of openapi/openapi.json) on a free port: a token in either header form the service takes opens
# GET /user/, none gets the 401, and the typed registration journey (examples/register-and-log-in-cli.ts) runs
# through against it. Bounded: 60 s for Prism to answer, 60 s for the journey; Prism is stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/../clients/typescript"

port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
base="http://127.0.0.1:$port"
log=$(mktemp)
# A process group of its own (setsid), so that stopping it stops Prism too, not only npm.
MOCK_PORT=$port setsid npm run -s mock > "$log" 2>&1 &
mock=$!
stop() {
  kill -- "-$mock" 2>/dev/null || kill "$mock" 2>/dev/null || true
  wait "$mock" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT
fail() {
  echo "mock server: $1" >&2
  echo "== Prism's log" >&2
  tail -40 "$log" >&2
  exit 1
}

for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$base/health/live/" 2>/dev/null && break
  kill -0 "$mock" 2>/dev/null || fail "Prism stopped before answering"
  sleep 0.5
done
curl -fsS -o /dev/null "$base/health/live/" || fail "no answer on $base within 60 s"

status() { curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$base/user/"; }
[ "$(status -H 'Authorization: JWT x')" = 200 ] || fail "GET /user/ with Authorization: JWT x is not 200"
[ "$(status -H 'Authorization: Bearer x')" = 200 ] || fail "GET /user/ with Authorization: Bearer x is not 200"
[ "$(status)" = 401 ] || fail "GET /user/ without a token is not 401"

timeout 60 npm run -s journey -- "$base" --mock > /dev/null || fail "the registration journey failed"
echo "mock server: GET /user/ answers Authorization: JWT and Bearer, and the registration journey went through"
