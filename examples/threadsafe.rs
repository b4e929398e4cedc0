//! Plain threads beside a loop: worker threads hand work to the loop through its
//! `evloop::Handle` and wait for the results, as Python code beside an asyncio loop uses
//! `asyncio.run_coroutine_threadsafe(coro, loop).result()` and
//! `loop.call_soon_threadsafe(f)` (from a `ThreadPoolExecutor` worker, say).
//!
//! ```text
//! cargo run --example threadsafe
//! ```
//!
//! Each worker does CPU work on its own thread, then asks the loop to do the "I/O" (here a
//! sleep, which only the loop can do: evloop's timers are not `Send`, so the future is
//! built on the loop with `spawn_with`), blocks in `join()` for the answer, and posts a
//! log line to run on the loop's thread with `call_soon`. Meanwhile the loop keeps its own
//! ticker running: it never blocks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many worker threads.
const WORKERS: u64 = 4;

fn main() {
    let rt = evloop::Runtime::new().expect("create the loop");
    let handle = rt.handle();
    let start = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            let (handle, done) = (handle.clone(), done.clone());
            let worker = std::thread::Builder::new().name(format!("worker-{id}"));
            worker
                .spawn(move || {
                    // CPU work on this thread.
                    let checksum: u64 = (0..1_000_000u64).map(|n| n % (id + 7)).sum();
                    // I/O on the loop: the closure travels, the future is built there.
                    let reply = handle
                        .spawn_with(move || async move {
                            evloop::time::sleep(Duration::from_millis(20 * (id + 1))).await;
                            format!("worker {id}: checksum {checksum} stored")
                        })
                        .join()
                        .expect("the loop runs the task");
                    // A fire-and-forget call on the loop's thread.
                    let thread = std::thread::current().name().unwrap_or("?").to_owned();
                    handle.call_soon(move || {
                        println!("  (on the loop's thread) a call posted by {thread}");
                    });
                    done.fetch_add(1, Ordering::SeqCst);
                    reply
                })
                .expect("start a worker thread")
        })
        .collect();

    // The loop: runs the workers' tasks and calls, and its own ticker, until all are done.
    let ticks = rt.block_on(async {
        let mut ticks = 0;
        let mut interval = evloop::time::interval(Duration::from_millis(10));
        while done.load(Ordering::SeqCst) < WORKERS as usize {
            interval.tick().await;
            ticks += 1;
        }
        evloop::yield_now().await; // one more turn: the last call_soon runs
        ticks
    });
    for worker in workers {
        println!("{}", worker.join().expect("a worker thread"));
    }
    println!(
        "{WORKERS} workers served by one loop in {:?}; the loop ticked {ticks} times meanwhile",
        start.elapsed()
    );
}
