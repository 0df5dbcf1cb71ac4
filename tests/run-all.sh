#!/usr/bin/env bash
# README command (b), and what CI runs: install dependencies, build with
# -Werror, run every test (unit, BPF golden packets, system suites), run the
# unit tests again under AddressSanitizer + UBSan, fuzz each parser for a
# bounded time, and check that `make distcheck` works.  Ends with one line
# "tests: N passed, N failed, N skipped".
#
#   sudo tests/run-all.sh [--quick]     --quick: skip ASan, fuzzing, distcheck
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
quick=no
[ "${1:-}" = "--quick" ] && quick=yes
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
jobs=$(nproc 2>/dev/null || echo 2)

passed=0 failed=0 skipped=0
failures=()

step() { printf '\n==== %s\n' "$*"; }

# Adds the counts of an automake test-suite.log to the totals.
count_suite() {  # LOG LABEL
    local log=$1 label=$2 p f s e x
    if [ ! -f "$log" ]; then
        failed=$((failed + 1)); failures+=("$label: no test-suite.log"); return
    fi
    p=$(awk '/^# PASS:/ {print $3}' "$log"); f=$(awk '/^# FAIL:/ {print $3}' "$log")
    s=$(awk '/^# SKIP:/ {print $3}' "$log"); e=$(awk '/^# ERROR:/ {print $3}' "$log")
    x=$(awk '/^# XPASS:/ {print $3}' "$log")
    passed=$((passed + ${p:-0})); skipped=$((skipped + ${s:-0}))
    failed=$((failed + ${f:-0} + ${e:-0} + ${x:-0}))
    if [ $(( ${f:-0} + ${e:-0} + ${x:-0} )) -gt 0 ]; then
        failures+=("$label: $(grep -E '^(FAIL|ERROR|XPASS):' "$log" | tr '\n' ' ')")
    fi
}

record() {  # STATUS LABEL
    if [ "$1" -eq 0 ]; then passed=$((passed + 1))
    else failed=$((failed + 1)); failures+=("$2"); fi
}

step "dependencies"
if [ "$(id -u)" -eq 0 ]; then
    utilities/install-deps.sh || { echo "install-deps.sh failed"; exit 1; }
else
    echo "not root: skipping install-deps.sh; system tests will be skipped"
fi

step "build (-Werror)"
[ -x configure ] || ./boot.sh >/dev/null
mkdir -p _build && cd _build
if ! grep -q -- '--enable-werror' config.status 2>/dev/null; then
    ../configure --enable-werror -q || { echo "configure failed"; exit 1; }
fi
make -j"$jobs" -s >make.log 2>&1 || { tail -50 make.log; echo "build failed"; exit 1; }
echo "built"

step "make check (unit, bpf, system)"
make -j1 check >check.log 2>&1
rc=$?
grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL):' check.log
count_suite test-suite.log "make check"
if [ $rc -ne 0 ]; then
    for log in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find . -name '*.trs') 2>/dev/null); do
        echo "---- ${log%.trs}.log"; tail -40 "${log%.trs}.log"
    done
fi
cd "$top"

if [ $quick = no ]; then
    step "unit tests under AddressSanitizer + UBSan"
    mkdir -p _build-asan && cd _build-asan
    [ -f Makefile ] || ../configure --enable-sanitizers --enable-werror -q
    if make -j"$jobs" -s >make.log 2>&1; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
            make check-unit >check.log 2>&1
        grep -E '^(PASS|FAIL|SKIP|ERROR):' check.log | sed 's/^/asan /'
        count_suite test-suite.log "asan"
    else
        tail -30 make.log; record 1 "asan build"
    fi
    cd "$top"

    step "fuzzing (${FUZZ_SECONDS}s per target)"
    cd _build
    make fuzz-run FUZZ_SECONDS="$FUZZ_SECONDS" 2>&1 | tee fuzz.log | grep -E '^fuzz '
    fuzz_rc=${PIPESTATUS[0]}
    n_targets=$(grep -c '^fuzz .*execs' fuzz.log)
    if [ "$fuzz_rc" -eq 0 ] && [ "$n_targets" -gt 0 ]; then
        passed=$((passed + n_targets))
    else
        tail -30 fuzz.log; record 1 "fuzzing"
    fi
    cd "$top"

    step "make distcheck (unit tests)"
    cd _build
    if make distcheck TESTS='$(UNIT_TESTS)' >distcheck.log 2>&1; then
        record 0 distcheck; echo "distcheck ok"
    else
        tail -30 distcheck.log; record 1 "make distcheck"
    fi
    cd "$top"
fi

echo
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
