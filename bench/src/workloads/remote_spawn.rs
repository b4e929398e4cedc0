//! `remote_spawn`: a plain thread (no runtime on it) spawns 100,000 `Send` tasks on a loop
//! that runs on another thread, then waits for every one of them. ns per task, from the
//! first spawn to the last result.
//!
//! - evloop: `Handle::spawn` per task, then a blocking `RemoteHandle::join` per task (the
//!   only way a plain thread waits on evloop: it has no `block_on` of its own).
//! - tokio (current_thread, driven by `Runtime::block_on` on its own thread) and tokio-mt1
//!   (a multi_thread runtime with one worker, the shape tokio users reach for to hand work
//!   to a runtime from outside): `Handle::spawn` per task, then one `Handle::block_on` on
//!   the plain thread that awaits every `JoinHandle` (cheaper than one `block_on` each).
//!
//! The loop (or worker) thread is started, and one task is spawned and waited for, before
//! the clock starts: the figure is the steady cost of a remote spawn, its run, and the
//! result's way back, not of starting a thread. The three runtimes are interleaved within
//! each repetition, their order rotating from one repetition to the next.
//!
//! Traps: the figure includes the allocation of 100,000 tasks (and of their handles'
//! shared state), so it moves with malloc's state; with 2 cores shared by a load, the
//! spawning thread and the loop thread may not run at the same time, which favours
//! whichever runtime batches more per wake-up.

use std::fmt::Write as _;
use std::time::Instant;

use crate::util::median;

/// Tasks per measurement.
const N: usize = 100_000;

/// The runtimes measured, in column order.
pub const NAMES: [&str; 3] = ["evloop", "tokio", "tokio-mt1"];

/// One measurement per runtime, in the order of [`NAMES`]: ns per task.
const RUNS: [fn() -> f64; 3] = [evloop, tokio_current_thread, tokio_multi_thread];

/// The medians of every runtime.
pub struct Row {
    /// ns per task, in the order of [`NAMES`].
    pub medians: [f64; 3],
    /// evloop's median over the better of tokio's two.
    pub ratio: f64,
}

/// Runs every runtime `reps` times, interleaved (the order rotates between repetitions);
/// returns the medians.
pub fn run_all(reps: usize) -> Row {
    let mut samples = [(); 3].map(|_| Vec::new());
    for rep in 0..reps {
        eprintln!("remote_spawn rep {}/{reps}", rep + 1);
        for k in 0..RUNS.len() {
            let ri = (k + rep) % RUNS.len();
            samples[ri].push(RUNS[ri]());
        }
    }
    row(&samples)
}

/// The medians of every runtime's samples, and evloop's ratio to the better tokio.
fn row(samples: &[Vec<f64>; 3]) -> Row {
    let medians = [0, 1, 2].map(|r| median(&samples[r]));
    Row {
        medians,
        ratio: medians[0] / medians[1].min(medians[2]),
    }
}

/// evloop: the loop runs on its own thread until the plain thread is done.
fn evloop() -> f64 {
    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = evloop::sync::shared::oneshot::channel::<()>();
    let loop_thread = std::thread::spawn(move || {
        let rt = evloop::Runtime::new().expect("evloop runtime");
        handle_tx.send(rt.handle()).expect("send the handle");
        let _ = rt.block_on(stop_rx);
    });
    let handle = handle_rx.recv().expect("the loop's handle");
    handle
        .spawn(async {})
        .join()
        .expect("the warm-up task failed");
    let start = Instant::now();
    let tasks: Vec<_> = (0..N).map(|i| handle.spawn(async move { i })).collect();
    let sum: usize = tasks
        .into_iter()
        .map(|t| t.join().expect("benchmark task failed"))
        .sum();
    let elapsed = start.elapsed();
    std::hint::black_box(sum);
    let _ = stop_tx.send(());
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
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let driver = std::thread::spawn(move || {
        let _ = rt.block_on(stop_rx);
    });
    let elapsed = spawn_and_wait(&handle);
    let _ = stop_tx.send(());
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
    handle
        .block_on(handle.spawn(async {}))
        .expect("the warm-up task failed");
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

/// The table: ns per task per runtime and evloop's ratio to the better tokio.
pub fn render_table(row: &Row, reps: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nremote_spawn: a plain thread spawns {N} Send tasks on a loop on another thread and \
         waits for all; ns per task, median of {reps} reps;\nratio = evloop / the better of \
         tokio (current_thread) and tokio-mt1 (multi_thread, 1 worker)\n"
    );
    let _ = writeln!(out, "| workload | unit | {} | ratio |", NAMES.join(" | "));
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    let cells: Vec<String> = row.medians.iter().map(|m| format!("{m:.1}")).collect();
    let _ = writeln!(
        out,
        "| remote_spawn | ns/task | {} | {:.2} |",
        cells.join(" | "),
        row.ratio
    );
    out
}

/// The row as a JSON object.
pub fn render_json(row: &Row) -> String {
    let medians: Vec<String> = NAMES
        .iter()
        .zip(row.medians)
        .map(|(n, m)| format!("\"{n}\": {m:.1}"))
        .collect();
    format!(
        "{{\"unit\": \"ns/task\", \"tasks\": {N}, \"median\": {{{}}}, \"ratio\": {:.3}}}",
        medians.join(", "),
        row.ratio
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_is_over_the_better_tokio() {
        let row = row(&[
            vec![40.0, 50.0, 60.0],
            vec![200.0, 300.0, 100.0],
            vec![100.0, 90.0, 110.0],
        ]);
        assert_eq!(row.medians, [50.0, 200.0, 100.0]);
        let table = render_table(&row, 3);
        assert!(
            table.contains("| remote_spawn | ns/task | 50.0 | 200.0 | 100.0 | 0.50 |"),
            "{table}"
        );
        let json = render_json(&row);
        assert!(json.contains("\"tokio-mt1\": 100.0"), "{json}");
        assert!(json.contains("\"ratio\": 0.500"), "{json}");
    }
}
