//! `evloop::sync::broadcast`: fan-out of every message to every receiver, lag reported
//! with the exact count, bounded memory, claims released by dropped receivers, close
//! semantics, cancel-safe `recv`, one wake per waiting receiver.

use crate::common;
use crate::sync_util;

use common::within;
use std::cell::Cell;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;
use sync_util::{poll_with, CountingWaker};

use evloop::sync::broadcast::{self, RecvError, SendError, TryRecvError};
use evloop::time::timeout;

/// Counts the clones made of it, through a counter all its clones share.
struct Counted(Rc<Cell<u32>>);

impl Clone for Counted {
    fn clone(&self) -> Counted {
        self.0.set(self.0.get() + 1);
        Counted(self.0.clone())
    }
}

#[test]
fn every_receiver_gets_every_message_in_order() {
    const RECEIVERS: usize = 64;
    const MESSAGES: u32 = 1000;
    let heard = evloop::run(async {
        let (tx, first) = broadcast::channel(16);
        drop(first);
        let listeners: Vec<_> = (0..RECEIVERS)
            .map(|_| {
                let mut rx = tx.subscribe();
                evloop::spawn(async move {
                    let mut got = Vec::new();
                    loop {
                        match within(rx.recv()).await {
                            Ok(msg) => got.push(msg),
                            Err(RecvError::Closed) => return got,
                            Err(lagged) => panic!("no receiver should lag here: {lagged}"),
                        }
                    }
                })
            })
            .collect();
        for msg in 0..MESSAGES {
            assert_eq!(tx.send(msg), Ok(RECEIVERS));
            if msg % 8 == 7 {
                evloop::yield_now().await; // at most 8 in flight: within the capacity of 16
            }
        }
        drop(tx);
        evloop::gather_all(listeners).await
    });
    assert_eq!(heard.len(), RECEIVERS);
    for got in heard {
        assert_eq!(got.unwrap(), (0..MESSAGES).collect::<Vec<_>>());
    }
}

#[test]
fn a_lagging_receiver_is_told_exactly_how_many_it_missed_and_goes_on_from_the_oldest_kept() {
    let (tx, mut rx) = broadcast::channel(4);
    for msg in 0..10 {
        tx.send(msg).unwrap();
    }
    assert_eq!(rx.len(), 10);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(6))); // 0..6 were overwritten
    assert_eq!(rx.len(), 4);
    assert_eq!(rx.try_recv(), Ok(6));
    for msg in 10..15 {
        tx.send(msg).unwrap(); // now 11..15 are kept; this receiver stands at 7
    }
    evloop::run(async {
        assert_eq!(rx.recv().await, Err(RecvError::Lagged(4)));
        for msg in 11..15 {
            assert_eq!(rx.recv().await, Ok(msg));
        }
    });
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert!(rx.is_empty());
}

#[test]
fn a_receiver_that_never_reads_holds_at_most_capacity_messages() {
    let token = Rc::new(());
    let (tx, _stalled) = broadcast::channel(8);
    for _ in 0..10_000 {
        tx.send(token.clone()).unwrap();
    }
    assert_eq!(
        Rc::strong_count(&token) - 1,
        8,
        "messages alive in the channel"
    );
}

#[test]
fn a_message_is_dropped_once_every_receiver_took_it() {
    let token = Rc::new(());
    let (tx, mut rx1) = broadcast::channel(8);
    let mut rx2 = tx.subscribe();
    for _ in 0..5 {
        tx.send(token.clone()).unwrap();
    }
    while rx1.try_recv().is_ok() {}
    assert_eq!(Rc::strong_count(&token) - 1, 5, "rx2 still claims all five");
    for _ in 0..3 {
        rx2.try_recv().unwrap();
    }
    assert_eq!(
        Rc::strong_count(&token) - 1,
        2,
        "the three both took are gone"
    );
}

#[test]
fn a_dropped_receiver_releases_its_claims_on_the_messages_it_had_not_taken() {
    let token = Rc::new(());
    let (tx, mut reader) = broadcast::channel(8);
    let idle = tx.subscribe();
    for _ in 0..5 {
        tx.send(token.clone()).unwrap();
    }
    while reader.try_recv().is_ok() {}
    assert_eq!(
        Rc::strong_count(&token) - 1,
        5,
        "the idle receiver claims all five"
    );
    drop(idle);
    assert_eq!(
        Rc::strong_count(&token) - 1,
        0,
        "nobody claims them any more"
    );
    assert_eq!(tx.receiver_count(), 1);
}

#[test]
fn the_last_receiver_to_take_a_message_gets_it_without_a_clone() {
    let clones = Rc::new(Cell::new(0));
    let (tx, mut rx1) = broadcast::channel(4);
    let mut rx2 = tx.subscribe();
    let mut rx3 = tx.subscribe();
    tx.send(Counted(clones.clone())).unwrap();
    for rx in [&mut rx1, &mut rx2, &mut rx3] {
        rx.try_recv().unwrap();
    }
    assert_eq!(clones.get(), 2, "three receivers, two clones");
}

#[test]
fn receivers_take_what_is_left_after_the_last_sender_goes_then_get_closed() {
    evloop::run(async {
        let (tx, mut rx) = broadcast::channel(4);
        let tx2 = tx.clone();
        tx.send(1).unwrap();
        tx2.send(2).unwrap();
        drop(tx);
        assert_eq!(rx.recv().await, Ok(1));
        assert_eq!(rx.recv().await, Ok(2));
        assert_eq!(
            rx.try_recv(),
            Err(TryRecvError::Empty),
            "one sender is left"
        );
        drop(tx2);
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}

#[test]
fn the_last_sender_leaving_wakes_every_waiting_receiver_once_with_closed() {
    let (tx, first) = broadcast::channel::<u8>(4);
    drop(first);
    let tx2 = tx.clone();
    let mut receivers: Vec<_> = (0..5).map(|_| tx.subscribe()).collect();
    let wakers: Vec<_> = (0..5).map(|_| CountingWaker::new()).collect();
    let mut recvs: Vec<_> = receivers.iter_mut().map(|rx| rx.recv()).collect();
    for (recv, waker) in recvs.iter_mut().zip(&wakers) {
        assert_eq!(poll_with(recv, waker), Poll::Pending);
    }
    drop(tx);
    for waker in &wakers {
        assert_eq!(waker.count(), 0, "a sender is left");
    }
    drop(tx2);
    for (recv, waker) in recvs.iter_mut().zip(&wakers) {
        assert_eq!(waker.count(), 1);
        assert_eq!(poll_with(recv, waker), Poll::Ready(Err(RecvError::Closed)));
    }
}

#[test]
fn a_send_without_receivers_fails_and_gives_the_value_back() {
    let (tx, rx) = broadcast::channel(2);
    assert_eq!(tx.receiver_count(), 1);
    drop(rx);
    assert_eq!(tx.receiver_count(), 0);
    assert_eq!(tx.send("lost"), Err(SendError("lost")));
    let mut rx = tx.subscribe();
    assert_eq!(tx.send("heard"), Ok(1));
    assert_eq!(rx.try_recv(), Ok("heard"));
}

#[test]
fn subscribers_get_only_messages_sent_after_they_subscribed() {
    let (tx, mut early) = broadcast::channel(8);
    tx.send('a').unwrap();
    let mut late = tx.subscribe();
    let mut later = early.resubscribe();
    tx.send('b').unwrap();
    assert_eq!(early.try_recv(), Ok('a'));
    assert_eq!(early.try_recv(), Ok('b'));
    assert_eq!(late.try_recv(), Ok('b'));
    assert_eq!(later.try_recv(), Ok('b'));
    assert_eq!(late.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(tx.receiver_count(), 3);
}

#[test]
fn a_dropped_recv_loses_no_message() {
    evloop::run(async {
        let (tx, mut rx) = broadcast::channel(4);
        let waited = timeout(Duration::from_millis(2), rx.recv()).await;
        assert!(waited.is_err(), "nothing was sent yet");
        tx.send(7).unwrap();
        assert_eq!(within(rx.recv()).await, Ok(7));
    });
    let (tx, mut rx) = broadcast::channel(4);
    let waker = CountingWaker::new();
    let mut recv = rx.recv();
    assert_eq!(poll_with(&mut recv, &waker), Poll::Pending);
    tx.send(8).unwrap();
    assert_eq!(waker.count(), 1);
    drop(recv); // woken for 8, but dropped before it took it
    assert_eq!(rx.try_recv(), Ok(8));
}

#[test]
fn one_send_wakes_every_waiting_receiver_exactly_once() {
    let (tx, first) = broadcast::channel::<u32>(4);
    drop(first);
    let mut receivers: Vec<_> = (0..4).map(|_| tx.subscribe()).collect();
    let wakers: Vec<_> = (0..4).map(|_| CountingWaker::new()).collect();
    let mut recvs: Vec<_> = receivers.iter_mut().map(|rx| rx.recv()).collect();
    for (recv, waker) in recvs.iter_mut().zip(&wakers) {
        assert_eq!(poll_with(recv, waker), Poll::Pending);
        assert_eq!(
            poll_with(recv, waker),
            Poll::Pending,
            "a second poll adds no waiter"
        );
    }
    tx.send(1).unwrap();
    tx.send(2).unwrap(); // they were woken by the first already: no second wake
    for (recv, waker) in recvs.iter_mut().zip(&wakers) {
        assert_eq!(waker.count(), 1);
        assert_eq!(poll_with(recv, waker), Poll::Ready(Ok(1)));
    }
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn a_channel_of_capacity_zero_is_refused() {
    let _ = broadcast::channel::<u8>(0);
}
