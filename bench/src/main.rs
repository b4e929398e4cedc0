//! evloop's side-by-side benchmarks against tokio (current_thread, `spawn` and
//! `LocalSet::spawn_local`) and smol (`LocalExecutor`).
//!
//! `cargo run --release -p evloop-bench -- [workload...] [--reps N] [--json FILE]`
//!
//! Runtimes are interleaved within each repetition (their order rotates from one
//! repetition to the next); the table shows the median over repetitions.

mod runtimes;
mod util;
mod workloads;

use runtimes::NAMES;
use std::fmt::Write as _;
use std::process::ExitCode;
use util::{median, percentile};

const USAGE: &str = "usage: evloop-bench [workload...] [--reps N] [--json FILE]
workloads: spawn_many yield_many ping_pong chained_spawn timers idle_tasks_memory timer_precision (default: all)";

struct Args {
    names: Vec<String>,
    reps: usize,
    json: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        names: Vec::new(),
        reps: 5,
        json: None,
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
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ => args.names.push(a),
        }
    }
    Ok(args)
}

/// The median figures of one workload.
struct Row {
    name: &'static str,
    unit: &'static str,
    medians: [f64; 4],
    ratio: f64,
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
    let all = workloads::all();
    if let Some(fig) = child_mode(&all) {
        println!("{fig}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let known = |n: &str| n == "timer_precision" || all.iter().any(|w| w.name == n);
    if let Some(bad) = args.names.iter().find(|n| !known(n)) {
        eprintln!("error: unknown workload {bad}\n{USAGE}");
        return ExitCode::from(2);
    }
    let chosen = |n: &str| args.names.is_empty() || args.names.iter().any(|a| a == n);
    let selected: Vec<_> = all.iter().filter(|w| chosen(w.name)).collect();

    // samples[workload][runtime] = one figure per repetition
    let mut samples = vec![[(); 4].map(|_| Vec::new()); selected.len()];
    for rep in 0..args.reps {
        eprintln!("rep {}/{}", rep + 1, args.reps);
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

    print!("{}", render_tables(&rows, &precision, args.reps));
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, render_json(&rows, &precision, args.reps)) {
            eprintln!("error: writing {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
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
    let out = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .args(["--child", name, &ri.to_string()])
            .output()
    });
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

fn render_json(rows: &[Row], precision: &[Precision], reps: usize) -> String {
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
    out.push_str("\n  ]\n}\n");
    out
}
