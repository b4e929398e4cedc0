//! `echo --loops 1,2`: the echo workload across cores. evloop on each loop count given
//! (`evloop_echo_server --loops N`: `run_per_core(N)`, one `SO_REUSEPORT` listener per
//! loop), against tokio's multi_thread runtime with as many workers as the largest count
//! (`tokio_echo_server --workers N`) and the raw epoll floor with as many threads (each its
//! own epoll and `SO_REUSEPORT` listener: `epoll_echo_server --threads N`).
//!
//! The same load generator and figures as the one-core `echo` (server CPU per message over
//! the window, msgs/s, peak RSS), but nothing is pinned by the harness: a server with a
//! loop per core needs every core, so on a 2-core machine there is no core left to give
//! the load generator alone, and pinning the server's process to one core would put all
//! of `run_per_core`'s loops on that core (it places loops within the process's CPU set).
//! `run_per_core` itself pins each evloop loop to its own core, as it does for users; the
//! load generator and tokio's workers go where the scheduler puts them.
//!
//! Traps: the load generator (one thread) competes with the server for the same cores,
//! so msgs/s is what the machine gives both, not the server's ceiling; with 2 cores and 3
//! busy threads, the figures move more between runs than the pinned ones.

use std::fmt::Write as _;
use std::io;

use super::echo::{self, Launch, Placement, Sample};
use crate::util::median;

/// One server of the comparison.
pub struct Server {
    /// The column name (and JSON key).
    pub name: String,
    /// Its binary, next to the harness's own.
    bin: &'static str,
    /// Its arguments.
    args: Vec<String>,
    /// Its loops, workers or threads.
    count: usize,
}

/// The servers for the loop counts `loops` (in the order given): evloop on each (its loops
/// pinned by `run_per_core`, or on plain threads if `unpinned`), then tokio multi_thread
/// and the epoll floor with the largest count.
pub fn servers(loops: &[usize], unpinned: bool) -> Vec<Server> {
    let most = loops.iter().copied().max().unwrap_or(1);
    let mut servers: Vec<Server> = loops
        .iter()
        .map(|&n| Server {
            name: format!("evloop-{n}"),
            bin: "evloop_echo_server",
            args: ["--loops".to_string(), n.to_string()]
                .into_iter()
                .chain(unpinned.then(|| "--unpinned".to_string()))
                .collect(),
            count: n,
        })
        .collect();
    servers.push(Server {
        name: format!("tokio-mt-{most}"),
        bin: "tokio_echo_server",
        args: vec!["--workers".into(), most.to_string()],
        count: most,
    });
    servers.push(Server {
        name: format!("epoll-{most}"),
        bin: "epoll_echo_server",
        args: vec!["--threads".into(), most.to_string()],
        count: most,
    });
    servers
}

/// The comparison at one connection count.
pub struct Row {
    /// Connections.
    pub conns: usize,
    /// Every server's median figures, in the order of [`servers`].
    pub medians: Vec<Sample>,
    /// Every server's sample of each repetition, in the order of [`servers`].
    pub samples: Vec<Vec<Sample>>,
}

/// Runs every server at every connection count `reps` times, servers in an order that
/// rotates between repetitions; returns the medians.
pub fn run_all(
    servers: &[Server],
    reps: usize,
    conn_counts: &[usize],
    secs: f64,
) -> io::Result<Vec<Row>> {
    let mut samples = vec![vec![Vec::new(); servers.len()]; conn_counts.len()];
    for rep in 0..reps {
        for (ci, &conns) in conn_counts.iter().enumerate() {
            for k in 0..servers.len() {
                let si = (k + rep) % servers.len();
                let server = &servers[si];
                eprintln!(
                    "echo --loops rep {}/{reps}: {} with {conns} connections",
                    rep + 1,
                    server.name
                );
                let launch = Launch {
                    bin: server.bin,
                    args: &server.args,
                    env: &[],
                    placement: Placement::Unpinned,
                };
                let sample = echo::measure(&launch, conns, secs, false)?;
                samples[ci][si].push(sample);
            }
        }
    }
    Ok(conn_counts
        .iter()
        .zip(samples)
        .map(|(&conns, samples)| Row {
            conns,
            medians: samples.iter().map(|s| medians(s)).collect(),
            samples,
        })
        .collect())
}

/// The median of each figure over `samples` (system calls are not counted here).
fn medians(samples: &[Sample]) -> Sample {
    let of = |f: fn(&Sample) -> f64| median(&samples.iter().map(f).collect::<Vec<_>>());
    Sample {
        msgs_per_sec: of(|x| x.msgs_per_sec),
        cpu_us_per_msg: of(|x| x.cpu_us_per_msg),
        peak_rss_mib: of(|x| x.peak_rss_mib),
        syscalls_per_msg: f64::NAN,
    }
}

/// A figure of the table: its label, JSON key, accessor and decimals shown.
type Figure = (&'static str, &'static str, fn(&Sample) -> f64, usize);

/// The figures, in table order.
const FIGURES: [Figure; 3] = [
    ("µs CPU/msg", "cpu_us_per_msg", |x| x.cpu_us_per_msg, 2),
    ("msg/s", "msgs_per_sec", |x| x.msgs_per_sec, 0),
    ("peak RSS MiB", "peak_rss_mib", |x| x.peak_rss_mib, 1),
];

/// The ratios shown: (numerator, denominator) indices in `servers` (as [`servers`] made
/// them: the evloop ones, then tokio, then epoll). evloop with the most loops over evloop
/// with the first count given (when more than one is), over tokio multi_thread, and over
/// the epoll floor.
fn ratio_pairs(servers: &[Server]) -> Vec<(usize, usize)> {
    let evloops = servers.len() - 2;
    let top = (0..evloops).max_by_key(|&i| servers[i].count).unwrap_or(0);
    let mut pairs = Vec::new();
    if evloops > 1 {
        pairs.push((top, if top == 0 { 1 } else { 0 }));
    }
    pairs.push((top, evloops));
    pairs.push((top, evloops + 1));
    pairs
}

/// The median over repetitions of `f` of server `a` divided by `f` of server `b` in the
/// same repetition (runs close in time share the machine's load).
fn paired_ratio(row: &Row, f: fn(&Sample) -> f64, (a, b): (usize, usize)) -> f64 {
    let ratios: Vec<f64> = row.samples[a]
        .iter()
        .zip(&row.samples[b])
        .map(|(x, y)| f(x) / f(y))
        .collect();
    median(&ratios)
}

/// The table: per connection count and figure, every server's median and the ratios.
pub fn render_table(rows: &[Row], servers: &[Server], reps: usize, secs: f64) -> String {
    let mut out = String::new();
    let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
    let pairs = ratio_pairs(servers);
    let unpinned = servers
        .iter()
        .any(|s| s.args.iter().any(|a| a == "--unpinned"));
    let placement = if unpinned {
        "--unpinned: evloop's loops on plain threads the scheduler places"
    } else {
        "run_per_core pins each evloop loop to its core"
    };
    let _ = writeln!(
        out,
        "\necho --loops: {}-byte messages, {secs} s per run, median of {reps} reps; nothing \
         pinned by the harness ({placement});\n\
         evloop-N: N loops, tokio-mt-N: multi_thread with N workers, \
         epoll-N: N threads with an epoll and SO_REUSEPORT listener each;\n\
         ratios: the median over reps of the ratio within a rep\n",
        echo::MESSAGE_SIZE
    );
    let ratio_names: Vec<String> = pairs
        .iter()
        .map(|&(a, b)| format!("{} / {}", names[a], names[b]))
        .collect();
    let _ = writeln!(
        out,
        "| conns | figure | {} | {} |",
        names.join(" | "),
        ratio_names.join(" | ")
    );
    let _ = writeln!(
        out,
        "|---:|---|{}",
        "---:|".repeat(names.len() + ratio_names.len())
    );
    for r in rows {
        for (label, _, f, digits) in FIGURES {
            let cells: Vec<String> = r
                .medians
                .iter()
                .map(|m| format!("{:.*}", digits, f(m)))
                .collect();
            let ratios: Vec<String> = pairs
                .iter()
                .map(|&p| format!("{:.3}", paired_ratio(r, f, p)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {label} | {} | {} |",
                r.conns,
                cells.join(" | "),
                ratios.join(" | ")
            );
        }
    }
    out
}

/// The medians and ratios as a JSON object.
pub fn render_json(rows: &[Row], servers: &[Server]) -> String {
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x:.3}")
        } else {
            "null".into()
        }
    };
    let mut out = String::from("{\n    \"medians\": [");
    let mut first = true;
    for r in rows {
        for (server, m) in servers.iter().zip(&r.medians) {
            let _ = write!(
                out,
                "{}\n      {{\"conns\": {}, \"server\": \"{}\", \"msgs_per_sec\": {}, \"cpu_us_per_msg\": {}, \"peak_rss_mib\": {}}}",
                if first { "" } else { "," },
                r.conns,
                server.name,
                num(m.msgs_per_sec),
                num(m.cpu_us_per_msg),
                num(m.peak_rss_mib)
            );
            first = false;
        }
    }
    out.push_str("\n    ],\n    \"ratios\": [");
    let mut first = true;
    for r in rows {
        for (_, key, f, _) in FIGURES {
            for (a, b) in ratio_pairs(servers) {
                let _ = write!(
                    out,
                    "{}\n      {{\"conns\": {}, \"figure\": \"{key}\", \"of\": \"{}\", \"to\": \"{}\", \"ratio\": {}}}",
                    if first { "" } else { "," },
                    r.conns,
                    servers[a].name,
                    servers[b].name,
                    num(paired_ratio(r, f, (a, b)))
                );
                first = false;
            }
        }
    }
    out.push_str("\n    ]\n  }");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(cpu: f64, rate: f64) -> Sample {
        Sample {
            msgs_per_sec: rate,
            cpu_us_per_msg: cpu,
            peak_rss_mib: 1.0,
            syscalls_per_msg: f64::NAN,
        }
    }

    #[test]
    fn one_evloop_column_per_loop_count_and_peers_at_the_largest() {
        let names: Vec<String> = servers(&[1, 2], false)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["evloop-1", "evloop-2", "tokio-mt-2", "epoll-2"]);
        assert_eq!(servers(&[2], false)[0].args, ["--loops", "2"]);
        let s = servers(&[2], true);
        assert_eq!(s[0].args, ["--loops", "2", "--unpinned"]);
        assert_eq!(s[1].args, ["--workers", "2"]);
        assert_eq!(s[2].args, ["--threads", "2"]);
        // Against the first count given only when there are two evloop columns.
        assert_eq!(
            ratio_pairs(&servers(&[1, 2], false)),
            [(1, 0), (1, 2), (1, 3)]
        );
        assert_eq!(
            ratio_pairs(&servers(&[2, 1], false)),
            [(0, 1), (0, 2), (0, 3)]
        );
        assert_eq!(ratio_pairs(&s), [(0, 1), (0, 2)]);
    }

    #[test]
    fn ratios_pair_runs_of_the_same_repetition() {
        let servers = servers(&[1, 2], false);
        // Rep 1 ran on a busier machine: evloop-2 spends 0.9x evloop-1's CPU in both.
        let row = Row {
            conns: 1000,
            medians: vec![sample(1.0, 1.0); 4],
            samples: vec![
                vec![sample(10.0, 100.0), sample(20.0, 50.0)],
                vec![sample(9.0, 120.0), sample(18.0, 60.0)],
                vec![sample(10.0, 100.0), sample(20.0, 50.0)],
                vec![sample(9.0, 100.0), sample(18.0, 50.0)],
            ],
        };
        assert!((paired_ratio(&row, |x| x.cpu_us_per_msg, (1, 0)) - 0.9).abs() < 1e-9);
        assert!((paired_ratio(&row, |x| x.msgs_per_sec, (1, 2)) - 1.2).abs() < 1e-9);
        let table = render_table(&[row], &servers, 2, 5.0);
        assert!(
            table.contains("| conns | figure | evloop-1 | evloop-2 | tokio-mt-2 | epoll-2 | evloop-2 / evloop-1 | evloop-2 / tokio-mt-2 | evloop-2 / epoll-2 |"),
            "{table}"
        );
        assert!(
            table.contains(
                "| 1000 | µs CPU/msg | 1.00 | 1.00 | 1.00 | 1.00 | 0.900 | 0.900 | 1.000 |"
            ),
            "{table}"
        );
    }
}
