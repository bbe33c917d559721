#!/usr/bin/env bash
# HTTP throughput of `qiusuo serve` with wrk, side by side with nginx serving a
# static file of the same size as the GET response, in one run on this machine.
# The same lab on PostgreSQL runs beside it (a throwaway server), unless POSTGRES=0.
# Usage: bench-http.sh path/to/qiusuo [seconds per run]
set -euo pipefail
QS=$(readlink -f "$1")
SECS=${2:-10}
CONNS=${CONNS:-32}
T=$(mktemp -d /tmp/qiusuo-bench-XXXXXX)
chmod 755 "$T"  # nginx workers run unprivileged and must read the file
PIDS=()
PG_STATE=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "$PG_STATE" ] || "$(dirname "$0")/test-postgres" down "$PG_STATE"
  rm -rf "$T"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/install-deps"; exit 1; }
command -v nginx >/dev/null || { echo "nginx is missing: run scripts/install-deps"; exit 1; }

# lab NAME [init args...]: a lab with 100 ideas behind a server; sets URL_<NAME>, TOKEN_<NAME>.
lab() {
  local name=$1; shift
  "$QS" init --data "$T/$name" --password-stdin "$@" <<<"bench-password-1" >/dev/null
  sed -i "s/^threads = 0/threads = ${THREADS:-2}/" "$T/$name/qiusuo.toml"
  # wrk's connections all come from 127.0.0.1: lift the per-client cap for them.
  sed -i "s/^max_connections_per_client = .*/max_connections_per_client = 100000/" "$T/$name/qiusuo.toml"
  "$QS" serve --data "$T/$name" --listen 127.0.0.1:0 >"$T/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q 'serving http://' "$T/$name.log" && break; sleep 0.1; done
  local url token
  url=$(grep -o 'http://[0-9.:]*' "$T/$name.log" | head -1)
  token=$(curl -sf -X POST "$url/api/v1/sessions" -d '{"handle":"steward","password":"bench-password-1"}' | jq -r .token)
  for i in $(seq 100); do
    curl -sf -X POST "$url/api/v1/ideas" -H "Authorization: Bearer $token" \
      -d "{\"title\":\"Idea number $i\",\"pitch\":\"A pitch of a few sentences about idea $i, long enough to look like one a researcher writes.\"}" >/dev/null
  done
  printf -v "URL_$name" '%s' "$url"
  printf -v "TOKEN_$name" '%s' "$token"
}
lab sqlite
URL=$URL_sqlite TOKEN=$TOKEN_sqlite
# The same lab on PostgreSQL (a throwaway server, as in the tests), unless POSTGRES=0.
if [ "${POSTGRES:-1}" = 1 ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  "$(dirname "$0")/test-postgres" up "$T/pg" >/dev/null
  PG_STATE=$T/pg
  ADMIN=$(cat "$T/pg/url")
  psql -q "$ADMIN" -c "CREATE DATABASE bench"
  lab postgres --database "${ADMIN%/*}/bench"
fi
mkdir -p "$T/www"
curl -sf "$URL/api/v1/ideas?limit=100" -H "Authorization: Bearer $TOKEN" >"$T/www/ideas.json"
BYTES=$(stat -c %s "$T/www/ideas.json")

# nginx with as many workers as qiusuo has threads, on a free port.
NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18089)
mkdir -p "$T/nginx/logs"
cat >"$T/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$NGINX_PORT; root $T/www; }
}
CONF
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/ideas.json" >/dev/null && break; sleep 0.1; done

scripts() { # scripts NAME TOKEN: get.NAME.lua and post.NAME.lua
  cat >"$T/get.$1.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $2"
LUA
  cat >"$T/post.$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $2"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Benchmark idea","pitch":"Posted by wrk to measure POST /api/v1/ideas."}'
LUA
}

run() { # run LABEL URL [script] -> prints "LABEL rps p50 p99"
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${3:+-s "$3"} "$2")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-50s %12s %10s %10s %8s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" >"$T/rps.$4"
}
echo "wrk -t2 -c$CONNS -d${SECS}s on $(nproc) cores; GET response $BYTES bytes (100 ideas)"
printf '%-50s %12s %10s %10s %8s\n' "target" "requests/s" "p50" "p99" "non-2xx"
run "nginx static file ($BYTES bytes)" "http://127.0.0.1:$NGINX_PORT/ideas.json" "" nginx
for store in sqlite postgres; do
  url_var=URL_$store token_var=TOKEN_$store
  [ -n "${!url_var:-}" ] || continue
  scripts "$store" "${!token_var}"
  run "qiusuo GET /api/v1/ideas?limit=100 ($store)" "${!url_var}/api/v1/ideas?limit=100" "$T/get.$store.lua" "get.$store"
  run "qiusuo POST /api/v1/ideas ($store)" "${!url_var}/api/v1/ideas" "$T/post.$store.lua" "post.$store"
done
awk -v n="$(cat "$T/rps.nginx")" -v g="$(cat "$T/rps.get.sqlite")" -v p="$(cat "$T/rps.post.sqlite")" \
  'BEGIN { printf "ratio qiusuo GET / nginx static: %.3f   POST / nginx static: %.3f   (SQLite)\n", g / n, p / n }'
if [ -f "$T/rps.get.postgres" ]; then
  awk -v gs="$(cat "$T/rps.get.sqlite")" -v ps="$(cat "$T/rps.post.sqlite")" \
      -v gp="$(cat "$T/rps.get.postgres")" -v pp="$(cat "$T/rps.post.postgres")" \
    'BEGIN { printf "ratio PostgreSQL / SQLite: GET %.3f   POST %.3f\n", gp / gs, pp / ps }'
fi
