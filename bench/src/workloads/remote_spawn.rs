//! `remote_spawn`: a plain thread spawns 100,000 `Send` tasks on a loop running on another
//! thread, then waits for every one of them. ns per task, from the first spawn to the last
//! result.
//!
//! evloop: `Handle::spawn` and a blocking `RemoteHandle::join` per task. tokio: its
//! `Handle::spawn` and one `Handle::block_on` over every `JoinHandle`, on a current_thread
//! runtime driven by its own thread and on a multi_thread runtime with one worker (the
//! shape tokio users reach for to hand work to a runtime from outside).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Tasks per measurement.
const N: usize = 100_000;

/// The runtimes measured, in column order.
pub const NAMES: [&str; 3] = ["evloop", "tokio", "tokio-mt1"];

/// One measurement per runtime, in the order of [`NAMES`].
pub const RUNS: [fn() -> f64; 3] = [evloop, tokio_current_thread, tokio_multi_thread];

/// evloop: the loop runs on its own thread until the plain thread is done.
fn evloop() -> f64 {
    let rt_ready = std::sync::mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let loop_thread = {
        let done = done.clone();
        std::thread::spawn(move || {
            let rt = evloop::Runtime::new().expect("evloop runtime");
            rt_ready.0.send(rt.handle()).expect("send the handle");
            rt.block_on(async {
                while !done.load(Ordering::Acquire) {
                    evloop::time::sleep(Duration::from_millis(1)).await;
                }
            });
        })
    };
    let handle = rt_ready.1.recv().expect("the loop's handle");
    let start = Instant::now();
    let tasks: Vec<_> = (0..N).map(|i| handle.spawn(async move { i })).collect();
    let sum: usize = tasks
        .into_iter()
        .map(|t| t.join().expect("benchmark task failed"))
        .sum();
    let elapsed = start.elapsed();
    std::hint::black_box(sum);
    done.store(true, Ordering::Release);
    loop_thread.join().expect("the loop's thread");
    elapsed.as_nanos() as f64 / N as f64
}

/// tokio's current_thread runtime, driven by its own thread.
fn tokio_current_thread() -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let handle = rt.handle().clone();
    let stop = Arc::new(tokio::sync::Notify::new());
    let driver = {
        let stop = stop.clone();
        std::thread::spawn(move || rt.block_on(stop.notified()))
    };
    let elapsed = spawn_and_wait(&handle);
    stop.notify_one();
    driver.join().expect("the runtime's thread");
    elapsed
}

/// tokio's multi_thread runtime with one worker.
fn tokio_multi_thread() -> f64 {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    spawn_and_wait(rt.handle())
}

/// The tokio side of the workload, from a plain thread: ns per task.
fn spawn_and_wait(handle: &tokio::runtime::Handle) -> f64 {
    let start = Instant::now();
    let tasks: Vec<_> = (0..N).map(|i| handle.spawn(async move { i })).collect();
    let sum: usize = handle.block_on(async {
        let mut sum = 0;
        for task in tasks {
            sum += task.await.expect("benchmark task failed");
        }
        sum
    });
    let elapsed = start.elapsed();
    std::hint::black_box(sum);
    elapsed.as_nanos() as f64 / N as f64
}
