//! Sleeps gathered run concurrently: the total is the longest, not the sum.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::time::sleep;

#[test]
fn three_sleeps_finish_together_in_deadline_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let start = Instant::now();
    evloop::run(async {
        let nap = |ms: u64| {
            let order = order.clone();
            async move {
                sleep(Duration::from_millis(ms)).await;
                order.borrow_mut().push(ms);
                ms
            }
        };
        // Listed out of deadline order on purpose.
        let (a, b, c) = evloop::gather!(nap(300), nap(100), nap(200)).await;
        assert_eq!((a, b, c), (300, 100, 200));
    });
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(300),
        "finished early: {took:?}"
    );
    assert!(
        took < Duration::from_millis(450),
        "not concurrent: {took:?}"
    );
    assert_eq!(*order.borrow(), [100, 200, 300]);
}

#[test]
fn spawned_sleepers_gathered_take_the_longest_sleep() {
    let start = Instant::now();
    let outputs = evloop::run(async {
        let tasks: Vec<_> = [100u64, 300, 200]
            .into_iter()
            .map(|ms| {
                evloop::spawn(async move {
                    sleep(Duration::from_millis(ms)).await;
                    ms
                })
            })
            .collect();
        evloop::gather_all(tasks).await
    });
    let took = start.elapsed();
    let outputs: Vec<u64> = outputs.into_iter().map(Result::unwrap).collect();
    assert_eq!(outputs, [100, 300, 200], "gather_all keeps input order");
    assert!(
        took >= Duration::from_millis(300),
        "finished early: {took:?}"
    );
    assert!(
        took < Duration::from_millis(450),
        "not concurrent: {took:?}"
    );
}
