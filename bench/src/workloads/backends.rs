//! `backends`: what one wait costs on each reactor backend as idle connections pile up.
//!
//! The seeds' claim: `select` and `poll` hand the kernel every watched fd on every call
//! and the kernel checks each one, so a wait costs in proportion to the connections
//! *open*; `epoll` keeps the interest list in the kernel and returns only the ready fds,
//! so a wait costs in proportion to the connections *active*. Measured here on evloop
//! itself, one backend at a time (`Builder::backend`):
//!
//! - 100 active TCP connections on 127.0.0.1, both ends on the loop: a client task sends
//!   64 bytes, a server task echoes them, the client reads them, and again;
//! - N idle TCP connections, accepted by the loop, each with a task parked in `read`
//!   (so poll and select must hand them to the kernel on every wait). Their peers live in
//!   a helper process that only holds them open;
//! - after 0.3 s of warm-up, the loop thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) over
//!   the window, divided by the messages delivered (one read readiness each): ns of CPU
//!   per event delivered, and messages per second.
//!
//! N is 0, 700, 1,000, 5,000 and 15,000; select runs only while every fd is below 1024
//! (N = 0 and 700: 700 is the largest of these that fits beside the active connections).
//! Each measurement runs in a fresh process (`--backends-child`), so select's fds are
//! low and each run starts from the same state; the idle connections are closed with a
//! reset (`SO_LINGER` 0), so no `TIME_WAIT` piles up across runs.

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::{self, Read};
use std::process::{Command, ExitCode, Stdio};
use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::Backend;

use crate::chart;
use crate::util::median;

/// Idle connection counts measured.
pub const IDLE: [usize; 5] = [0, 700, 1_000, 5_000, 15_000];
/// Active (ping-ponging) connections.
const ACTIVE: usize = 100;
/// Bytes per message.
const MESSAGE: usize = 64;
/// Warm-up before the measured window.
const WARM_UP: Duration = Duration::from_millis(300);
/// Default length of the measured window.
pub const DEFAULT_SECS: f64 = 2.0;
/// Fds a child holds besides the connections (stdio, listeners, eventfd, helper pipes),
/// with a margin.
const OTHER_FDS: usize = 24;

/// What one run measured.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Loop-thread CPU nanoseconds per message delivered.
    pub ns_per_msg: f64,
    /// Messages delivered per second.
    pub msgs_per_sec: f64,
}

/// One idle count's medians, per backend (`None`: not run, select beyond 1023).
pub struct Row {
    /// Idle connections.
    pub idle: usize,
    /// In the order of [`Backend::ALL`].
    pub medians: Vec<Option<Sample>>,
}

/// Whether `backend` can run with `idle` idle connections (select: all fds below 1024).
fn fits(backend: Backend, idle: usize) -> bool {
    backend != Backend::Select || idle + 2 * ACTIVE + OTHER_FDS < 1024
}

/// Runs every (idle count, backend) `reps` times, backends in an order that rotates
/// between repetitions; returns the medians.
pub fn run_all(reps: usize, secs: f64) -> io::Result<Vec<Row>> {
    let backends = Backend::ALL;
    let mut samples = vec![vec![Vec::new(); backends.len()]; IDLE.len()];
    for rep in 0..reps {
        for (ii, &idle) in IDLE.iter().enumerate() {
            for k in 0..backends.len() {
                let bi = (k + rep) % backends.len();
                let backend = backends[bi];
                if !fits(backend, idle) {
                    continue;
                }
                eprintln!(
                    "backends rep {}/{reps}: {backend} with {idle} idle",
                    rep + 1
                );
                samples[ii][bi].push(run(backend, idle, secs)?);
            }
        }
    }
    Ok(IDLE
        .iter()
        .zip(samples)
        .map(|(&idle, per_backend)| Row {
            idle,
            medians: per_backend
                .iter()
                .map(|s: &Vec<Sample>| {
                    (!s.is_empty()).then(|| Sample {
                        ns_per_msg: median(&s.iter().map(|x| x.ns_per_msg).collect::<Vec<_>>()),
                        msgs_per_sec: median(&s.iter().map(|x| x.msgs_per_sec).collect::<Vec<_>>()),
                    })
                })
                .collect(),
        })
        .collect())
}

/// One measurement in a fresh process.
fn run(backend: Backend, idle: usize, secs: f64) -> io::Result<Sample> {
    // `/proc/self/exe`: the running binary's own inode, even if a rebuild replaced it.
    let out = Command::new("/proc/self/exe")
        .args(["--backends-child", backend.name(), &idle.to_string()])
        .arg(secs.to_string())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "backends child ({backend}, {idle} idle) failed: {}",
            out.status
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> io::Result<f64> {
        let mut words = text.split_whitespace();
        words
            .by_ref()
            .find(|w| *w == name)
            .and_then(|_| words.next()?.parse().ok())
            .ok_or_else(|| io::Error::other(format!("backends child printed {text:?}")))
    };
    let (messages, cpu_ns, wall) = (field("messages")?, field("cpu_ns")?, field("secs")?);
    if messages == 0.0 {
        return Err(io::Error::other(format!("no message delivered: {text}")));
    }
    Ok(Sample {
        ns_per_msg: cpu_ns / messages,
        msgs_per_sec: messages / wall,
    })
}

/// The child roles of this workload: `--backends-child BACKEND IDLE SECS` (one
/// measurement, printed) and `--idle-peers ADDR N` (the helper holding the idle
/// connections' far ends). `None` when the process has neither role.
pub fn child_main() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--backends-child") => measure_child(&args[1..]),
        Some("--idle-peers") => idle_peers(&args[1..]),
        _ => return None,
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", args[0]);
            ExitCode::FAILURE
        }
    })
}

/// Parses argument `i` of a child role.
fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> io::Result<T> {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad child arguments {args:?}")))
}

/// `--idle-peers ADDR N`: connects N times to ADDR (blocking, one after another), then
/// holds the connections until stdin closes (its parent is gone).
fn idle_peers(args: &[String]) -> io::Result<()> {
    let addr: std::net::SocketAddr = arg(args, 0)?;
    let n: usize = arg(args, 1)?;
    raise_fd_limit();
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        held.push(std::net::TcpStream::connect(addr)?);
    }
    let _ = io::stdin().read_to_end(&mut Vec::new());
    drop(held);
    Ok(())
}

/// `--backends-child BACKEND IDLE SECS`: one measurement; prints `messages M cpu_ns C
/// secs S`.
fn measure_child(args: &[String]) -> io::Result<()> {
    let backend: Backend = args.first().map_or(Ok(Backend::Epoll), |a| a.parse())?;
    let idle: usize = arg(args, 1)?;
    let secs: f64 = arg(args, 2)?;
    raise_fd_limit();
    let rt = evloop::Runtime::builder().backend(backend).build()?;
    let (messages, cpu_ns, wall) = rt.block_on(drive(idle, Duration::from_secs_f64(secs)))?;
    drop(rt);
    println!("messages {messages} cpu_ns {cpu_ns} secs {wall:.6}");
    Ok(())
}

/// Opens the idle and the active connections, runs the ping-pong, and returns
/// `(messages, loop-thread CPU ns, seconds)` of the measured window.
async fn drive(idle: usize, window: Duration) -> io::Result<(u64, u64, f64)> {
    // Idle: the helper connects, the loop accepts; each gets a task parked in `read`.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut helper = Command::new("/proc/self/exe")
        .args(["--idle-peers", &listener.local_addr()?.to_string()])
        .arg(idle.to_string())
        .stdin(Stdio::piped())
        .spawn()?;
    for _ in 0..idle {
        let (mut stream, _) = listener.accept().await?;
        stream.set_linger(Some(Duration::ZERO))?;
        evloop::spawn(async move {
            let _ = stream.read(&mut [0u8; 1]).await;
        });
    }
    drop(listener);

    // Active: both ends on the loop.
    let messages = Rc::new(Cell::new(0u64));
    let stop = Rc::new(Cell::new(false));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    for _ in 0..ACTIVE {
        let mut client = TcpStream::connect(addr).await?;
        let (mut server, _) = listener.accept().await?;
        for s in [&client, &server] {
            s.set_nodelay(true)?;
            s.set_linger(Some(Duration::ZERO))?;
        }
        evloop::spawn(async move {
            let mut buf = [0u8; MESSAGE];
            while server.read_exact(&mut buf).await.is_ok() {
                if server.write_all(&buf).await.is_err() {
                    break;
                }
            }
        });
        let (messages, stop) = (Rc::clone(&messages), Rc::clone(&stop));
        evloop::spawn(async move {
            let mut buf = [7u8; MESSAGE];
            while !stop.get() {
                if client.write_all(&buf).await.is_err()
                    || client.read_exact(&mut buf).await.is_err()
                {
                    break;
                }
                messages.set(messages.get() + 2); // the server's read and the client's
            }
        });
    }

    evloop::time::sleep(WARM_UP).await;
    let (m0, c0, t0) = (messages.get(), thread_cpu_ns(), std::time::Instant::now());
    evloop::time::sleep(window).await;
    let (m1, c1, wall) = (messages.get(), thread_cpu_ns(), t0.elapsed());
    stop.set(true);

    drop(helper.stdin.take()); // the helper sees EOF and exits
    helper.wait()?;
    Ok((m1 - m0, c1 - c0, wall.as_secs_f64()))
}

/// The calling thread's CPU time in ns (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime: {}", io::Error::last_os_error());
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (15,000 idle connections need it).
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` for getrlimit and a valid one for
    // setrlimit; raising the soft limit up to the hard one is always allowed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// The table: per idle count, each backend's ns of CPU per message and msgs/s, and the
/// ratios to epoll.
pub fn render_table(rows: &[Row], reps: usize, secs: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nbackends: {ACTIVE} active connections ping-ponging {MESSAGE}-byte messages plus N \
         idle ones, one loop thread; loop-thread CPU ns per message delivered and msgs/s \
         (median of {reps} reps, {secs} s windows); select only below fd 1024\n"
    );
    let names: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
    let _ = writeln!(
        out,
        "| idle conns | {} | {} | {} |",
        names
            .iter()
            .map(|n| format!("{n} ns/msg"))
            .collect::<Vec<_>>()
            .join(" | "),
        names
            .iter()
            .map(|n| format!("{n} msg/s"))
            .collect::<Vec<_>>()
            .join(" | "),
        names[1..]
            .iter()
            .map(|n| format!("{n} / epoll"))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    let _ = writeln!(out, "|---:|{}", "---:|".repeat(3 * names.len() - 1));
    for r in rows {
        let ns = |s: &Option<Sample>| s.map_or("-".to_string(), |s| format!("{:.0}", s.ns_per_msg));
        let rate =
            |s: &Option<Sample>| s.map_or("-".to_string(), |s| format!("{:.0}", s.msgs_per_sec));
        let ratio = |i: usize| match (r.medians[i], r.medians[0]) {
            (Some(x), Some(epoll)) => format!("{:.2}", x.ns_per_msg / epoll.ns_per_msg),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.idle,
            r.medians.iter().map(ns).collect::<Vec<_>>().join(" | "),
            r.medians.iter().map(rate).collect::<Vec<_>>().join(" | "),
            (1..r.medians.len())
                .map(ratio)
                .collect::<Vec<_>>()
                .join(" | "),
        );
    }
    out
}

/// The chart: per idle count, each backend's CPU per message relative to epoll's.
pub fn render_svg(rows: &[Row], reps: usize) -> String {
    let groups: Vec<chart::Group> = rows
        .iter()
        .map(|r| chart::Group {
            label: format!(
                "{} idle (epoll {:.0} ns/msg)",
                r.idle,
                r.medians[0].map_or(f64::NAN, |s| s.ns_per_msg)
            ),
            bars: Backend::ALL
                .iter()
                .zip(&r.medians)
                .filter_map(|(b, s)| Some((b.name(), s.as_ref()?.ns_per_msg)))
                .collect(),
        })
        .collect();
    chart::render(
        &format!(
            "backends: loop CPU per message with {ACTIVE} active + N idle connections, / epoll's \
             (median of {reps} reps; lower is better)"
        ),
        &groups,
    )
}

/// The rows as a JSON array.
pub fn render_json(rows: &[Row]) -> String {
    let mut out = String::from("[");
    let mut first = true;
    for r in rows {
        for (b, s) in Backend::ALL.iter().zip(&r.medians) {
            let Some(s) = s else { continue };
            let _ = write!(
                out,
                "{}\n    {{\"idle\": {}, \"backend\": \"{b}\", \"ns_per_msg\": {:.1}, \"msgs_per_sec\": {:.0}}}",
                if first { "" } else { "," },
                r.idle,
                s.ns_per_msg,
                s.msgs_per_sec
            );
            first = false;
        }
    }
    out.push_str("\n  ]");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_runs_only_while_every_fd_fits() {
        assert!(fits(Backend::Select, 0) && fits(Backend::Select, 700));
        assert!(!fits(Backend::Select, 1_000));
        assert!(fits(Backend::Poll, 15_000) && fits(Backend::Epoll, 15_000));
    }

    #[test]
    fn the_table_leaves_unrun_cells_empty_and_divides_by_epoll() {
        let s = |ns| {
            Some(Sample {
                ns_per_msg: ns,
                msgs_per_sec: 1.0,
            })
        };
        let rows = [Row {
            idle: 1_000,
            medians: vec![s(100.0), s(250.0), None, s(50.0)],
        }];
        let table = render_table(&rows, 1, 1.0);
        assert!(table.contains("| 1000 | 100 | 250 | - | 50 |"), "{table}");
        assert!(table.contains("| 2.50 | - | 0.50 |"), "{table}");
    }
}
