//! `event-listener`, unchanged, on evloop: waiting for a condition across tasks, handing
//! out work one notification at a time, and a notification from another thread.

use crate::common;

use common::run_bounded;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use event_listener::{listener, Event};
use evloop::time::sleep;

/// Waits until `ready` returns true, with the check-listen-recheck pattern.
async fn wait_until(event: &Event, ready: impl Fn() -> bool) {
    loop {
        if ready() {
            return;
        }
        listener!(event => listener);
        if ready() {
            return;
        }
        listener.await;
    }
}

#[test]
fn notify_all_wakes_every_waiting_task_once_the_flag_is_set() {
    const WAITERS: usize = 5;
    let start = Instant::now();
    let woke = run_bounded(async {
        let event = Rc::new(Event::new());
        let flag = Rc::new(Cell::new(false));
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let (event, flag) = (event.clone(), flag.clone());
                evloop::spawn(async move {
                    wait_until(&event, || flag.get()).await;
                    Instant::now()
                })
            })
            .collect();
        evloop::spawn({
            let (event, flag) = (event.clone(), flag.clone());
            async move {
                sleep(Duration::from_millis(30)).await;
                flag.set(true);
                event.notify(usize::MAX);
            }
        });
        evloop::gather_all(waiters).await
    });
    assert_eq!(woke.len(), WAITERS);
    for at in woke {
        assert!(
            at.unwrap() - start >= Duration::from_millis(30),
            "woke before the flag"
        );
    }
}

#[test]
fn notify_one_hands_each_job_to_one_of_four_workers() {
    const WORKERS: usize = 4;
    const JOBS: u32 = 200;
    let (done, per_worker) = run_bounded(async {
        let event = Rc::new(Event::new());
        let queue = Rc::new(RefCell::new(VecDeque::<Option<u32>>::new()));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let (event, queue) = (event.clone(), queue.clone());
                evloop::spawn(async move {
                    let mut handled = Vec::new();
                    loop {
                        wait_until(&event, || !queue.borrow().is_empty()).await;
                        let job = queue.borrow_mut().pop_front().unwrap();
                        // A worker that took a job passes any leftover notification on.
                        if !queue.borrow().is_empty() {
                            event.notify(1);
                        }
                        match job {
                            Some(n) => {
                                handled.push(n);
                                sleep(Duration::from_micros(100)).await;
                            }
                            None => return handled, // the stop marker: one per worker
                        }
                    }
                })
            })
            .collect();
        for n in 0..JOBS {
            queue.borrow_mut().push_back(Some(n));
            event.notify(1);
            if n % 8 == 0 {
                evloop::yield_now().await;
            }
        }
        for _ in 0..WORKERS {
            queue.borrow_mut().push_back(None);
            event.notify(1);
        }
        let handled: Vec<Vec<u32>> = evloop::gather_all(workers)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let per_worker: Vec<usize> = handled.iter().map(Vec::len).collect();
        let mut done: Vec<u32> = handled.into_iter().flatten().collect();
        done.sort_unstable();
        (done, per_worker)
    });
    assert_eq!(done, (0..JOBS).collect::<Vec<_>>(), "each job exactly once");
    assert!(
        per_worker.iter().filter(|&&n| n > 0).count() > 1,
        "{per_worker:?}"
    );
}

#[test]
fn a_notification_from_another_thread_wakes_the_loop() {
    let start = Instant::now();
    run_bounded(async {
        let event = Arc::new(Event::new());
        let flag = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let (event, flag) = (event.clone(), flag.clone());
            move || {
                std::thread::sleep(Duration::from_millis(30));
                flag.store(true, Ordering::SeqCst);
                event.notify(usize::MAX);
            }
        });
        wait_until(&event, || flag.load(Ordering::SeqCst)).await;
        thread.join().unwrap();
    });
    assert!(start.elapsed() >= Duration::from_millis(30));
}
