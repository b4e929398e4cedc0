//! Wakes from other threads, and fairness between busy tasks and timers.

use std::cell::Cell;
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use evloop::time::{sleep_until, timeout, Instant};

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
                            let deadline = Instant::now() + Duration::from_secs(20);
                            while seen.load(Ordering::SeqCst) < mine {
                                assert!(Instant::now() < deadline, "a wake was lost");
                                std::thread::yield_now();
                            }
                        }
                    })
                })
                .collect();
            let result = timeout(Duration::from_secs(20), task).await;
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

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn a_waker_used_after_the_runtime_is_gone_does_nothing() {
    let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
    let polls = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    evloop::run({
        let (slot, polls) = (slot.clone(), polls.clone());
        let flag = DropFlag(dropped.clone());
        async move {
            drop(evloop::spawn(poll_fn(move |cx| {
                let _keep = &flag;
                polls.fetch_add(1, Ordering::SeqCst);
                *slot.lock().unwrap() = Some(cx.waker().clone());
                Poll::<()>::Pending
            })));
            evloop::yield_now().await;
        }
    });
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the runtime dropped the task's future"
    );
    // Waking the gone task, here and from another thread, polls nothing and panics nowhere.
    let waker = slot.lock().unwrap().take().unwrap();
    waker.wake_by_ref();
    std::thread::spawn(move || waker.wake()).join().unwrap();
    assert_eq!(polls.load(Ordering::SeqCst), 1);
}

/// How many polls past a timer's deadline busy tasks may get before the timer's task
/// runs. The loop looks at timers every 61 polls; a starved sleeper would let them run
/// for ever (the spinners give up at [`GIVE_UP`] so that the test ends).
const MAX_LATE_POLLS: u64 = 1_000;

/// Spinner polls past the deadline after which the spinners stop: the sleeper starved.
const GIVE_UP: u64 = 10_000_000;

/// Runs `spinners` tasks that yield in a loop while the main task sleeps 10 ms; returns
/// how many spinner polls saw the sleep's deadline passed before the sleeper ran.
/// Counting polls instead of measuring lateness keeps the test blind to the machine's load.
fn polls_past_a_deadline_with_busy_tasks(spinners: usize) -> u64 {
    evloop::run(async {
        let deadline = Instant::now() + Duration::from_millis(10);
        let late = Rc::new(Cell::new(0u64));
        let tasks: Vec<_> = (0..spinners)
            .map(|_| {
                let late = late.clone();
                evloop::spawn(async move {
                    while late.get() < GIVE_UP {
                        if Instant::now() >= deadline {
                            late.set(late.get() + 1);
                        }
                        evloop::yield_now().await;
                    }
                })
            })
            .collect();
        sleep_until(deadline).await;
        assert!(Instant::now() >= deadline, "never early");
        for task in &tasks {
            task.abort();
        }
        late.get()
    })
}

#[test]
fn a_task_spinning_on_yield_now_does_not_starve_a_sleeper() {
    let late = polls_past_a_deadline_with_busy_tasks(1);
    assert!(
        late <= MAX_LATE_POLLS,
        "sleeper starved: {late} polls of the spinner past its deadline"
    );
}

#[test]
fn many_busy_tasks_still_let_timers_fire() {
    let late = polls_past_a_deadline_with_busy_tasks(100);
    assert!(
        late <= MAX_LATE_POLLS,
        "sleeper starved: {late} polls of the spinners past its deadline"
    );
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
