#!/usr/bin/env bash
# The Slurm executor beside the local one, in the same run: `qiusuo serve` with 12
# GPUs each way (the local executor's 12 virtual GPUs; a throwaway Slurm of 3 nodes x
# 4 GPUs, scripts/test-slurm). Prints, for each: submit-to-running latency on an idle
# cluster (from the submit call to the job's first instruction, which writes the time)
# and jobs/s end to end for N short jobs (first submit to last finish).
# Needs root (the test Slurm). Usage: bench-slurm.sh QIUSUO [N]
set -euo pipefail
QS=$(readlink -f "$1")
N=${2:-1000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/qiusuo-bench-slurm-XXXXXX)
cleanup() {
  kill $(cat "$T"/*.pid 2>/dev/null) 2>/dev/null || true
  wait 2>/dev/null || true
  "$SRC/scripts/test-slurm" down "$T/slurm" >/dev/null 2>&1 || true
  pkill -f "qiusuo-shim $T/" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
"$SRC/scripts/test-slurm" up "$T/slurm" >/dev/null
CONF=$(cat "$T/slurm/conf")

run() {  # executor
  local ex=$1 lab=$T/$1
  "$QS" init --data "$lab" --password-stdin <<<"bench-password-1" >/dev/null
  sed -i "s/^virtual_gpus = .*/virtual_gpus = 12/" "$lab/qiusuo.toml"  # the default scheduler_interval_ms (1000)
  if [ "$ex" = slurm ]; then
    sed -i "s|^executor = .*|executor = \"slurm\"|; s|^slurm_conf = .*|slurm_conf = \"$CONF\"|; s|^shared_dir = .*|shared_dir = \"$lab/shared\"|" "$lab/qiusuo.toml"
  fi
  "$QS" serve --data "$lab" --listen 127.0.0.1:0 >"$lab/serve.log" 2>&1 &
  echo $! >"$T/$ex.pid"
  for _ in $(seq 100); do grep -q 'serving http://' "$lab/serve.log" && break; sleep 0.1; done
  local url; url=$(grep -o 'http://[0-9.:]*' "$lab/serve.log" | head -1)
  [ -n "$url" ] || { echo "the $ex server did not start:"; cat "$lab/serve.log"; exit 1; }
  python3 - "$url" "$N" "$lab" "$ex" <<'PY'
import http.client, json, os, sys, time, urllib.parse
url, n, lab, ex = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port)
def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse(); data = r.read()
    if r.status >= 300: raise SystemExit(f"{method} {path}: {r.status} {data[:200]}")
    return json.loads(data)
token = call("POST", "/api/v1/sessions", {"handle": "steward", "password": "bench-password-1"})["token"]
project = call("POST", "/api/v1/projects", {"title": "bench"}, token)["id"]
marks = os.path.join(lab, "marks"); os.makedirs(marks)
def wait_over(job_id):
    while call("GET", f"/api/v1/jobs/{job_id}", None, token)["state"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(0.01)
# Idle cluster, one job at a time: submit call to the job's first instruction.
lat = []
for i in range(10):
    t = time.time()
    job = call("POST", "/api/v1/jobs", {"project_id": project, "gpus": 1, "workdir": lab,
               "argv": ["sh", "-c", f"date +%s.%N >{marks}/$QIUSUO_JOB_ID"]}, token)
    wait_over(job["id"])
    with open(os.path.join(marks, str(job["id"]))) as f: lat.append(float(f.read()) - t)
lat.sort()
t0 = time.monotonic()
for i in range(n):
    call("POST", "/api/v1/jobs", {"project_id": project, "gpus": 1, "workdir": lab, "argv": ["true"]}, token)
t_submitted = time.monotonic()
while True:
    q = call("GET", "/api/v1/queue", None, token)
    if not q["items"]: break
    time.sleep(0.2)
t_done = time.monotonic()
jobs, cursor = [], ""
while True:
    page = call("GET", f"/api/v1/jobs?limit=200&cursor={cursor}", None, token)
    jobs += page["items"]
    if page["next_cursor"] is None: break
    cursor = page["next_cursor"]
ok = sum(1 for j in jobs if j["state"] == "succeeded") - len(lat)
print(f"{ex:6} idle submit->running p50 {lat[len(lat)//2]*1000:7.0f} ms  max {lat[-1]*1000:7.0f} ms | "
      f"{n} jobs of `true`: {ok} succeeded, submit {n / (t_submitted - t0):5.0f} jobs/s, "
      f"end to end {n / (t_done - t0):6.1f} jobs/s ({t_done - t0:.1f} s)")
PY
  kill "$(cat "$T/$ex.pid")"; wait "$(cat "$T/$ex.pid")" 2>/dev/null || true
}
echo "12 GPUs each way; N=$N; $(nproc) cores"
run local
run slurm
