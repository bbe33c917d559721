#!/usr/bin/env bash
# HTTP throughput of `qiusuo serve` with wrk, side by side with nginx serving a
# static file of the same size as the GET response, in one run on this machine.
# Usage: bench-http.sh path/to/qiusuo [seconds per run]
set -euo pipefail
QS=$(readlink -f "$1")
SECS=${2:-10}
CONNS=${CONNS:-32}
T=$(mktemp -d /tmp/qiusuo-bench-XXXXXX)
chmod 755 "$T"  # nginx workers run unprivileged and must read the file
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/install-deps"; exit 1; }
command -v nginx >/dev/null || { echo "nginx is missing: run scripts/install-deps"; exit 1; }

"$QS" init --data "$T/lab" --password-stdin <<<"bench-password-1" >/dev/null
sed -i 's/^threads = 0/threads = 2/' "$T/lab/qiusuo.toml"
"$QS" serve --data "$T/lab" --listen 127.0.0.1:0 >"$T/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q 'serving http://' "$T/serve.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | head -1)
TOKEN=$(curl -sf -X POST "$URL/api/v1/sessions" -d '{"handle":"steward","password":"bench-password-1"}' | jq -r .token)
for i in $(seq 100); do
  curl -sf -X POST "$URL/api/v1/ideas" -H "Authorization: Bearer $TOKEN" \
    -d "{\"title\":\"Idea number $i\",\"pitch\":\"A pitch of a few sentences about idea $i, long enough to look like one a researcher writes.\"}" >/dev/null
done
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

cat >"$T/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
cat >"$T/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Benchmark idea","pitch":"Posted by wrk to measure POST /api/v1/ideas."}'
LUA

run() { # run LABEL URL [script] -> prints "LABEL rps p50 p99"
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${3:+-s "$3"} "$2")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-38s %12s %10s %10s %8s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" >"$T/rps.$4"
}
echo "wrk -t2 -c$CONNS -d${SECS}s on $(nproc) cores; GET response $BYTES bytes (100 ideas)"
printf '%-38s %12s %10s %10s %8s\n' "target" "requests/s" "p50" "p99" "non-2xx"
run "nginx static file ($BYTES bytes)" "http://127.0.0.1:$NGINX_PORT/ideas.json" "" nginx
run "qiusuo GET /api/v1/ideas?limit=100" "$URL/api/v1/ideas?limit=100" "$T/get.lua" get
run "qiusuo POST /api/v1/ideas" "$URL/api/v1/ideas" "$T/post.lua" post
awk -v n="$(cat "$T/rps.nginx")" -v g="$(cat "$T/rps.get")" -v p="$(cat "$T/rps.post")" \
  'BEGIN { printf "ratio qiusuo GET / nginx static: %.3f   POST / nginx static: %.3f\n", g / n, p / n }'
