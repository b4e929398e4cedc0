//! Wakes from other threads, and fairness between busy tasks and timers.

use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use evloop::time::{sleep, timeout};

#[test]
fn wakes_from_four_threads_are_never_lost() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 250;
    const TOTAL: usize = THREADS * PER_THREAD;
    let sent = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));

    let outcome = evloop::run({
        let (sent, seen, slot) = (sent.clone(), seen.clone(), slot.clone());
        async move {
            let task = evloop::spawn({
                let (sent, seen, slot) = (sent.clone(), seen.clone(), slot.clone());
                poll_fn(move |cx| {
                    *slot.lock().unwrap() = Some(cx.waker().clone());
                    let now = sent.load(Ordering::SeqCst);
                    seen.store(now, Ordering::SeqCst);
                    if now == TOTAL {
                        Poll::Ready(now)
                    } else {
                        Poll::Pending
                    }
                })
            });
            // Let the task park its waker before the threads start.
            evloop::yield_now().await;
            let threads: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (sent, seen, slot) = (sent.clone(), seen.clone(), slot.clone());
                    std::thread::spawn(move || {
                        for _ in 0..PER_THREAD {
                            let mine = sent.fetch_add(1, Ordering::SeqCst) + 1;
                            let waker = slot.lock().unwrap().clone().unwrap();
                            waker.wake();
                            // Every wake must be followed by a poll that sees it.
                            let deadline = Instant::now() + Duration::from_secs(10);
                            while seen.load(Ordering::SeqCst) < mine {
                                assert!(Instant::now() < deadline, "a wake was lost");
                                std::thread::yield_now();
                            }
                        }
                    })
                })
                .collect();
            let result = timeout(Duration::from_secs(10), task).await;
            (result, threads)
        }
    });
    let (result, threads) = outcome;
    for t in threads {
        t.join().expect("a wake was lost");
    }
    assert_eq!(
        result.expect("the task never saw the last wake").unwrap(),
        TOTAL
    );
}

#[test]
fn a_waker_used_after_the_runtime_is_gone_does_nothing() {
    let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
    let s = slot.clone();
    evloop::run(async move {
        drop(evloop::spawn(poll_fn(move |cx| {
            *s.lock().unwrap() = Some(cx.waker().clone());
            Poll::<()>::Pending
        })));
        evloop::yield_now().await;
    });
    let waker = slot.lock().unwrap().take().unwrap();
    waker.wake_by_ref();
    std::thread::spawn(move || waker.wake()).join().unwrap();
}

#[test]
fn a_task_spinning_on_yield_now_does_not_starve_a_sleeper() {
    let lateness = evloop::run(async {
        let spinner = evloop::spawn(async {
            loop {
                evloop::yield_now().await;
            }
        });
        let start = Instant::now();
        sleep(Duration::from_millis(10)).await;
        let late = start.elapsed() - Duration::from_millis(10);
        spinner.abort();
        late
    });
    assert!(
        lateness < Duration::from_millis(50),
        "sleeper starved: {lateness:?} late"
    );
}

#[test]
fn many_busy_tasks_still_let_timers_fire() {
    let late = evloop::run(async {
        let spinners: Vec<_> = (0..100)
            .map(|_| {
                evloop::spawn(async {
                    loop {
                        evloop::yield_now().await;
                    }
                })
            })
            .collect();
        let start = Instant::now();
        sleep(Duration::from_millis(10)).await;
        let late = start.elapsed() - Duration::from_millis(10);
        for s in &spinners {
            s.abort();
        }
        late
    });
    assert!(late < Duration::from_millis(50), "{late:?}");
}

#[test]
fn a_task_woken_from_its_loop_and_another_thread_at_once_runs_once_more_and_is_freed() {
    let rt = evloop::Runtime::new().unwrap();
    rt.block_on(async {
        for round in 0..500 {
            let (tx, rx) = std::sync::mpsc::channel::<Waker>();
            let remote = std::thread::spawn(move || {
                let waker = rx.recv().unwrap();
                waker.wake_by_ref(); // races the local wake below and the completion
                waker
            });
            let mut polls = 0;
            let handle = evloop::spawn(poll_fn(move |cx| {
                polls += 1;
                if polls == 1 {
                    tx.send(cx.waker().clone()).unwrap();
                    cx.waker().wake_by_ref(); // queued locally at once
                    Poll::Pending
                } else {
                    Poll::Ready(polls)
                }
            }));
            let polls = handle.await.unwrap();
            assert!((2..=3).contains(&polls), "round {round}: {polls} polls");
            let waker = remote.join().unwrap();
            waker.wake_by_ref(); // the task is complete: a no-op on its loop's thread
            std::thread::spawn(move || waker.wake()).join().unwrap(); // and elsewhere
        }
    });
    assert_eq!(rt.alive_tasks(), 0);
}

#[test]
fn a_task_that_wakes_itself_in_the_poll_that_completes_it_is_freed_safely() {
    // The self-wake queues the task again; completing in the same poll must not free it
    // while the run queue still points at it (valgrind's memcheck runs this test too).
    let rt = evloop::Runtime::new().unwrap();
    rt.block_on(async {
        for _ in 0..1000 {
            drop(evloop::spawn(poll_fn(|cx| {
                cx.waker().wake_by_ref();
                Poll::Ready(())
            })));
            let waker_kept = evloop::spawn(poll_fn(|cx| {
                let waker = cx.waker().clone();
                waker.wake();
                Poll::Ready(())
            }));
            waker_kept.await.unwrap();
        }
        assert_eq!(evloop::task::all_tasks().len(), 0);
    });
    assert_eq!(rt.alive_tasks(), 0);
}

#[test]
fn wakes_from_other_threads_racing_the_runtimes_drop_touch_no_freed_loop() {
    // Each thread wakes by value (the waker's reference is the last one once the runtime
    // has dropped its own) while the runtime shuts down; the loop's shared half must live
    // until the last such wake has finished using it. valgrind's memcheck runs this too.
    for _ in 0..50 {
        let wakers: Arc<Mutex<Vec<Waker>>> = Arc::default();
        let rt = evloop::Runtime::new().unwrap();
        let w = wakers.clone();
        rt.block_on(async move {
            for _ in 0..8 {
                let w = w.clone();
                drop(evloop::spawn(poll_fn(move |cx| {
                    w.lock().unwrap().push(cx.waker().clone());
                    Poll::<()>::Pending
                })));
            }
            evloop::yield_now().await;
        });
        let threads: Vec<_> = std::mem::take(&mut *wakers.lock().unwrap())
            .into_iter()
            .map(|waker| {
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        waker.wake_by_ref();
                    }
                    waker.wake();
                })
            })
            .collect();
        drop(rt);
        for t in threads {
            t.join().unwrap();
        }
    }
}
