//! `spawn_blocking`: the loop keeps running while blocking work happens elsewhere.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use evloop::time::sleep;

#[test]
fn eight_blocking_jobs_overlap_while_a_ticker_keeps_ticking() {
    let worst_gap = Rc::new(Cell::new(Duration::ZERO));
    let gap = worst_gap.clone();
    let start = Instant::now();
    evloop::run(async move {
        let ticker = evloop::spawn(async move {
            let mut last = Instant::now();
            loop {
                sleep(Duration::from_millis(10)).await;
                let now = Instant::now();
                gap.set(gap.get().max(now - last));
                last = now;
            }
        });
        let jobs: Vec<_> = (0..8)
            .map(|i| {
                evloop::spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(200));
                    i
                })
            })
            .collect();
        let out: Vec<i32> = evloop::gather_all(jobs)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(out, (0..8).collect::<Vec<_>>());
        ticker.abort();
    });
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(600),
        "jobs did not overlap: {took:?}"
    );
    assert!(
        worst_gap.get() < Duration::from_millis(50),
        "the loop stalled: ticker gap {:?}",
        worst_gap.get()
    );
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
    let deadline = Instant::now() + Duration::from_secs(5);
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
