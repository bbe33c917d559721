#!/usr/bin/env bash
# The log flood of issue 14 on a real `qiusuo serve` (local executor): a job writes
# MIB MiB of output, two clients follow it on /api/v1/events (one of them slowly),
# and a third keeps asking for /api/v1/cluster meanwhile. Prints the server's memory
# (VmRSS, VmHWM from /proc/PID/status) before and after, and the third client's
# answers. Figures, not a test. Usage: log_flood.sh QIUSUO [MIB]
set -euo pipefail
QS=$(readlink -f "$1")
MIB=${2:-100}
T=$(mktemp -d "${BENCH_DIR:-/tmp}/qiusuo-flood-XXXXXX")
trap 'kill $(cat "$T/pid" 2>/dev/null) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$QS" init --data "$T/lab" --password-stdin <<<"flood-password-1" >/dev/null
sed -i 's/^scheduler_interval_ms = .*/scheduler_interval_ms = 50/' "$T/lab/qiusuo.toml"
"$QS" serve --data "$T/lab" --listen 127.0.0.1:0 >"$T/serve.log" 2>&1 &
echo $! >"$T/pid"
for _ in $(seq 100); do grep -q 'serving http://' "$T/serve.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$T/serve.log" | head -1)
python3 - "$URL" "$MIB" "$T" "$(cat "$T/pid")" <<'PY'
import http.client, json, socket, sys, threading, time, urllib.parse
url, mib, tmp, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
host = urllib.parse.urlparse(url)
def memory():
    fields = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status"))
    return f"VmRSS {fields['VmRSS'].strip()}, VmHWM {fields['VmHWM'].strip()}"
conn = http.client.HTTPConnection(host.hostname, host.port)
def call(method, path, body=None, token=None, c=None):
    c = c or conn
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    c.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = c.getresponse(); data = r.read()
    if r.status >= 300: raise SystemExit(f"{method} {path}: {r.status} {data[:200]}")
    return json.loads(data)
token = call("POST", "/api/v1/sessions", {"handle": "steward", "password": "flood-password-1"})["token"]
project = call("POST", "/api/v1/projects", {"title": "flood"}, token)["id"]
size = mib << 20
job = call("POST", "/api/v1/jobs", {"project_id": project, "gpus": 1, "workdir": tmp,
           "argv": ["sh", "-c", f"yes 'step 12345 loss=0.25 求索' | head -c {size}"]}, token)["id"]
while call("GET", f"/api/v1/jobs/{job}", None, token)["state"] not in ("succeeded", "failed"):
    time.sleep(0.1)
print(f"job {job} wrote {mib} MiB of output")
print(f"server before the followers: {memory()}")

got = [0, 0]
def follow(index, slow):
    s = socket.create_connection((host.hostname, host.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    s.sendall(f"GET /api/v1/events?job={job} HTTP/1.1\r\nHost: x\r\n"
              f"Authorization: Bearer {token}\r\n\r\n".encode())
    last = b""
    while True:
        data = s.recv(1 << 16)
        if not data: break
        seen = last + data
        last = seen[-200:]
        got[index] += len(data)
        if slow: time.sleep(0.002)  # a slow reader: about 30 MiB/s at most
        if b"event: end" in seen or (b"\nid: %d\n" % size) in seen: break
    s.close()
followers = [threading.Thread(target=follow, args=(i, i == 1)) for i in range(2)]
t0 = time.monotonic()
for f in followers: f.start()
other = http.client.HTTPConnection(host.hostname, host.port)
latencies = []
while any(f.is_alive() for f in followers):
    t = time.monotonic()
    call("GET", "/api/v1/cluster", None, token, other)
    latencies.append(time.monotonic() - t)
    time.sleep(0.01)
for f in followers: f.join()
latencies.sort()
print(f"two followers got {got[0] >> 20} and {got[1] >> 20} MiB of events in {time.monotonic() - t0:.1f} s")
print(f"third client meanwhile: {len(latencies)} answers to GET /api/v1/cluster, "
      f"p50 {latencies[len(latencies)//2]*1000:.1f} ms, max {latencies[-1]*1000:.1f} ms")
print(f"server after: {memory()}")
PY
