//! `evloop::sync::Mutex`: FIFO lock hand-over, exclusion across awaits, cancellation that
//! loses no lock, try_lock.

use crate::common;

use common::{poll_once, within};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use evloop::sync::Mutex;
use evloop::time::timeout;

/// Spawns `n` tasks that each lock `m` and push their index; returns once all are queued.
async fn queue_lockers(m: &Rc<Mutex<Vec<usize>>>, n: usize) -> Vec<evloop::JoinHandle<()>> {
    let queued = Rc::new(Cell::new(0));
    let tasks = (0..n)
        .map(|i| {
            let (m, queued) = (m.clone(), queued.clone());
            evloop::spawn(async move {
                queued.set(queued.get() + 1);
                m.lock().await.push(i);
            })
        })
        .collect();
    for _ in 0..1000 {
        if queued.get() == n {
            return tasks;
        }
        evloop::yield_now().await;
    }
    panic!("the lockers never started");
}

#[test]
fn the_lock_goes_to_waiters_in_arrival_order() {
    evloop::run(async {
        let m = Rc::new(Mutex::new(Vec::new()));
        let guard = m.lock().await;
        let tasks = queue_lockers(&m, 10).await;
        assert!(m.is_locked());
        drop(guard);
        within(evloop::gather_all(tasks)).await;
        assert_eq!(*m.lock().await, (0..10).collect::<Vec<_>>());
        assert!(!m.is_locked());
    });
}

#[test]
fn a_guard_held_across_awaits_excludes_other_tasks() {
    evloop::run(async {
        let m = Rc::new(Mutex::new(0u32));
        let inside = Rc::new(Cell::new(false));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (m, inside) = (m.clone(), inside.clone());
                evloop::spawn(async move {
                    let mut n = m.lock().await;
                    assert!(!inside.replace(true), "two tasks inside the lock");
                    let before = *n;
                    evloop::yield_now().await;
                    *n = before + 1;
                    inside.set(false);
                })
            })
            .collect();
        for result in within(evloop::gather_all(tasks)).await {
            result.unwrap();
        }
        assert_eq!(*m.lock().await, 20);
    });
}

#[test]
fn a_timed_out_lock_leaves_the_queue() {
    evloop::run(async {
        let m = Rc::new(Mutex::new(Vec::new()));
        let guard = m.lock().await;
        let first = queue_lockers(&m, 1).await;
        assert!(timeout(Duration::from_millis(5), m.lock()).await.is_err());
        drop(guard);
        within(evloop::gather_all(first)).await;
        assert_eq!(*m.try_lock().unwrap(), [0]);
    });
}

#[test]
fn a_lock_future_dropped_after_being_handed_the_lock_passes_it_on() {
    evloop::run(async {
        let m = Rc::new(Mutex::new(Vec::new()));
        let guard = m.lock().await;
        let mut dropped = m.lock();
        assert!(poll_once(&mut dropped).await.is_pending());
        let next = queue_lockers(&m, 1).await;
        drop(guard); // handed to `dropped`...
        drop(dropped); // ...which passes it on to `next`
        within(evloop::gather_all(next)).await;
        assert_eq!(*m.try_lock().unwrap(), [0]);
    });
}

#[test]
fn try_lock_fails_while_locked_or_while_a_task_waits() {
    evloop::run(async {
        let m = Rc::new(Mutex::new(Vec::new()));
        let guard = m.try_lock().unwrap();
        assert!(m.try_lock().is_err());
        let waiter = queue_lockers(&m, 1).await;
        drop(guard); // the queued task owns the lock now, though it has not run
        assert!(
            m.try_lock().is_err(),
            "try_lock barged ahead of a queued task"
        );
        within(evloop::gather_all(waiter)).await;
        assert!(m.try_lock().is_ok());
    });
}

#[test]
fn get_mut_and_into_inner_need_no_lock() {
    let mut m = Mutex::new(RefCell::new(1));
    *m.get_mut().get_mut() += 1;
    assert_eq!(m.into_inner().into_inner(), 2);
}

#[test]
fn a_mutex_may_hold_an_unsized_value_in_either_flavour() {
    let local: Rc<Mutex<[u32]>> = Rc::new(Mutex::new([1, 2, 3]));
    let shared: std::sync::Arc<evloop::sync::shared::Mutex<dyn std::fmt::Debug + Send>> =
        std::sync::Arc::new(evloop::sync::shared::Mutex::new(7u8));
    evloop::run(async {
        local.lock().await[0] = 10;
        assert_eq!(format!("{:?}", &*shared.lock().await), "7");
    });
    assert_eq!(&*local.try_lock().unwrap(), [10, 2, 3]);
}
