#!/usr/bin/env bash
# kill -9 the server while jobs run and while submissions arrive, three times, then
# check: no acknowledged submission is lost, every job ran exactly once, and each
# ended with its true exit status (jobs that ended while the server was down too).
# Usage: crash_e2e.sh path/to/qiusuo
set -euo pipefail
QS=$(readlink -f "$1")
if [ "$(id -u)" != 0 ]; then
  echo "crash_e2e: skipped: its jobs run as the account qiusuo-job, and switching to it needs a root server"
  exit 77
fi
getent passwd qiusuo-job >/dev/null ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin qiusuo-job
T=$(mktemp -d /tmp/qiusuo-crash-XXXXXX)
chmod 0711 "$T"
# The jobs' working directory, where they record that they ran: the job account's.
W=$T/work
mkdir "$W"
chown qiusuo-job "$W"
SERVER_PID="" SUBMITTER_PID=""
cleanup() {
  [ -n "$SUBMITTER_PID" ] && kill "$SUBMITTER_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  # Supervisors outlive the server by design; end any still running.
  pkill -f "qiusuo-shim $T/" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

"$QS" init --data "$T/lab" --password-stdin <<<"steward-password-1" >/dev/null
sed -i 's/^virtual_gpus = .*/virtual_gpus = 4/; s/^scheduler_interval_ms = .*/scheduler_interval_ms = 100/' "$T/lab/qiusuo.toml"

LISTEN=127.0.0.1:0
start_server() {
  "$QS" serve --data "$T/lab" --listen "$LISTEN" >"$T/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q 'serving http://' "$T/serve.log" && break; sleep 0.1; done
  URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$T/serve.log"; exit 1; }
  LISTEN=${URL#http://}  # the same port after each restart
}
start_server
TOKEN=$(curl -sf "$URL/api/v1/sessions" -d '{"handle":"steward","password":"steward-password-1"}' | jq -r .token)
AUTH="Authorization: Bearer $TOKEN"
PROJECT=$(curl -sf "$URL/api/v1/projects" -H "$AUTH" -d '{"title":"Crash course"}' | jq -r .id)

# Each job records that it ran, takes a moment, and exits with its id modulo 4.
# shellcheck disable=SC2016  # expanded by the job's shell, not this one
JOB='{"project_id":'$PROJECT',"gpus":1,"workdir":"'$W'","argv":["sh","-c","echo $QIUSUO_JOB_ID >> '$W'/ran; sleep 0.$((QIUSUO_JOB_ID % 7)); exit $((QIUSUO_JOB_ID % 4))"]}'
N=120
submit_all() {
  local sent=0
  while [ "$sent" -lt "$N" ]; do
    # Only a 201 with an id is an acknowledgement; a refused connection is retried.
    if id=$(curl -s --max-time 5 "$URL/api/v1/jobs" -H "$AUTH" -d "$JOB" | jq -er .id 2>/dev/null); then
      echo "$id" >>"$T/acked"
      sent=$((sent + 1))
    else
      sleep 0.05
    fi
  done
}
submit_all &
SUBMITTER_PID=$!

running_at_kill=""
for round in 1 2 3; do
  sleep 1.5
  running_at_kill+=" $(curl -sf "$URL/api/v1/queue" -H "$AUTH" | jq '[.items[] | select(.state == "running")] | length')"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  sleep 0.7  # jobs keep running, and some end, while the server is down
  start_server
done
wait "$SUBMITTER_PID"
SUBMITTER_PID=""

for _ in $(seq 600); do
  [ "$(curl -sf "$URL/api/v1/queue" -H "$AUTH" | jq '.items | length')" = 0 ] && break
  sleep 0.1
done

[ "$(sort -u "$T/acked" | wc -l)" -eq "$N" ] && ok || bad "expected $N distinct acknowledged jobs"
for id in $(cat "$T/acked"); do
  job=$(curl -sf "$URL/api/v1/jobs/$id" -H "$AUTH") || { bad "acknowledged job $id is lost"; continue; }
  want=$((id % 4))
  state=$(jq -r .state <<<"$job")
  code=$(jq -r .exit_code <<<"$job")
  runs=$(jq -r .restarts <<<"$job")
  if [ "$want" = 0 ]; then want_state=succeeded; else want_state=failed; fi
  [ "$state" = "$want_state" ] && ok || bad "job $id is $state, want $want_state ($(jq -r .reason <<<"$job"))"
  [ "$code" = "$want" ] && ok || bad "job $id exit code $code, want $want"
  # A start the kill cut short (recorded, never launched) is run again under a new
  # run number; it still runs once, which the next check counts.
  [ "$runs" -le 1 ] && ok || bad "job $id restarted $runs times"
  ran=$(grep -cx "$id" "$W/ran" || true)
  [ "$ran" = 1 ] && ok || bad "job $id ran $ran times"
done
# Jobs the server committed but whose answer the crash swallowed are not lost
# either: they too ran exactly once.
dups=$(sort "$W/ran" | uniq -d | wc -l)
[ "$dups" = 0 ] && ok || bad "$dups jobs ran more than once"

# The crashes must have hit running jobs, or this test shows nothing.
[ "$(tr ' ' '\n' <<<"$running_at_kill" | awk '$1 > 0' | wc -l)" -ge 2 ] && ok || bad "too few jobs running at the kills:$running_at_kill"
echo "crash_e2e: $passed checks passed, $failed failed ($N jobs; kill -9 with$running_at_kill jobs running)"
[ "$failed" -eq 0 ]
