//! `JoinSet`: completion order, abort on drop, `abort_all`, panics, reuse.

use std::cell::Cell;
use std::future::pending;
use std::rc::Rc;
use std::time::Duration;

use evloop::task::JoinSet;
use evloop::time::sleep;

/// Counts the futures dropped, whichever way their task ended.
struct DropGuard(Rc<Cell<usize>>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[evloop::test(start_paused = true)]
async fn results_arrive_in_completion_order() {
    let mut set = JoinSet::new();
    for (i, ms) in [50u64, 10, 40, 20, 30].into_iter().enumerate() {
        set.spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            (i, ms)
        });
    }
    assert_eq!(set.len(), 5);
    let mut got = Vec::new();
    while let Some(result) = set.join_next().await {
        got.push(result.unwrap().1);
    }
    assert_eq!(got, [10, 20, 30, 40, 50]);
    assert!(set.is_empty());
    assert!(set.join_next().await.is_none());
}

#[test]
fn yield_order_follows_completion_not_spawn_without_timers() {
    evloop::run(async {
        let mut set = JoinSet::new();
        for i in 0..10u32 {
            // Task i yields (10 - i) times, so higher ids finish first.
            set.spawn(async move {
                for _ in 0..(10 - i) {
                    evloop::yield_now().await;
                }
                i
            });
        }
        let mut got = Vec::new();
        while let Some(result) = set.join_next().await {
            got.push(result.unwrap());
        }
        assert_eq!(got, (0..10).rev().collect::<Vec<_>>());
    });
}

#[test]
fn dropping_the_set_aborts_every_task() {
    let dropped = Rc::new(Cell::new(0));
    let finished = Rc::new(Cell::new(0));
    let (d, f) = (dropped.clone(), finished.clone());
    evloop::run(async move {
        let mut set = JoinSet::new();
        for _ in 0..100 {
            let guard = DropGuard(d.clone());
            let f = f.clone();
            set.spawn(async move {
                let _guard = guard;
                sleep(Duration::from_secs(60)).await;
                f.set(f.get() + 1);
            });
        }
        evloop::yield_now().await; // let them all start and park
        assert_eq!(d.get(), 0);
        drop(set);
        evloop::yield_now().await; // the loop drops the aborted futures
        evloop::yield_now().await;
        assert_eq!(d.get(), 100, "every task's future was dropped");
    });
    assert_eq!(dropped.get(), 100);
    assert_eq!(finished.get(), 0, "no aborted task ran to its end");
}

#[test]
fn abort_all_cancels_running_tasks_and_keeps_finished_outputs() {
    evloop::run(async {
        let mut set = JoinSet::new();
        set.spawn(async { 1 });
        for _ in 0..3 {
            set.spawn(async {
                pending::<()>().await;
                2
            });
        }
        // Let the quick one finish before aborting.
        evloop::yield_now().await;
        evloop::yield_now().await;
        set.abort_all();
        let (mut ok, mut cancelled) = (Vec::new(), 0);
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => ok.push(v),
                Err(e) => {
                    assert!(e.is_cancelled(), "{e}");
                    cancelled += 1;
                }
            }
        }
        assert_eq!(ok, [1]);
        assert_eq!(cancelled, 3);
    });
}

#[evloop::test(start_paused = true)]
async fn a_panicking_task_yields_a_join_error_and_the_others_go_on() {
    let mut set = JoinSet::new();
    set.spawn(async {
        sleep(Duration::from_millis(5)).await;
        panic!("boom in a set")
    });
    set.spawn(async {
        sleep(Duration::from_millis(20)).await;
        7
    });
    let first = set.join_next().await.unwrap();
    assert!(first.unwrap_err().is_panic());
    assert_eq!(set.join_next().await.unwrap().unwrap(), 7);
}

#[evloop::test(start_paused = true)]
async fn join_next_is_cancel_safe() {
    let mut set = JoinSet::new();
    set.spawn(async {
        sleep(Duration::from_millis(30)).await;
        "late"
    });
    // A join_next that times out loses nothing.
    let early = evloop::time::timeout(Duration::from_millis(5), set.join_next()).await;
    assert!(early.is_err());
    assert_eq!(set.len(), 1);
    assert_eq!(set.join_next().await.unwrap().unwrap(), "late");
}

#[test]
fn slots_are_reused_and_try_join_next_does_not_wait() {
    evloop::run(async {
        let mut set = JoinSet::new();
        assert!(set.try_join_next().is_none());
        let mut total = 0u64;
        for round in 0..3u64 {
            for i in 0..1000u64 {
                set.spawn(async move { round * 1000 + i });
            }
            assert!(set.try_join_next().is_none(), "nothing has run yet");
            while !set.is_empty() {
                evloop::yield_now().await;
                while let Some(result) = set.try_join_next() {
                    total += result.unwrap();
                }
            }
        }
        assert_eq!(total, (0..3000u64).sum::<u64>());
    });
}

#[test]
fn shutdown_waits_for_every_task_to_be_dropped() {
    let dropped = Rc::new(Cell::new(0));
    let d = dropped.clone();
    evloop::run(async move {
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let guard = DropGuard(d.clone());
            set.spawn(async move {
                let _guard = guard;
                pending::<()>().await
            });
        }
        set.shutdown().await;
        assert!(set.is_empty());
        assert_eq!(d.get(), 10);
    });
    assert_eq!(dropped.get(), 10);
}
