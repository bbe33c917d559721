#!/usr/bin/env bash
# Ledger throughput: appends through the real SQLite store, then offline verification
# of a 1,000,000-entry export beside sha256sum over the same bytes (the ratio is the
# figure). Usage: bench-ledger.sh BUILD_DIR [N]
set -euo pipefail
B=$(readlink -f "$1")
N=${2:-1000000}
T=$(mktemp -d /tmp/qiusuo-ledger-XXXXXX)
trap 'rm -rf "$T"' EXIT
"$B/bench/ledger_bench" append "$T" 20000
"$B/bench/ledger_bench" proofs "$N"
"$B/bench/ledger_bench" export "$T/export.jsonl" "$N"
SIZE=$(stat -c %s "$T/export.jsonl")
cat "$T/export.jsonl" >/dev/null  # both runs read from the page cache
t0=$(date +%s.%N)
sha256sum "$T/export.jsonl" >/dev/null
t1=$(date +%s.%N)
"$B/src/cli/qiusuo" ledger verify "$T/export.jsonl" >"$T/verify.out"
t2=$(date +%s.%N)
python3 - "$N" "$SIZE" "$t0" "$t1" "$t2" "$(cat "$T/verify.out")" <<'PY'
import sys
n, size, t0, t1, t2, out = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), sys.argv[6]
sha, ver = t1 - t0, t2 - t1
print(f"export: {n} entries, {size / 1e6:.0f} MB")
print(f"sha256sum:           {sha:6.2f} s  {size / sha / 1e6:7.0f} MB/s")
print(f"qiusuo ledger verify: {ver:6.2f} s  {size / ver / 1e6:7.0f} MB/s  {n / ver:9.0f} entries/s")
print(f"ratio verify / sha256sum: {ver / sha:.2f}x the time")
print(out)
PY
