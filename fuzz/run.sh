#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for SECONDS from its committed seed corpus
# (fuzz/corpus/<target>/, read only: new inputs go to BUILD/corpus/<target>/), with its
# dictionary, then prints per target: runs, coverage, corpus, crashes. Fails if any
# target crashed; the reproducer is in BUILD/crashes/<target>/ (commit it under
# fuzz/crashes/ with a note when it is not fixed at once).
#   fuzz/run.sh BUILD SECONDS [TARGET...]
set -uo pipefail
BUILD=${1:?usage: fuzz/run.sh BUILD SECONDS [TARGET...]}
SECONDS_EACH=${2:?usage: fuzz/run.sh BUILD SECONDS [TARGET...]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
# target dictionary
TARGETS=(
  "fuzz_http http"
  "fuzz_trace trace"
  "fuzz_ledger_export -"
  "fuzz_directives directives"
  "fuzz_config toml"
)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

report=()
failed=0
for entry in "${TARGETS[@]}"; do
  read -r target dict <<<"$entry"
  if [ $# -gt 0 ] && [[ " $* " != *" $target "* ]]; then continue; fi
  seeds=$HERE/corpus/${target#fuzz_}
  work=$BUILD/corpus/${target#fuzz_}
  crashes=$BUILD/crashes/$target
  log=$BUILD/logs/$target.log
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  args=(-max_total_time="$SECONDS_EACH" -timeout=25 -print_final_stats=1
    -artifact_prefix="$crashes/")
  [ "$dict" != "-" ] && args+=(-dict="$HERE/dict/$dict.dict")
  echo "fuzz: $target for ${SECONDS_EACH}s (log: $log)"
  "$BUILD/fuzz/$target" "${args[@]}" "$work" "$seeds" >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*$')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*$')
  corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*$')
  found=$(find "$crashes" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed=1
    echo "fuzz: $target FAILED (exit $status); the end of its log:"
    grep -E 'ERROR|SUMMARY|runtime error|answered|Test unit written|#[0-9]+ +(in|at)' "$log" | head -20
  fi
  report+=("$(printf '%-20s %12s %8s %8s %8s %8s' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$found")")
done

echo
printf '%-20s %12s %8s %8s %8s %8s\n' target runs cov features corpus crashes
printf '%s\n' "${report[@]}"
exit $failed
