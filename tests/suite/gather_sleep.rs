//! Sleeps gathered run concurrently: the total is the longest, not the sum. On a paused
//! clock, so the instants are exact whatever the machine's load.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use evloop::time::{sleep, Instant};

const MS: Duration = Duration::from_millis(1);

#[evloop::test(start_paused = true)]
async fn three_sleeps_finish_together_in_deadline_order() {
    let start = Instant::now();
    let order = Rc::new(RefCell::new(Vec::new()));
    let nap = |ms: u32| {
        let order = order.clone();
        async move {
            sleep(ms * MS).await;
            order.borrow_mut().push((ms, Instant::now() - start));
            ms
        }
    };
    // Listed out of deadline order on purpose.
    let (a, b, c) = evloop::gather!(nap(300), nap(100), nap(200)).await;
    assert_eq!((a, b, c), (300, 100, 200));
    // Each woke at its own deadline, in deadline order; together they took the longest.
    assert_eq!(
        *order.borrow(),
        [(100, 100 * MS), (200, 200 * MS), (300, 300 * MS)]
    );
    assert_eq!(start.elapsed(), 300 * MS, "concurrent: not the sum, 600 ms");
}

#[evloop::test(start_paused = true)]
async fn spawned_sleepers_gathered_take_the_longest_sleep() {
    let start = Instant::now();
    let tasks: Vec<_> = [100u32, 300, 200]
        .into_iter()
        .map(|ms| {
            evloop::spawn(async move {
                sleep(ms * MS).await;
                (ms, Instant::now() - start)
            })
        })
        .collect();
    let outputs: Vec<_> = evloop::gather_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        outputs,
        [(100, 100 * MS), (300, 300 * MS), (200, 200 * MS)],
        "gather_all keeps input order; each task woke at its deadline"
    );
    assert_eq!(start.elapsed(), 300 * MS, "concurrent: not the sum, 600 ms");
}
