//! `async-channel`, unchanged, on evloop: a pipeline with four worker tasks, closing
//! semantics, and a sender on another thread.

use crate::common;

use common::run_bounded;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use evloop::time::sleep;

#[test]
fn pipeline_through_four_workers_processes_every_job_once() {
    const JOBS: u64 = 2_000;
    const WORKERS: usize = 4;
    let per_worker = Rc::new(RefCell::new(BTreeMap::<usize, u64>::new()));
    let (results, sum) = run_bounded({
        let per_worker = per_worker.clone();
        async move {
            // Small bounds so that every stage waits on its neighbours.
            let (jobs_tx, jobs_rx) = async_channel::bounded::<u64>(4);
            let (done_tx, done_rx) = async_channel::bounded::<(usize, u64)>(4);
            for w in 0..WORKERS {
                let (jobs_rx, done_tx, per_worker) =
                    (jobs_rx.clone(), done_tx.clone(), per_worker.clone());
                evloop::spawn(async move {
                    // `recv` fails once the producer is gone and the queue is drained.
                    while let Ok(n) = jobs_rx.recv().await {
                        if n % 64 == 0 {
                            sleep(Duration::from_millis(1)).await;
                        }
                        *per_worker.borrow_mut().entry(w).or_default() += 1;
                        done_tx.send((w, n * n)).await.unwrap();
                    }
                });
            }
            drop((jobs_rx, done_tx));
            evloop::spawn(async move {
                for n in 0..JOBS {
                    jobs_tx.send(n).await.unwrap();
                }
            });
            let mut results = 0;
            let mut sum = 0;
            // Ends when all four workers have dropped their senders.
            while let Ok((_worker, sq)) = done_rx.recv().await {
                results += 1;
                sum += sq;
            }
            (results, sum)
        }
    });
    assert_eq!(results, JOBS);
    assert_eq!(sum, (0..JOBS).map(|n| n * n).sum::<u64>());
    let per_worker = per_worker.borrow();
    assert_eq!(
        per_worker.len(),
        WORKERS,
        "every worker took jobs: {per_worker:?}"
    );
    assert_eq!(per_worker.values().sum::<u64>(), JOBS);
}

#[test]
fn closing_wakes_blocked_receivers_and_senders() {
    run_bounded(async {
        let (tx, rx) = async_channel::bounded::<u8>(1);
        let receivers: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                evloop::spawn(async move { rx.recv().await })
            })
            .collect();
        sleep(Duration::from_millis(10)).await;
        assert!(tx.close());
        for r in receivers {
            assert!(r.await.unwrap().is_err(), "a closed channel fails recv");
        }

        let (tx, rx) = async_channel::bounded::<u8>(1);
        tx.send(1).await.unwrap();
        let blocked = evloop::spawn({
            let tx = tx.clone();
            async move { tx.send(2).await }
        });
        sleep(Duration::from_millis(10)).await;
        assert!(!blocked.is_finished(), "the second send waits for room");
        drop(rx);
        assert_eq!(blocked.await.unwrap().unwrap_err().into_inner(), 2);
    });
}

#[test]
fn a_sender_on_another_thread_wakes_the_loop() {
    const N: u32 = 500;
    let sum = run_bounded(async {
        let (tx, rx) = async_channel::bounded::<u32>(8);
        let thread = std::thread::spawn(move || {
            for i in 0..N {
                tx.send_blocking(i).unwrap();
                if i % 50 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        });
        let mut sum = 0;
        while let Ok(i) = rx.recv().await {
            sum += i;
        }
        thread.join().unwrap();
        sum
    });
    assert_eq!(sum, (0..N).sum::<u32>());
}
