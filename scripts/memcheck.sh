#!/usr/bin/env bash
# Memory check: runs the executor's and the facade's test binaries under valgrind's
# memcheck. Any invalid read/write, use of uninitialised memory or definitely lost block
# fails the run (exit 1).
#
#   scripts/memcheck.sh                    # all binaries
#   scripts/memcheck.sh process            # only binaries whose name contains "process"
#   scripts/memcheck.sh suite net_echo::   # the integration suite, tests matching a filter
#
# Tests that only measure time or spawn child processes are skipped below, each with
# the reason printed: under valgrind everything runs 20-50x slower and one thread at a
# time, so their timing bounds cannot hold, and a re-executed child would run outside
# valgrind anyway. Their code paths are covered by the tests that do run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
    echo "memcheck: valgrind is not installed; skipping (apt-get install valgrind)"
    exit 0
fi

only="${1:-}"
filter="${2:-}"

# "binary-name test-name-filter|reason": passed to that binary as `--skip filter`;
# "binary-name|reason" skips the whole binary.
skips=(
    "net_c10k ten_thousand_concurrent_connections|10,000 sockets and a child process: minutes under valgrind, and the child runs outside it"
    "net_c10k c10k_client_role|the child half of the C10K test"
    "net_emfile accept_at_the_fd_limit|valgrind emulates RLIMIT_NOFILE: it closes an fd accept4 got above the limit, losing the connection"
    "fault_emfile|re-executes itself as a child process (outside valgrind) and lowers RLIMIT_NOFILE, which valgrind emulates"
    "suite net_ten_calls::ten_one_second_calls_overlap|asserts a wall-clock bound"
    "suite fault_accept::without_stalling|asserts a wall-clock bound (no 100 ms stall per accept error)"
    "suite timeout::sub_millisecond_and_longer_sleeps_are_never_early|asserts wake-up precision"
    "suite blocking::a_job_beyond_the_bound_waits_for_a_free_thread|needs four pool threads started within one 100 ms job"
    "suite debug_mode::debug_mode_off_reports_nothing|a fast poll becomes a slow one under valgrind"
    "suite uring::|under valgrind 3.19 a loop waiting in io_uring_enter keeps the peer thread it waits for from running (each wait ends in ETIME, 60 s pass for a few turns; natively, even pinned to one CPU, the tests take 2 s); AddressSanitizer checks these (see README, io_uring)"
    "suite backend::every_backend_serves_sockets_timers_and_remote_wakes|runs on io_uring too (see uring::); the other backends' paths run here in the rest of the suite, on epoll"
    "process a_missing_program_is_not_found_and_named|valgrind runs the child's vfork as a fork, so a failed exec is not reported to the parent"
    "process kill_on_a_sleeping_child_returns_within_a_second|asserts a wall-clock bound"
)

echo "== memcheck: building the test binaries of evloop and evloop-executor"
bins=$(cargo test -p evloop -p evloop-executor --no-run --message-format=json |
    python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["profile"]["test"]:
        print(msg["executable"])
')
if [[ -z $bins ]]; then
    echo "memcheck: cargo built no test binaries"
    exit 1
fi

start=$SECONDS
failed=()
for bin in $bins; do
    name=$(basename "$bin")
    name=${name%-*} # strip cargo's hash suffix
    [[ -n $only && $name != *"$only"* ]] && continue
    args=(--test-threads=1)
    [[ -n $filter ]] && args+=("$filter")
    whole=""
    for entry in "${skips[@]}"; do
        spec=${entry%%|*}
        reason=${entry#*|}
        if [[ $spec == "$name" ]]; then
            whole=$reason
        elif [[ ${spec%% *} == "$name" ]]; then
            args+=(--skip "${spec#* }")
            echo "   skip $name::${spec#* }: $reason"
        fi
    done
    if [[ -n $whole ]]; then
        echo "skip $name: $whole"
        continue
    fi
    log=$(mktemp)
    t0=$SECONDS
    # A bound per binary, so that a hang under valgrind fails instead of stalling CI (the
    # integration suite is one binary of some 300 tests).
    if timeout 1200 valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
        --log-file="$log" "$bin" "${args[@]}" >"$log.out" 2>&1; then
        summary=$(grep -hoE 'ERROR SUMMARY: [0-9]+ errors|definitely lost: [0-9,]+ bytes|no leaks are possible' "$log" |
            sort -u | paste -sd ';' | sed 's/;/; /g')
        echo "ok   $name ($((SECONDS - t0)) s): $summary"
    else
        echo "FAIL $name ($((SECONDS - t0)) s)"
        cat "$log.out" "$log"
        failed+=("$name")
    fi
    rm -f "$log" "$log.out"
done
echo "== memcheck: $((SECONDS - start)) s under valgrind"
if ((${#failed[@]})); then
    echo "memcheck: errors or definite leaks in: ${failed[*]}"
    exit 1
fi
echo "memcheck: no errors, no definite leaks"
