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
//! RSS is printed as it is and after `malloc_trim` (the allocator keeps freed memory
//! cached, and how much depends on the last burst of traffic), with glibc's count of
//! bytes in use beside it. Exits 0 if the fds and the trimmed RSS agree within 5 % and
//! nothing failed, 1 otherwise.

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

/// The figures at rest: as they are, then after `malloc_trim`.
#[derive(Clone, Copy)]
struct AtRest {
    /// Before trimming: RSS includes the allocator's caches.
    raw: Reading,
    /// After trimming: RSS is what the program holds.
    trimmed: Reading,
}

impl std::fmt::Display for AtRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}; after malloc_trim RSS {} KiB",
            self.raw, self.trimmed.rss_kib
        )
    }
}

/// Pauses the clients, waits until every connection on both sides is closed, reads the
/// figures, and lets the clients go on.
async fn reading_at_rest(phase: &Cell<Phase>, stats: &Stats) -> AtRest {
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
    let raw = Reading::now();
    let trimmed = Reading::trimmed();
    phase.set(Phase::Run);
    AtRest { raw, trimmed }
}

/// `later` against `first` in percent.
fn change(first: u64, later: u64) -> f64 {
    (later as f64 - first as f64) * 100.0 / first as f64
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

            let start = evloop::time::Instant::now();
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
    let steady_raw = first.raw.within(&last.raw, TOLERANCE_PCT);
    let steady = first.trimmed.within(&last.trimmed, TOLERANCE_PCT);
    let verdict = |ok: bool| if ok { "within 5 %" } else { "NOT within 5 %" };
    println!(
        "soak: fds {} -> {}; RSS {} -> {} KiB ({:+.1} %): {}; after malloc_trim RSS {} -> {} KiB \
         ({:+.1} %): {}; heap in use {} -> {} KiB; failures: {}",
        first.raw.fds,
        last.raw.fds,
        first.raw.rss_kib,
        last.raw.rss_kib,
        change(first.raw.rss_kib, last.raw.rss_kib),
        verdict(steady_raw),
        first.trimmed.rss_kib,
        last.trimmed.rss_kib,
        change(first.trimmed.rss_kib, last.trimmed.rss_kib),
        verdict(steady),
        first.raw.heap_kib,
        last.raw.heap_kib,
        stats.failures.get()
    );
    if steady && stats.failures.get() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
