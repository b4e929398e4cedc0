//! `Handle`: reaching a loop from other threads and other loops (spawn, spawn_with,
//! call_soon), `RemoteHandle` (await, join, abort), and handles that outlive their loop.

use crate::common;

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use common::{panic_text, run_bounded};
use evloop::{Handle, Runtime};

/// Runs `rt`'s loop (its own tasks and what other threads hand it) until `done` is true.
fn drive_until(rt: &Runtime, done: impl Fn() -> bool) {
    rt.block_on(async {
        evloop::time::timeout(Duration::from_secs(30), async {
            while !done() {
                evloop::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
        .expect("the loop was not done within 30 s (a hang?)")
    });
}

#[test]
fn eight_threads_spawn_ten_thousand_tasks_each_and_none_is_lost() {
    const THREADS: usize = 8;
    const TASKS: usize = 10_000;
    let rt = Runtime::new().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (handle, ran) = (rt.handle(), ran.clone());
            std::thread::spawn(move || {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|i| {
                        let ran = ran.clone();
                        handle.spawn(async move {
                            ran.fetch_add(1, Ordering::Relaxed);
                            t * TASKS + i
                        })
                    })
                    .collect();
                tasks
                    .into_iter()
                    .map(|task| task.join().unwrap())
                    .sum::<usize>()
            })
        })
        .collect();
    drive_until(&rt, || threads.iter().all(|t| t.is_finished()));
    let sum: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let n = THREADS * TASKS;
    assert_eq!(sum, n * (n - 1) / 2, "every task's output came back once");
    assert_eq!(ran.load(Ordering::Relaxed), n);
    assert_eq!(rt.alive_tasks(), 0);
}

#[test]
fn a_handle_of_an_ended_loop_cancels_at_once_and_drops_the_work_on_the_caller() {
    /// Records the thread its drop ran on.
    struct Witness(Arc<std::sync::Mutex<Option<std::thread::ThreadId>>>);
    impl Drop for Witness {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(std::thread::current().id());
        }
    }

    let handle = Runtime::new().unwrap().handle(); // the runtime is dropped at once
    let dropped_on = Arc::new(std::sync::Mutex::new(None));
    let witness = Witness(dropped_on.clone());
    let task = handle.spawn(async move {
        let _keep = witness;
        1
    });
    assert!(task.is_finished());
    assert!(task.join().unwrap_err().is_cancelled());
    assert_eq!(
        *dropped_on.lock().unwrap(),
        Some(std::thread::current().id())
    );

    let witness = Witness(dropped_on.clone());
    *dropped_on.lock().unwrap() = None;
    let task = handle.spawn_with(move || {
        let _keep = witness;
        async { 2 }
    });
    assert!(task.join().unwrap_err().is_cancelled());
    assert_eq!(
        *dropped_on.lock().unwrap(),
        Some(std::thread::current().id())
    );

    assert!(!handle.call_soon(|| unreachable!("the loop is gone")));
}

#[test]
fn spawns_racing_the_loops_shutdown_all_end_and_none_hangs() {
    for round in 0..20 {
        let rt = Runtime::new().unwrap();
        let handle = rt.handle();
        let started = Arc::new(AtomicBool::new(false));
        let spawner = {
            let started = started.clone();
            std::thread::spawn(move || {
                let mut tasks = Vec::new();
                for i in 0..2_000 {
                    if i == 100 {
                        started.store(true, Ordering::SeqCst);
                    }
                    tasks.push(handle.spawn(async { evloop::yield_now().await }));
                    tasks.push(handle.spawn_with(|| evloop::time::sleep(Duration::from_secs(60))));
                }
                tasks
            })
        };
        drive_until(&rt, || started.load(Ordering::SeqCst));
        // Shut down while the other thread still spawns (in most rounds).
        if round % 2 == 0 {
            rt.block_on(evloop::yield_now());
        }
        drop(rt);
        let tasks = spawner.join().unwrap();
        for task in tasks {
            // Each either ran (a yield) or was cancelled (the sleepers, and whatever came
            // too late): none blocks.
            match task.join() {
                Ok(()) => {}
                Err(err) => assert!(err.is_cancelled(), "{err}"),
            }
        }
    }
}

#[test]
fn a_remote_handle_is_awaited_on_another_loop() {
    let (tx, rx) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let rt = Runtime::new().unwrap();
            tx.send(rt.handle()).unwrap();
            drive_until(&rt, || stop.load(Ordering::SeqCst));
        })
    };
    let other: Handle = rx.recv().unwrap();
    let answer = run_bounded(async move {
        let thread_of_task = other
            .spawn_with(|| async {
                evloop::time::sleep(Duration::from_millis(5)).await;
                std::thread::current().id()
            })
            .await
            .unwrap();
        assert_ne!(
            thread_of_task,
            std::thread::current().id(),
            "ran on the other loop"
        );
        other.spawn(async { 40 + 2 }).await.unwrap()
    });
    assert_eq!(answer, 42);
    stop.store(true, Ordering::SeqCst);
    server.join().unwrap();
}

#[test]
fn spawn_with_keeps_rc_state_and_sleeps_on_the_loop() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let worker = std::thread::spawn(move || {
        handle
            .spawn_with(|| async {
                let counter = Rc::new(std::cell::Cell::new(0));
                let tasks: Vec<_> = (0..3)
                    .map(|_| {
                        let counter = counter.clone();
                        evloop::spawn(async move {
                            evloop::time::sleep(Duration::from_millis(2)).await;
                            counter.set(counter.get() + 1);
                        })
                    })
                    .collect();
                evloop::gather_all(tasks).await;
                counter.get()
            })
            .join()
    });
    drive_until(&rt, || worker.is_finished());
    assert_eq!(worker.join().unwrap().unwrap(), 3);
}

#[test]
fn call_soon_runs_on_the_loops_thread_in_order() {
    let rt = Runtime::new().unwrap();
    let loop_thread = std::thread::current().id();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let handle = rt.handle();
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for i in 0..5 {
            let seen = seen2.clone();
            assert!(handle.call_soon(move || {
                seen.lock().unwrap().push((i, std::thread::current().id()));
            }));
        }
    })
    .join()
    .unwrap();
    drive_until(&rt, || seen.lock().unwrap().len() == 5);
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert!(seen.iter().all(|(_, thread)| *thread == loop_thread));
}

#[test]
fn a_panicking_call_soon_ends_that_call_only() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let after = Arc::new(AtomicBool::new(false));
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    assert!(handle.call_soon(|| panic!("callback exploded")));
    let flag = after.clone();
    assert!(handle.call_soon(move || flag.store(true, Ordering::SeqCst)));
    drive_until(&rt, || after.load(Ordering::SeqCst));
    std::panic::set_hook(prev);
}

#[test]
fn abort_from_another_thread_cancels_a_sleeping_remote_task() {
    let rt = Runtime::new().unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    struct SetOnDrop(Arc<AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let guard = SetOnDrop(dropped.clone());
    let task = rt.handle().spawn_with(move || async move {
        let _guard = guard;
        evloop::time::sleep(Duration::from_secs(60)).await;
    });
    // Let it start and fall asleep.
    rt.block_on(evloop::time::sleep(Duration::from_millis(5)));
    assert!(!task.is_finished());
    let aborter = std::thread::spawn(move || {
        task.abort();
        task.join()
    });
    drive_until(&rt, || aborter.is_finished());
    assert!(aborter.join().unwrap().unwrap_err().is_cancelled());
    assert!(dropped.load(Ordering::SeqCst), "the future was dropped");
    assert_eq!(rt.alive_tasks(), 0);
}

#[test]
fn a_panicking_remote_task_reports_its_panic() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let err = run_bounded(async {
        let task = Handle::current().spawn(async {
            evloop::yield_now().await;
            panic!("remote boom");
        });
        task.await.unwrap_err()
    });
    std::panic::set_hook(prev);
    assert!(err.is_panic());
    assert_eq!(panic_text(err.into_panic().as_ref()), "remote boom");
}

#[test]
fn join_on_a_loops_thread_panics_with_advice() {
    let result = std::panic::catch_unwind(|| {
        evloop::run(async {
            let task = Handle::current().spawn(async { 1 });
            task.join()
        })
    });
    let message = panic_text(result.unwrap_err().as_ref());
    assert!(message.contains("`.await` the RemoteHandle"), "{message}");
}

#[test]
fn handle_current_outside_a_loop_panics_with_advice_and_try_current_is_none() {
    assert!(Handle::try_current().is_none());
    let message = panic_text(
        std::panic::catch_unwind(Handle::current)
            .unwrap_err()
            .as_ref(),
    );
    assert!(
        message.contains("outside of an evloop runtime"),
        "{message}"
    );
    assert!(message.contains("Runtime::handle"), "{message}");
}

#[test]
fn handle_is_send_sync_clone_debug_and_remote_handle_is_send() {
    fn send_sync_clone_debug<T: Send + Sync + Clone + std::fmt::Debug>() {}
    fn send<T: Send>() {}
    send_sync_clone_debug::<Handle>();
    send::<evloop::RemoteHandle<String>>();
    let rt = Runtime::new().unwrap();
    assert!(format!("{:?}", rt.handle()).starts_with("Handle"));
}
