//! `evloop::sync::watch`: the latest value for every receiver, `changed()` waking each
//! waiting receiver once per change, close semantics, the `send` family, cancel-safe
//! `changed`, and the advice given when a `Ref` is held across a send.

use crate::common;
use crate::sync_util;

use common::within;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::Poll;
use std::time::Duration;
use sync_util::{poll_with, CountingWaker};

use evloop::sync::watch::{self, RecvError, SendError};
use evloop::time::timeout;

#[test]
fn receivers_read_the_initial_value_then_the_latest_one() {
    let (tx, mut rx) = watch::channel(String::from("init"));
    assert_eq!(*rx.borrow(), "init");
    assert!(!rx.borrow().has_changed());
    assert_eq!(rx.has_changed(), Ok(false));
    tx.send(String::from("one")).unwrap();
    tx.send(String::from("two")).unwrap();
    assert_eq!(*tx.borrow(), "two");
    assert_eq!(rx.has_changed(), Ok(true));
    let seen = rx.borrow_and_update();
    assert!(seen.has_changed());
    assert_eq!(*seen, "two", "only the latest value is kept");
    drop(seen);
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn changed_wakes_every_waiting_receiver_once_per_change() {
    let (tx, rx) = watch::channel(0);
    let mut receivers: Vec<_> = (0..5).map(|_| rx.clone()).collect();
    let wakers: Vec<_> = (0..5).map(|_| CountingWaker::new()).collect();
    for round in 1..=3 {
        let mut waits: Vec<_> = receivers.iter_mut().map(|rx| rx.changed()).collect();
        for (wait, waker) in waits.iter_mut().zip(&wakers) {
            assert_eq!(poll_with(wait, waker), Poll::Pending);
            assert_eq!(
                poll_with(wait, waker),
                Poll::Pending,
                "a second poll adds no waiter"
            );
        }
        tx.send(round).unwrap();
        tx.send(round * 10).unwrap(); // already woken: no second wake for this change
        for (wait, waker) in waits.iter_mut().zip(&wakers) {
            assert_eq!(
                waker.count(),
                round as usize,
                "one wake per change waited for"
            );
            assert_eq!(poll_with(wait, waker), Poll::Ready(Ok(())));
        }
    }
    for rx in &receivers {
        assert_eq!(*rx.borrow(), 30);
    }
}

#[test]
fn watcher_tasks_each_see_every_change_they_wait_for() {
    let seen = evloop::run(async {
        let (tx, rx) = watch::channel(0u32);
        let watchers: Vec<_> = (0..8)
            .map(|_| {
                let mut rx = rx.clone();
                evloop::spawn(async move {
                    let mut seen = Vec::new();
                    while within(rx.changed()).await.is_ok() {
                        seen.push(*rx.borrow_and_update());
                    }
                    seen
                })
            })
            .collect();
        evloop::yield_now().await; // every watcher waits now
        for v in 1..=20 {
            tx.send(v).unwrap();
            evloop::yield_now().await; // each watcher runs once before the next change
        }
        drop(tx);
        evloop::gather_all(watchers).await
    });
    for watcher in seen {
        assert_eq!(watcher.unwrap(), (1..=20).collect::<Vec<_>>());
    }
}

#[test]
fn changed_reports_an_unseen_value_before_the_senders_end_then_fails() {
    evloop::run(async {
        let (tx, mut rx) = watch::channel(1);
        tx.send(2).unwrap();
        drop(tx);
        assert_eq!(rx.changed().await, Ok(()), "2 was not seen yet");
        assert_eq!(*rx.borrow(), 2);
        assert!(matches!(rx.changed().await, Err(RecvError { .. })));
        assert!(rx.has_changed().is_err());
        assert_eq!(*rx.borrow_and_update(), 2, "the last value stays readable");
    });
}

#[test]
fn dropping_the_sender_wakes_every_waiting_receiver_once_with_an_error() {
    let (tx, rx) = watch::channel(());
    let mut receivers: Vec<_> = (0..4).map(|_| rx.clone()).collect();
    let wakers: Vec<_> = (0..4).map(|_| CountingWaker::new()).collect();
    let mut waits: Vec<_> = receivers.iter_mut().map(|rx| rx.changed()).collect();
    for (wait, waker) in waits.iter_mut().zip(&wakers) {
        assert_eq!(poll_with(wait, waker), Poll::Pending);
    }
    drop(tx);
    for (wait, waker) in waits.iter_mut().zip(&wakers) {
        assert_eq!(waker.count(), 1);
        assert!(matches!(
            poll_with(wait, waker),
            Poll::Ready(Err(RecvError { .. }))
        ));
    }
}

#[test]
fn send_without_receivers_fails_and_keeps_the_old_value() {
    let (tx, rx) = watch::channel(1);
    assert_eq!(tx.receiver_count(), 1);
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(2), Err(SendError(2)));
    assert_eq!(*tx.borrow(), 1);
    assert_eq!(tx.send_replace(3), 1, "send_replace stores it anyway");
    tx.send_modify(|v| *v += 1);
    assert_eq!(*tx.borrow(), 4);
}

#[test]
fn send_if_modified_tells_receivers_only_when_the_closure_says_so() {
    let (tx, mut rx) = watch::channel(vec![1]);
    let add_one_if_missing = |v: &mut Vec<i32>| {
        let missing = !v.contains(&1);
        if missing {
            v.push(1);
        }
        missing
    };
    assert!(!tx.send_if_modified(add_one_if_missing));
    assert_eq!(rx.has_changed(), Ok(false));
    assert!(tx.send_if_modified(|v| {
        v.push(2);
        true
    }));
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(*rx.borrow_and_update(), [1, 2]);
}

#[test]
fn new_receivers_have_seen_the_value_of_their_birth() {
    let (tx, mut rx) = watch::channel('a');
    tx.send('b').unwrap();
    let subscribed = tx.subscribe();
    let cloned = rx.clone();
    assert_eq!(
        subscribed.has_changed(),
        Ok(false),
        "subscribe: 'b' counts as seen"
    );
    assert_eq!(
        cloned.has_changed(),
        Ok(true),
        "a clone has seen what rx has seen"
    );
    rx.borrow_and_update();
    assert_eq!(rx.clone().has_changed(), Ok(false));
    assert_eq!(tx.receiver_count(), 3);
}

#[test]
fn a_dropped_changed_marks_nothing_seen_and_leaves_no_waiter() {
    evloop::run(async {
        let (tx, mut rx) = watch::channel(0);
        let waited = timeout(Duration::from_millis(2), rx.changed()).await;
        assert!(waited.is_err(), "nothing was sent yet");
        tx.send(1).unwrap();
        assert_eq!(rx.has_changed(), Ok(true));
        assert_eq!(within(rx.changed()).await, Ok(()));
        assert_eq!(rx.has_changed(), Ok(false));
    });
}

#[test]
fn a_send_while_a_ref_is_alive_panics_with_advice() {
    let (tx, rx) = watch::channel(0);
    let held = rx.borrow();
    let panic = catch_unwind(AssertUnwindSafe(|| tx.send(1))).unwrap_err();
    let message = common::panic_text(&*panic);
    assert!(message.contains("watch::Ref"), "{message}");
    assert!(message.contains(".await"), "{message}");
    drop(held);
    assert_eq!(tx.send(2), Ok(()), "the channel still works");
    assert_eq!(*rx.borrow(), 2);
}

#[test]
fn a_dropped_changed_is_not_woken_by_the_next_send() {
    let (tx, mut rx) = watch::channel(0);
    let dropped = CountingWaker::new();
    let mut wait = rx.changed();
    assert_eq!(poll_with(&mut wait, &dropped), Poll::Pending);
    drop(wait);
    let live = CountingWaker::new();
    let mut wait = rx.changed();
    assert_eq!(poll_with(&mut wait, &live), Poll::Pending);
    tx.send(1).unwrap();
    assert_eq!(dropped.count(), 0, "a dropped changed is not woken");
    assert_eq!(live.count(), 1);
    assert_eq!(poll_with(&mut wait, &live), Poll::Ready(Ok(())));
}
