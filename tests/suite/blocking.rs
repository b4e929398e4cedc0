//! `spawn_blocking`: the loop keeps running while blocking work happens elsewhere.
//!
//! Overlap is shown by rendezvous, not by wall-clock sums: jobs that block until all of
//! them are running can only finish if they ran at the same time.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use evloop::time::{interval, sleep};

/// How long a rendezvous job waits for the test before it gives up (and the test fails).
const PATIENCE: Duration = Duration::from_secs(20);

/// A blocking job that counts itself in `running`, then blocks its thread until
/// `release` is set: `Ok(i)`, or `Err(i)` if that took longer than [`PATIENCE`].
fn blocks_until_released(
    i: usize,
    running: &Arc<AtomicUsize>,
    release: &Arc<AtomicBool>,
) -> impl FnOnce() -> Result<usize, usize> + Send + 'static {
    let (running, release) = (running.clone(), release.clone());
    move || {
        running.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + PATIENCE;
        while !release.load(Ordering::SeqCst) {
            if Instant::now() > deadline {
                return Err(i);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(i)
    }
}

#[test]
fn eight_blocking_jobs_overlap_while_a_ticker_keeps_ticking() {
    let running = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(AtomicBool::new(false));
    let out = evloop::run(async {
        let jobs: Vec<_> = (0..8)
            .map(|i| evloop::spawn_blocking(blocks_until_released(i, &running, &release)))
            .collect();
        // All eight block their threads at the same time...
        wait_until("all eight jobs are running", || {
            running.load(Ordering::SeqCst) == 8
        })
        .await;
        // ...while the loop goes on: five ticks of a 10 ms ticker.
        let mut ticker = interval(Duration::from_millis(10));
        for _ in 0..5 {
            ticker.tick().await;
        }
        release.store(true, Ordering::SeqCst);
        evloop::gather_all(jobs).await
    });
    let out: Vec<_> = out.into_iter().map(Result::unwrap).collect();
    assert_eq!(out, (0..8).map(Ok).collect::<Vec<_>>());
}

#[test]
fn a_job_beyond_the_bound_waits_for_a_free_thread() {
    let rt = evloop::Runtime::builder()
        .max_blocking_threads(4)
        .build()
        .unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    rt.block_on(async {
        let jobs: Vec<_> = (0..5)
            .map(|_| {
                let (running, peak) = (running.clone(), peak.clone());
                evloop::spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(100));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for r in evloop::gather_all(jobs).await {
            r.unwrap();
        }
    });
    assert_eq!(
        peak.load(Ordering::SeqCst),
        4,
        "never more threads than the bound"
    );
    assert!(
        start.elapsed() >= Duration::from_millis(200),
        "the fifth job waited"
    );
    assert!(rt.blocking_threads() <= 4);
}

/// Waits on the loop (polling every 5 ms) until `done()` holds; panics with `what` after 20 s.
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn the_65th_job_starts_only_when_one_of_64_busy_threads_frees_up() {
    let rt = evloop::Runtime::builder()
        .max_blocking_threads(64)
        .build()
        .unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let last_started = Arc::new(AtomicBool::new(false));
    rt.block_on(async {
        // 64 jobs that each block until their own channel says go.
        let (releases, jobs): (Vec<_>, Vec<_>) = (0..64)
            .map(|i| {
                let (release, wait) = mpsc::channel::<()>();
                let started = started.clone();
                let job = evloop::spawn_blocking(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    wait.recv()
                        .expect("the test keeps every sender until the job ran");
                    i
                });
                (release, job)
            })
            .unzip();
        wait_until("all 64 jobs are running", || {
            started.load(Ordering::SeqCst) == 64
        })
        .await;
        assert_eq!(rt.blocking_threads(), 64);

        let flag = last_started.clone();
        let last = evloop::spawn_blocking(move || flag.store(true, Ordering::SeqCst));
        sleep(Duration::from_millis(100)).await;
        assert!(
            !last_started.load(Ordering::SeqCst),
            "the 65th job ran while all 64 threads were busy"
        );
        assert_eq!(rt.blocking_threads(), 64, "the pool grew past its bound");

        releases[0].send(()).unwrap();
        wait_until("the 65th job ran on the freed thread", || {
            last_started.load(Ordering::SeqCst)
        })
        .await;
        last.await.unwrap();
        assert_eq!(rt.blocking_threads(), 64);

        for release in &releases[1..] {
            release.send(()).unwrap();
        }
        let out: Vec<i32> = evloop::gather_all(jobs)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(out, (0..64).collect::<Vec<_>>());
    });
}

#[test]
fn jobs_queued_while_a_thread_is_idle_still_get_threads_of_their_own() {
    let rt = evloop::Runtime::new().unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(AtomicBool::new(false));
    let out = rt.block_on(async {
        // One finished job leaves one idle thread behind.
        evloop::spawn_blocking(|| ()).await.unwrap();
        let jobs: Vec<_> = (0..8)
            .map(|i| evloop::spawn_blocking(blocks_until_released(i, &running, &release)))
            .collect();
        // Had they queued behind the one idle thread, only one would ever be running.
        wait_until("all eight jobs run at once", || {
            running.load(Ordering::SeqCst) == 8
        })
        .await;
        release.store(true, Ordering::SeqCst);
        evloop::gather_all(jobs).await
    });
    let out: Vec<_> = out.into_iter().map(Result::unwrap).collect();
    assert_eq!(out, (0..8).map(Ok).collect::<Vec<_>>());
}

#[test]
fn idle_pool_threads_exit() {
    let rt = evloop::Runtime::builder()
        .blocking_keep_alive(Duration::from_millis(50))
        .build()
        .unwrap();
    rt.block_on(async {
        let jobs: Vec<_> = (0..3)
            .map(|_| evloop::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20))))
            .collect();
        evloop::gather_all(jobs).await;
    });
    assert!(rt.blocking_threads() >= 1);
    let deadline = Instant::now() + Duration::from_secs(20);
    while rt.blocking_threads() > 0 {
        assert!(Instant::now() < deadline, "idle threads never exited");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_panic_in_a_blocking_job_becomes_a_join_error() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let err = evloop::run(async {
        evloop::spawn_blocking(|| -> u8 { panic!("disk on fire") })
            .await
            .unwrap_err()
    });
    std::panic::set_hook(prev);
    assert!(err.is_panic());
    assert_eq!(
        err.into_panic().downcast_ref::<&str>(),
        Some(&"disk on fire")
    );
}
