//! `echo`: a fixed load generator against an echo server on each runtime and on the raw
//! epoll floor, each a separate process.
//!
//! Each server binary (`bench/src/bin/*_echo_server.rs`) runs pinned to core 0, the one
//! load generator (`bench/src/bin/echo_load.rs`, runtime-free) pinned to core 1. The load
//! generator opens the connections, then ping-pongs 64-byte messages on all of them for
//! the window and reads the server's CPU time (`/proc/PID/task/*/schedstat`) at both ends of it and
//! its peak RSS (`VmHWM`) at the end.
//!
//! [`measure`] runs any server binary that way, pinned or not ([`Placement`]): the
//! multi-loop comparison (`echo --loops`, `echo_loops.rs`) runs its servers unpinned.

use std::io::{self, BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The core the server runs on.
const SERVER_CPU: usize = 0;
/// The core the load generator runs on.
const CLIENT_CPU: usize = 1;
/// Message size in bytes.
pub const MESSAGE_SIZE: usize = 64;

/// One server under test.
pub struct Server {
    /// The column name.
    pub name: &'static str,
    /// Its binary, next to the harness's own.
    bin: &'static str,
    /// Extra arguments.
    args: &'static [&'static str],
    /// Extra environment (`EVLOOP_BACKEND=uring` for evloop on io_uring).
    env: &'static [(&'static str, &'static str)],
}

/// The servers in table order; the last one is the runtime-free floor.
pub const SERVERS: [Server; 6] = [
    Server {
        name: "evloop",
        bin: "evloop_echo_server",
        args: &[],
        env: &[("EVLOOP_BACKEND", "epoll")],
    },
    Server {
        name: "evloop-uring",
        bin: "evloop_echo_server",
        args: &[],
        env: &[("EVLOOP_BACKEND", "uring")],
    },
    Server {
        name: "tokio",
        bin: "tokio_echo_server",
        args: &[],
        env: &[],
    },
    Server {
        name: "tokio-local",
        bin: "tokio_echo_server",
        args: &["--local"],
        env: &[],
    },
    Server {
        name: "smol",
        bin: "smol_echo_server",
        args: &[],
        env: &[],
    },
    Server {
        name: "epoll",
        bin: "epoll_echo_server",
        args: &[],
        env: &[],
    },
];

/// The index of evloop on io_uring in [`SERVERS`].
pub const URING: usize = 1;
/// The indices of tokio's two flavours in [`SERVERS`].
pub const TOKIO: [usize; 2] = [2, 3];
/// The index of the epoll floor in [`SERVERS`].
pub const FLOOR: usize = 5;

/// What one run measured.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Echoed messages per second.
    pub msgs_per_sec: f64,
    /// Server CPU time (user + system) per message, in microseconds.
    pub cpu_us_per_msg: f64,
    /// Server peak resident set, in MiB.
    pub peak_rss_mib: f64,
    /// Server system calls per message (`perf stat`), in a run of its own; NaN when not
    /// counted.
    pub syscalls_per_msg: f64,
}

/// The servers' binaries and the load generator's.
pub fn binaries() -> Vec<&'static str> {
    SERVERS.iter().map(|s| s.bin).chain(["echo_load"]).collect()
}

/// The directory holding the harness and the server binaries.
pub fn bin_dir() -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    Ok(exe.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// Builds the binaries `bins` (servers, the load generator) with the harness's own
/// profile (a no-op when they are fresh), so that `cargo run -p evloop-bench -- echo`
/// never measures stale servers. Outside `cargo run`, checks that they exist.
pub fn build_binaries(bins: &[&str]) -> io::Result<()> {
    let dir = bin_dir()?;
    if let Some(cargo) = std::env::var_os("CARGO") {
        let target_dir = dir.parent().unwrap_or(&dir);
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "--manifest-path", manifest])
            .arg("--target-dir")
            .arg(target_dir);
        // Only these binaries: rebuilding the running harness would replace its file.
        for bin in bins {
            cmd.args(["--bin", bin]);
        }
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status()?;
        if !status.success() {
            return Err(io::Error::other(format!(
                "building the echo servers: {status}"
            )));
        }
    }
    for bin in bins {
        if !dir.join(bin).exists() {
            return Err(io::Error::other(format!(
                "{} is missing: build it with `cargo build --release -p evloop-bench --bins`",
                dir.join(bin).display()
            )));
        }
    }
    Ok(())
}

/// A command for `bin` that runs pinned to `cpu`.
pub fn pinned(bin: &Path, cpu: usize) -> Command {
    let mut cmd = Command::new(bin);
    // SAFETY: the closure runs in the child between fork and exec and only makes
    // async-signal-safe calls (CPU_ZERO/CPU_SET on a local set, sched_setaffinity).
    unsafe {
        cmd.pre_exec(move || {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_ZERO(&mut set);
            libc::CPU_SET(cpu, &mut set);
            if libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// Kills the server when dropped, whatever happened to the run.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the server and the load generator run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The server pinned to core 0, the load generator to core 1 (the one-core table).
    Pinned,
    /// Neither pinned: the scheduler places them (the multi-loop table, whose servers
    /// need every core; `run_per_core` still pins each evloop loop to its own core).
    Unpinned,
}

/// Runs `server` against the load generator with `conns` connections for `secs`, pinned;
/// with `count_syscalls`, also counts the server's system calls (`perf stat`, which slows
/// the server: count in runs of their own).
pub fn run(server: &Server, conns: usize, secs: f64, count_syscalls: bool) -> io::Result<Sample> {
    let launch = Launch {
        bin: server.bin,
        args: server.args,
        env: server.env,
        placement: Placement::Pinned,
    };
    measure(&launch, conns, secs, count_syscalls)
}

/// How to start one server binary.
pub struct Launch<'a, S> {
    /// The binary, next to the harness's own.
    pub bin: &'a str,
    /// Its arguments.
    pub args: &'a [S],
    /// Extra environment variables.
    pub env: &'a [(&'a str, &'a str)],
    /// Where it and the load generator run.
    pub placement: Placement,
}

/// A command for `bin` in `dir`, pinned to `cpu` if `placement` pins.
fn command(dir: &Path, bin: &str, placement: Placement, cpu: usize) -> Command {
    match placement {
        Placement::Pinned => pinned(&dir.join(bin), cpu),
        Placement::Unpinned => Command::new(dir.join(bin)),
    }
}

/// Runs the server `launch` describes against the load generator with `conns`
/// connections for `secs`; with `count_syscalls`, also counts its system calls.
pub fn measure<S: AsRef<std::ffi::OsStr>>(
    launch: &Launch<'_, S>,
    conns: usize,
    secs: f64,
    count_syscalls: bool,
) -> io::Result<Sample> {
    let (bin, placement) = (launch.bin, launch.placement);
    let dir = bin_dir()?;
    let child = command(&dir, bin, placement, SERVER_CPU)
        .args(launch.args)
        .envs(launch.env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut srv = Running(child);
    let mut line = String::new();
    let stdout = srv.0.stdout.take().expect("piped stdout");
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| io::Error::other(format!("{bin}: unexpected first line {line:?}")))?
        .to_string();
    let out = command(&dir, "echo_load", placement, CLIENT_CPU)
        .args(["--addr", &addr, "--conns", &conns.to_string()])
        .args([
            "--size",
            &MESSAGE_SIZE.to_string(),
            "--secs",
            &secs.to_string(),
        ])
        .args(["--server-pid", &srv.0.id().to_string()])
        .args(count_syscalls.then_some("--count-syscalls"))
        .stderr(Stdio::inherit())
        .output()?;
    drop(srv);
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "echo_load failed: {}",
            out.status
        )));
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

/// Parses the load generator's `messages M secs S server_cpu_secs C server_hwm_kib K
/// errors E` line.
fn parse(out: &str) -> io::Result<Sample> {
    let words: Vec<&str> = out.split_whitespace().collect();
    let field = |name: &str| -> io::Result<f64> {
        words
            .iter()
            .position(|w| *w == name)
            .and_then(|i| words.get(i + 1)?.parse().ok())
            .ok_or_else(|| io::Error::other(format!("echo_load printed {out:?}: no {name}")))
    };
    let (messages, secs) = (field("messages")?, field("secs")?);
    if field("errors")? > 0.0 || messages == 0.0 {
        return Err(io::Error::other(format!("echo_load: {}", out.trim())));
    }
    Ok(Sample {
        msgs_per_sec: messages / secs,
        cpu_us_per_msg: field("server_cpu_secs")? * 1e6 / messages,
        peak_rss_mib: field("server_hwm_kib")? / 1024.0,
        syscalls_per_msg: field("server_syscalls").map_or(f64::NAN, |n| n / messages),
    })
}

/// Whether `perf` is there to count system calls.
pub fn perf_available() -> bool {
    Command::new("perf")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_load_line() {
        let s =
            parse("messages 2000 secs 2.000 server_cpu_secs 0.010 server_hwm_kib 2048 errors 0\n")
                .unwrap();
        assert_eq!(s.msgs_per_sec, 1000.0);
        assert!((s.cpu_us_per_msg - 5.0).abs() < 1e-9);
        assert_eq!(s.peak_rss_mib, 2.0);
        assert!(s.syscalls_per_msg.is_nan());
        let s = parse(
            "messages 2000 secs 2 server_cpu_secs 0.01 server_hwm_kib 1 errors 0 server_syscalls 500",
        )
        .unwrap();
        assert_eq!(s.syscalls_per_msg, 0.25);
        assert!(parse("messages 10 secs 1 server_cpu_secs 1 server_hwm_kib 1 errors 3").is_err());
        assert!(parse("garbage").is_err());
    }
}
