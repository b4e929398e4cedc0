//! `evloop::sync::mpsc`: order, backpressure of the bounded channel, FIFO among waiting
//! senders, cancellation that loses nothing, close semantics.

use crate::common;

use common::{poll_once, until, within};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use evloop::sync::mpsc::{self, SendError, TryRecvError, TrySendError};
use evloop::time::timeout;

struct DropCount(Rc<Cell<u32>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn unbounded_messages_arrive_in_order_and_recv_ends_when_senders_are_gone() {
    let got = evloop::run(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        evloop::spawn(async move {
            for i in 0..1000 {
                tx.send(i).unwrap();
                if i % 100 == 0 {
                    evloop::yield_now().await;
                }
            }
        });
        drop(tx2);
        let mut got = Vec::new();
        while let Some(i) = within(rx.recv()).await {
            got.push(i);
        }
        got
    });
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

#[test]
fn a_bounded_sender_is_suspended_while_the_buffer_is_full() {
    evloop::run(async {
        let (tx, mut rx) = mpsc::channel(2);
        let sent = Rc::new(Cell::new(0));
        let producer = evloop::spawn({
            let sent = sent.clone();
            async move {
                for i in 0..3 {
                    tx.send(i).await.unwrap();
                    sent.set(sent.get() + 1);
                }
            }
        });
        until(|| sent.get() == 2).await;
        for _ in 0..10 {
            evloop::yield_now().await;
        }
        assert_eq!(sent.get(), 2, "the third send completed into a full buffer");
        assert_eq!(rx.len(), 2);
        assert_eq!(rx.recv().await, Some(0));
        until(|| sent.get() == 3).await;
        within(producer).await.unwrap();
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
    });
}

#[test]
fn senders_waiting_for_room_are_served_in_arrival_order() {
    evloop::run(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(usize::MAX).await.unwrap(); // full
        let queued = Rc::new(Cell::new(0));
        for i in 0..8 {
            let (tx, queued) = (tx.clone(), queued.clone());
            evloop::spawn(async move {
                queued.set(queued.get() + 1);
                tx.send(i).await.unwrap();
            });
        }
        until(|| queued.get() == 8).await;
        drop(tx);
        let mut got = Vec::new();
        while let Some(i) = within(rx.recv()).await {
            got.push(i);
        }
        assert_eq!(got[0], usize::MAX);
        assert_eq!(got[1..], (0..8).collect::<Vec<_>>());
    });
}

#[test]
fn a_cancelled_send_sends_nothing_and_holds_no_slot() {
    evloop::run(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(0).await.unwrap();
        // Times out while queued: not sent.
        assert!(timeout(Duration::from_millis(5), tx.send(1)).await.is_err());
        assert_eq!(rx.recv().await, Some(0));
        assert_eq!(tx.capacity(), 1, "the cancelled send kept a slot");
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));

        // Granted a slot, then dropped before it could look: the slot goes to the next
        // waiting sender, and the dropped message is not delivered.
        tx.try_send(2).unwrap();
        let mut granted_then_dropped = tx.send(3);
        assert!(poll_once(&mut granted_then_dropped).await.is_pending());
        let queued = Rc::new(Cell::new(false));
        let next = evloop::spawn({
            let (tx, queued) = (tx.clone(), queued.clone());
            async move {
                queued.set(true);
                tx.send(4).await.unwrap();
            }
        });
        until(|| queued.get()).await;
        assert_eq!(rx.recv().await, Some(2)); // frees the slot: granted to `send(3)`
        drop(granted_then_dropped);
        within(next).await.unwrap();
        assert_eq!(rx.recv().await, Some(4));
        assert_eq!(tx.capacity(), 1);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    });
}

#[test]
fn a_cancelled_recv_loses_no_message() {
    evloop::run(async {
        let (tx, mut rx) = mpsc::channel(4);
        assert!(timeout(Duration::from_millis(5), rx.recv()).await.is_err());
        let sender = evloop::spawn(async move {
            evloop::time::sleep(Duration::from_millis(2)).await;
            tx.send("late").await.unwrap();
        });
        // A recv that loses a race is dropped while waiting; the next recv still gets all.
        let first = evloop::race(async { rx.recv().await.map(|_| "recv") }, async {
            evloop::yield_now().await;
            Some("timer")
        })
        .await;
        assert_eq!(first, Some("timer"));
        assert_eq!(within(rx.recv()).await, Some("late"));
        sender.await.unwrap();
    });
}

#[test]
fn dropping_the_receiver_fails_sends_and_hands_waiting_senders_their_values_back() {
    evloop::run(async {
        let (tx, rx) = mpsc::channel(1);
        tx.try_send(String::from("buffered")).unwrap();
        let waiting = evloop::spawn({
            let tx = tx.clone();
            async move { tx.send(String::from("waiting")).await }
        });
        evloop::yield_now().await;
        assert!(!tx.is_closed());
        drop(rx);
        assert!(tx.is_closed());
        let SendError(back) = within(waiting).await.unwrap().unwrap_err();
        assert_eq!(back, "waiting");
        assert_eq!(
            tx.send(String::from("after")).await,
            Err(SendError(String::from("after")))
        );
        assert!(matches!(
            tx.try_send(String::new()),
            Err(TrySendError::Closed(_))
        ));

        let (utx, urx) = mpsc::unbounded_channel();
        drop(urx);
        assert_eq!(utx.send(7), Err(SendError(7)));
    });
}

#[test]
fn close_keeps_buffered_messages_receivable_then_ends() {
    evloop::run(async {
        let (tx, mut rx) = mpsc::channel(4);
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        rx.close();
        assert!(tx.send(3).await.is_err());
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(
            rx.recv().await,
            None,
            "closed and drained, though a sender lives"
        );
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    });
}

#[test]
fn the_buffer_is_dropped_with_the_receiver() {
    let drops = Rc::new(Cell::new(0));
    let (tx, rx) = mpsc::unbounded_channel();
    for _ in 0..3 {
        tx.send(DropCount(drops.clone())).ok().unwrap();
    }
    drop(rx);
    assert_eq!(drops.get(), 3, "buffered messages outlived the receiver");
    drop(tx);
}

#[test]
fn try_send_and_try_recv_never_wait() {
    let (tx, mut rx) = mpsc::channel(2);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(tx.capacity(), 0);
    assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.capacity(), 1);
    drop(tx);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn many_producers_keep_their_own_order_through_a_small_buffer() {
    let got = evloop::run(async {
        let (tx, mut rx) = mpsc::channel(3);
        for p in 0..4u32 {
            let tx = tx.clone();
            evloop::spawn(async move {
                for i in 0..500u32 {
                    tx.send((p, i)).await.unwrap();
                }
            });
        }
        drop(tx);
        let got = RefCell::new(vec![Vec::new(); 4]);
        while let Some((p, i)) = within(rx.recv()).await {
            got.borrow_mut()[p as usize].push(i);
        }
        got.into_inner()
    });
    for per_producer in got {
        assert_eq!(per_producer, (0..500).collect::<Vec<_>>());
    }
}
