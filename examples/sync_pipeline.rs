//! A producer/consumer pipeline: a producer feeds jobs into a bounded channel (it waits
//! when the consumer falls behind), the consumer runs each job in its own task, and a
//! semaphore keeps at most four jobs running at once — asyncio's `Queue(maxsize=8)` plus
//! `Semaphore(4)`.
//!
//! ```text
//! cargo run --release --example sync_pipeline
//! ```

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::sync::mpsc::{self, TrySendError};
use evloop::sync::Semaphore;

const JOBS: u64 = 200;
const QUEUE: usize = 8;
const WORKERS: usize = 4;

/// One job: wait 1 ms (a stand-in for I/O), then square the input.
async fn work(n: u64) -> u64 {
    evloop::time::sleep(Duration::from_millis(1)).await;
    n * n
}

fn main() {
    let start = Instant::now();
    let (sum, producer_waits, peak) = evloop::run(async {
        let (jobs, mut queue) = mpsc::channel::<u64>(QUEUE);
        let (results, mut collected) = mpsc::unbounded_channel::<u64>();

        // The producer: counts how often the queue was full and it had to wait.
        let producer = evloop::spawn(async move {
            let mut waits = 0;
            for n in 1..=JOBS {
                if let Err(TrySendError::Full(n)) = jobs.try_send(n) {
                    waits += 1;
                    jobs.send(n)
                        .await
                        .expect("the consumer outlives the producer");
                }
            }
            waits
        });

        // The consumer: one task per job, at most WORKERS running at once.
        let limit = Rc::new(Semaphore::new(WORKERS));
        let running = Rc::new(Cell::new(0));
        let peak = Rc::new(Cell::new(0));
        while let Some(n) = queue.recv().await {
            let permit = limit.clone().acquire_owned().await.expect("never closed");
            let (results, running, peak) = (results.clone(), running.clone(), peak.clone());
            evloop::spawn(async move {
                running.set(running.get() + 1);
                peak.set(peak.get().max(running.get()));
                let out = work(n).await;
                running.set(running.get() - 1);
                results.send(out).expect("the collector is alive");
                drop(permit);
            });
        }
        drop(results); // the workers hold the remaining senders

        let mut sum = 0;
        while let Some(out) = collected.recv().await {
            sum += out;
        }
        (
            sum,
            producer.await.expect("the producer finished"),
            peak.get(),
        )
    });

    assert_eq!(sum, (1..=JOBS).map(|n| n * n).sum::<u64>());
    println!(
        "{JOBS} jobs through a queue of {QUEUE} with at most {WORKERS} running at once \
         (peak {peak}): sum of squares {sum}; the producer waited for room {producer_waits} \
         times; took {:.1?}",
        start.elapsed()
    );
}
