//! The trap the asyncio docs warn about: blocking calls inside async code.
//!
//! ```text
//! cargo run --release --example async_blocking
//! ```
//!
//! Ten slow reads (`std::thread::sleep(100 ms)` stands in for a blocking file read or
//! database query) run twice while a task ticks every 10 ms:
//!
//! 1. **inline**, each in its own async block, all gathered. `gather` does not help:
//!    the reads block the loop's only thread one after the other, so the total is the
//!    *sum* (≈ 1 s) and the ticker stalls for the whole second.
//! 2. **through [`evloop::spawn_blocking`]**: the reads run on the blocking pool, the
//!    total is the *longest* (≈ 100 ms), and the ticker keeps its 10 ms beat.
//!
//! The asyncio counterpart:
//!
//! ```python
//! def read(i):                # blocking
//!     time.sleep(0.1)
//!
//! async def inline(i):        # blocks the loop
//!     read(i)
//!
//! async def main():
//!     await asyncio.gather(*(inline(i) for i in range(10)))                  # ≈ 1 s
//!     await asyncio.gather(*(asyncio.to_thread(read, i) for i in range(10))) # ≈ 0.1 s
//! ```

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How many reads each run does.
const READS: u64 = 10;
/// How long one read blocks.
const READ_TIME: Duration = Duration::from_millis(100);
/// The ticker's period.
const TICK: Duration = Duration::from_millis(10);

/// A blocking read: it holds the calling thread for [`READ_TIME`].
fn blocking_read(i: u64) -> u64 {
    std::thread::sleep(READ_TIME);
    i
}

/// What the ticker saw: how many ticks, and the longest time between two of them.
struct Ticks {
    /// When the last tick (or the start) happened.
    last: Cell<Instant>,
    /// The longest gap so far.
    worst: Cell<Duration>,
    /// Ticks so far.
    count: Cell<u32>,
}

impl Ticks {
    /// Records a tick (or the end of the run) now.
    fn tick(&self) {
        let now = Instant::now();
        self.worst.set(self.worst.get().max(now - self.last.get()));
        self.last.set(now);
    }
}

/// Runs `work` while a task ticks every [`TICK`]; prints the time it took and the
/// ticker's worst gap under `label`.
async fn measure<F: std::future::Future<Output = Vec<u64>>>(label: &str, work: F) {
    let ticks = Rc::new(Ticks {
        last: Cell::new(Instant::now()),
        worst: Cell::new(Duration::ZERO),
        count: Cell::new(0),
    });
    let ticker = evloop::spawn({
        let ticks = ticks.clone();
        async move {
            loop {
                evloop::time::sleep(TICK).await;
                ticks.tick();
                ticks.count.set(ticks.count.get() + 1);
            }
        }
    });
    let start = Instant::now();
    let done = work.await;
    let took = start.elapsed();
    ticks.tick(); // the time since the last tick counts as a gap too
    ticker.abort();
    assert_eq!(done, (0..READS).collect::<Vec<_>>());
    println!(
        "{label:<16} {READS} reads of {READ_TIME:?} in {took:>9.1?}; \
         {TICK:?} ticker: {:>2} ticks, worst gap {:>9.1?}",
        ticks.count.get(),
        ticks.worst.get()
    );
}

fn main() {
    evloop::run(async {
        measure(
            "inline:",
            evloop::gather_all((0..READS).map(|i| async move { blocking_read(i) })),
        )
        .await;
        measure("spawn_blocking:", async {
            let jobs = (0..READS).map(|i| evloop::spawn_blocking(move || blocking_read(i)));
            evloop::gather_all(jobs)
                .await
                .into_iter()
                .map(|r| r.expect("a read panicked"))
                .collect()
        })
        .await;
    });
    println!("inline: the sum of the reads, the loop stood still; spawn_blocking: the longest, the loop kept ticking");
}
