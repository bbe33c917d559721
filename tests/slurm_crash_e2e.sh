#!/usr/bin/env bash
# crash_e2e on a real Slurm (the throwaway cluster of scripts/test-slurm: n1..n3, 4 GPUs
# each): kill -9 `qiusuo serve` while jobs run, while submissions arrive and while a
# borrower is being preempted, restarting it each time; then check that every
# acknowledged job ran exactly once (each appends its id to a file on the shared
# directory), that the borrower ran again as a new Slurm job with
# QIUSUO_RESTART_COUNT=1, that nothing failed, and that Slurm holds no job of ours.
# Usage: slurm_crash_e2e.sh path/to/qiusuo SLURM_STATE_DIR (KEEP=1 keeps its files)
set -euo pipefail
QS=$(readlink -f "$1")
CONF=$(cat "$2/conf")
export SLURM_CONF=$CONF
PREFIX=ce$$
T=$(mktemp -d /tmp/qiusuo-slurm-crash-XXXXXX)
chmod 755 "$T"
SHARED=$T/shared
# Jobs run as the account qiusuo-job (the server, root here, drops to it): what they
# write on the shared directory must be theirs to write.
getent passwd qiusuo-job >/dev/null ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin qiusuo-job
mkdir -p "$SHARED"
touch "$SHARED/ran.txt" "$SHARED/borrower.txt"
chown qiusuo-job "$SHARED/ran.txt" "$SHARED/borrower.txt"
SERVER_PID="" SUBMITTER_PID=""
cleanup() {
  [ -n "$SUBMITTER_PID" ] && kill "$SUBMITTER_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  # Whatever this test left in Slurm (on failure), so the next test has the cluster.
  squeue -h -o '%i %j' 2>/dev/null | awk -v p="$PREFIX-" 'index($2, p) == 1 { print $1 }' |
    xargs -r scancel 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
as() { # as WHO CMD... : run qiusuo with WHO's config file
  QIUSUO_CONFIG=$T/$1.toml "$QS" "${@:2}"
}
started=$(date +%s)
since() { echo "$(($(date +%s) - started)) s"; }

cd "$T"  # the jobs' working directory, which the nodes see too (one host)
"$QS" init --data "$T/lab" --password-stdin <<<"steward-password-1" >/dev/null
sed -i "s|^executor = .*|executor = \"slurm\"|; s|^slurm_conf = .*|slurm_conf = \"$CONF\"|;
  s|^shared_dir = .*|shared_dir = \"$SHARED\"|; s|^slurm_job_prefix = .*|slurm_job_prefix = \"$PREFIX\"|;
  s|^scheduler_interval_ms = .*|scheduler_interval_ms = 200|; s|^min_runtime_s = .*|min_runtime_s = 1|;
  s|^grace_s = .*|grace_s = 2|" "$T/lab/qiusuo.toml"

LISTEN=127.0.0.1:0
kills=0
start_server() {
  "$QS" serve --data "$T/lab" --listen "$LISTEN" >>"$T/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 150); do
    [ "$(grep -c 'serving http://' "$T/serve.log")" -gt "$kills" ] && break
    sleep 0.1
  done
  URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | tail -1)
  [ "$(grep -c 'serving http://' "$T/serve.log")" -gt "$kills" ] || { cat "$T/serve.log"; exit 1; }
  LISTEN=${URL#http://}  # the same port after each restart
}
crash() { # crash WHY: kill -9 the server, leave it down a moment, start it again
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  kills=$((kills + 1))
  echo "kill -9 #$kills at $(since): $1"
  sleep "${2:-1}"  # runs go on, end, and wait to be released, while it is down
  start_server
}
start_server
export QIUSUO_SERVER=$URL
TOKEN=$(curl -sf "$URL/api/v1/sessions" -d '{"handle":"steward","password":"steward-password-1"}' | jq -r .token)
AUTH="Authorization: Bearer $TOKEN"
api() { curl -sf --max-time 5 "$URL/api/v1/$1" -H "$AUTH" "${@:2}"; }
as ada signup --handle ada --password-stdin <<<"ada-password-1" >/dev/null
as bob signup --handle bob --password-stdin <<<"bob-password-1" >/dev/null
SHORT=$(api projects -d '{"title":"Short jobs"}' | jq -r .id)
A=$(as ada project start --title "Borrowers")
B=$(as bob project start --title "Within its share")

# --- 1. short jobs, submitted in bursts, while the server is killed ----------------------
# Each records that it ran (rank 0 only: a job split over two nodes has two ranks), then
# takes 1 or 2 s. 1 to 4 GPUs, so several share a node and some wait for room.
# shellcheck disable=SC2016  # expanded by the job's shell, not this one
CMD='[ ${SLURM_PROCID:-0} = 0 ] && echo $QIUSUO_JOB_ID >>'$SHARED'/ran.txt; sleep $((1 + QIUSUO_JOB_ID % 2))'
N=30
submit_all() {
  local sent=0 body id
  while [ "$sent" -lt "$N" ]; do
    body='{"project_id":'$SHORT',"gpus":'$((1 + sent % 4))',"workdir":"'$T'","argv":["sh","-c","'$CMD'"]}'
    # Only a 201 with an id is an acknowledgement; a refused connection is retried.
    if id=$(curl -s --max-time 5 "$URL/api/v1/jobs" -H "$AUTH" -d "$body" | jq -er .id 2>/dev/null); then
      echo "$id" >>"$T/acked"
      sent=$((sent + 1))
      [ $((sent % 5)) = 0 ] && sleep 0.4  # bursts of five
    else
      sleep 0.05
    fi
  done
}
# Slurm forgets a finished job after MinJobAge (300 s); what it showed is kept here.
snap() { squeue -h -t all -o '%i|%j|%T' 2>/dev/null | grep "|$PREFIX-" >>"$T/squeue" || true; }
wait_idle() { # wait_idle SECONDS: until nothing is pending or running
  local end=$(($(date +%s) + $1)) i=0
  while [ "$(date +%s)" -lt "$end" ]; do
    [ "$(api queue | jq '.items | length')" = 0 ] && return 0
    i=$((i + 1))
    [ $((i % 10)) = 0 ] && snap
    sleep 0.2
  done
  return 1
}
running() { api queue | jq '[.items[] | select(.state == "running")] | length' || echo "?"; }
submit_all &
SUBMITTER_PID=$!
running_at_kill=""
sleep 1
crash "during a burst of submissions" 0.7
sleep 1.5
running_at_kill+=" $(running)"
crash "submissions arriving, jobs running"
wait "$SUBMITTER_PID"
SUBMITTER_PID=""
sleep 2
running_at_kill+=" $(running)"
crash "jobs running, others waiting" 1.5
sleep 3
running_at_kill+=" $(running)"
crash "jobs running, others waiting" 0.5
wait_idle 240 || bad "short jobs still queued at $(since)"
echo "short jobs over at $(since)"

# --- 2. a borrower preempted, the server killed in its grace period --------------------------
# The borrower takes all 12 GPUs (three nodes, one rank each), records each run's start,
# and ignores SIGTERM: it ends only when the test says, so its first run must be killed
# after the grace period by a server that was restarted within it.
# shellcheck disable=SC2016
BORROWER=$(as ada submit --project "$A" --gpus 12 --name borrower -- sh -c \
  'trap "echo got TERM" TERM
   [ "${SLURM_PROCID:-0}" = 0 ] && echo $QIUSUO_JOB_ID:$QIUSUO_RESTART_COUNT >>'"$SHARED"'/borrower.txt
   while [ ! -e '"$T"'/go ]; do sleep 0.1; done; echo done')
for _ in $(seq 300); do
  grep -qx "$BORROWER:0" "$SHARED/borrower.txt" 2>/dev/null && break
  sleep 0.1
done
grep -qx "$BORROWER:0" "$SHARED/borrower.txt" 2>/dev/null && ok || bad "the borrower never started"
sleep 1  # past the minimum runtime
# Bob's project wants 4 of 12 GPUs, within its share (half, beside ada's): the borrower
# is preempted for it.
ARRIVAL=$(as bob submit --project "$B" --gpus 4 --name arrival -- sh -c \
  '[ "${SLURM_PROCID:-0}" = 0 ] && echo $QIUSUO_JOB_ID >>'"$SHARED"'/ran.txt; sleep 1')
echo "$ARRIVAL" >>"$T/acked"
stopping=""
for _ in $(seq 200); do
  stopping=$(api "jobs/$BORROWER" | jq -r .stopping)
  [ "$stopping" = preempt ] && break
  sleep 0.05
done
[ "$stopping" = preempt ] && ok || bad "the borrower was not preempted: $(api "jobs/$BORROWER" | jq -c '{state,stopping,reason}')"
crash "the borrower in its grace period" 1
# Its second run: a new Slurm job. Let it end then.
for _ in $(seq 1200); do
  grep -qx "$BORROWER:1" "$SHARED/borrower.txt" 2>/dev/null && break
  sleep 0.1
done
grep -qx "$BORROWER:1" "$SHARED/borrower.txt" 2>/dev/null && ok || bad "the borrower did not run again within 120 s of the crash (run 0 never killed?)"
touch "$T/go"
wait_idle 120 || bad "jobs still queued at $(since)"
crash "all over (a last restart)" 0.2
sleep 1
echo "all over at $(since)"

# --- the checks ---------------------------------------------------------------------------
[ "$(api queue | jq '.items | length')" = 0 ] && ok || bad "jobs still queued: $(api queue | jq -c '[.items[] | {id,state,stopping,reason}]')"
[ "$(sort -u "$T/acked" | wc -l)" -eq $((N + 1)) ] && ok || bad "expected $((N + 1)) distinct acknowledged jobs"
snap
sort -u -o "$T/squeue" "$T/squeue"
for id in $(cat "$T/acked"); do
  job=$(api "jobs/$id") || { bad "acknowledged job $id is lost"; continue; }
  state=$(jq -r .state <<<"$job")
  [ "$state" = succeeded ] && ok || bad "job $id is $state ($(jq -r .reason <<<"$job"))"
  ran=$(grep -cx "$id" "$SHARED/ran.txt" || true)
  [ "$ran" = 1 ] && ok || bad "job $id ran $ran times (restarts $(jq -r .restarts <<<"$job"))"
  # In Slurm: one job of its name that ran to the end (a run cut short before it began
  # is cancelled held, or never submitted).
  done_in_slurm=$(grep "^[0-9]*|$PREFIX-$id-[0-9]*|COMPLETED$" "$T/squeue" | cut -d'|' -f1 | sort -u | wc -l)
  [ "$done_in_slurm" = 1 ] && ok || bad "job $id completed $done_in_slurm times in Slurm: $(grep "|$PREFIX-$id-" "$T/squeue" | tr '\n' ' ')"
done
# Jobs the server committed but whose answer a crash swallowed are not lost either: they
# too ran, once.
dups=$(sort "$SHARED/ran.txt" | uniq -d | wc -l)
[ "$dups" = 0 ] && ok || bad "$dups jobs ran more than once: $(sort "$SHARED/ran.txt" | uniq -d | tr '\n' ' ')"
all=$(api "jobs?limit=200")
[ "$(jq '[.items[] | select(.state != "succeeded")] | length' <<<"$all")" = 0 ] && ok ||
  bad "jobs not succeeded: $(jq -c '[.items[] | select(.state != "succeeded") | {id,state,reason}]' <<<"$all")"

# The borrower: preempted once, its second run a new Slurm job, which it finished.
job=$(api "jobs/$BORROWER")
[ "$(jq -c '{state,restarts}' <<<"$job")" = '{"state":"succeeded","restarts":1}' ] && ok ||
  bad "borrower: $(jq -c '{state,restarts,reason}' <<<"$job")"
[ "$(cat "$SHARED/borrower.txt")" = "$BORROWER:0
$BORROWER:1" ] && ok || bad "borrower's runs: $(tr '\n' ' ' <"$SHARED/borrower.txt")"
# Each a single Slurm job, the first killed after its grace period (CANCELLED), the
# second run to the end (the squeue snapshots hold each job's earlier states too).
run0=$(grep "|$PREFIX-$BORROWER-0|" "$T/squeue" || true)
run1=$(grep "|$PREFIX-$BORROWER-1|" "$T/squeue" || true)
[ "$(cut -d'|' -f1 <<<"$run0" | sort -u | wc -l)" = 1 ] && grep -q "|CANCELLED$" <<<"$run0" && ok ||
  bad "borrower's first run in Slurm: $(tr '\n' ' ' <<<"$run0")"
[ "$(cut -d'|' -f1 <<<"$run1" | sort -u | wc -l)" = 1 ] && grep -q "|COMPLETED$" <<<"$run1" && ok ||
  bad "borrower's second run in Slurm: $(tr '\n' ' ' <<<"$run1")"
[ "${run0%%|*}" != "${run1%%|*}" ] && ok || bad "the borrower's second run is not a new Slurm job"
grep -q "got TERM" "$SHARED/jobs/$BORROWER/stdout.log" && ok || bad "the borrower never got SIGTERM"
grep -q "done" "$SHARED/jobs/$BORROWER/stdout.log" && ok || bad "the borrower's second run did not finish"

# No orphan: nothing of ours still pending or running in Slurm. An sbatch that outlived
# a killed server can land after the restart; the server cancels such a leftover at
# its next look at Slurm, so give it a few looks.
for _ in $(seq 50); do
  left=$(squeue -h -o '%i|%j|%T' | grep "|$PREFIX-" || true)
  [ -z "$left" ] && break
  sleep 0.2
done
[ -z "$left" ] && ok || bad "left in Slurm: $left"

# The crashes must have hit running jobs, or this test shows nothing.
[ "$(tr ' ' '\n' <<<"$running_at_kill" | awk '$1 > 0' | wc -l)" -ge 2 ] && ok || bad "too few jobs running at the kills:$running_at_kill"
if [ "$failed" -gt 0 ]; then
  echo "--- the server's log (last 40 lines)" >&2
  tail -40 "$T/serve.log" >&2
fi
echo "slurm_crash_e2e: $passed checks passed, $failed failed ($N short jobs and a preempted borrower;" \
  "$kills kill -9, with$running_at_kill jobs running; $(since))"
[ "$failed" -eq 0 ]
