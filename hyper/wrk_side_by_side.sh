#!/usr/bin/env bash
# hyper_server on evloop (on epoll, and on io_uring: EVLOOP_BACKEND=uring) against the same
# hyper service on tokio's current_thread runtime (bench/src/bin/tokio_hyper_server.rs),
# measured with wrk in alternating rounds.
# usage (from the repo root, after
#   cargo build --release -p evloop-hyper --example hyper_server &&
#   cargo build --release -p evloop-bench --bin tokio_hyper_server):
#   hyper/wrk_side_by_side.sh [ROUNDS [SECS]]        # defaults: 3 rounds of 5 s each
# Each server is pinned to core 0 and wrk (-t1 -c100) to core 1. Prints, per round and
# runtime, wrk's requests/s and the server's CPU time per request (from /proc/PID/stat),
# then the medians and the evloop/tokio and evloop-uring/evloop ratios.
set -eu
rounds=${1:-3}; secs=${2:-5}
release=${CARGO_TARGET_DIR:-target}/release
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
ulimit -n 10000
tck=$(getconf CLK_TCK)
results=$(mktemp)

# measure NAME BINARY BACKEND: one round against one server (BACKEND: its
# EVLOOP_BACKEND); appends "NAME RPS US_PER_REQ".
measure() {
    local name=$1 bin=$2 backend=$3 out srv url t0 t1 rps reqs
    out=$(mktemp)
    # Port 0: the kernel picks a free port; the server prints "listening on URL".
    EVLOOP_BACKEND=$backend taskset -c 0 "$bin" "127.0.0.1:0" >"$out" 2>&1 &
    srv=$!
    for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.1; done
    url=$(awk '/listening on/ {print $3}' "$out")
    [ -n "$url" ] || { echo "$bin did not start:" >&2; cat "$out" >&2; exit 1; }
    taskset -c 1 wrk -t1 -c100 -d1s "$url/" >/dev/null   # warm-up
    t0=$(awk '{print $14+$15}' /proc/$srv/stat)
    wrk_out=$(taskset -c 1 wrk -t1 -c100 -d"${secs}s" "$url/")
    t1=$(awk '{print $14+$15}' /proc/$srv/stat)
    kill "$srv"; wait "$srv" 2>/dev/null || true
    rm -f "$out"
    rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
    reqs=$(echo "$wrk_out" | awk '/requests in/ {print $1}')
    if echo "$wrk_out" | grep -q "Non-2xx\|Socket errors"; then echo "$wrk_out" >&2; fi
    python3 -c "print('$name', $rps, ($t1-$t0)/$tck*1e6/$reqs)" >>"$results"
    printf '%-12s %10.0f req/s  %6.2f us server CPU per request\n' \
        "$name" "$rps" "$(python3 -c "print(($t1-$t0)/$tck*1e6/$reqs)")"
}

for r in $(seq "$rounds"); do
    echo "round $r"
    measure evloop "$release/examples/hyper_server" epoll
    measure evloop-uring "$release/examples/hyper_server" uring
    measure tokio "$release/tokio_hyper_server" epoll
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = {name: (statistics.median(float(r[1]) for r in rows if r[0] == name),
              statistics.median(float(r[2]) for r in rows if r[0] == name))
       for name in ("evloop", "evloop-uring", "tokio")}
for name, (rps, cpu) in med.items():
    print(f"median {name:12} {rps:10.0f} req/s  {cpu:6.2f} us server CPU per request")
for a, b in (("evloop", "tokio"), ("evloop-uring", "tokio"), ("evloop-uring", "evloop")):
    print(f"{a}/{b}: {med[a][0] / med[b][0]:.3f}x requests/s, "
          f"{med[a][1] / med[b][1]:.3f}x CPU per request")
PY
rm -f "$results"
