#!/usr/bin/env bash
# A hostile member's jobs against a real `qiusuo serve` (issue 14): a job runs as
# the job account, never as the server's user; it cannot read the ledger key or
# write the database; nothing it starts outlives it; its env values are its owner's
# alone; a config that would run jobs as root is refused at start-up.
# Usage: jobs_e2e.sh path/to/qiusuo. Needs root (the server switches users); without
# it the test is skipped (exit 77).
set -euo pipefail
QS=$(readlink -f "$1")
if [ "$(id -u)" != 0 ]; then
  echo "jobs_e2e: skipped: jobs run as the account qiusuo-job, and switching to it needs a root server"
  exit 77
fi
getent passwd qiusuo-job >/dev/null ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin qiusuo-job
T=$(mktemp -d /tmp/qiusuo-jobs-e2e-XXXXXX)
chmod 0711 "$T"  # the jobs' working directory is below it
SERVER_PID=""
MARK="100$$"
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home
mkdir -p "$HOME"
unset QIUSUO_SERVER QIUSUO_TOKEN QIUSUO_CONFIG XDG_CONFIG_HOME

passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
as() { QIUSUO_CONFIG=$T/$1.toml "$QS" "${@:2}"; }
wait_end() { # wait_end WHO JOB: until the job is over; prints its state
  local state
  for _ in $(seq 300); do
    state=$(as "$1" --json job show "$2" | jq -r .state)
    case $state in succeeded | failed | cancelled) echo "$state"; return 0 ;; esac
    sleep 0.1
  done
  echo "$state"
}

"$QS" init --data "$T/lab" --password-stdin <<<"steward-password-1" >/dev/null
grep -qx 'job_user = "qiusuo-job"' "$T/lab/qiusuo.toml" && ok || bad "init names qiusuo-job: $(grep job_user "$T/lab/qiusuo.toml")"
sed -i 's/^scheduler_interval_ms = .*/scheduler_interval_ms = 200/' "$T/lab/qiusuo.toml"

# --- the lab's files are the server's alone ------------------------------------------
[ "$(stat -c %a "$T/lab")" = 700 ] && ok || bad "DATA is $(stat -c %a "$T/lab"), not 700"
for f in qiusuo.db ledger.key qiusuo.toml; do
  [ "$(stat -c %a "$T/lab/$f")" = 600 ] && ok || bad "$f is $(stat -c %a "$T/lab/$f"), not 600"
done

# --- root jobs are refused at start-up unless allowed explicitly --------------------------
cp "$T/lab/qiusuo.toml" "$T/qiusuo.toml.good"
sed -i 's/^job_user = .*/job_user = "root"/' "$T/lab/qiusuo.toml"
if "$QS" serve --data "$T/lab" --listen 127.0.0.1:0 >"$T/refused.log" 2>&1; then
  bad "a server whose job_user is root started"
else
  grep -q "allow_root_jobs" "$T/refused.log" && ok || bad "root refusal: $(cat "$T/refused.log")"
fi
cp "$T/qiusuo.toml.good" "$T/lab/qiusuo.toml"

"$QS" serve --data "$T/lab" --listen 127.0.0.1:0 >"$T/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do grep -q 'serving http://' "$T/serve.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | head -1)
[ -n "$URL" ] || { cat "$T/serve.log"; exit 1; }
export QIUSUO_SERVER=$URL
as eve signup --handle eve --password-stdin <<<"eve-password-1" >/dev/null
as bob signup --handle bob --password-stdin <<<"bob-password-1" >/dev/null
P=$(as eve project start --title "Totally normal research")
mkdir -p "$T/work"
chown qiusuo-job "$T/work"
cd "$T/work"

# --- a job that goes for the key and the database -------------------------------------------
KEY_HEX=$(od -An -tx1 "$T/lab/ledger.key" | tr -d ' \n' | head -c 32)
J=$(as eve submit --project "$P" --gpus 1 -- sh -c "id -un; cat $T/lab/ledger.key | od -An -tx1; \
  ls $T/lab; echo 'UPDATE members SET steward = 1;' >> $T/lab/qiusuo.db || echo db-refused; \
  cat $T/lab/jobs/*/run-0/spec.json || echo specs-refused; exit 0")
[ "$(wait_end eve "$J")" = succeeded ] && ok || bad "the probing job did not run"
OUT=$(as eve logs "$J")
ERR=$(as eve logs --stderr "$J")
[ "$(head -1 <<<"$OUT")" = qiusuo-job ] && ok || bad "id -un in a job: $OUT"
grep -q "db-refused" <<<"$OUT" && ok || bad "the job wrote the database: $OUT"
grep -q "specs-refused" <<<"$OUT" && ok || bad "the job read run files: $OUT"
grep -q "ledger.key: Permission denied" <<<"$ERR" && ok || bad "reading the key: $ERR"
grep -q "cannot open directory.*Permission denied" <<<"$ERR" && ok || bad "listing DATA: $ERR"
grep -q "qiusuo.db: Permission denied" <<<"$ERR" && ok || bad "writing the db: $ERR"
if grep -q "${KEY_HEX:0:16}" <(tr -d ' \n' <<<"$OUT$ERR"); then bad "the key is in the job's log"; else ok; fi
as steward login --handle steward --password-stdin <<<"steward-password-1" >/dev/null
[ "$(curl -sf "$URL/api/v1/members/eve" | jq -r '.steward // false')" != true ] && ok || bad "eve became a steward"

# --- nothing a job starts outlives it ---------------------------------------------------------
J=$(as eve submit --project "$P" --gpus 1 -- sh -c "setsid sleep $MARK & (setsid sleep $MARK &); sleep $MARK & echo started")
[ "$(wait_end eve "$J")" = succeeded ] && ok || bad "the setsid job did not succeed"
if pgrep -fx "sleep $MARK" >/dev/null; then bad "a process outlived its job: $(pgrep -fa "sleep $MARK")"; else ok; fi

# --- env values are the owner's ----------------------------------------------------------------
printf '#!/bin/sh\necho "len ${#API_TOKEN}"\n' >"$T/work/env.sh"
chmod 755 "$T/work/env.sh"
J=$(as eve submit --project "$P" --gpus 1 --env API_TOKEN=tok-3141592 "$T/work/env.sh")
[ "$(wait_end eve "$J")" = succeeded ] && ok || bad "the env job did not succeed"
[ "$(as eve logs "$J")" = "len 11" ] && ok || bad "the job did not get its env: $(as eve logs "$J")"
[ "$(as eve --json job show "$J" | jq -r .env.API_TOKEN)" = tok-3141592 ] && ok || bad "the owner sees the value"
[ "$(as bob --json job show "$J" | jq -r .env.API_TOKEN)" = "(hidden)" ] && ok || bad "bob sees: $(as bob --json job show "$J" | jq -c .env)"
[ "$(as steward --json job show "$J" | jq -r .env.API_TOKEN)" = "(hidden)" ] && ok || bad "the steward sees the value"
if as steward --json ledger log 2>&1 | grep -q tok-3141592; then bad "the ledger holds an env value"; else ok; fi
if grep -q tok-3141592 "$T/lab/jobs/$J/run-0/spec.json"; then
  [ "$(stat -c %a "$T/lab/jobs/$J/run-0/spec.json")" = 600 ] && ok || bad "a spec holding env is not 0600"
fi

echo "jobs_e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
