#!/usr/bin/env bash
# schemathesis (pinned in requirements.txt) against a freshly started debug build of the server on the embedded
# backends, every limit off (0), so no 429 answers get in the way. Fails on a 5xx, an answer the document does not
# describe, or a schema-valid request refused for its shape (hooks.py). Bounded by --max-examples per operation.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(cd ../.. && pwd)
# Where cargo puts the build: CARGO_TARGET_DIR when set (a worktree with a target directory of its own), a
# relative one taken from $root as the build below runs there; else $root/target.
case ${CARGO_TARGET_DIR:-} in
  "") target=$root/target ;;
  /*) target=$CARGO_TARGET_DIR ;;
  *) target=$root/$CARGO_TARGET_DIR ;;
esac

# Every package pinned (pip freeze of schemathesis and its dependencies), installed once per requirements file.
venv=${SCHEMATHESIS_VENV:-$target/schemathesis-venv}
if ! cmp -s requirements.txt "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  cp requirements.txt "$venv/requirements.txt"
fi

(cd "$root" && cargo build --quiet -p bootstrap --bin meiduo-accounts)
data=$(mktemp -d)
port=${SCHEMATHESIS_PORT:-18765}
base="http://127.0.0.1:$port"
DATA_DIR="$data" BIND_ADDR="127.0.0.1:$port" RUST_LOG=warn \
  CAPTCHA_IP_PER_MINUTE=0 CODE_RESEND_INTERVAL_SECS=0 CODE_DAILY_LIMIT=0 CODE_IP_HOURLY_LIMIT=0 \
  LOGIN_ACCOUNT_FAILURES=0 LOGIN_IP_FAILURES=0 AVAILABILITY_IP_PER_MINUTE=0 \
  EMAIL_TEST_ADDRESSES=fuzz@example.com=135790 \
  "$target/debug/meiduo-accounts" serve > "$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/health/live/" > /dev/null 2>&1 && break
  sleep 0.2
done

# A signed-in user, so the authenticated operations are exercised beyond 401 (until one of them ends the session).
curl -fsS "$base/email_codes/fuzz@example.com/" > /dev/null
token=$(curl -fsS -X POST "$base/users/" -H 'Content-Type: application/json' \
  -d '{"username":"fuzz_user","password":"correct-horse","password2":"correct-horse","email":"fuzz@example.com","email_code":"135790","allow":true}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Operations that end the session (logout, sign out everywhere, password change, account deletion, ending a
# listed session: schemathesis reuses the ids GET /user/sessions/ answers) run last, after the others have used the
# token.
run() {
  PYTHONPATH="$here" SCHEMATHESIS_HOOKS=hooks "$venv/bin/schemathesis" --config-file schemathesis.toml run \
    "$root/openapi/openapi.json" --url "$base" -H "Authorization: JWT $token" \
    --phases examples,coverage,fuzzing --mode positive --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
    --workers 2 --no-color --seed 1 "$@" || { echo "== server log"; tail -50 "$data/server.log"; exit 1; }
}
ending=(logOut revokeAllSessions changePassword requestAccountDeletion endSession)
run $(printf -- '--exclude-operation-id %s ' "${ending[@]}")
run $(printf -- '--include-operation-id %s ' "${ending[@]}")
