#!/usr/bin/env bash
# A soak: a real `qiusuo serve` on a fresh lab in a temp directory, for MINUTES under
#   - mixed reads (wrk, scripts/soak/read.lua) and writes (scripts/soak/write.lua),
#   - a job generator: a short job submitted every second, every third one cancelled,
#   - live streams: followers of running jobs' logs (GET /api/v1/events?job=ID).
# Every minute it samples the server's RSS, open files (/proc/PID/fd) and that minute's
# p99 read and write latency (wrk --latency), and prints a table. Fails when, between
# the end of the first minute (warm) and the end of the run, RSS grows by more than
# SOAK_RSS_GROWTH_MB (64) or open files by more than SOAK_FD_GROWTH (32), when the
# last minute's p99 is above SOAK_P99_FACTOR (3) times the first's plus 5 ms, or when
# any request fails (a non-2xx answer, a socket error, a job the API refused).
#   scripts/soak.sh QIUSUO_BINARY [MINUTES]
# SOAK_TOML: extra lines for the lab's qiusuo.toml (e.g. the account jobs run as).
# SOAK_READ_CONNECTIONS (4), SOAK_FOLLOWERS (2): the load.
set -euo pipefail

QS=$(realpath "${1:?usage: scripts/soak.sh QIUSUO_BINARY [MINUTES]}")
MINUTES=${2:-30}
RSS_GROWTH_MB=${SOAK_RSS_GROWTH_MB:-64}
FD_GROWTH=${SOAK_FD_GROWTH:-32}
P99_FACTOR=${SOAK_P99_FACTOR:-3}
READ_CONNECTIONS=${SOAK_READ_CONNECTIONS:-4}
FOLLOWERS=${SOAK_FOLLOWERS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
PASSWORD="correct horse battery"

T=$(mktemp -d /tmp/qiusuo-soak.XXXXXX)
PIDS=()
cleanup() {
  # The loops first (and the curl each may be in), then the server they talk to.
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    pkill -P "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "soak: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

# ---- a fresh lab on a free port ----
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "$PASSWORD" | "$QS" init --data "$T/lab" --password-stdin >"$T/init.log" 2>&1
sed -i "s/^listen = .*/listen = \"127.0.0.1:$PORT\"/" "$T/lab/qiusuo.toml"
sed -i 's/^min_runtime_s = .*/min_runtime_s = 0/; s/^grace_s = .*/grace_s = 2/' "$T/lab/qiusuo.toml"
[ -n "${SOAK_TOML:-}" ] && printf '%s\n' "$SOAK_TOML" >>"$T/lab/qiusuo.toml"
"$QS" serve --data "$T/lab" >"$T/server.log" 2>&1 &
SERVER=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$URL/healthz" >/dev/null || { cat "$T/server.log"; echo "soak: the server did not start"; exit 1; }

api() {  # api METHOD PATH TOKEN [BODY] -> the body; fails on a non-2xx answer
  curl -fsS -X "$1" "$URL$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+--data "$4"}
}
signup() {
  curl -fsS "$URL/api/v1/members" -H 'Content-Type: application/json' \
    --data "{\"handle\": \"$1\", \"password\": \"$PASSWORD\", \"name\": \"$1\"}" >/dev/null
  curl -fsS "$URL/api/v1/sessions" -H 'Content-Type: application/json' \
    --data "{\"handle\": \"$1\", \"password\": \"$PASSWORD\"}" | jq -r .token
}
ADA=$(signup ada)
BOB=$(signup bob)
IDEA=$(api POST /api/v1/ideas "$ADA" '{"title": "Soak", "pitch": "a long run"}' | jq .id)
PROJECT=$(api POST /api/v1/projects "$ADA" "{\"idea_id\": $IDEA}" | jq .id)
BOB_IDEA=$(api POST /api/v1/ideas "$BOB" '{"title": "Bob'"'"'s", "pitch": "edited all along"}' | jq .id)
# The jobs' directory: theirs to write, whichever account they run as.
mkdir -p "$T/work"
chmod 0711 "$T"
chmod 1777 "$T/work"

# ---- the job generator: one short job a second, every third cancelled ----
jobs_loop() {
  local n=0 body id code
  while :; do
    n=$((n + 1))
    body=$(jq -nc --argjson p "$PROJECT" --arg w "$T/work" --arg n "soak-$n" \
      '{project_id: $p, name: $n, gpus: 1, time_limit_s: 120, workdir: $w,
        argv: ["sh", "-c", "for i in 1 2 3 4 5; do echo step $i of $0; sleep 1; done", $n]}')
    if ! id=$(api POST /api/v1/jobs "$ADA" "$body" | jq -e .id); then
      echo "submit $n" >>"$T/errors"
    elif [ $((n % 3)) = 0 ]; then
      sleep 0.5
      code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/jobs/$id/cancel" \
        -H "Authorization: Bearer $ADA")
      # 409: it ended first, which a short job may.
      [ "$code" = 200 ] || [ "$code" = 409 ] || echo "cancel $id: $code" >>"$T/errors"
    fi
    echo "$n" >"$T/submitted"
    sleep 1
  done
}
jobs_loop &
PIDS+=($!)

# ---- live streams: each follower follows the newest running job for up to 20 s ----
follow_loop() {
  local id status
  while :; do
    id=$(api GET "/api/v1/jobs?project=$PROJECT&limit=5" "$ADA" 2>/dev/null |
      jq -r '[.items[] | select(.state == "running")][0].id // empty' 2>/dev/null || true)
    if [ -z "$id" ]; then sleep 1; continue; fi
    status=0
    curl -sN --max-time 20 "$URL/api/v1/events?job=$id" -H "Authorization: Bearer $BOB" \
      -o "$T/follow.$1" -w '%{http_code}' >"$T/follow.$1.code" || status=$?
    # 28: --max-time ended a stream still open, as it should be for a live job.
    if [ "$status" != 0 ] && [ "$status" != 28 ]; then echo "follow $id: curl $status" >>"$T/errors"; fi
    [ "$(cat "$T/follow.$1.code")" = 200 ] || echo "follow $id: $(cat "$T/follow.$1.code")" >>"$T/errors"
    echo $(($(cat "$T/follows" 2>/dev/null || echo 0) + 1)) >"$T/follows"
  done
}
for f in $(seq "$FOLLOWERS"); do
  follow_loop "$f" &
  PIDS+=($!)
done

# ---- the minutes ----
p99_ms() {  # the 99% line of wrk --latency, in ms
  awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
    else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
    printf "%.2f", v }' "$1"
}
failures() {  # non-2xx answers and socket errors in a wrk report
  awk '/Non-2xx or 3xx responses:/ { n += $NF }
    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$1"
}
requests() { awk '/requests in/ { print $1 }' "$1"; }

printf '%-6s %9s %6s %10s %10s %10s %10s %6s %8s %6s\n' minute rss_mb fds reads p99r_ms \
  writes p99w_ms jobs follows errors
declare -a RSS FDS P99R P99W
total_failed=0
for minute in $(seq "$MINUTES"); do
  SOAK_TOKEN=$ADA SOAK_PROJECT=$PROJECT wrk -t1 -c"$READ_CONNECTIONS" -d60s --latency \
    -s "$HERE/soak/read.lua" "$URL" >"$T/read.$minute" 2>&1 &
  reader=$!
  SOAK_TOKEN=$BOB SOAK_IDEA=$BOB_IDEA wrk -t1 -c1 -d60s --latency \
    -s "$HERE/soak/write.lua" "$URL" >"$T/write.$minute" 2>&1 &
  writer=$!
  wait "$reader" "$writer"
  kill -0 "$SERVER" 2>/dev/null || { tail -20 "$T/server.log"; echo "soak: the server died"; exit 1; }
  RSS[$minute]=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status")
  FDS[$minute]=$(find "/proc/$SERVER/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  P99R[$minute]=$(p99_ms "$T/read.$minute")
  P99W[$minute]=$(p99_ms "$T/write.$minute")
  failed=$(($(failures "$T/read.$minute") + $(failures "$T/write.$minute")))
  total_failed=$((total_failed + failed))
  printf '%-6s %9s %6s %10s %10s %10s %10s %6s %8s %6s\n' "$minute" "${RSS[$minute]}" \
    "${FDS[$minute]}" "$(requests "$T/read.$minute")" "${P99R[$minute]}" \
    "$(requests "$T/write.$minute")" "${P99W[$minute]}" "$(cat "$T/submitted" 2>/dev/null || echo 0)" \
    "$(cat "$T/follows" 2>/dev/null || echo 0)" "$((failed + $(cat "$T/errors" 2>/dev/null | wc -l)))"
done

# ---- the verdict ----
verdict=0
first=1
last=$MINUTES
if awk -v a="${RSS[$first]}" -v b="${RSS[$last]}" -v g="$RSS_GROWTH_MB" 'BEGIN { exit !(b - a > g) }'; then
  echo "soak: RSS grew from ${RSS[$first]} to ${RSS[$last]} MiB (more than $RSS_GROWTH_MB)"
  verdict=1
fi
if [ $((FDS[last] - FDS[first])) -gt "$FD_GROWTH" ]; then
  echo "soak: open files grew from ${FDS[$first]} to ${FDS[$last]} (more than $FD_GROWTH)"
  verdict=1
fi
for kind in R W; do
  declare -n p99=P99$kind
  if awk -v a="${p99[$first]}" -v b="${p99[$last]}" -v f="$P99_FACTOR" 'BEGIN { exit !(b > a * f + 5) }'; then
    echo "soak: p99 ($kind) went from ${p99[$first]} ms to ${p99[$last]} ms"
    verdict=1
  fi
done
if [ "$total_failed" -gt 0 ]; then
  echo "soak: $total_failed wrk requests failed; a report:"
  grep -h -A3 -E 'Non-2xx|Socket errors' "$T"/read.* "$T"/write.* | head -20
  verdict=1
fi
if [ -s "$T/errors" ]; then
  echo "soak: $(wc -l <"$T/errors") job or stream requests failed:"
  head -20 "$T/errors"
  verdict=1
fi
# A job that failed (rather than succeeded or was cancelled) is an error too: its
# log says why (after the switch to a job account: can that account run sh in $T/work?).
failed_jobs=$(api GET "/api/v1/jobs?project=$PROJECT&limit=100" "$ADA" |
  jq '[.items[] | select(.state == "failed")] | length')
if [ "$failed_jobs" != 0 ]; then
  echo "soak: $failed_jobs of the last 100 jobs failed; the first one's log:"
  id=$(api GET "/api/v1/jobs?project=$PROJECT&limit=100" "$ADA" |
    jq '[.items[] | select(.state == "failed")][0].id')
  api GET "/api/v1/jobs/$id/logs?offset=0" "$ADA" | head -c 2000
  echo
  verdict=1
fi
if grep -qiE '\b(error|critical)\b' "$T/server.log"; then
  echo "soak: the server logged errors:"
  grep -iE '\b(error|critical)\b' "$T/server.log" | head -10
  verdict=1
fi
[ "$verdict" = 0 ] && echo "soak: $MINUTES min, RSS ${RSS[$first]} -> ${RSS[$last]} MiB," \
  "open files ${FDS[$first]} -> ${FDS[$last]}, p99 reads ${P99R[$first]} -> ${P99R[$last]} ms," \
  "writes ${P99W[$first]} -> ${P99W[$last]} ms, no errors"
exit "$verdict"
