//! What every echo server binary shares: its command line, the fd limit, and the line
//! that tells the harness where it listens.
//!
//! Protocol with the harness (`evloop-bench echo`): the server binds `127.0.0.1:PORT`
//! (`--port 0`, the default, picks a free port), prints `listening on ADDR` as its first
//! line of stdout, and serves until it is killed. Every server listens with the same
//! accept backlog (4,096).

use std::io::Write;
use std::net::SocketAddr;

/// The command line of an echo server: `[--port N]`, on/off switches and at most one
/// count option (`--loops N`, `--workers N`, `--threads N`).
pub struct Args {
    /// The port to bind on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// The switches given, among those the binary knows.
    pub switches: Vec<String>,
    /// The value of the binary's count option, if given (at least 1).
    pub count: Option<usize>,
}

/// Parses `[--port N] [SWITCH...] [COUNT_OPTION N]` where each switch is one of `known`
/// and the count option is `count` (if any); exits with a usage line mentioning `usage`
/// on anything else.
pub fn args(usage: &str, known: &[&str], count: Option<&str>) -> Args {
    let mut parsed = Args {
        port: 0,
        switches: Vec::new(),
        count: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--port" {
            if let Some(p) = it.next().and_then(|p| p.parse().ok()) {
                parsed.port = p;
                continue;
            }
        } else if Some(flag.as_str()) == count {
            if let Some(n) = it.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0) {
                parsed.count = Some(n);
                continue;
            }
        } else if known.contains(&flag.as_str()) {
            parsed.switches.push(flag);
            continue;
        }
        eprintln!("usage: {usage}   (--port 0, the default: any free port)");
        std::process::exit(2);
    }
    parsed
}

/// Tells the harness where the server listens (the first line of stdout, flushed).
pub fn announce(addr: SocketAddr) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {addr}").expect("stdout");
    out.flush().expect("stdout");
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit: 10,000 connections need the fds.
pub fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` for getrlimit, and a valid one for
    // setrlimit; raising the soft limit up to the hard one is always allowed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Sets a listener's accept backlog to 4,096, evloop's default (std listens with 128,
/// tokio with 1,024): with the smaller ones, opening 10,000 connections took 20–35 s
/// here instead of 1 s (SYNs dropped and retried), which only slows the benchmark down.
pub fn listen_backlog(listener: &impl std::os::fd::AsRawFd) -> std::io::Result<()> {
    // SAFETY: `listen` on an open, bound socket fd; calling it again on a listening
    // socket only updates the backlog.
    if unsafe { libc::listen(listener.as_raw_fd(), 4096) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
