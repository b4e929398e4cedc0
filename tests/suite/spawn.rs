//! Spawning tasks: many of them, non-Send ones, outputs, and misuse.

use crate::common;

use common::panic_text;
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn hundred_thousand_tasks_complete_and_sum_right() {
    let n: u64 = 100_000;
    let sum = evloop::run(async move {
        let handles: Vec<_> = (0..n).map(|i| evloop::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, n * (n - 1) / 2);
}

#[test]
fn gather_all_keeps_input_order_for_many_tasks() {
    let out = evloop::run(async {
        let handles: Vec<_> = (0..100_000u32)
            .map(|i| {
                evloop::spawn(async move {
                    // Finish in a scrambled order.
                    for _ in 0..(i % 7) {
                        evloop::yield_now().await;
                    }
                    i
                })
            })
            .collect();
        evloop::gather_all(handles).await
    });
    assert_eq!(out.len(), 100_000);
    for (i, r) in out.into_iter().enumerate() {
        assert_eq!(r.unwrap(), i as u32);
    }
}

#[test]
fn a_task_holding_an_rc_runs() {
    let counter = Rc::new(Cell::new(0));
    let c = counter.clone();
    evloop::run(async move {
        let inner = c.clone();
        evloop::spawn(async move {
            evloop::yield_now().await;
            inner.set(inner.get() + 1);
        })
        .await
        .unwrap();
    });
    assert_eq!(counter.get(), 1);
}

#[test]
fn spawned_task_runs_while_main_awaits_it_and_detached_tasks_run_too() {
    let hits = Rc::new(Cell::new(0));
    let h = hits.clone();
    evloop::run(async move {
        let detached = h.clone();
        drop(evloop::spawn(
            async move { detached.set(detached.get() + 1) },
        ));
        evloop::yield_now().await;
        assert_eq!(h.get(), 1, "a detached task still runs");
    });
    assert_eq!(hits.get(), 1);
}

#[test]
fn spawn_outside_a_loop_panics_with_advice() {
    let err = std::panic::catch_unwind(|| {
        drop(evloop::spawn(async {}));
    })
    .unwrap_err();
    let msg = panic_text(&*err);
    assert!(msg.contains("outside of an evloop runtime"), "{msg}");
    assert!(msg.contains("evloop::run"), "{msg}");
}

#[test]
fn run_inside_run_panics_with_advice() {
    let msg = evloop::run(async {
        let err = std::panic::catch_unwind(|| evloop::run(async {})).unwrap_err();
        panic_text(&*err)
    });
    assert!(msg.contains("one loop per thread"), "{msg}");
}

#[test]
fn runtime_is_reusable_across_block_on_calls() {
    let rt = evloop::Runtime::new().unwrap();
    let handle = rt
        .block_on(async { Some(evloop::spawn(async { 5 })) })
        .unwrap();
    assert_eq!(rt.block_on(handle).unwrap(), 5);
    assert_eq!(rt.alive_tasks(), 0);
}

#[test]
fn a_panic_in_run_propagates_to_the_caller() {
    let err =
        std::panic::catch_unwind(|| evloop::run(async { panic!("main failed") })).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"main failed"));
    // And the thread can run a loop again afterwards.
    assert_eq!(evloop::run(async { 1 }), 1);
}
