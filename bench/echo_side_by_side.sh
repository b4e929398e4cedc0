#!/usr/bin/env bash
# A first side-by-side echo figure until the harness has its `echo` workload.
# usage (from the repo root, after `cargo build --release --examples -p evloop -p evloop-bench`):
#   bench/echo_side_by_side.sh CONNS SECS                                   # evloop's examples/echo_server
#   SERVER=target/release/tokio_echo_server bench/echo_side_by_side.sh CONNS SECS   # tokio current_thread
# The server is pinned to core 0, the evloop echo_client (64-byte messages) to core 1; prints
# the client's figures and the server's CPU per message, read from /proc/PID/stat.
set -eu
conns=$1; secs=$2; port=$((20000 + RANDOM % 10000))
ulimit -n 20000
taskset -c 0 ${SERVER:-target/release/examples/echo_server --secs 60} --port $port >/dev/null 2>&1 &
srv=$!
sleep 0.5
t0=$(awk '{print $14+$15}' /proc/$srv/stat)
out=$(taskset -c 1 target/release/examples/echo_client --addr 127.0.0.1:$port --conns $conns --size 64 --secs $secs 2>&1)
t1=$(awk '{print $14+$15}' /proc/$srv/stat)
kill $srv
echo "$out"
msgs=$(echo "$out" | grep -oiE '[0-9]+ messages' | head -1 | grep -oE '[0-9]+' || true)
echo "server CPU ticks: $((t1 - t0)) (of $(getconf CLK_TCK)/s); messages: $msgs"
[ -n "$msgs" ] && python3 -c "print('server CPU per message: %.2f us' % (($t1-$t0)/$(getconf CLK_TCK)*1e6/$msgs))"
