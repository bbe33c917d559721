#!/usr/bin/env bash
# The CLI end to end: `qiusuo init`, a real `qiusuo serve` on a port the OS picks,
# and three people driving it through the binary.
# Usage: cli_e2e.sh path/to/qiusuo [sqlite | postgres URL_FILE]
# With postgres, the lab lives in fresh databases on the server whose URL (of its
# `postgres` database) is in URL_FILE, as `make test` starts it.
set -euo pipefail
QS=$(readlink -f "$1")
STORE=${2:-sqlite}
if [ "$(id -u)" != 0 ]; then
  echo "cli_e2e: skipped: its jobs run as the account qiusuo-job, and switching to it needs a root server"
  exit 77
fi
getent passwd qiusuo-job >/dev/null ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin qiusuo-job
T=$(mktemp -d /tmp/qiusuo-e2e-XXXXXX)
chmod 0711 "$T"  # jobs (as qiusuo-job) run scripts and directories below it
SERVER_PID=""
PG_ADMIN="" LAB_DB="" RESTORED_DB=""
if [ "$STORE" = postgres ]; then
  PG_ADMIN=$(cat "${3:?the URL file of the test PostgreSQL}")
  LAB_DB=${PG_ADMIN%/*}/qs_e2e_lab_$$
  RESTORED_DB=${PG_ADMIN%/*}/qs_e2e_restored_$$
  for db in "$LAB_DB" "$RESTORED_DB"; do psql -q "$PG_ADMIN" -c "CREATE DATABASE ${db##*/}"; done
fi
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [ -n "$PG_ADMIN" ]; then
    for db in "$LAB_DB" "$RESTORED_DB"; do
      psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS ${db##*/} WITH (FORCE)" 2>/dev/null || true
    done
  fi
  rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home
mkdir -p "$HOME"
unset QIUSUO_SERVER QIUSUO_TOKEN QIUSUO_CONFIG XDG_CONFIG_HOME

passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# expect_exit CODE CMD... : runs CMD, checks its exit code, keeps its stdout in $OUT and stderr in $ERR.
expect_exit() {
  local want=$1; shift
  set +e
  OUT=$("$@" 2>"$T/stderr"); local got=$?
  set -e
  ERR=$(cat "$T/stderr")
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got (want $want): $* -- $ERR"; fi
}
expect_in() { # expect_in NEEDLE HAYSTACK LABEL
  if grep -qF -- "$1" <<<"$2"; then ok; else bad "$3: '$1' not in: $2"; fi
}
as() { # as WHO CMD... : run qiusuo with WHO's config file
  QIUSUO_CONFIG=$T/$1.toml "$QS" "${@:2}"
}

# --- init and serve --------------------------------------------------------------
if [ "$STORE" = postgres ]; then
  expect_exit 0 "$QS" init --data "$T/lab" --database "$LAB_DB" --password-stdin <<<"steward-password-1"
  expect_in "database postgresql://" "$OUT" "init on PostgreSQL"
else
  expect_exit 0 "$QS" init --data "$T/lab" --password-stdin <<<"steward-password-1"
fi
expect_in "Steward: @steward" "$OUT" "init"
expect_exit 1 "$QS" init --data "$T/lab" --password-stdin <<<"steward-password-1"
expect_in "already holds a lab" "$ERR" "second init"
expect_exit 1 "$QS" serve --data "$T/nowhere"
expect_in "qiusuo init" "$ERR" "serve without a lab"

# Seconds instead of minutes, so preemption shows within the test.
sed -i 's/^min_runtime_s = .*/min_runtime_s = 1/; s/^grace_s = .*/grace_s = 1/; s/^scheduler_interval_ms = .*/scheduler_interval_ms = 200/' "$T/lab/qiusuo.toml"
# Mail goes to a file, so identity claims can be proven within the test.
sed -i "s|^mail_command = .*|mail_command = \"cat >> $T/mail.txt\"|" "$T/lab/qiusuo.toml"
# The server runs as `make demo` runs it: from the lab's parent, with a relative --data.
start_server() {
  (cd "$T" && exec "$QS" serve --data lab --listen "${1:-127.0.0.1:0}") >"$T/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q 'serving http://' "$T/serve.log" && break; sleep 0.1; done
}
start_server
URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | head -1)
[ -n "$URL" ] || { cat "$T/serve.log"; exit 1; }
export QIUSUO_SERVER=$URL
curl -sf "$URL/healthz" >/dev/null && ok || bad "healthz"

# --- accounts --------------------------------------------------------------------
expect_exit 0 as ada signup --handle ada --name "Ada Lovelace" --skill "CUDA kernels" --password-stdin <<<"ada-password-1"
expect_in "Welcome, @ada" "$OUT" "signup"
expect_exit 0 as ada whoami
expect_in "@ada (Ada Lovelace)" "$OUT" "whoami"
[ "$(stat -c %a "$T/ada.toml")" = 600 ] && ok || bad "config file is not 0600"
expect_exit 0 as bob signup --handle bob --password-stdin <<<"bob-password-1"
expect_exit 0 as carol signup --handle carol --password-stdin <<<"carol-password-1"
expect_exit 1 as dave signup --handle ada --password-stdin <<<"dave-password-1"
expect_in "taken" "$ERR" "duplicate handle"
expect_exit 3 as nobody whoami
expect_in "qiusuo login" "$ERR" "not signed in"
expect_exit 3 as bob login --handle bob --password-stdin <<<"wrong-password"
expect_exit 0 as bob login --handle bob --password-stdin <<<"bob-password-1"
expect_in "as @bob" "$OUT" "login"

# --- passwords and sessions --------------------------------------------------------
grep -q 'qsc_[0-9a-f]\{64\}' "$T/bob.toml" && ok || bad "login keeps no known-client secret"
expect_exit 0 as bob2 login --handle bob --password-stdin <<<"bob-password-1"
expect_exit 0 as bob session list
expect_in "this one" "$OUT" "session list"
expect_exit 3 as carol session list bob
expect_exit 3 as carol session end bob
expect_exit 1 as bob passwd --password-stdin <<<$'not-my-password\nbob-password-2'
expect_in "current password" "$ERR" "passwd with a wrong current password"
expect_exit 0 as bob passwd --password-stdin <<<$'bob-password-1\nbob-password-2'
expect_in "other session(s)" "$OUT" "passwd"
expect_exit 3 as bob2 whoami
expect_in "sign in again" "$ERR" "a session ended by passwd"
expect_exit 0 as steward login --handle steward --password-stdin <<<"steward-password-1"
expect_exit 3 as carol reset-password issue bob
expect_exit 0 as steward reset-password issue bob
RESET_CODE=$OUT
expect_in "in person" "$ERR" "reset-password issue"
expect_exit 0 as steward session end bob
expect_in "of @bob" "$OUT" "session end"
expect_exit 3 as bob whoami
expect_exit 0 as bob reset-password use --handle bob --code "$RESET_CODE" --password-stdin <<<"bob-password-1"
expect_exit 1 as bob reset-password use --handle bob --code "$RESET_CODE" --password-stdin <<<"bob-password-3"
expect_in "wrong, used or expired" "$ERR" "a reset code works once"
expect_exit 0 as bob login --handle bob --password-stdin <<<"bob-password-1"

# --- a browser session: HttpOnly cookie, CSRF on every change, live events ---------
curl -s -D "$T/h" -o "$T/b" -X POST "$URL/api/v1/sessions" -d '{"handle":"bob","password":"bob-password-1","cookie":true}'
grep -qi '^set-cookie: qs_session=qs_[0-9a-f]*; Path=/; SameSite=Strict; Max-Age=[0-9]*; HttpOnly' "$T/h" && ok || bad "session cookie: $(cat "$T/h")"
[ "$(jq -r '.token // "none"' "$T/b")" = none ] && ok || bad "a cookie session shows its token to scripts"
CSRF=$(jq -r .csrf "$T/b")
curl -s -D "$T/h3" -o /dev/null -H "X-Forwarded-Proto: https" -X POST "$URL/api/v1/sessions" -d '{"handle":"bob","password":"bob-password-1","cookie":true}'
grep -qi '^set-cookie: qs_session=.*; Secure' "$T/h3" && ok || bad "no Secure cookie behind a TLS proxy"
COOKIE=$(grep -io 'qs_session=qs_[0-9a-f]*' "$T/h")
[ "$(curl -s -b "$COOKIE" "$URL/api/v1/me" | jq -r .handle)" = bob ] && ok || bad "GET with the cookie"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$COOKIE" -X POST "$URL/api/v1/ideas" -d '{"title":"forged"}')" = 403 ] && ok || bad "a change without CSRF went through"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$COOKIE" -H "X-CSRF-Token: $(printf '0%.0s' {1..64})" -X POST "$URL/api/v1/ideas" -d '{"title":"forged"}')" = 403 ] && ok || bad "a wrong CSRF token went through"
expect_exit 0 as carol --json idea list
[ "$(jq '[.items[] | select(.title == "forged")] | length' <<<"$OUT")" = 0 ] && ok || bad "a refused change left an idea"
curl -s -N --max-time 2 -b "$COOKIE" "$URL/api/v1/events" >"$T/events" || true
grep -q '^event: cluster' "$T/events" && grep -q '^data: {"gpus":' "$T/events" && ok || bad "events: $(head -c 300 "$T/events")"
curl -s -D "$T/h2" -o /dev/null -b "$COOKIE" -H "X-CSRF-Token: $CSRF" -X DELETE "$URL/api/v1/sessions/current"
grep -qi '^set-cookie: qs_session=; .*Max-Age=0' "$T/h2" && ok || bad "sign-out keeps the cookie: $(cat "$T/h2")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$COOKIE" "$URL/api/v1/me")" = 401 ] && ok || bad "the cookie works after sign-out"
curl -s -N --max-time 2 -b "$COOKIE" "$URL/api/v1/events" >"$T/events" || true
grep -q 'event: cluster' "$T/events" && bad "events after sign-out" || ok
[ "$(curl -s "$URL/" -o /dev/null -w '%{http_code}')" != 404 ] && ok || bad "nothing at /"

# --- ideas -----------------------------------------------------------------------
expect_exit 0 as ada idea post --title "Block-sparse attention" --pitch "## Why
Most heads attend to a few blocks."
IDEA=$OUT
[[ "$IDEA" =~ ^[0-9]+$ ]] && ok || bad "idea post prints the id alone: $IDEA"
expect_exit 0 as bob idea post --title "Clean math corpus"
expect_exit 0 as bob idea back "$IDEA"
expect_in "1 backer(s): bob" "$OUT" "back"
expect_exit 1 as ada idea back "$IDEA"
expect_in "your own idea" "$ERR" "self-back"
expect_exit 0 as carol idea list --search sparse
expect_in "Block-sparse attention" "$OUT" "search"
if grep -q "Clean math" <<<"$OUT"; then bad "search matched too much"; else ok; fi
expect_exit 0 as carol --json idea list
[ "$(jq '.items | length' <<<"$OUT")" = 2 ] && ok || bad "json list: $OUT"
expect_exit 0 as carol idea show "$IDEA"
expect_in "backers: bob" "$OUT" "idea show"
expect_exit 0 as ada idea edit "$IDEA" --title "Block-sparse attention, revised"
expect_in "Block-sparse attention, revised" "$OUT" "idea edit"
expect_in "Most heads attend" "$OUT" "idea edit keeps the pitch"
expect_exit 3 as bob idea edit "$IDEA" --pitch "mine now"
expect_in "only @ada" "$ERR" "idea edit by another"
expect_exit 1 as ada idea edit "$IDEA"
expect_exit 4 as carol idea show 9999
expect_exit 0 as bob idea unback "$IDEA"
expect_in "0 backer(s)" "$OUT" "unback"

# --- projects by consent -----------------------------------------------------------
expect_exit 0 as ada project start --idea "$IDEA" --looking-for "CUDA kernels,data cleaning"
P=$OUT
expect_exit 0 as bob project apply "$P" -m "I write kernels"
expect_in "@bob is now applied" "$OUT" "apply"
expect_exit 3 as bob project accept "$P" bob
expect_exit 3 as carol project accept "$P" bob
expect_exit 0 as ada project accept "$P" bob
expect_in "@bob is now active" "$OUT" "accept application"
expect_exit 0 as ada project invite "$P" carol -m "join us"
expect_exit 3 as ada project accept "$P" carol
expect_exit 0 as carol project accept "$P"
expect_in "@carol is now active" "$OUT" "accept invitation"
expect_exit 0 as carol project show "$P"
expect_in "members:     ada, bob, carol" "$OUT" "project show members"
expect_in "looking for: CUDA kernels, data cleaning" "$OUT" "project show roles"
expect_exit 0 as carol project leave "$P"
expect_exit 0 as bob project list
expect_in "Block-sparse attention" "$OUT" "project list"
expect_exit 0 as bob --json project show "$P"
[ "$(jq -c '.members' <<<"$OUT")" = '["ada","bob"]' ] && ok || bad "members after leave: $OUT"

# --- tasks: claimed, never assigned --------------------------------------------------
expect_exit 0 as ada task add "$P" --title "Write the forward kernel"
TASK=$OUT
expect_exit 3 as carol task claim "$TASK"
expect_exit 0 as bob task claim "$TASK"
expect_in "held by @bob" "$OUT" "claim"
expect_exit 3 as ada task done "$TASK"
expect_exit 0 as bob task done "$TASK"
expect_in "is done" "$OUT" "done"
expect_exit 0 as ada task list "$P"
expect_in "done" "$OUT" "task list"

# --- tokens, errors, exit codes ---------------------------------------------------------
expect_exit 0 as ada token create --name ci
TOKEN=$OUT
expect_exit 0 env QIUSUO_TOKEN="$TOKEN" QIUSUO_CONFIG=$T/none.toml "$QS" whoami
expect_in "@ada" "$OUT" "token via env"
expect_exit 0 as ada token list
expect_in "ci" "$OUT" "token list"
expect_exit 2 as ada idea post
expect_exit 2 as ada no-such-verb
expect_exit 5 as ada --server http://127.0.0.1:1 whoami
expect_in "cannot reach the qiusuo server" "$ERR" "server down"

# --- jobs: two projects compete on 8 virtual GPUs -------------------------------------
wait_state() { # wait_state WHO JOB STATE
  for _ in $(seq 200); do
    [ "$(as "$1" --json job show "$2" | jq -r .state)" = "$3" ] && return 0
    sleep 0.1
  done
  bad "job $2 never reached $3: $(as "$1" --json job show "$2" | jq -c '{state,reason,restarts}')"
}
expect_exit 0 as bob project start --title "Pure RL"
Q=$OUT
expect_exit 0 as ada submit --project "$P" --gpus 8 --name borrower -- sh -c 'echo restart=$QIUSUO_RESTART_COUNT gpus=$CUDA_VISIBLE_DEVICES; if [ "$QIUSUO_RESTART_COUNT" = 0 ]; then sleep 30; else sleep 3; fi'
J1=$OUT
[[ "$J1" =~ ^[0-9]+$ ]] && ok || bad "submit prints the job id alone: $J1"
wait_state ada "$J1" running
# Bob's project has one member to ada's two: his share of 8 GPUs is 2.7, so a 2-GPU job is
# within it and may preempt the borrower.
expect_exit 0 as bob submit --project "$Q" --gpus 2 -- sh -c 'echo bob ran'
J2=$OUT
expect_exit 0 as bob queue
# Listed whether still running, being preempted or resumed (its second run takes 3 s).
expect_in "borrower" "$OUT" "queue lists the running job"
wait_state bob "$J2" succeeded
wait_state ada "$J1" succeeded
expect_exit 0 as ada --json job show "$J1"
[ "$(jq -c '{state,gpus,restarts,exit_code}' <<<"$OUT")" = '{"state":"succeeded","gpus":8,"restarts":1,"exit_code":0}' ] && ok || bad "job show: $OUT"
expect_exit 0 as ada logs "$J1"
[ "$OUT" = "restart=0 gpus=0,1,2,3,4,5,6,7
restart=1 gpus=0,1,2,3,4,5,6,7" ] && ok || bad "borrower log: $OUT"
expect_exit 0 as ada job note "$J1" --outcome negative "8 GPUs do not help below batch 64"
expect_exit 0 as bob job show "$J1"
expect_in "note (negative, @ada)" "$OUT" "job note"
expect_exit 0 as bob cluster
expect_in "#$P" "$OUT" "cluster lists projects"
grep -qE '^local +up +[0-8]/8 busy' <<<"$OUT" && ok || bad "cluster lists the machine: $OUT"

# --- jobs: scripts, bad input, cancel, following logs ----------------------------------------
printf '#!/bin/sh\n#QIUSUO --project %s --gpus 2 --name from-script\necho "script on $CUDA_VISIBLE_DEVICES"\n' "$P" >"$T/train.sh"
expect_exit 0 as ada submit "$T/train.sh"
J3=$OUT
wait_state ada "$J3" succeeded
expect_exit 0 as ada --json job show "$J3"
[ "$(jq -r '.name + " " + (.gpus|tostring)' <<<"$OUT")" = "from-script 2" ] && ok || bad "directives: $OUT"
expect_exit 0 as ada logs -f "$J3"
expect_in "script on 0,1" "$OUT" "logs -f"
# A bad #QIUSUO value is a usage error naming the line and the value, not an abort.
printf '#!/bin/sh\n#QIUSUO --project %s\n#QIUSUO --gpus 99999999999999999999\n' "$P" >"$T/bad.sh"
expect_exit 2 as ada submit "$T/bad.sh"
expect_in "bad.sh:3: '--gpus' takes a whole number" "$ERR" "bad directive"
expect_exit 1 as ada submit --project "$P" --gpus 0 -- true
expect_exit 1 as ada submit --project "$P" --gpus 99 -- true
expect_in "cluster has 8" "$ERR" "too many GPUs"
expect_exit 3 as carol submit --project "$Q" --gpus 1 -- true
expect_in "apply to join" "$ERR" "not a member"
expect_exit 4 as ada submit --project 999 --gpus 1 -- true
expect_exit 0 as ada submit --project "$P" --gpus 1 --workdir /no/such/dir -- true
J4=$OUT
wait_state ada "$J4" failed
expect_exit 0 as ada job show "$J4"
expect_in "/no/such/dir" "$OUT" "start failure reason"
# Run in a directory other than the server's, submitted from a third one: the job's
# files are found wherever it runs (the server resolved its relative --data).
mkdir -p "$T/elsewhere" "$T/submitter"
expect_exit 0 env -C "$T/submitter" QIUSUO_CONFIG="$T/ada.toml" "$QS" submit --project "$P" --gpus 1 --workdir ../elsewhere -- sh -c 'echo ran in "$(pwd)"'
J7=$OUT
wait_state ada "$J7" succeeded
expect_exit 0 as ada logs "$J7"
[ "$OUT" = "ran in $T/elsewhere" ] && ok || bad "a job in another directory: $OUT"
expect_exit 0 as ada submit --project "$P" --gpus 1 -- sleep 30
J5=$OUT
wait_state ada "$J5" running
expect_exit 3 as bob cancel "$J5"
expect_exit 0 as ada cancel "$J5"
wait_state ada "$J5" cancelled

# --- boosts are open ----------------------------------------------------------------------
expect_exit 0 as steward login --handle steward --password-stdin <<<"steward-password-1"
expect_exit 3 as ada boost "$P" --factor 2 --until 2099-12-31 --reason "mine"
expect_exit 0 as steward boost "$Q" --factor 2 --until 2099-12-31 --reason "strong early results"
expect_exit 0 as bob boosts
expect_in "strong early results" "$OUT" "boosts are public"

# --- kill -9 the server while a job runs: it is reattached, not run twice ----------------------
expect_exit 0 as ada submit --project "$P" --gpus 1 -- sh -c 'sleep 2; echo survived'
J6=$OUT
wait_state ada "$J6" running
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
start_server "${URL#http://}"
wait_state ada "$J6" succeeded
expect_exit 0 as ada logs "$J6"
[ "$OUT" = "survived" ] && ok || bad "reattached job output: $OUT"
[ "$(ls -d "$T/lab/jobs/$J6"/run-* | wc -l)" = 1 ] && ok || bad "job ran more than once"

# --- simulate: offline, deterministic, with a report ------------------------------------
{
  echo "job_id,submission_time,duration,num_gpu"
  for i in $(seq 0 59); do echo "j$i,$((i * 300)),$((600 + (i * 7919) % 20000)),$((1 << (i % 4)))"; done
} >"$T/trace.csv"
expect_exit 0 "$QS" simulate --trace "$T/trace.csv" --gpus 16 --json
echo "$OUT" >"$T/sim1.json"
[ "$(jq 'length' <<<"$OUT")" = 6 ] && ok || bad "simulate runs the six policies: $OUT"
for key in policy jobs avg_jct_s p50_jct_s p95_jct_s p99_jct_s avg_queue_s max_queue_s utilization makespan_s preemptions lost_gpu_hours ftf_max ftf_jain wall_s; do
  [ "$(jq "all(has(\"$key\"))" <<<"$OUT")" = true ] && ok || bad "simulate --json lacks $key"
done
[ "$(jq '[.[] | .jobs] | unique' -c <<<"$OUT")" = "[60]" ] && ok || bad "every policy finished the 60 jobs"
expect_exit 0 "$QS" simulate --trace "$T/trace.csv" --gpus 16 --json --report "$T/report.html"
if diff <(jq 'map(del(.wall_s))' "$T/sim1.json") <(jq 'map(del(.wall_s))' <<<"$OUT") >/dev/null; then ok; else bad "simulate is not deterministic"; fi
grep -q '<svg' "$T/report.html" && grep -q 'JCT CDF' "$T/report.html" && ok || bad "report has no plots"
expect_exit 0 "$QS" simulate --trace "$T/trace.csv" --gpus 16 --policy uncapped,fifo
expect_in "uncapped" "$OUT" "simulate table"
expect_exit 1 "$QS" simulate --trace "$T/trace.csv" --gpus 16 --policy lottery
expect_in "unknown policy 'lottery'" "$ERR" "unknown policy"
expect_exit 1 "$QS" simulate --trace "$T/trace.csv" --gpus 4
expect_in "8-GPU job" "$ERR" "cluster smaller than a job"

# --- the ledger: thanks, profiles, export, tamper, verify, authors, rewards -------------
expect_exit 0 as ada thank @bob --kind review --project "$P" --evidence url:https://example.org/pr/1 --note "reviewed the kernel"
expect_in "@bob review" "$OUT" "thank"
expect_exit 0 as bob thank @bob --kind software --project "$P" --note "the kernel itself"
expect_in "(self-recorded)" "$OUT" "self-recorded"
# A self-recorded entry counts in rewards once another member confirms it; nobody
# confirms their own, and the lab's own kinds are never posted.
SELF_SEQ=$(as ada ledger log --contributor bob --json | jq '[.items[] | select(.self)] | .[0].seq')
expect_exit 3 as bob ledger confirm "$SELF_SEQ"
expect_exit 0 as ada ledger confirm "$SELF_SEQ" --note "I read the kernel"
expect_in "you confirmed entry $SELF_SEQ" "$OUT" "ledger confirm"
expect_exit 1 as ada ledger confirm "$SELF_SEQ"
expect_exit 1 as ada thank @ada --kind identity-merge --evidence email:lin@example.org --note "mine"
expect_in "'identity-merge' is recorded only by the lab's own act" "$ERR" "a lab kind is not posted"
expect_exit 1 as ada thank @bob --kind promotion --note "x"
expect_in "not a contribution kind" "$ERR" "unknown kind"
expect_exit 4 as ada thank @nobody --kind review --note "x"
expect_exit 0 as ada profile bob
expect_in "software" "$OUT" "profile totals"
expect_in "reviewed the kernel" "$OUT" "profile timeline"
expect_exit 0 as ada profile bob --json
[ "$(jq '.timeline | map(select(.kind == "joined")) | length' <<<"$OUT")" -ge 1 ] && ok || bad "joining is on bob's record"
expect_exit 0 as ada ledger log --contributor bob --json
[ "$(jq '.items | length' <<<"$OUT")" -ge 3 ] && ok || bad "ledger log filters by contributor"
expect_exit 0 as ada ledger export -o "$T/export.jsonl"
expect_exit 0 "$QS" ledger verify "$T/export.jsonl"
expect_in "OK:" "$OUT" "verify an honest export"
expect_exit 0 as ada ledger verify --server
# Paged through the API, the export is the same bytes.
expect_exit 0 as ada ledger export --page-size 7 -o "$T/export-paged.jsonl"
cmp -s "$T/export.jsonl" "$T/export-paged.jsonl" && ok || bad "a paged export differs from a whole one"
N=$(( $(wc -l <"$T/export.jsonl") / 2 ))
sed "${N}s/\"note\":\"/\"note\":\"X/" "$T/export.jsonl" >"$T/tampered.jsonl"
expect_exit 1 "$QS" ledger verify "$T/tampered.jsonl"
expect_in "entry $N:" "$ERR" "verify names the tampered entry"
KEY=$(curl -sf "$URL/api/v1/ledger/key" | jq -r .public_key)
expect_exit 0 "$QS" ledger verify "$T/export.jsonl" --key "$KEY"
expect_exit 1 "$QS" ledger verify "$T/export.jsonl" --key "$(printf '0%.0s' $(seq 64))"
expect_exit 0 as ada authors "$P"
expect_in "Project administration" "$OUT" "authors roles"
expect_exit 0 as ada authors "$P" --format cff
expect_in "cff-version: 1.2.0" "$OUT" "CITATION.cff"
expect_exit 0 as ada authors "$P" --format bibtex
expect_in "@misc{qiusuo-project-$P" "$OUT" "BibTeX"
expect_exit 3 as ada rewards open --title "H2" --pool 1000 --currency CNY --from 2000-01-01 --to 2100-01-01
expect_exit 0 as steward rewards open --title "H2" --pool 1000.01 --currency CNY --from 2000-01-01 --to 2100-01-01 --alpha 0.6
ROUND=$(as steward rewards list --json | jq '.items[0].id')
# The shipped weights file is the kinds table's defaults, kind for kind.
WEIGHTS="$(dirname "$0")/../docs/reward-weights.toml"
expect_exit 0 as ada ledger kinds --json
FROM_TABLE=$(jq -r '.items[] | "\(.name) \(.weight) \(.weight_per_unit)"' <<<"$OUT" | sort)
FROM_FILE=$(grep -v '^#' "$WEIGHTS" | grep '=' | sed -E 's/ = \[?([0-9.]+)(, ([0-9.]+))?\]?/ \1 \3/; s/ $/ 0/' | sort)
[ "$FROM_TABLE" = "$FROM_FILE" ] && ok || bad "docs/reward-weights.toml differs from the kinds table: $(diff <(echo "$FROM_TABLE") <(echo "$FROM_FILE"))"
expect_exit 0 as steward rewards open --title "with the file" --pool 10 --currency EUR --from 2000-01-01 --to 2100-01-01 --weights "$WEIGHTS" --weight review=2
expect_exit 0 as steward rewards open --title "capped" --pool 10 --currency EUR --from 2000-01-01 --to 2100-01-01 --cap 5
expect_exit 0 as ada rewards list --json
[ "$(jq -c '.items[0] | [.rules, .cap_per_kind]' <<<"$OUT")" = "[2,5]" ] && ok || bad "a round keeps its rules and cap: $OUT"
printf 'review = "two"\n' >"$T/bad-weights.toml"
expect_exit 1 as steward rewards open --title "bad" --pool 10 --currency EUR --from 2000-01-01 --to 2100-01-01 --weights "$T/bad-weights.toml"
expect_in "review is a number" "$ERR" "a bad weights file"
expect_exit 0 as ada rewards give "$ROUND" bob=60:"the kernel" carol=40
expect_exit 1 as bob rewards give "$ROUND" bob=10
expect_in "never to yourself" "$ERR" "no points to oneself"
expect_exit 1 as bob rewards give "$ROUND" ada=101
expect_exit 0 as steward rewards close "$ROUND" --json
[ "$(jq '[.payout[].amount_minor] | add' <<<"$OUT")" = 100001 ] && ok || bad "the payout sums to the pool: $OUT"
expect_exit 0 as ada rewards show "$ROUND" --csv
expect_in "handle,amount,currency" "$OUT" "payout CSV"
expect_exit 0 as ada ledger export -o "$T/export2.jsonl"
expect_exit 0 "$QS" rewards recompute "$ROUND" --from "$T/export2.jsonl"
expect_in "identical to the payout recorded in the ledger" "$OUT" "recompute"
# A repository's history: members matched by the addresses they proved (a code mailed
# to the address came back); an address only typed on a profile credits nobody.
expect_exit 0 as ada member edit --email ada@lovelace.org
expect_exit 0 as ada identity claim ada@lovelace.org
ADA_CODE=$(grep -o 'qiusuo identity confirm ada@lovelace.org [0-9a-z-]*' "$T/mail.txt" | tail -1 | awk '{print $5}')
expect_exit 0 as ada identity confirm ada@lovelace.org "$ADA_CODE"
git init -q "$T/repo"
for i in 1 2 3; do
  printf 'line %s\n' $(seq "$i") >"$T/repo/f$i.txt"
  git -C "$T/repo" add "f$i.txt"
  if [ "$i" = 2 ]; then who="Lin <lin@example.org>"; else who="Ada <ADA@lovelace.org>"; fi
  git -C "$T/repo" -c user.name=x -c user.email=x@x commit -q --author "$who" -m "commit $i"
done
expect_exit 3 as carol import git "$T/repo" --project "$P"
expect_exit 0 as ada import git "$T/repo" --project "$P"
expect_in "3 commits: 3 recorded (2 by members, 1 by people outside the lab)" "$OUT" "import git"
expect_exit 0 as ada import git "$T/repo" --project "$P"
expect_in "0 recorded" "$OUT" "import git is idempotent"
expect_exit 0 as ada ledger log --evidence "commit:$(git -C "$T/repo" rev-parse HEAD)" --json
[ "$(jq -r '.items[0].contributor + " " + (.items[0].quantity | tostring) + " " + .items[0].unit' <<<"$OUT")" = "@ada 3 lines" ] && ok || bad "commit 3 is ada's, 3 lines: $OUT"
expect_exit 4 as ada import git "$T/nowhere" --project "$P"
# Lin, outside the lab, joins later and claims the email of commit 2.
expect_exit 0 as lin signup --handle lin --password-stdin <<<"lin-password-1"
expect_exit 0 as lin identity claim lin@example.org
grep -q "^To: lin@example.org" "$T/mail.txt" && ok || bad "no mail to lin@example.org"
CODE=$(grep -o 'qiusuo identity confirm lin@example.org [0-9a-z-]*' "$T/mail.txt" | tail -1 | awk '{print $5}')
expect_exit 3 as lin identity confirm lin@example.org 00000000
expect_exit 3 as bob identity confirm lin@example.org "$CODE"
expect_exit 0 as lin identity confirm lin@example.org "$CODE"
expect_in "is yours now" "$OUT" "identity confirm"
expect_exit 3 as lin identity confirm lin@example.org "$CODE"
expect_exit 0 as lin profile lin --json
[ "$(jq '[.timeline[] | select(.contributor == "email:lin@example.org")] | length' <<<"$OUT")" -ge 1 ] && ok || bad "lin's record includes the claimed identity's commits"
[ "$(jq '[.timeline[] | select(.kind == "identity-merge")] | length' <<<"$OUT")" = 1 ] && ok || bad "the merge is an entry"
expect_exit 1 as bob identity claim lin@example.org
expect_in "another member" "$ERR" "a proven identity is not claimed twice"

# Back up the running lab, restore it elsewhere: the same ledger, byte for byte.
expect_exit 0 "$QS" backup --data "$T/lab" --to "$T/backup"
expect_in "ledger entries, root" "$OUT" "backup"
[ "$(stat -c %a "$T/backup/ledger.key")" = 600 ] && ok || bad "the backed-up key is not private"
expect_exit 1 "$QS" backup --data "$T/lab" --to "$T/backup"
expect_exit 1 "$QS" restore --from "$T/backup" --data "$T/lab"
expect_in "already holds a lab" "$ERR" "restore refuses an existing lab"
if [ "$STORE" = postgres ]; then
  expect_exit 0 "$QS" restore --from "$T/backup" --data "$T/restored" --database "$RESTORED_DB"
else
  expect_exit 0 "$QS" restore --from "$T/backup" --data "$T/restored"
fi
expect_in "root matches the backup" "$OUT" "restore"
expect_exit 0 "$QS" ledger export --data "$T/lab" -o "$T/live.jsonl"
expect_exit 0 "$QS" ledger export --data "$T/restored" -o "$T/restored.jsonl"
if diff <(head -n -1 "$T/live.jsonl") <(head -n -1 "$T/restored.jsonl") >/dev/null; then ok; else bad "the restored ledger differs"; fi
[ "$(tail -1 "$T/live.jsonl" | jq -r .checkpoint.root)" = "$(tail -1 "$T/restored.jsonl" | jq -r .checkpoint.root)" ] && ok || bad "the restored root differs"
expect_exit 4 "$QS" restore --from "$T/nowhere" --data "$T/restored2"

# The database refuses to change the record, whoever asks.
if [ "$STORE" = postgres ]; then
  refuse() { psql -q "$LAB_DB" -c "$1"; }
else
  refuse() { sqlite3 "$T/lab/qiusuo.db" "$1"; }
fi
for sql in "DELETE FROM ledger" "UPDATE ledger SET entry = 'forged'"; do
  if refuse "$sql" 2>"$T/sqlerr"; then bad "$sql went through"; else grep -q "append-only" "$T/sqlerr" && ok || bad "the database said: $(cat "$T/sqlerr")"; fi
done

expect_exit 0 as ada logout
expect_exit 3 as ada whoami

# --- the server stops cleanly on SIGTERM ------------------------------------------------
kill -TERM "$SERVER_PID"
for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then bad "server ignored SIGTERM"; else ok; SERVER_PID=""; fi

echo "cli_e2e ($STORE): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
