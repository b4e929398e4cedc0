//! `evloop::sync::Event` (asyncio.Event): set wakes every waiter in order, clear, a
//! dropped waiter.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use evloop::sync::Event;
use evloop::time::timeout;

/// Spawns `n` tasks that wait for `ev` and log their index; returns once all wait.
async fn queue_waiters(
    ev: &Rc<Event>,
    n: usize,
    log: &Rc<RefCell<Vec<usize>>>,
) -> Vec<evloop::JoinHandle<()>> {
    let queued = Rc::new(Cell::new(0));
    let tasks = (0..n)
        .map(|i| {
            let (ev, log, queued) = (ev.clone(), log.clone(), queued.clone());
            evloop::spawn(async move {
                queued.set(queued.get() + 1);
                ev.wait().await;
                log.borrow_mut().push(i);
            })
        })
        .collect();
    while queued.get() < n {
        evloop::yield_now().await;
    }
    tasks
}

#[test]
fn set_wakes_every_waiter_in_the_order_they_began_waiting() {
    evloop::run(async {
        let ev = Rc::new(Event::new());
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks = queue_waiters(&ev, 6, &log).await;
        evloop::yield_now().await;
        assert!(log.borrow().is_empty(), "a waiter returned before set");
        ev.set();
        assert!(ev.is_set());
        timeout(Duration::from_secs(5), evloop::gather_all(tasks))
            .await
            .unwrap();
        assert_eq!(*log.borrow(), [0, 1, 2, 3, 4, 5]);
        ev.wait().await; // returns at once while set
    });
}

#[test]
fn waiters_woken_by_set_return_even_if_cleared_before_they_run() {
    evloop::run(async {
        let ev = Rc::new(Event::new());
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks = queue_waiters(&ev, 3, &log).await;
        ev.set();
        ev.clear();
        assert!(!ev.is_set());
        timeout(Duration::from_secs(5), evloop::gather_all(tasks))
            .await
            .unwrap();
        assert_eq!(log.borrow().len(), 3);
        // Cleared: a new waiter blocks again.
        assert!(timeout(Duration::from_millis(5), ev.wait()).await.is_err());
    });
}

#[test]
fn a_dropped_waiter_does_not_disturb_the_others() {
    evloop::run(async {
        let ev = Rc::new(Event::new());
        let log = Rc::new(RefCell::new(Vec::new()));
        let before = queue_waiters(&ev, 2, &log).await;
        assert!(timeout(Duration::from_millis(5), ev.wait()).await.is_err());
        let after = queue_waiters(&ev, 2, &log).await;
        ev.set();
        let all = before.into_iter().chain(after);
        timeout(Duration::from_secs(5), evloop::gather_all(all))
            .await
            .unwrap();
        assert_eq!(*log.borrow(), [0, 1, 0, 1]);
    });
}
