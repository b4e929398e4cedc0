//! evloop's side-by-side benchmarks against tokio (current_thread, `spawn` and
//! `LocalSet::spawn_local`) and smol (`LocalExecutor`).
//!
//! `cargo run --release -p evloop-bench -- [workload...] [--reps N] [--json FILE] [--svg FILE]`
//!
//! Runtimes are interleaved within each repetition (their order rotates from one
//! repetition to the next); the table shows the median over repetitions. `remote_spawn`
//! (a plain thread handing tasks to a loop on another thread) has its own table, against
//! tokio's current_thread and multi_thread runtimes. The `echo`
//! workload (servers in their own processes against one load generator, next to a raw
//! epoll server as the floor) takes minutes and runs only when named, as do the seeds'
//! comparisons: `backends` (evloop's epoll, poll and select backends as idle
//! connections pile up) and `server_models` (a process per client, a thread per client
//! and one evloop loop).

mod chart;
mod runtimes;
mod util;
mod workloads;

use runtimes::NAMES;
use std::fmt::Write as _;
use std::process::ExitCode;
use util::{median, percentile};
use workloads::echo::{self, FLOOR, SERVERS, TOKIO, URING};
use workloads::{backends, debug_cost, echo_loops, remote_spawn, server_models};

const USAGE: &str = "usage: evloop-bench [workload...] [--reps N] [--json FILE] [--svg FILE]
                    [--secs S] [--conns N,N...] [--loops N,N... [--unpinned]]
workloads: spawn_many yield_many ping_pong chained_spawn timers timers_memory
           idle_tasks_memory timer_precision remote_spawn echo backends server_models
           debug_cost
           (default: all but echo, backends, server_models and debug_cost; `all`: all)
  --reps N     repetitions, runtimes interleaved in each (default 5)
  --json FILE  also write the medians as JSON
  --svg FILE   also draw each runtime's figures relative to evloop's as an SVG chart;
               backends and server_models draw theirs next to it, in FILE-backends.svg
               and FILE-server_models.svg (FILE without its .svg)
  remote_spawn: a plain thread spawns 100,000 Send tasks on a loop running on another
        thread and waits for all (evloop's Handle::spawn and RemoteHandle::join against
        tokio's Handle::spawn on current_thread and on multi_thread with 1 worker);
        ns per task and evloop / the better tokio, in its own table.
  echo: an echo server per runtime (and a raw epoll one, the floor) pinned to core 0,
        one runtime-free load generator pinned to core 1, 64-byte messages; reports
        msg/s, server CPU µs per message and server peak RSS. It takes
        reps × conns settings × 5 servers × (secs + ~1 s): minutes, so it only runs
        when named.
  echo --loops 1,2: instead of the table above, the echo servers across cores, nothing
        pinned by the harness: evloop on each loop count given (run_per_core, one
        SO_REUSEPORT listener per loop), tokio multi_thread with as many workers as the
        largest count, and the epoll floor with as many threads (an epoll and a
        SO_REUSEPORT listener each); server CPU µs per message, msg/s, peak RSS, and
        evloop's ratios (most loops / the first count, / tokio, / epoll).
  backends: evloop on epoll, poll and select, 100 active connections and 0 to 15,000
        idle ones; loop CPU ns per message delivered. About a minute per rep.
  server_models: fork-per-client, thread-per-client and evloop echo servers at 100,
        1,000 and 5,000 connections: msg/s, time to serve them all, memory, OS tasks.
        About a minute per rep.
  debug_cost: evloop with debug mode off and on, in the same run: the micro workloads
        (spawn_many, yield_many, ping_pong, chained_spawn, timers) and the echo
        server's CPU µs per message (pinned as in echo, the first --conns count,
        default 1000); each figure's medians and on/off. About 30 s per rep.
  --secs S     the measured window per run (default: echo 5, backends 2,
               server_models 3, debug_cost 3)
  --conns LIST echo, server_models and debug_cost: connection counts, comma-separated
               (default echo 1000,10000; server_models 100,1000,5000; debug_cost 1000)
  --loops LIST echo: loop counts, comma-separated (see echo --loops)
  --unpinned   echo --loops: evloop's loops on plain threads the scheduler places,
               instead of run_per_core's pinned ones (for a machine whose cores the
               load generator shares)";

/// The workloads that take minutes and run only when named (or with `all`).
const NAMED_ONLY: [&str; 4] = ["echo", "backends", "server_models", "debug_cost"];

struct Args {
    names: Vec<String>,
    reps: usize,
    json: Option<String>,
    svg: Option<String>,
    /// `--secs`, if given (each windowed workload has its own default).
    secs: Option<f64>,
    /// `--conns`, if given (echo and server_models have their own defaults).
    conns: Option<Vec<usize>>,
    /// `--loops`, if given: echo runs across cores with these loop counts.
    loops: Option<Vec<usize>>,
    /// `--unpinned`: those loops on plain threads, not pinned by `run_per_core`.
    unpinned: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        names: Vec::new(),
        reps: 5,
        json: None,
        svg: None,
        secs: None,
        conns: None,
        loops: None,
        unpinned: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reps" => {
                let v = it.next().ok_or("--reps needs a number")?;
                args.reps = v.parse().map_err(|_| format!("bad --reps {v:?}"))?;
                if args.reps == 0 {
                    return Err("--reps must be at least 1".into());
                }
            }
            "--json" => args.json = Some(it.next().ok_or("--json needs a file")?),
            "--svg" => args.svg = Some(it.next().ok_or("--svg needs a file")?),
            "--secs" => {
                let v = it.next().ok_or("--secs needs a number")?;
                let secs: f64 = v.parse().map_err(|_| format!("bad --secs {v:?}"))?;
                if !secs.is_finite() || secs <= 0.0 {
                    return Err("--secs must be positive".into());
                }
                args.secs = Some(secs);
            }
            "--conns" => {
                let v = it.next().ok_or("--conns needs a list")?;
                args.conns = Some(positive_list(&v).ok_or(format!("bad --conns {v:?}"))?);
            }
            "--loops" => {
                let v = it.next().ok_or("--loops needs a list")?;
                args.loops = Some(positive_list(&v).ok_or(format!("bad --loops {v:?}"))?);
            }
            "--unpinned" => args.unpinned = true,
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ => args.names.push(a),
        }
    }
    Ok(args)
}

/// The numbers of a comma-separated list, if every one is a positive integer.
fn positive_list(v: &str) -> Option<Vec<usize>> {
    v.split(',')
        .map(|c| c.trim().parse().ok().filter(|&c: &usize| c > 0))
        .collect()
}

/// The median figures of one workload.
struct Row {
    name: &'static str,
    unit: &'static str,
    medians: [f64; 4],
    ratio: f64,
}

/// The echo workload at one connection count.
struct EchoRow {
    conns: usize,
    /// Every server's median figures, in the order of [`SERVERS`] (and its system calls
    /// per message, from a counting run of its own).
    medians: [echo::Sample; SERVERS.len()],
    /// Every server's sample of each repetition, in the order of [`SERVERS`].
    samples: [Vec<echo::Sample>; SERVERS.len()],
}

/// The lateness of one sleep length on one runtime.
struct Precision {
    length_us: u128,
    runtime: &'static str,
    median_us: f64,
    p99_us: f64,
    min_us: f64,
}

fn main() -> ExitCode {
    if let Some(code) = workloads::backends::child_main() {
        return code;
    }
    let all = workloads::all();
    if let Some(fig) = child_mode(&all) {
        println!("{fig}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args() {
        Ok(a) => a,
        // `--help` (an empty message): the usage on stdout, success.
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let special = ["timer_precision", "remote_spawn", "all"];
    let known = |n: &str| {
        special.contains(&n) || NAMED_ONLY.contains(&n) || all.iter().any(|w| w.name == n)
    };
    if let Some(bad) = args.names.iter().find(|n| !known(n)) {
        eprintln!("error: unknown workload {bad}\n{USAGE}");
        return ExitCode::from(2);
    }
    let everything = args.names.iter().any(|a| a == "all");
    let chosen = |n: &str| {
        everything
            || (args.names.is_empty() && !NAMED_ONLY.contains(&n))
            || args.names.iter().any(|a| a == n)
    };
    if args.loops.is_some() && !chosen("echo") {
        eprintln!("error: --loops applies to the echo workload, which is not chosen\n{USAGE}");
        return ExitCode::from(2);
    }
    if args.unpinned && args.loops.is_none() {
        eprintln!("error: --unpinned applies to echo --loops, which is not given\n{USAGE}");
        return ExitCode::from(2);
    }
    let mut bins = Vec::new();
    if chosen("echo") {
        bins.extend(echo::binaries());
    }
    if chosen("server_models") {
        bins.extend(server_models::binaries());
    }
    if chosen("debug_cost") {
        bins.extend(debug_cost::BINARIES);
    }
    if !bins.is_empty() {
        if let Err(e) = echo::build_binaries(&bins) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    let selected: Vec<_> = all.iter().filter(|w| chosen(w.name)).collect();

    // samples[workload][runtime] = one figure per repetition
    let mut samples = vec![[(); 4].map(|_| Vec::new()); selected.len()];
    for rep in 0..args.reps {
        if !selected.is_empty() {
            eprintln!("rep {}/{}", rep + 1, args.reps);
        }
        for (wi, w) in selected.iter().enumerate() {
            for k in 0..4 {
                let ri = (k + rep) % 4;
                let fig = if w.isolated {
                    in_child(w.name, ri)
                } else {
                    (w.runs[ri])()
                };
                samples[wi][ri].push(fig);
            }
        }
    }

    let rows: Vec<Row> = selected
        .iter()
        .zip(&samples)
        .map(|(w, s)| {
            let medians = [0, 1, 2, 3].map(|r| median(&s[r]));
            let best_peer = medians[1..].iter().copied().fold(f64::INFINITY, f64::min);
            Row {
                name: w.name,
                unit: w.unit,
                medians,
                ratio: medians[0] / best_peer,
            }
        })
        .collect();

    let mut precision = Vec::new();
    if chosen("timer_precision") {
        eprintln!("timer_precision");
        for d in workloads::timer_precision::LENGTHS {
            for (ri, run) in workloads::PRECISION.iter().enumerate() {
                let late = run(d);
                precision.push(Precision {
                    length_us: d.as_micros(),
                    runtime: NAMES[ri],
                    median_us: median(&late),
                    p99_us: percentile(&late, 99.0),
                    min_us: late.iter().copied().fold(f64::INFINITY, f64::min),
                });
            }
        }
    }

    let remote_row = chosen("remote_spawn").then(|| remote_spawn::run_all(args.reps));

    let loop_servers = args
        .loops
        .as_deref()
        .map(|loops| echo_loops::servers(loops, args.unpinned));
    let echo_secs = args.secs.unwrap_or(5.0);
    let loop_rows = match &loop_servers {
        Some(servers) if chosen("echo") => {
            let conns = args.conns.clone().unwrap_or(vec![1_000, 10_000]);
            match echo_loops::run_all(servers, args.reps, &conns, echo_secs) {
                Ok(rows) => rows,
                Err(e) => {
                    eprintln!("error: echo --loops: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => Vec::new(),
    };
    let echo_rows = if chosen("echo") && loop_servers.is_none() {
        match run_echo(&args) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: echo: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Vec::new()
    };
    let backends_secs = args.secs.unwrap_or(backends::DEFAULT_SECS);
    let backend_rows = if chosen("backends") {
        match backends::run_all(args.reps, backends_secs) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: backends: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Vec::new()
    };
    let models_secs = args.secs.unwrap_or(server_models::DEFAULT_SECS);
    let model_rows = if chosen("server_models") {
        let conns = args
            .conns
            .clone()
            .unwrap_or(server_models::DEFAULT_CONNS.to_vec());
        match server_models::run_all(args.reps, &conns, models_secs) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: server_models: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Vec::new()
    };

    let debug_rows = if chosen("debug_cost") {
        let conns = args.conns.as_ref().map_or(1_000, |c| c[0]);
        match debug_cost::run_all(args.reps, conns, args.secs.unwrap_or(3.0)) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: debug_cost: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Vec::new()
    };

    print!("{}", render_tables(&rows, &precision, args.reps));
    if let Some(row) = &remote_row {
        print!("{}", remote_spawn::render_table(row, args.reps));
    }
    print!("{}", render_echo(&echo_rows, &args));
    if let (Some(servers), false) = (&loop_servers, loop_rows.is_empty()) {
        print!(
            "{}",
            echo_loops::render_table(&loop_rows, servers, args.reps, echo_secs)
        );
    }
    if !backend_rows.is_empty() {
        print!(
            "{}",
            backends::render_table(&backend_rows, args.reps, backends_secs)
        );
    }
    if !model_rows.is_empty() {
        print!(
            "{}",
            server_models::render_table(&model_rows, args.reps, models_secs)
        );
    }
    if !debug_rows.is_empty() {
        print!("{}", debug_cost::render_table(&debug_rows, args.reps));
    }
    let mut outputs = Vec::new();
    if let Some(path) = &args.json {
        let mut extra = Vec::new();
        if let Some(row) = &remote_row {
            extra.push(("remote_spawn", remote_spawn::render_json(row)));
        }
        if let (Some(servers), false) = (&loop_servers, loop_rows.is_empty()) {
            extra.push(("echo_loops", echo_loops::render_json(&loop_rows, servers)));
        }
        if !backend_rows.is_empty() {
            extra.push(("backends", backends::render_json(&backend_rows)));
        }
        if !model_rows.is_empty() {
            extra.push(("server_models", server_models::render_json(&model_rows)));
        }
        let json = render_json(&rows, &echo_rows, &precision, args.reps, &extra);
        outputs.push((path.clone(), json));
    }
    if let Some(path) = &args.svg {
        if !rows.is_empty() || !echo_rows.is_empty() {
            outputs.push((path.clone(), render_svg(&rows, &echo_rows, args.reps)));
        }
        let stem = path.strip_suffix(".svg").unwrap_or(path);
        if !backend_rows.is_empty() {
            let svg = backends::render_svg(&backend_rows, args.reps);
            outputs.push((format!("{stem}-backends.svg"), svg));
        }
        if !model_rows.is_empty() {
            let svg = server_models::render_svg(&model_rows, args.reps);
            outputs.push((format!("{stem}-server_models.svg"), svg));
        }
    }
    for (path, text) in outputs {
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: writing {path}: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {path}");
    }
    ExitCode::SUCCESS
}

/// Runs the echo workload: per repetition, per connection count, every server once (in
/// an order that rotates between repetitions); returns the medians.
fn run_echo(args: &Args) -> std::io::Result<Vec<EchoRow>> {
    let conn_counts = args.conns.clone().unwrap_or(vec![1_000, 10_000]);
    let secs = args.secs.unwrap_or(5.0);
    // samples[conns index][server] = one sample per repetition
    let mut samples = vec![[(); SERVERS.len()].map(|_| Vec::new()); conn_counts.len()];
    for rep in 0..args.reps {
        for (ci, &conns) in conn_counts.iter().enumerate() {
            for k in 0..SERVERS.len() {
                let si = (k + rep) % SERVERS.len();
                let server = &SERVERS[si];
                eprintln!(
                    "echo rep {}/{}: {} with {conns} connections",
                    rep + 1,
                    args.reps,
                    server.name
                );
                samples[ci][si].push(echo::run(server, conns, secs, false)?);
            }
        }
    }
    // System calls per message, counted by `perf stat` in runs of their own (its
    // tracepoint slows the server, which must not show in the CPU figures).
    let mut syscalls = vec![[f64::NAN; SERVERS.len()]; conn_counts.len()];
    if echo::perf_available() {
        for (ci, &conns) in conn_counts.iter().enumerate() {
            for (si, server) in SERVERS.iter().enumerate() {
                eprintln!(
                    "echo syscall count: {} with {conns} connections",
                    server.name
                );
                let counted = echo::run(server, conns, secs.min(3.0), true)?;
                syscalls[ci][si] = counted.syscalls_per_msg;
            }
        }
    } else {
        eprintln!("echo: perf is missing, system calls per message not counted");
    }
    Ok(conn_counts
        .iter()
        .zip(&samples)
        .zip(&syscalls)
        .map(|((&conns, s), counted)| {
            let medians: [echo::Sample; SERVERS.len()] = std::array::from_fn(|i| {
                let of =
                    |f: fn(&echo::Sample) -> f64| median(&s[i].iter().map(f).collect::<Vec<_>>());
                echo::Sample {
                    msgs_per_sec: of(|x| x.msgs_per_sec),
                    cpu_us_per_msg: of(|x| x.cpu_us_per_msg),
                    peak_rss_mib: of(|x| x.peak_rss_mib),
                    syscalls_per_msg: counted[i],
                }
            });
            EchoRow {
                conns,
                medians,
                samples: s.clone(),
            }
        })
        .collect())
}

/// An echo figure: its table label, JSON key, accessor, decimals shown, and whether it
/// is a cost (lower is better).
type EchoFigure = (
    &'static str,
    &'static str,
    fn(&echo::Sample) -> f64,
    usize,
    bool,
);

/// The echo figures, in table order.
const ECHO_FIGURES: [EchoFigure; 4] = [
    (
        "µs CPU/msg",
        "cpu_us_per_msg",
        |x| x.cpu_us_per_msg,
        2,
        true,
    ),
    ("msg/s", "msgs_per_sec", |x| x.msgs_per_sec, 0, false),
    ("peak RSS MiB", "peak_rss_mib", |x| x.peak_rss_mib, 1, true),
    (
        "syscalls/msg",
        "syscalls_per_msg",
        |x| x.syscalls_per_msg,
        2,
        true,
    ),
];

/// The median over repetitions of server `who`'s figure divided by `peer`'s in the same
/// repetition: runs close in time share the machine's load, so the paired ratio is
/// steadier than the ratio of the medians. A figure the repetitions do not carry (the
/// system calls, counted once) is compared by its medians, through `peer(None)`.
fn paired_ratio(
    r: &EchoRow,
    who: usize,
    f: fn(&echo::Sample) -> f64,
    peer: impl Fn(Option<usize>) -> f64,
) -> f64 {
    if r.samples[who].first().is_none_or(|s| f(s).is_nan()) {
        return f(&r.medians[who]) / peer(None);
    }
    let ratios: Vec<f64> = r.samples[who]
        .iter()
        .enumerate()
        .map(|(rep, s)| f(s) / peer(Some(rep)))
        .collect();
    median(&ratios)
}

/// [`paired_ratio`] of server `who` (evloop on epoll or on io_uring) against the epoll
/// floor and against the better of tokio's two flavours in each repetition
/// (`lower_better`: whether the figure is a cost).
fn ratios(r: &EchoRow, who: usize, f: fn(&echo::Sample) -> f64, lower_better: bool) -> (f64, f64) {
    let of = |server: usize, rep: Option<usize>| match rep {
        Some(rep) => f(&r.samples[server][rep]),
        None => f(&r.medians[server]),
    };
    let floor = paired_ratio(r, who, f, |rep| of(FLOOR, rep));
    let tokio = paired_ratio(r, who, f, |rep| {
        let (a, b) = (of(TOKIO[0], rep), of(TOKIO[1], rep));
        if lower_better {
            a.min(b)
        } else {
            a.max(b)
        }
    });
    (floor, tokio)
}

fn render_echo(rows: &[EchoRow], args: &Args) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        return out;
    }
    let names: Vec<&str> = SERVERS.iter().map(|s| s.name).collect();
    let _ = writeln!(
        out,
        "\necho: {}-byte messages, {} s per run, median of {} reps; server on core 0, load \
         generator on core 1;\nratios: evloop (on epoll, and on io_uring) / epoll floor and / the better of \
         tokio and tokio-local, each the median over reps of the ratio within a rep;\nsyscalls/msg: \
         perf stat -e raw_syscalls:sys_enter over a run of its own per server (ratios of those counts)\n",
        echo::MESSAGE_SIZE,
        args.secs.unwrap_or(5.0),
        args.reps
    );
    let _ = writeln!(
        out,
        "| conns | figure | {} | evloop / epoll | uring / epoll | evloop / tokio | uring / tokio |",
        names.join(" | ")
    );
    let _ = writeln!(
        out,
        "|---:|---|{}---:|---:|---:|---:|",
        "---:|".repeat(names.len())
    );
    for r in rows {
        for (label, _, f, digits, lower_better) in ECHO_FIGURES {
            let cells: Vec<String> = r
                .medians
                .iter()
                .map(|m| match f(m) {
                    x if x.is_nan() => "-".to_string(),
                    x => format!("{x:.digits$}"),
                })
                .collect();
            let (floor, tokio) = ratios(r, 0, f, lower_better);
            let (u_floor, u_tokio) = ratios(r, URING, f, lower_better);
            let _ = writeln!(
                out,
                "| {} | {label} | {} | {floor:.3} | {u_floor:.3} | {tokio:.3} | {u_tokio:.3} |",
                r.conns,
                cells.join(" | "),
            );
        }
    }
    out
}

/// `--child WORKLOAD RUNTIME_INDEX` (internal): runs one measurement and prints it.
fn child_mode(all: &[workloads::Workload]) -> Option<f64> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("--child") {
        return None;
    }
    let w = all
        .iter()
        .find(|w| Some(w.name) == args.get(1).map(String::as_str))?;
    let ri: usize = args.get(2)?.parse().ok()?;
    Some((w.runs.get(ri)?)())
}

/// Runs one measurement of `name` on runtime `ri` in a fresh process; NaN on failure.
fn in_child(name: &str, ri: usize) -> f64 {
    // `/proc/self/exe`, not `current_exe()`: the running binary's own inode, even if a
    // rebuild has replaced the file on disk meanwhile.
    let out = std::process::Command::new("/proc/self/exe")
        .args(["--child", name, &ri.to_string()])
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse()
            .unwrap_or(f64::NAN),
        Ok(o) => {
            eprintln!("{name} on {} failed: {}", NAMES[ri], o.status);
            f64::NAN
        }
        Err(e) => {
            eprintln!("{name} on {}: cannot start a child: {e}", NAMES[ri]);
            f64::NAN
        }
    }
}

fn render_tables(rows: &[Row], precision: &[Precision], reps: usize) -> String {
    let mut out = String::new();
    if !rows.is_empty() {
        let _ = writeln!(
            out,
            "median of {reps} reps; ratio = evloop / best peer (< 1: evloop is better)\n"
        );
        let _ = writeln!(out, "| workload | unit | {} | ratio |", NAMES.join(" | "));
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
        for r in rows {
            let cells: Vec<String> = r.medians.iter().map(|m| format!("{m:.1}")).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} |",
                r.name,
                r.unit,
                cells.join(" | "),
                r.ratio
            );
        }
    }
    if !precision.is_empty() {
        let _ = writeln!(
            out,
            "\ntimer_precision: lateness in µs over {} sleeps, median / p99 (min)\n",
            workloads::timer_precision::SAMPLES
        );
        let _ = writeln!(out, "| sleep | {} |", NAMES.join(" | "));
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|");
        for chunk in precision.chunks(4) {
            let cells: Vec<String> = chunk
                .iter()
                .map(|p| format!("{:.0} / {:.0} ({:.0})", p.median_us, p.p99_us, p.min_us))
                .collect();
            let _ = writeln!(out, "| {} µs | {} |", chunk[0].length_us, cells.join(" | "));
        }
    }
    out
}

fn json_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "null".into()
    }
}

/// The medians as JSON; `extra` holds further sections (name, JSON value) to append.
fn render_json(
    rows: &[Row],
    echo_rows: &[EchoRow],
    precision: &[Precision],
    reps: usize,
    extra: &[(&str, String)],
) -> String {
    let mut out = format!("{{\n  \"reps\": {reps},\n  \"workloads\": [");
    for (i, r) in rows.iter().enumerate() {
        let medians: Vec<String> = NAMES
            .iter()
            .zip(r.medians)
            .map(|(n, m)| format!("\"{n}\": {}", json_num(m)))
            .collect();
        let _ = write!(
            out,
            "{}\n    {{\"name\": \"{}\", \"unit\": \"{}\", \"median\": {{{}}}, \"ratio\": {}}}",
            if i == 0 { "" } else { "," },
            r.name,
            r.unit,
            medians.join(", "),
            json_num(r.ratio)
        );
    }
    out.push_str("\n  ],\n  \"echo\": [");
    let mut first = true;
    for r in echo_rows {
        for (server, m) in SERVERS.iter().zip(&r.medians) {
            let _ = write!(
                out,
                "{}\n    {{\"conns\": {}, \"server\": \"{}\", \"msgs_per_sec\": {}, \"cpu_us_per_msg\": {}, \"peak_rss_mib\": {}, \"syscalls_per_msg\": {}}}",
                if first { "" } else { "," },
                r.conns,
                server.name,
                json_num(m.msgs_per_sec),
                json_num(m.cpu_us_per_msg),
                json_num(m.peak_rss_mib),
                json_num(m.syscalls_per_msg)
            );
            first = false;
        }
    }
    out.push_str("\n  ],\n  \"echo_ratios\": [");
    let mut first = true;
    for r in echo_rows {
        for (_, key, f, _, lower_better) in ECHO_FIGURES {
            let (floor, tokio) = ratios(r, 0, f, lower_better);
            let (u_floor, u_tokio) = ratios(r, URING, f, lower_better);
            let _ = write!(
                out,
                "{}\n    {{\"conns\": {}, \"figure\": \"{key}\", \"evloop_vs_epoll\": {}, \"evloop_vs_tokio\": {}, \"uring_vs_epoll\": {}, \"uring_vs_tokio\": {}}}",
                if first { "" } else { "," },
                r.conns,
                json_num(floor),
                json_num(tokio),
                json_num(u_floor),
                json_num(u_tokio)
            );
            first = false;
        }
    }
    out.push_str("\n  ],\n  \"timer_precision\": [");
    for (i, p) in precision.iter().enumerate() {
        let _ = write!(
            out,
            "{}\n    {{\"sleep_us\": {}, \"runtime\": \"{}\", \"median_late_us\": {}, \"p99_late_us\": {}, \"min_late_us\": {}}}",
            if i == 0 { "" } else { "," },
            p.length_us,
            p.runtime,
            json_num(p.median_us),
            json_num(p.p99_us),
            json_num(p.min_us)
        );
    }
    out.push_str("\n  ]");
    for (name, value) in extra {
        let _ = write!(out, ",\n  \"{name}\": {value}");
    }
    out.push_str("\n}\n");
    out
}

/// The chart of every single-figure workload and of the echo server's CPU per message and
/// peak RSS, each runtime relative to evloop.
fn render_svg(rows: &[Row], echo_rows: &[EchoRow], reps: usize) -> String {
    let mut groups: Vec<chart::Group> = rows
        .iter()
        .map(|r| chart::Group {
            label: format!("{} (evloop {:.1} {})", r.name, r.medians[0], r.unit),
            bars: NAMES.iter().copied().zip(r.medians).collect(),
        })
        .collect();
    for r in echo_rows {
        type Figure = (&'static str, &'static str, fn(&echo::Sample) -> f64);
        let figures: [Figure; 2] = [
            ("CPU/msg", "µs", |x| x.cpu_us_per_msg),
            ("peak RSS", "MiB", |x| x.peak_rss_mib),
        ];
        for (what, unit, f) in figures {
            groups.push(chart::Group {
                label: format!(
                    "echo {}c {what} (evloop {:.2} {unit})",
                    r.conns,
                    f(&r.medians[0])
                ),
                bars: SERVERS
                    .iter()
                    .map(|s| s.name)
                    .zip(r.medians.iter().map(f))
                    .collect(),
            });
        }
    }
    chart::render(
        &format!("Each runtime's figure / evloop's (median of {reps} reps; lower is better)"),
        &groups,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(cpu: f64) -> echo::Sample {
        echo::Sample {
            msgs_per_sec: 1.0 / cpu,
            cpu_us_per_msg: cpu,
            peak_rss_mib: 1.0,
            syscalls_per_msg: f64::NAN,
        }
    }

    #[test]
    fn echo_ratios_pair_runs_of_the_same_repetition() {
        // Rep 0 ran on a quiet machine, rep 1 on a busy one: evloop is 10 % above the
        // floor in both, which the median of per-rep ratios says and the ratio of
        // medians would not.
        let evloop = vec![sample(1.1), sample(2.2), sample(2.2)];
        let floor = vec![sample(1.0), sample(2.0), sample(2.0)];
        let tokio = vec![sample(1.2), sample(2.4), sample(2.4)];
        let local = vec![sample(1.3), sample(2.2), sample(2.6)];
        let uring = vec![sample(0.9), sample(1.8), sample(1.9)];
        let mut medians = [sample(0.0); SERVERS.len()];
        medians[0].syscalls_per_msg = 2.0;
        medians[URING].syscalls_per_msg = 0.25;
        medians[FLOOR].syscalls_per_msg = 2.5;
        let row = EchoRow {
            conns: 1,
            medians,
            samples: [evloop, uring, tokio, local, floor.clone(), floor],
        };
        let (vs_floor, vs_tokio) = ratios(&row, 0, |x| x.cpu_us_per_msg, true);
        assert!((vs_floor - 1.1).abs() < 1e-9, "{vs_floor}");
        // Per rep against the cheaper tokio flavour: 1.1/1.2, 2.2/2.2, 2.2/2.4.
        assert!((vs_tokio - 2.2 / 2.4).abs() < 1e-9, "{vs_tokio}");
        // For a figure where higher is better, the better flavour is the larger one:
        // per rep 1.2/1.1, 2.2/2.2, 2.4/2.2.
        let (_, tput) = ratios(&row, 0, |x| x.msgs_per_sec, false);
        assert!((tput - 1.2 / 1.1).abs() < 1e-9, "{tput}");
        // io_uring's column: per rep 0.9/1.0, 1.8/2.0, 1.9/2.0.
        let (u_floor, _) = ratios(&row, URING, |x| x.cpu_us_per_msg, true);
        assert!((u_floor - 0.9).abs() < 1e-9, "{u_floor}");
        // System calls, counted once per server: the ratio of those counts.
        let (calls, _) = ratios(&row, URING, |x| x.syscalls_per_msg, true);
        assert!((calls - 0.1).abs() < 1e-9, "{calls}");
    }
}
