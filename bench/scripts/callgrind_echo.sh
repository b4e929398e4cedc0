#!/usr/bin/env bash
# User-space instructions per echoed message of an echo server, from callgrind: the
# server runs under `valgrind --tool=callgrind` twice, against `echo_load` for a short
# and a long window; the difference of the instruction totals divided by the difference
# of the messages leaves out start-up and connection set-up.
#
# usage (from the repo root, after `cargo build --release -p evloop-bench --bins`):
#   bench/scripts/callgrind_echo.sh SERVER_BINARY [CONNS [SHORT_SECS LONG_SECS]]
# e.g. EVLOOP_BACKEND=epoll bench/scripts/callgrind_echo.sh target/release/evloop_echo_server
# Prints: instructions, messages and instructions per message.
set -euo pipefail
server=$1; conns=${2:-100}; short=${3:-3}; long=${4:-9}
load=${LOAD:-$(dirname "$server")/echo_load}
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# run SECS: prints "INSTRUCTIONS MESSAGES" for one callgrind run with a window of SECS.
run() {
    local secs=$1 out=$dir/out.$1 pid addr
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$secs" "$server" --port 0 >"$out" 2>"$dir/vg.$secs" &
    pid=$!
    for _ in $(seq 300); do grep -q "listening on" "$out" 2>/dev/null && break; sleep 0.1; done
    addr=$(awk '/listening on/ {print $3}' "$out")
    [ -n "$addr" ] || { echo "$server did not start" >&2; cat "$dir/vg.$secs" >&2; exit 1; }
    msgs=$("$load" --addr "$addr" --conns "$conns" --secs "$secs" | awk '{print $2}')
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    instr=$(awk '/^(summary|totals):/ {print $2; exit}' "$dir/cg.$secs")
    echo "$instr $msgs"
}

read -r i1 m1 < <(run "$short")
read -r i2 m2 < <(run "$long")
python3 -c "
i1, m1, i2, m2 = $i1, $m1, $i2, $m2
print(f'{i1} instructions / {m1} messages ({$short} s), {i2} / {m2} ({$long} s): '
      f'{(i2 - i1) / (m2 - m1):.1f} instructions per message')"
