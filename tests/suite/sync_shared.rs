//! `evloop::sync::shared`: values crossing threads into and out of a loop task, blocking
//! calls on threads without a loop, and the same FIFO and cancellation guarantees.

use crate::common;

use common::{poll_once, within};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use evloop::sync::shared::{mpsc, oneshot, Mutex, Semaphore};
use evloop::time::timeout;

const N: u32 = 100_000;

#[test]
fn a_std_thread_sends_100k_messages_into_a_loop_task_in_order() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let producer = thread::spawn(move || {
        for i in 0..N {
            tx.send(i).unwrap();
        }
    });
    let count = evloop::run(async move {
        let mut expected = 0;
        while let Some(i) = within(rx.recv()).await {
            assert_eq!(i, expected, "out of order");
            expected += 1;
        }
        expected
    });
    producer.join().unwrap();
    assert_eq!(count, N);
}

#[test]
fn spawn_blocking_sends_100k_messages_through_a_bounded_channel_in_order() {
    let count = evloop::run(async {
        let (tx, mut rx) = mpsc::channel(64);
        let producer = evloop::spawn_blocking(move || {
            for i in 0..N {
                tx.blocking_send(i).unwrap();
            }
        });
        let mut expected = 0;
        while let Some(i) = within(rx.recv()).await {
            assert_eq!(i, expected, "out of order");
            expected += 1;
        }
        producer.await.unwrap();
        expected
    });
    assert_eq!(count, N);
}

#[test]
fn four_threads_keep_their_own_order_through_a_bounded_channel() {
    let (tx, mut rx) = mpsc::channel(8);
    let producers: Vec<_> = (0..4usize)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..25_000u32 {
                    tx.blocking_send((p, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let next = evloop::run(async move {
        let mut next = [0u32; 4];
        while let Some((p, i)) = within(rx.recv()).await {
            assert_eq!(i, next[p], "producer {p} out of order");
            next[p] += 1;
        }
        next
    });
    for producer in producers {
        producer.join().unwrap();
    }
    assert_eq!(next, [25_000; 4]);
}

#[test]
fn a_blocked_thread_sender_resumes_only_when_the_loop_takes_an_item() {
    let (tx, mut rx) = mpsc::channel(2);
    let sent = Arc::new(AtomicUsize::new(0));
    let producer = thread::spawn({
        let sent = sent.clone();
        move || {
            for i in 0..3 {
                tx.blocking_send(i).unwrap();
                sent.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    evloop::run(async move {
        within(async {
            while sent.load(Ordering::SeqCst) < 2 {
                evloop::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        evloop::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(sent.load(Ordering::SeqCst), 2, "sent into a full buffer");
        assert_eq!(rx.recv().await, Some(0));
        assert_eq!(within(rx.recv()).await, Some(1));
        assert_eq!(within(rx.recv()).await, Some(2));
        assert_eq!(within(rx.recv()).await, None);
        assert_eq!(sent.load(Ordering::SeqCst), 3);
    });
    producer.join().unwrap();
}

#[test]
fn a_loop_task_feeds_a_thread_that_blocks_on_recv() {
    let (tx, mut rx) = mpsc::channel(4);
    let consumer = thread::spawn(move || {
        let mut sum = 0u64;
        while let Some(i) = rx.blocking_recv() {
            sum += i;
        }
        sum
    });
    evloop::run(async move {
        for i in 1..=1000u64 {
            within(tx.send(i)).await.unwrap();
        }
    });
    assert_eq!(consumer.join().unwrap(), 500_500);
}

#[test]
fn a_dropped_receiver_fails_blocking_and_async_sends_with_the_value() {
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    assert_eq!(tx.blocking_send(1), Err(mpsc::SendError(1)));
    assert!(matches!(tx.try_send(2), Err(mpsc::TrySendError::Closed(2))));

    // A sender blocked on a full channel is released by the receiver's drop.
    let (tx, rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let blocked = thread::spawn(move || tx.blocking_send(1));
    thread::sleep(Duration::from_millis(10));
    drop(rx);
    assert_eq!(blocked.join().unwrap(), Err(mpsc::SendError(1)));
}

#[test]
fn a_cancelled_shared_send_holds_no_slot_and_passes_a_grant_on() {
    evloop::run(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        assert!(timeout(Duration::from_millis(5), tx.send(1)).await.is_err());
        let mut granted_then_dropped = tx.send(2);
        assert!(poll_once(&mut granted_then_dropped).await.is_pending());
        let tx2 = tx.clone();
        let next = thread::spawn(move || tx2.blocking_send(3));
        // Let the thread queue behind `granted_then_dropped` (if it is slower, it finds
        // the slot free instead; either way the slot must reach it).
        evloop::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(rx.recv().await, Some(0)); // slot granted to `send(2)`
        drop(granted_then_dropped); // passed on to the thread's send(3)
        assert_eq!(within(rx.recv()).await, Some(3));
        next.join().unwrap().unwrap();
        assert_eq!(tx.capacity(), 1);
    });
}

#[test]
fn oneshot_results_cross_threads_both_ways() {
    let got = evloop::run(async {
        let (tx, rx) = oneshot::channel();
        evloop::spawn_blocking(move || tx.send(40 + 2).unwrap());
        within(rx).await
    });
    assert_eq!(got, Ok(42));

    let (tx, rx) = oneshot::channel::<u8>();
    let dropper = thread::spawn(move || drop(tx));
    let got = evloop::run(async move { within(rx).await });
    assert!(got.is_err());
    dropper.join().unwrap();

    let (tx, rx) = oneshot::channel();
    let waiter = thread::spawn(move || rx.blocking_recv());
    evloop::run(async move {
        evloop::time::sleep(Duration::from_millis(2)).await;
        tx.send("to a thread").unwrap();
    });
    assert_eq!(waiter.join().unwrap(), Ok("to a thread"));
}

#[test]
fn the_shared_mutex_serialises_threads_and_loop_tasks() {
    let counter = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let counter = counter.clone();
            thread::spawn(move || {
                for _ in 0..1000 {
                    *counter.blocking_lock() += 1;
                }
            })
        })
        .collect();
    evloop::run({
        let counter = counter.clone();
        async move {
            let tasks: Vec<_> = (0..10)
                .map(|_| {
                    let counter = counter.clone();
                    evloop::spawn(async move {
                        for _ in 0..100 {
                            let mut n = counter.lock().await;
                            let before = *n;
                            evloop::yield_now().await; // held across an await
                            *n = before + 1;
                        }
                    })
                })
                .collect();
            within(evloop::gather_all(tasks)).await;
        }
    });
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(*counter.blocking_lock(), 4000);
    assert!(counter.try_lock().is_ok());
}

#[test]
fn the_shared_semaphore_wakes_a_loop_task_from_a_thread_and_loses_no_permit() {
    let sem = Arc::new(Semaphore::new(0));
    let adder = thread::spawn({
        let sem = sem.clone();
        move || {
            thread::sleep(Duration::from_millis(5));
            sem.add_permits(2);
        }
    });
    evloop::run({
        let sem = sem.clone();
        async move {
            let two = within(sem.acquire_many(2)).await.unwrap();
            assert_eq!(two.num_permits(), 2);
            // Queued, granted, dropped unseen: the permit goes on to the next waiter.
            let mut dropped = sem.acquire();
            assert!(poll_once(&mut dropped).await.is_pending());
            let queued = std::rc::Rc::new(std::cell::Cell::new(false));
            let owned = evloop::spawn({
                let (sem, queued) = (sem.clone(), queued.clone());
                async move {
                    queued.set(true);
                    sem.acquire_owned().await
                }
            });
            while !queued.get() {
                evloop::yield_now().await;
            }
            drop(two);
            assert_eq!(sem.available_permits(), 0);
            drop(dropped);
            let owned = within(owned).await.unwrap().unwrap();
            assert_eq!(sem.available_permits(), 1);
            drop(owned);
        }
    });
    adder.join().unwrap();
    assert_eq!(sem.available_permits(), 2);
    let permit = sem.blocking_acquire().unwrap();
    sem.close();
    assert!(sem.try_acquire().is_err());
    drop(permit);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn a_blocking_call_on_a_loops_thread_panics_instead_of_stopping_the_loop() {
    use evloop::sync::shared::mpsc;
    let msg = evloop::run(async {
        let (_tx, mut rx) = mpsc::unbounded_channel::<u32>();
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rx.blocking_recv()))
            .unwrap_err();
        match err.downcast_ref::<&str>() {
            Some(text) => text.to_string(),
            None => err.downcast_ref::<String>().cloned().unwrap_or_default(),
        }
    });
    assert!(msg.contains("would stop the loop"), "{msg}");
    assert!(msg.contains("`.await` the async version"), "{msg}");
}
