//! `debug_cost`: what debug mode (`EVLOOP_DEBUG=1`, `Builder::debug(true)`) costs, in
//! one run: the micro workloads on evloop with debug mode off and on, interleaved in each
//! repetition, and the echo server's CPU per message with it off and on (the one-core
//! setup of the `echo` workload, 1,000 connections unless `--conns` says otherwise).
//!
//! Debug mode times every poll (on the kernel's tick clock for the default threshold),
//! keeps each task's record and wait sites, and serves dumps to `evloop-ps`; the figures
//! say what that costs a loop doing nothing but switching tasks, and a loop serving
//! sockets. The cost of debug mode being off (the checks it leaves on the hot paths) is
//! measured against the tree without them: instruction counts, in the report of the
//! change that added it.

use std::fmt::Write as _;
use std::io;

use super::echo::{self, Launch, Placement};
use super::{chained_spawn, ping_pong, spawn_many, timers, yield_many};
use crate::runtimes::{Evloop, EvloopDebug};
use crate::util::median;

/// One micro workload, run with debug mode off and on.
struct Micro {
    /// Its name, as in the main table.
    name: &'static str,
    /// Its unit.
    unit: &'static str,
    /// Off, then on.
    runs: [fn() -> f64; 2],
}

/// The micro workloads compared.
const MICRO: [Micro; 5] = [
    Micro {
        name: "spawn_many",
        unit: "ns/task",
        runs: [spawn_many::run::<Evloop>, spawn_many::run::<EvloopDebug>],
    },
    Micro {
        name: "yield_many",
        unit: "ns/yield",
        runs: [yield_many::run::<Evloop>, yield_many::run::<EvloopDebug>],
    },
    Micro {
        name: "ping_pong",
        unit: "ns/wake",
        runs: [ping_pong::run::<Evloop>, ping_pong::run::<EvloopDebug>],
    },
    Micro {
        name: "chained_spawn",
        unit: "ns/spawn",
        runs: [
            chained_spawn::run::<Evloop>,
            chained_spawn::run::<EvloopDebug>,
        ],
    },
    Micro {
        name: "timers",
        unit: "ns/timer",
        runs: [timers::run::<Evloop>, timers::run::<EvloopDebug>],
    },
];

/// The binaries the echo half needs.
pub const BINARIES: [&str; 2] = ["evloop_echo_server", "echo_load"];

/// One line of the table: a figure's medians with debug mode off and on.
pub struct Row {
    /// What was measured.
    pub name: String,
    /// Its unit.
    pub unit: &'static str,
    /// Median with debug mode off.
    pub off: f64,
    /// Median with debug mode on.
    pub on: f64,
}

/// Runs every comparison `reps` times, off and on alternating first; the echo half with
/// `conns` connections for `secs` a run.
pub fn run_all(reps: usize, conns: usize, secs: f64) -> io::Result<Vec<Row>> {
    let mut micro = vec![[Vec::new(), Vec::new()]; MICRO.len()];
    let mut cpu = [Vec::new(), Vec::new()];
    for rep in 0..reps {
        eprintln!("debug_cost rep {}/{}", rep + 1, reps);
        for (w, samples) in MICRO.iter().zip(&mut micro) {
            for k in 0..2 {
                let on = (k + rep) % 2;
                samples[on].push((w.runs[on])());
            }
        }
        for k in 0..2 {
            let on = (k + rep) % 2;
            let args: &[&str] = if on == 1 { &["--debug"] } else { &[] };
            let launch = Launch {
                bin: BINARIES[0],
                args,
                env: &[],
                placement: Placement::Pinned,
            };
            let sample = echo::measure(&launch, conns, secs, false)?;
            cpu[on].push(sample.cpu_us_per_msg);
        }
    }
    let mut rows: Vec<Row> = MICRO
        .iter()
        .zip(&micro)
        .map(|(w, [off, on])| Row {
            name: w.name.to_string(),
            unit: w.unit,
            off: median(off),
            on: median(on),
        })
        .collect();
    rows.push(Row {
        name: format!("echo, {conns} conns"),
        unit: "cpu µs/msg",
        off: median(&cpu[0]),
        on: median(&cpu[1]),
    });
    Ok(rows)
}

/// The table of `rows`.
pub fn render_table(rows: &[Row], reps: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ndebug mode's cost: evloop with debug mode off and on, medians of {reps} rep(s), same run"
    );
    let _ = writeln!(
        out,
        "{:<20} {:>10} {:>10} {:>10} {:>8}",
        "workload", "unit", "off", "on", "on/off"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:<20} {:>10} {:>10.2} {:>10.2} {:>7.2}x",
            row.name,
            row.unit,
            row.off,
            row.on,
            row.on / row.off
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_each_ratio() {
        let rows = [Row {
            name: "yield_many".into(),
            unit: "ns/yield",
            off: 20.0,
            on: 25.0,
        }];
        let table = render_table(&rows, 3);
        assert!(table.contains("medians of 3 rep(s)"));
        let line = table.lines().find(|l| l.starts_with("yield_many")).unwrap();
        assert!(line.ends_with("1.25x"), "{line}");
    }
}
