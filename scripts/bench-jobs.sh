#!/usr/bin/env bash
# Job throughput of `qiusuo serve` with the local executor: N jobs of `true` on 64
# virtual GPUs, submitted over one keep-alive connection; prints jobs/s from first
# submit to last finish and submit-to-start latency. Usage: bench-jobs.sh QIUSUO [N]
set -euo pipefail
QS=$(readlink -f "$1")
N=${2:-10000}
T=$(mktemp -d "${BENCH_DIR:-/tmp}/qiusuo-jobs-XXXXXX")
trap 'kill $(cat "$T/pid" 2>/dev/null) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$QS" init --data "$T/lab" --password-stdin <<<"bench-password-1" >/dev/null
sed -i 's/^virtual_gpus = .*/virtual_gpus = 64/; s/^scheduler_interval_ms = .*/scheduler_interval_ms = 50/' "$T/lab/qiusuo.toml"
"$QS" serve --data "$T/lab" --listen 127.0.0.1:0 >"$T/serve.log" 2>&1 &
echo $! >"$T/pid"
for _ in $(seq 100); do grep -q 'serving http://' "$T/serve.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | head -1)
python3 - "$URL" "$N" "$T" <<'PY'
import http.client, json, sys, time, urllib.parse
url, n, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
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
# Latency on an idle cluster: one job at a time, from the submit call to the job
# being over (an upper bound on submit-to-start, which the API gives in seconds).
idle = []
for i in range(20):
    t = time.monotonic()
    job = call("POST", "/api/v1/jobs", {"project_id": project, "gpus": 1, "workdir": tmp, "argv": ["true"]}, token)
    while call("GET", f"/api/v1/jobs/{job['id']}", None, token)["state"] != "succeeded":
        time.sleep(0.002)
    idle.append(time.monotonic() - t)
idle.sort()
t0 = time.monotonic()
for i in range(n):
    call("POST", "/api/v1/jobs", {"project_id": project, "gpus": 1, "workdir": tmp, "argv": ["true"]}, token)
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
ok = sum(1 for j in jobs if j["state"] == "succeeded")
def secs(t): return time.mktime(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ"))
lat = sorted(secs(j["started_at"]) - secs(j["submitted_at"]) for j in jobs if j["started_at"])
ok -= len(idle)
print(f"{n} jobs of `true` on 64 virtual GPUs: {ok} succeeded")
print(f"idle cluster, one job at a time, submit to finished: p50 {idle[len(idle)//2]*1000:.1f} ms, max {idle[-1]*1000:.1f} ms")
print(f"submit: {n / (t_submitted - t0):.0f} jobs/s over one connection ({t_submitted - t0:.1f} s)")
print(f"end to end (first submit to last finish): {n / (t_done - t0):.0f} jobs/s ({t_done - t0:.1f} s)")
print(f"submit-to-start latency (whole seconds): p50 {lat[len(lat)//2]:.0f} s, p99 {lat[int(len(lat)*0.99)]:.0f} s, max {lat[-1]:.0f} s")
PY
