#!/usr/bin/env bash
# What password hashing does to everyone else: the latency of a cheap authenticated
# GET (/api/v1/me) from one client while 4 clients sign in over and over, with
# hashing on the HTTP threads (hash_threads = 0, as before issue 14) and on its own
# pool (hash_threads = 2, the default), side by side in one run. Prints figures;
# asserts nothing. Usage: bench-auth.sh path/to/qiusuo [seconds per run]
set -euo pipefail
QS=$(readlink -f "$1")
SECS=${2:-10}
T=$(mktemp -d /tmp/qiusuo-bench-auth-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/install-deps"; exit 1; }
PASSWORD="bench-password-1"

# serve NAME HASH_THREADS: a lab behind a server with 2 HTTP threads; sets URL and TOKEN.
serve() {
  "$QS" init --data "$T/$1" --password-stdin <<<"$PASSWORD" >/dev/null
  sed -i "s/^threads = 0/threads = 2/; s/^hash_threads = .*/hash_threads = $2/" "$T/$1/qiusuo.toml"
  "$QS" serve --data "$T/$1" --listen 127.0.0.1:0 >"$T/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q 'serving http://' "$T/$1.log" && break; sleep 0.1; done
  URL=$(grep -o 'http://[0-9.:]*' "$T/$1.log" | head -1)
  TOKEN=$(curl -sf -X POST "$URL/api/v1/sessions" \
    -d "{\"handle\":\"steward\",\"password\":\"$PASSWORD\"}" | jq -r .token)
}

cat >"$T/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"handle":"steward","password":"$PASSWORD"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# measure LABEL SIGN_INS: p50/p90/p99/max of GET /api/v1/me (1 connection) while
# SIGN_INS clients sign in in a loop (0: none).
measure() {
  local label=$1 clients=$2 logins=""
  cat >"$T/me.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
  if [ "$clients" -gt 0 ]; then
    wrk -t2 -c"$clients" -d"$((SECS + 2))s" -s "$T/login.lua" "$URL/api/v1/sessions" >"$T/login.out" &
    local wpid=$!
    sleep 1
  fi
  wrk -t1 -c1 -d"${SECS}s" --latency -s "$T/me.lua" "$URL/api/v1/me" >"$T/me.out"
  if [ "$clients" -gt 0 ]; then
    wait "$wpid"
    logins=$(awk '/Requests\/sec/ {printf "%.1f", $2}' "$T/login.out")
    local non2xx
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$T/login.out")
    [ -z "$non2xx" ] || logins="$logins ($non2xx non-2xx)"
  fi
  awk -v label="$label" -v logins="${logins:--}" '
    /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
    /Latency/ && NF >= 5 && !max {max=$4}
    /Requests\/sec/ {rps=$2}
    END {printf "%-34s %-14s %10s %10s %10s %10s %10.0f\n", label, logins, p50, p90, p99, max, rps}' \
    "$T/me.out"
}

echo "GET /api/v1/me from 1 client, ${SECS}s per row, 2 HTTP threads, Argon2id interactive cost, $(nproc) cores"
printf "%-34s %-14s %10s %10s %10s %10s %10s\n" "run" "sign-ins/s" "p50" "p90" "p99" "max" "GETs/s"
serve before 0
measure "no sign-ins" 0
measure "4 signing in, hash_threads = 0" 4
BEFORE_URL=$URL
serve after 2
measure "4 signing in, hash_threads = 2" 4
