//! `server_models`: one echo protocol served three ways, a process per client, a thread
//! per client and one evloop loop, at 100, 1,000 and 5,000 connections.
//!
//! The seeds' claim: multiplexing many connections on one thread beats a process per
//! client (fork) and a thread per client in memory and in how many clients it holds.
//! Each server is its own binary (`fork_echo_server`, `thread_echo_server`, both
//! runtime-free, and `evloop_echo_server`), started in a process group of its own and
//! pinned to core 0; the `echo_load` generator runs pinned to core 1 with `--served`:
//!
//! 1. it opens the connections (blocking connects, one after another) and sends one
//!    64-byte message on each, and reports when every echo is back: the time to take
//!    every client on (accept, fork or spawn, first echo);
//! 2. then, with every connection open, the harness measures the server's process group:
//!    processes, OS threads, the sum of their peak resident sets (`VmHWM`) and the sum
//!    of their proportional sets (`Pss` of `smaps_rollup`: pages shared between forked
//!    children counted once in all, where the RSS sum counts them in each);
//! 3. then the generator ping-pongs on every connection for the window: msgs/s.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Write as _};
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};

use crate::chart;
use crate::util::median;
use crate::workloads::echo::{bin_dir, pinned, MESSAGE_SIZE};

/// One server model.
pub struct Model {
    /// The column name.
    pub name: &'static str,
    /// Its binary, next to the harness's own.
    bin: &'static str,
}

/// The models in table order; evloop first (the charts divide by it).
pub const MODELS: [Model; 3] = [
    Model {
        name: "evloop",
        bin: "evloop_echo_server",
    },
    Model {
        name: "thread/client",
        bin: "thread_echo_server",
    },
    Model {
        name: "fork/client",
        bin: "fork_echo_server",
    },
];

/// Connection counts measured unless `--conns` says otherwise.
pub const DEFAULT_CONNS: [usize; 3] = [100, 1_000, 5_000];
/// Default length of the ping-pong window, in seconds.
pub const DEFAULT_SECS: f64 = 3.0;
/// The core the servers run on.
const SERVER_CPU: usize = 0;
/// The core the load generator runs on.
const CLIENT_CPU: usize = 1;

/// The binaries this workload runs.
pub fn binaries() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.bin).chain(["echo_load"]).collect()
}

/// What one run measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    /// Echoed messages per second over the window.
    pub msgs_per_sec: f64,
    /// Seconds from the first connect until every connection had its first echo.
    pub served_secs: f64,
    /// The sum of the group's processes' peak resident sets, in MiB.
    pub rss_mib: f64,
    /// The sum of the group's proportional set sizes, in MiB.
    pub pss_mib: f64,
    /// Processes in the server's group.
    pub processes: f64,
    /// OS threads in the server's group (a process's main thread included).
    pub threads: f64,
}

/// One connection count's medians, per model.
pub struct Row {
    /// Connections.
    pub conns: usize,
    /// In the order of [`MODELS`].
    pub medians: Vec<Sample>,
}

/// Runs every (connection count, model) `reps` times, models in an order that rotates
/// between repetitions; returns the medians.
pub fn run_all(reps: usize, conns: &[usize], secs: f64) -> io::Result<Vec<Row>> {
    let mut samples = vec![vec![Vec::new(); MODELS.len()]; conns.len()];
    for rep in 0..reps {
        for (ci, &n) in conns.iter().enumerate() {
            for k in 0..MODELS.len() {
                let mi = (k + rep) % MODELS.len();
                eprintln!(
                    "server_models rep {}/{reps}: {} with {n} connections",
                    rep + 1,
                    MODELS[mi].name
                );
                samples[ci][mi].push(run(&MODELS[mi], n, secs)?);
            }
        }
    }
    Ok(conns
        .iter()
        .zip(samples)
        .map(|(&conns, per_model)| Row {
            conns,
            medians: per_model.iter().map(|s| median_sample(s)).collect(),
        })
        .collect())
}

/// The median of each figure over `samples`.
fn median_sample(samples: &[Sample]) -> Sample {
    let of = |f: fn(&Sample) -> f64| median(&samples.iter().map(f).collect::<Vec<_>>());
    Sample {
        msgs_per_sec: of(|s| s.msgs_per_sec),
        served_secs: of(|s| s.served_secs),
        rss_mib: of(|s| s.rss_mib),
        pss_mib: of(|s| s.pss_mib),
        processes: of(|s| s.processes),
        threads: of(|s| s.threads),
    }
}

/// Kills a server's whole process group (forked children included) when dropped.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: kill takes no pointers; the group id is our child's pid, which leads
        // the group it was started in (`process_group(0)`) and is not reaped yet.
        unsafe { libc::kill(-(self.0.id() as libc::pid_t), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// Reads one line of `r`, failing if the stream ended.
fn line(r: &mut impl BufRead, what: &str) -> io::Result<String> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::Error::other(format!("{what} ended its output early")));
    }
    Ok(line)
}

/// The value after `name` in `text`'s words.
fn field(text: &str, name: &str) -> io::Result<f64> {
    let mut words = text.split_whitespace();
    words
        .by_ref()
        .find(|w| *w == name)
        .and_then(|_| words.next()?.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {name} in {text:?}")))
}

/// One run of `model` with `conns` connections.
fn run(model: &Model, conns: usize, secs: f64) -> io::Result<Sample> {
    let dir = bin_dir()?;
    let server = pinned(&dir.join(model.bin), SERVER_CPU)
        .process_group(0)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut server = Group(server);
    let first = line(
        &mut BufReader::new(server.0.stdout.take().expect("piped")),
        model.bin,
    )?;
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| io::Error::other(format!("{}: unexpected {first:?}", model.bin)))?
        .to_string();

    let mut load = pinned(&dir.join("echo_load"), CLIENT_CPU)
        .args(["--addr", &addr, "--conns", &conns.to_string()])
        .args([
            "--size",
            &MESSAGE_SIZE.to_string(),
            "--secs",
            &secs.to_string(),
        ])
        .arg("--served")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut out = BufReader::new(load.stdout.take().expect("piped"));
    let served = line(&mut out, "echo_load")?;
    let served_secs = field(&served, "served_secs")?;
    let group = measure_group(server.0.id())?;
    writeln!(load.stdin.take().expect("piped"), "go")?;
    let last = line(&mut out, "echo_load")?;
    let status = load.wait()?;
    drop(server);
    if !status.success() || field(&last, "errors")? > 0.0 {
        return Err(io::Error::other(format!(
            "echo_load against {}: {status}: {last}",
            model.name
        )));
    }
    Ok(Sample {
        msgs_per_sec: field(&last, "messages")? / field(&last, "secs")?,
        served_secs,
        ..group
    })
}

/// Processes, threads, the `VmHWM` sum and the `Pss` sum of process group `pgid`.
fn measure_group(pgid: u32) -> io::Result<Sample> {
    let mut sample = Sample::default();
    for entry in std::fs::read_dir("/proc")? {
        let name = entry?.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        // A process may exit while we read: skip what vanished.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After the `(comm)`: state, ppid, pgrp.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        if rest.split_whitespace().nth(2) != Some(&pgid.to_string()) {
            continue;
        }
        let (Ok(status), Ok(rollup)) = (
            std::fs::read_to_string(format!("/proc/{pid}/status")),
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")),
        ) else {
            continue;
        };
        let kib = |text: &str, key: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0.0)
        };
        sample.processes += 1.0;
        sample.threads += kib(&status, "Threads:");
        sample.rss_mib += kib(&status, "VmHWM:") / 1024.0;
        sample.pss_mib += kib(&rollup, "Pss:") / 1024.0;
    }
    if sample.processes == 0.0 {
        return Err(io::Error::other(format!("no process in group {pgid}")));
    }
    Ok(sample)
}

/// The table: per connection count and model, every figure.
pub fn render_table(rows: &[Row], reps: usize, secs: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nserver_models: {MESSAGE_SIZE}-byte echo, server on core {SERVER_CPU}, load on core \
         {CLIENT_CPU}; median of {reps} reps, {secs} s windows. `all served`: first connect \
         to every connection's first echo; memory with every connection open: sum of the \
         processes' VmHWM (RSS) and of their PSS\n"
    );
    let _ = writeln!(
        out,
        "| conns | server | msg/s | all served s | RSS sum MiB | PSS sum MiB | processes | threads |"
    );
    let _ = writeln!(out, "|---:|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        for (m, s) in MODELS.iter().zip(&r.medians) {
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.3} | {:.1} | {:.1} | {:.0} | {:.0} |",
                r.conns,
                m.name,
                s.msgs_per_sec,
                s.served_secs,
                s.rss_mib,
                s.pss_mib,
                s.processes,
                s.threads
            );
        }
    }
    out
}

/// The chart: per connection count, each model's memory, time to serve all, time per
/// message and OS threads, relative to evloop's (all costs: shorter is better).
pub fn render_svg(rows: &[Row], reps: usize) -> String {
    /// A charted figure: its label, unit, decimals shown, and accessor.
    type Figure = (&'static str, &'static str, usize, fn(&Sample) -> f64);
    let figures: [Figure; 4] = [
        ("PSS", " MiB", 1, |s| s.pss_mib),
        ("all served", " ms", 0, |s| s.served_secs * 1e3),
        ("time/msg", " µs", 1, |s| 1e6 / s.msgs_per_sec),
        ("OS threads", "", 0, |s| s.threads),
    ];
    let mut groups = Vec::new();
    for r in rows {
        for (what, unit, digits, f) in figures {
            groups.push(chart::Group {
                label: format!(
                    "{}c {what} (evloop {:.*}{unit})",
                    r.conns,
                    digits,
                    f(&r.medians[0])
                ),
                bars: MODELS
                    .iter()
                    .zip(&r.medians)
                    .map(|(m, s)| (m.name, f(s)))
                    .collect(),
            });
        }
    }
    chart::render(
        &format!(
            "server_models: each model's figure / evloop's (median of {reps} reps; lower is better)"
        ),
        &groups,
    )
}

/// The rows as a JSON array.
pub fn render_json(rows: &[Row]) -> String {
    let mut out = String::from("[");
    let mut first = true;
    for r in rows {
        for (m, s) in MODELS.iter().zip(&r.medians) {
            let _ = write!(
                out,
                "{}\n    {{\"conns\": {}, \"server\": \"{}\", \"msgs_per_sec\": {:.0}, \"served_secs\": {:.3}, \"rss_mib\": {:.1}, \"pss_mib\": {:.1}, \"processes\": {:.0}, \"threads\": {:.0}}}",
                if first { "" } else { "," },
                r.conns,
                m.name,
                s.msgs_per_sec,
                s.served_secs,
                s.rss_mib,
                s.pss_mib,
                s.processes,
                s.threads
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
    fn fields_are_found_by_name() {
        let line = "messages 2000 secs 2.000 server_cpu_secs 0.010 errors 0";
        assert_eq!(field(line, "messages").unwrap(), 2000.0);
        assert_eq!(field(line, "secs").unwrap(), 2.0);
        assert!(field(line, "served_secs").is_err());
    }

    #[test]
    fn this_process_group_is_measured() {
        // SAFETY: getpgrp has no preconditions.
        let pgid = unsafe { libc::getpgrp() } as u32;
        let group = measure_group(pgid).unwrap();
        assert!(group.processes >= 1.0 && group.threads >= 1.0, "{group:?}");
        assert!(group.rss_mib > 0.0 && group.pss_mib > 0.0, "{group:?}");
    }
}
