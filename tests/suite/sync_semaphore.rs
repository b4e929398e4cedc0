//! `evloop::sync::Semaphore`: FIFO service, no barging, cancellation that loses no permit,
//! close, owned permits.

use crate::common;

use common::{poll_once, until, within};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use evloop::sync::{AcquireError, Semaphore, TryAcquireError};
use evloop::time::timeout;

/// Spawns `n` tasks that each wait for one permit of `sem`, log their index, hold the
/// permit across a yield and release it; returns when all of them are queued.
async fn queue_waiters(
    sem: &Rc<Semaphore>,
    n: usize,
    log: &Rc<RefCell<Vec<usize>>>,
) -> Vec<evloop::JoinHandle<()>> {
    let queued = Rc::new(Cell::new(0));
    let tasks = (0..n)
        .map(|i| {
            let (sem, log, queued) = (sem.clone(), log.clone(), queued.clone());
            evloop::spawn(async move {
                queued.set(queued.get() + 1);
                let _permit = sem.acquire().await.unwrap();
                log.borrow_mut().push(i);
                evloop::yield_now().await;
            })
        })
        .collect();
    until(|| queued.get() == n).await;
    tasks
}

#[test]
fn waiters_get_permits_in_arrival_order() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(0));
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks = queue_waiters(&sem, 8, &log).await;
        assert!(log.borrow().is_empty(), "no permit yet");
        sem.add_permits(1);
        within(evloop::gather_all(tasks)).await;
        assert_eq!(*log.borrow(), (0..8).collect::<Vec<_>>());
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn try_acquire_never_barges_ahead_of_a_queued_waiter() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(1));
        let held = sem.try_acquire().unwrap();
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks = queue_waiters(&sem, 1, &log).await;
        drop(held); // handed straight to the waiter, which has not run yet
        assert_eq!(sem.available_permits(), 0);
        assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
        evloop::gather_all(tasks).await;
        assert_eq!(*log.borrow(), [0]);
        assert!(sem.try_acquire().is_ok());
    });
}

#[test]
fn a_timed_out_waiter_leaves_the_queue_and_takes_no_permit() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(0));
        let log = Rc::new(RefCell::new(Vec::new()));
        let first = queue_waiters(&sem, 1, &log).await;
        // A second waiter, cancelled by a timeout while queued between the others.
        let cancelled = timeout(Duration::from_millis(5), sem.acquire()).await;
        assert!(cancelled.is_err());
        let last = queue_waiters(&sem, 1, &log).await;
        sem.add_permits(2);
        // Both live waiters are served at once: the cancelled one held nothing back.
        assert_eq!(sem.available_permits(), 0);
        within(evloop::gather_all(first.into_iter().chain(last))).await;
        assert_eq!(*log.borrow(), [0, 0]);
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn a_waiter_dropped_after_being_granted_passes_the_permit_on() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(1));
        let held = sem.try_acquire().unwrap();
        let mut granted_then_dropped = sem.acquire();
        assert!(poll_once(&mut granted_then_dropped).await.is_pending());
        let log = Rc::new(RefCell::new(Vec::new()));
        let next = queue_waiters(&sem, 1, &log).await;
        drop(held); // the permit goes to `granted_then_dropped`...
        assert_eq!(sem.available_permits(), 0);
        drop(granted_then_dropped); // ...which never looks, so it goes on to `next`
        assert_eq!(
            sem.available_permits(),
            0,
            "handed on, not returned to the pool"
        );
        within(evloop::gather_all(next)).await;
        assert_eq!(*log.borrow(), [0]);
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn an_aborted_task_that_was_granted_a_permit_passes_it_on() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(1));
        let held = sem.try_acquire().unwrap();
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = queue_waiters(&sem, 2, &log).await;
        drop(held); // granted to task 0, which is woken but not yet polled
        tasks[0].abort(); // its future is dropped without seeing the grant
        let second = tasks.pop().unwrap();
        let first = tasks.pop().unwrap();
        assert!(first.await.unwrap_err().is_cancelled());
        within(second).await.unwrap();
        assert_eq!(*log.borrow(), [1]);
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn a_large_request_at_the_head_holds_later_ones_back_until_served_or_cancelled() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(2));
        let held = sem.try_acquire_many(2).unwrap();
        let mut big = sem.acquire_many(2);
        assert!(poll_once(&mut big).await.is_pending());
        let mut small = sem.acquire();
        assert!(poll_once(&mut small).await.is_pending());
        drop(held);
        // Two free: the head (2) is served first, the small one keeps waiting.
        let big_permit = match poll_once(&mut big).await {
            Poll::Ready(permit) => permit.unwrap(),
            Poll::Pending => panic!("the head request was not served"),
        };
        assert_eq!(big_permit.num_permits(), 2);
        assert!(poll_once(&mut small).await.is_pending());
        drop(big_permit);
        assert!(matches!(poll_once(&mut small).await, Poll::Ready(Ok(_))));
        assert_eq!(sem.available_permits(), 2);

        // Cancelling a head that cannot be served lets the smaller one behind it through.
        let held = sem.try_acquire().unwrap();
        let mut big = sem.acquire_many(2);
        assert!(poll_once(&mut big).await.is_pending());
        let mut small = sem.acquire();
        assert!(poll_once(&mut small).await.is_pending());
        assert_eq!(sem.available_permits(), 1);
        drop(big);
        assert_eq!(
            sem.available_permits(),
            0,
            "the free permit went to `small`"
        );
        assert!(matches!(poll_once(&mut small).await, Poll::Ready(Ok(_))));
        drop(small);
        drop(held);
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn close_fails_waiting_and_later_acquires_but_keeps_held_permits_valid() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(1));
        let held = sem.try_acquire().unwrap();
        let waiter = evloop::spawn({
            let sem = sem.clone();
            async move { sem.acquire().await.map(|_| ()) }
        });
        evloop::yield_now().await;
        sem.close();
        assert!(sem.is_closed());
        let err: AcquireError = waiter.await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), "the semaphore is closed");
        assert!(sem.acquire().await.is_err());
        assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
        drop(held);
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn owned_permits_limit_concurrency_across_spawned_tasks() {
    evloop::run(async {
        let sem = Rc::new(Semaphore::new(3));
        let running = Rc::new(Cell::new(0));
        let peak = Rc::new(Cell::new(0));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let permit = sem.clone().acquire_owned().await.unwrap();
            let (running, peak) = (running.clone(), peak.clone());
            tasks.push(evloop::spawn(async move {
                running.set(running.get() + 1);
                peak.set(peak.get().max(running.get()));
                evloop::time::sleep(Duration::from_millis(1)).await;
                running.set(running.get() - 1);
                drop(permit);
            }));
        }
        evloop::gather_all(tasks).await;
        assert_eq!(peak.get(), 3);
        assert_eq!(sem.available_permits(), 3);
        sem.clone().try_acquire_owned().unwrap().forget();
        assert_eq!(sem.available_permits(), 2);
    });
}
