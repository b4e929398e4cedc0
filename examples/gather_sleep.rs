//! Three tasks sleep a random 1..=N seconds each, concurrently: the asyncio classic.
//!
//! ```text
//! cargo run --release --example gather_sleep               # sleeps of 1..=10 s
//! cargo run --release --example gather_sleep -- --max-secs 2 --tasks 5
//! ```
//!
//! The Python it mirrors:
//!
//! ```python
//! async def do_something(i):
//!     secs = random.randint(1, 10)
//!     print(f"{i} wait for {secs}...")
//!     await asyncio.sleep(secs)
//!     print(f"{i} waiting done")
//!
//! async def main():
//!     await asyncio.gather(*(asyncio.create_task(do_something(i)) for i in range(3)))
//! ```
//!
//! The total is the longest sleep, not the sum: one thread, and no task blocks it.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Command-line settings.
struct Args {
    /// Longest possible sleep, in seconds (at least 1).
    max_secs: u64,
    /// How many tasks to start.
    tasks: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        max_secs: 10,
        tasks: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))?
                .parse::<u64>()
                .map_err(|e| format!("{name}: {e}"))
        };
        match flag.as_str() {
            "--max-secs" => args.max_secs = value("--max-secs")?.max(1),
            "--tasks" => args.tasks = value("--tasks")?.clamp(1, 10_000) as u32,
            "-h" | "--help" => {
                return Err("usage: gather_sleep [--max-secs N] [--tasks N]".to_string())
            }
            other => return Err(format!("unknown argument {other:?}; try --help")),
        }
    }
    Ok(args)
}

/// A small xorshift generator seeded from the clock: enough randomness for a demo.
fn random_secs(seed: &mut u64, max: u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    1 + *seed % max
}

async fn do_something(i: u32, secs: u64, start: Instant) {
    println!(
        "{i} wait for {secs}...  (at {:>6.3} s)",
        start.elapsed().as_secs_f64()
    );
    evloop::time::sleep(Duration::from_secs(secs)).await;
    println!(
        "{i} waiting done     (at {:>6.3} s)",
        start.elapsed().as_secs_f64()
    );
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9E37_79B9_7F4A_7C15)
        | 1;
    let secs: Vec<u64> = (0..args.tasks)
        .map(|_| random_secs(&mut seed, args.max_secs))
        .collect();

    let start = Instant::now();
    evloop::run(async {
        let tasks: Vec<_> = secs
            .iter()
            .enumerate()
            .map(|(i, &s)| evloop::spawn(do_something(i as u32, s, start)))
            .collect();
        for result in evloop::gather_all(tasks).await {
            result.expect("a task failed");
        }
    });
    let total = start.elapsed().as_secs_f64();
    let longest = secs.iter().max().copied().unwrap_or(0);
    let sum: u64 = secs.iter().sum();
    println!("total {total:.3} s: the longest sleep was {longest} s, the sum {sum} s");
}
