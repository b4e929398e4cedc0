//! The load generator of the harness's `echo` workload: the same client for every
//! server, written without a runtime so that it is as cheap as it can be and never the
//! bottleneck that differs between servers.
//!
//! It opens N connections (blocking connects, one at a time, so the server's accept
//! queue never overflows), lets the server settle, then on every connection sends a
//! message, waits for its whole echo (checked byte for byte), and sends the next, for S
//! seconds (level-triggered epoll, one `recv` per event). Given the server's pid it reads
//! the server's CPU time (user + system, all threads: `/proc/PID/task/*/schedstat`, in
//! ns; `/proc/PID/stat` where that is missing) at the start and the end of that window,
//! and its peak RSS (`VmHWM` in `/proc/PID/status`) at the end, and prints one line:
//!
//! ```text
//! messages 1234567 secs 5.000 server_cpu_secs 4.990 server_hwm_kib 12345 errors 0
//! ```
//!
//! With `--count-syscalls` (and `--server-pid`) it also counts the server's system calls
//! over the window with `perf stat -e raw_syscalls:sys_enter -p PID` and adds
//! `server_syscalls N` to the line (`perf` must be installed and allowed to trace; the
//! tracepoint costs the server some CPU, so the harness counts in runs of their own).
//!
//! With `--served` (the `server_models` workload), it first sends one message on every
//! connection and waits for all the echoes, prints `served_secs S` (from the first
//! connect to the last of those echoes: how long the server took to take every client
//! on), and waits for a line on stdin (the harness measures the server meanwhile)
//! before the window opens.
//!
//! ```text
//! cargo run --release -p evloop-bench --bin echo_load -- --addr 127.0.0.1:7878 \
//!     --conns 1000 --size 64 --secs 5 [--server-pid PID] [--served]
//! ```

// Shared with the echo servers; this binary uses only part of each.
#[allow(dead_code)]
mod common;
#[allow(dead_code)]
mod rawnet;

use std::io::{self, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// Command-line settings.
struct Args {
    /// The echo server's `ip:port`.
    addr: String,
    /// Concurrent connections.
    conns: usize,
    /// Message size in bytes.
    size: usize,
    /// Length of the measured window.
    secs: f64,
    /// The server's pid, for its CPU time and peak RSS.
    server_pid: Option<u32>,
    /// Report the time until every connection was served once, then wait for stdin.
    served: bool,
    /// Count the server's system calls over the window with `perf stat`.
    count_syscalls: bool,
}

const USAGE: &str = "usage: echo_load --addr IP:PORT [--conns N] [--size BYTES] [--secs S] \
                     [--server-pid PID] [--served] [--count-syscalls]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: String::new(),
        conns: 1000,
        size: 64,
        secs: 5.0,
        server_pid: None,
        served: false,
        count_syscalls: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--served" {
            args.served = true;
            continue;
        }
        if flag == "--count-syscalls" {
            args.count_syscalls = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = || format!("bad value for {flag}: {value:?}");
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--conns" => args.conns = value.parse().map_err(|_| bad())?,
            "--size" => args.size = value.parse().map_err(|_| bad())?,
            "--secs" => args.secs = value.parse().map_err(|_| bad())?,
            "--server-pid" => args.server_pid = Some(value.parse().map_err(|_| bad())?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if args.addr.is_empty()
        || args.conns == 0
        || args.size == 0
        || !args.secs.is_finite()
        || args.secs <= 0.0
    {
        return Err("--addr is required; --conns, --size and --secs must be positive".into());
    }
    Ok(args)
}

/// A process's CPU time (user + system, all threads) in seconds: the sum of its
/// threads' run time in `/proc/PID/task/*/schedstat` (nanoseconds), or, where that file
/// is missing, utime + stime from `/proc/PID/stat` (clock ticks, 10 ms: ±1 % over a 5 s
/// window at 20 % load, too coarse for close figures).
fn cpu_secs(pid: u32) -> io::Result<f64> {
    match schedstat_secs(pid) {
        Ok(secs) => Ok(secs),
        Err(_) => stat_secs(pid),
    }
}

/// The sum of the first field (time on CPU, ns) of every thread's schedstat.
fn schedstat_secs(pid: u32) -> io::Result<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let text = std::fs::read_to_string(task?.path().join("schedstat"))?;
        ns += text
            .split_whitespace()
            .next()
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or_else(|| io::Error::other(format!("unexpected schedstat: {text}")))?;
    }
    Ok(ns as f64 / 1e9)
}

/// utime + stime of `/proc/PID/stat`, in seconds.
fn stat_secs(pid: u32) -> io::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the `(comm)`, which may hold spaces: state is the first, utime the
    // 12th and stime the 13th (fields 14 and 15 of proc(5)).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> io::Result<f64> {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .ok_or_else(|| io::Error::other(format!("unexpected /proc/{pid}/stat: {stat}")))
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Ok((ticks(11)? + ticks(12)?) / hz)
}

/// A process's peak resident set (`VmHWM`) in KiB.
fn hwm_kib(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no VmHWM in /proc/{pid}/status")))
}

/// One connection's progress.
struct Conn {
    /// The socket.
    stream: TcpStream,
    /// Bytes of the current echo received so far.
    got: usize,
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("error: {e}\n{USAGE}");
        std::process::exit(2);
    });
    common::raise_fd_limit();
    if let Err(e) = run(&args) {
        eprintln!("echo_load: {e}");
        std::process::exit(1);
    }
}

/// Sends every connection its message once and waits until all are echoed (checked).
fn serve_each_once(
    ep: &rawnet::Epoll,
    conns: &mut [Conn],
    msgs: &[u8],
    size: usize,
) -> io::Result<()> {
    /// How long the server may take to serve them all before the run fails.
    const LIMIT: Duration = Duration::from_secs(120);
    for (i, c) in conns.iter().enumerate() {
        if rawnet::send(c.stream.as_raw_fd(), &msgs[i * size..][..size])? != size {
            return Err(io::Error::other("a message did not fit the send buffer"));
        }
    }
    let mut scratch = vec![0u8; size];
    let mut events = rawnet::events(1024);
    let mut left = conns.len();
    let deadline = Instant::now() + LIMIT;
    while left > 0 {
        if Instant::now() >= deadline {
            return Err(io::Error::other(format!(
                "{left} connections not served within {LIMIT:?}"
            )));
        }
        let n = ep.wait(&mut events, 100)?;
        for ev in &events[..n] {
            let i = rawnet::split(ev).1 as usize;
            let c = &mut conns[i];
            let k = rawnet::recv(c.stream.as_raw_fd(), &mut scratch[..size - c.got])?;
            if k == 0 || scratch[..k] != msgs[i * size..][c.got..c.got + k] {
                return Err(io::Error::other(format!(
                    "connection {i}: no or wrong echo"
                )));
            }
            c.got += k;
            if c.got == size {
                c.got = 0;
                left -= 1;
            }
        }
    }
    Ok(())
}

fn run(args: &Args) -> io::Result<()> {
    let ep = rawnet::Epoll::new()?;
    let mut conns = Vec::with_capacity(args.conns);
    // Message i: a pattern that differs between connections, so a mixed-up echo is seen.
    let size = args.size;
    let msg = |i: usize| (0..size).map(move |j| (i * 7 + j) as u8);
    let msgs: Vec<u8> = (0..args.conns).flat_map(msg).collect();
    let opened = Instant::now();
    for i in 0..args.conns {
        let stream = TcpStream::connect(&args.addr)
            .map_err(|e| io::Error::new(e.kind(), format!("connection {i}: {e}")))?;
        stream.set_nodelay(true)?;
        stream.set_nonblocking(true)?;
        ep.add(stream.as_raw_fd(), rawnet::IN, i as u64)?;
        conns.push(Conn { stream, got: 0 });
    }
    if args.served {
        serve_each_once(&ep, &mut conns, &msgs, size)?;
        let mut out = io::stdout().lock();
        writeln!(out, "served_secs {:.3}", opened.elapsed().as_secs_f64())?;
        out.flush()?;
        io::stdin().read_line(&mut String::new())?;
    } else {
        // Let the server accept the last connections before the window opens.
        std::thread::sleep(Duration::from_millis(300));
    }

    let mut scratch = vec![0u8; size];
    let mut events = rawnet::events(1024);
    let (mut messages, mut errors) = (0u64, 0u64);

    let perf = match (args.count_syscalls, args.server_pid) {
        (true, Some(pid)) => Some(SyscallCount::start(pid)?),
        _ => None,
    };
    let cpu0 = args.server_pid.map(cpu_secs).transpose()?;
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.secs);
    for (i, c) in conns.iter().enumerate() {
        if rawnet::send(c.stream.as_raw_fd(), &msgs[i * size..][..size])? != size {
            return Err(io::Error::other(
                "a first message did not fit the send buffer",
            ));
        }
    }
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let left_ms = (deadline - now).as_micros().div_ceil(1000) as i32;
        let n = ep.wait(&mut events, left_ms)?;
        for ev in &events[..n] {
            let (_, token) = rawnet::split(ev);
            let i = token as usize;
            let c = &mut conns[i];
            let expected = &msgs[i * size..][..size];
            let fd = c.stream.as_raw_fd();
            match rawnet::recv(fd, &mut scratch[..size - c.got]) {
                Ok(0) | Err(_) => {
                    errors += 1;
                    ep.modify(fd, 0, token)?; // stop watching a dead connection
                    continue;
                }
                Ok(k) => {
                    if scratch[..k] != expected[c.got..c.got + k] {
                        return Err(io::Error::other(format!("connection {i}: wrong echo")));
                    }
                    c.got += k;
                }
            }
            if c.got == size {
                c.got = 0;
                messages += 1;
                if rawnet::send(fd, expected)? != size {
                    return Err(io::Error::other("a message did not fit the send buffer"));
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let syscalls = perf.map(SyscallCount::finish).transpose()?;
    let cpu1 = args.server_pid.map(cpu_secs).transpose()?;
    let hwm = args.server_pid.map(hwm_kib).transpose()?;
    let server_cpu = match (cpu0, cpu1) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let syscalls = syscalls.map_or(String::new(), |n| format!(" server_syscalls {n}"));
    println!(
        "messages {messages} secs {secs:.3} server_cpu_secs {server_cpu:.3} server_hwm_kib {} errors {errors}{syscalls}",
        hwm.unwrap_or(0)
    );
    Ok(())
}

/// A running `perf stat` counting one process's system calls.
struct SyscallCount(std::process::Child);

impl SyscallCount {
    /// Starts counting `pid`'s system calls (and gives perf time to attach).
    fn start(pid: u32) -> io::Result<SyscallCount> {
        let child = std::process::Command::new("perf")
            .args(["stat", "-e", "raw_syscalls:sys_enter", "-x", ",", "-p"])
            .arg(pid.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| io::Error::other(format!("perf: {e} (install linux-perf)")))?;
        std::thread::sleep(Duration::from_millis(300));
        Ok(SyscallCount(child))
    }

    /// Stops counting (`SIGINT`) and returns the count perf printed.
    fn finish(self) -> io::Result<u64> {
        // SAFETY: kill takes no pointers; the pid is our own child's, not yet reaped.
        unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGINT) };
        let out = self.0.wait_with_output()?;
        let text = String::from_utf8_lossy(&out.stderr);
        text.lines()
            .find(|l| l.contains("raw_syscalls:sys_enter"))
            .and_then(|l| l.split(',').next()?.trim().parse().ok())
            .ok_or_else(|| io::Error::other(format!("perf stat printed {text:?}")))
    }
}
