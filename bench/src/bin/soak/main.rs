//! Soak test: an evloop echo server and clients that misbehave at random (resets,
//! drops mid-read, I/O cancelled by timeouts, idling until the server closes them,
//! half-closes), all on one loop for N minutes. The process's open fds and RSS are read
//! at rest (every connection closed) after minute 1 (halfway in runs under two minutes)
//! and at the end; they must agree
//! within 5 %, and no echo may be wrong.
//!
//! ```text
//! cargo run --release -p evloop-bench --bin soak -- --minutes 10 [--clients 100]
//! ```
//!
//! Exits 0 if the figures agree and nothing failed, 1 otherwise.

mod client;
mod probe;
mod server;
mod stats;

use std::cell::Cell;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::net::TcpListener;
use evloop::time::sleep;

use client::Phase;
use probe::Reading;
use stats::Stats;

/// How far the end's figures may be from minute 1's.
const TOLERANCE_PCT: f64 = 5.0;

/// Command-line settings.
struct Args {
    /// How long to run.
    minutes: f64,
    /// Clients running sessions at once.
    clients: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        minutes: 10.0,
        clients: 100,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--minutes" => {
                args.minutes = value()?.parse().map_err(|e| format!("--minutes: {e}"))?;
            }
            "--clients" => {
                args.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?;
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if args.minutes.is_nan() || args.minutes <= 0.0 || args.clients == 0 {
        return Err("--minutes must be positive and --clients at least 1".into());
    }
    Ok(args)
}

/// Pauses the clients, waits until every connection on both sides is closed, reads the
/// figures, and lets the clients go on.
async fn reading_at_rest(phase: &Cell<Phase>, stats: &Stats) -> Reading {
    phase.set(Phase::Pause);
    let start = Instant::now();
    while stats.client_open.get() + stats.server_open.get() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "connections still open 30 s after the clients paused: {} client, {} server",
            stats.client_open.get(),
            stats.server_open.get()
        );
        sleep(Duration::from_millis(10)).await;
    }
    sleep(Duration::from_millis(50)).await;
    let reading = Reading::now();
    phase.set(Phase::Run);
    reading
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("error: {err}\nusage: soak [--minutes M] [--clients N]");
            return ExitCode::from(2);
        }
    };
    let stats = Rc::new(Stats::default());
    let (first, last) = evloop::run({
        let stats = stats.clone();
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("local_addr");
            evloop::spawn(server::serve(listener, stats.clone()));
            let phase = Rc::new(Cell::new(Phase::Run));
            let clients: Vec<_> = (0..args.clients)
                .map(|id| evloop::spawn(client::client(id, addr, phase.clone(), stats.clone())))
                .collect();
            println!(
                "soak: {} clients against {addr} for {} min; at rest before any connection: {}",
                args.clients,
                args.minutes,
                Reading::now()
            );

            let start = Instant::now();
            let total = Duration::from_secs_f64(args.minutes * 60.0);
            let end = start + total;
            let minute = Duration::from_secs(60);
            // After minute 1 (or halfway, for runs shorter than two minutes).
            sleep(minute.min(total / 2)).await;
            let first = reading_at_rest(&phase, &stats).await;
            println!(
                "soak: minute {:.1}, at rest: {first}; {stats}",
                start.elapsed().as_secs_f64() / 60.0
            );
            let mut next = start + 2 * minute;
            while next < end {
                evloop::time::sleep_until(next).await;
                println!(
                    "soak: minute {:.0}, running: {}; {stats}",
                    start.elapsed().as_secs_f64() / 60.0,
                    Reading::now()
                );
                next += minute;
            }
            evloop::time::sleep_until(end).await;
            let last = reading_at_rest(&phase, &stats).await;
            println!(
                "soak: minute {:.1} (end), at rest: {last}; {stats}",
                start.elapsed().as_secs_f64() / 60.0
            );
            phase.set(Phase::Stop);
            for client in evloop::gather_all(clients).await {
                client.expect("a client task panicked");
            }
            (first, last)
        }
    });
    let steady = first.within(&last, TOLERANCE_PCT);
    println!(
        "soak: fds {} -> {}, RSS {} -> {} KiB ({:+.1} %): {}; failures: {}",
        first.fds,
        last.fds,
        first.rss_kib,
        last.rss_kib,
        (last.rss_kib as f64 - first.rss_kib as f64) * 100.0 / first.rss_kib as f64,
        if steady {
            "within 5 %"
        } else {
            "NOT within 5 %"
        },
        stats.failures.get()
    );
    if steady && stats.failures.get() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
