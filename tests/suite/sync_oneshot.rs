//! `evloop::sync::oneshot`: one value between tasks, and every way a half can go away.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use evloop::sync::oneshot::{self, TryRecvError};
use evloop::time::timeout;

struct DropCount(Rc<Cell<u32>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn a_waiting_receiver_gets_the_value_sent_by_another_task() {
    let got = evloop::run(async {
        let (tx, rx) = oneshot::channel();
        evloop::spawn(async move {
            evloop::time::sleep(Duration::from_millis(2)).await;
            tx.send(String::from("done")).unwrap();
        });
        rx.await
    });
    assert_eq!(got.unwrap(), "done");
}

#[test]
fn a_sender_dropped_without_sending_wakes_the_receiver_with_an_error() {
    evloop::run(async {
        let (tx, rx) = oneshot::channel::<u8>();
        evloop::spawn(async move {
            evloop::yield_now().await;
            drop(tx);
        });
        let err = timeout(Duration::from_secs(5), rx)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the oneshot sender was dropped without sending"
        );
    });
}

#[test]
fn send_to_a_dropped_or_closed_receiver_gives_the_value_back() {
    let (tx, rx) = oneshot::channel();
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(5), Err(5));

    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(6), Err(6));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn try_recv_reports_empty_then_the_value_then_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn an_unreceived_value_is_dropped_with_the_receiver() {
    let drops = Rc::new(Cell::new(0));
    let (tx, rx) = oneshot::channel();
    tx.send(DropCount(drops.clone())).ok().unwrap();
    assert_eq!(drops.get(), 0);
    drop(rx);
    assert_eq!(drops.get(), 1);
}

#[test]
fn sender_closed_completes_when_the_receiver_goes_away() {
    evloop::run(async {
        let (mut tx, rx) = oneshot::channel::<u8>();
        let watcher = evloop::spawn(async move {
            tx.closed().await;
            tx.is_closed()
        });
        evloop::yield_now().await;
        assert!(!watcher.is_finished());
        drop(rx);
        assert!(timeout(Duration::from_secs(5), watcher)
            .await
            .unwrap()
            .unwrap());
    });
}
