//! Aborting tasks, panicking tasks, and what the runtime drops when it goes.

use std::cell::Cell;
use std::future::pending;
use std::rc::Rc;
use std::time::Duration;

/// Counts its own drops, and checks they happen on the thread that made it.
struct DropGuard {
    drops: Rc<Cell<usize>>,
    thread: std::thread::ThreadId,
}

impl DropGuard {
    fn new(drops: &Rc<Cell<usize>>) -> DropGuard {
        DropGuard {
            drops: drops.clone(),
            thread: std::thread::current().id(),
        }
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        assert_eq!(
            self.thread,
            std::thread::current().id(),
            "dropped on another thread"
        );
        self.drops.set(self.drops.get() + 1);
    }
}

#[test]
fn abort_yields_cancelled_and_drops_the_future() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    evloop::run(async move {
        let guard = DropGuard::new(&d);
        let handle = evloop::spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        evloop::yield_now().await; // let it start
        assert!(!handle.is_finished());
        handle.abort();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled());
        assert!(!err.is_panic());
        assert_eq!(d.get(), 1, "the future was dropped");
    });
}

#[test]
fn abort_before_first_poll_never_runs_the_task() {
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    evloop::run(async move {
        let handle = evloop::spawn(async move { r.set(true) });
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
    });
    assert!(!ran.get());
}

#[test]
fn abort_after_completion_keeps_the_output() {
    evloop::run(async {
        let handle = evloop::spawn(async { 3 });
        evloop::yield_now().await;
        assert!(handle.is_finished());
        handle.abort();
        assert_eq!(handle.await.unwrap(), 3);
    });
}

#[test]
fn a_panicking_task_yields_is_panic_and_the_loop_goes_on() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // keep the test output clean
    let (err, others) = evloop::run(async {
        let bad = evloop::spawn(async {
            evloop::yield_now().await;
            panic!("task exploded");
        });
        let good: Vec<_> = (0..10)
            .map(|i| {
                evloop::spawn(async move {
                    evloop::time::sleep(Duration::from_millis(5)).await;
                    i
                })
            })
            .collect();
        let err = bad.await.unwrap_err();
        let others: Vec<i32> = evloop::gather_all(good)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        (err, others)
    });
    std::panic::set_hook(prev);
    assert!(err.is_panic());
    assert!(err.to_string().contains("task exploded"), "{err}");
    assert_eq!(
        err.into_panic().downcast_ref::<&str>(),
        Some(&"task exploded")
    );
    assert_eq!(others, (0..10).collect::<Vec<_>>());
}

/// Records, when dropped, whether a panic was unwinding at that moment.
struct SeesPanicking(Rc<Cell<Option<bool>>>);

impl Drop for SeesPanicking {
    fn drop(&mut self) {
        self.0.set(Some(std::thread::panicking()));
    }
}

/// A future that holds a lock guard and a witness in its own fields (not as locals of the
/// frame that panics, which the unwind would drop anyway) and panics on its second poll.
struct PanicsHoldingAGuard {
    _guard: std::sync::MutexGuard<'static, u32>,
    _witness: SeesPanicking,
    polled: bool,
}

impl std::future::Future for PanicsHoldingAGuard {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.polled {
            panic!("mid-transaction");
        }
        self.polled = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

#[test]
#[allow(clippy::await_holding_lock)] // the guard moves into the spawned task
fn a_panicking_tasks_future_is_dropped_while_the_panic_unwinds() {
    static LEDGER: std::sync::Mutex<u32> = std::sync::Mutex::new(0);
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // keep the test output clean
    let seen = Rc::new(Cell::new(None));
    let (err, after) = evloop::run({
        let seen = seen.clone();
        async move {
            let mut guard = LEDGER.lock().unwrap();
            *guard += 1;
            let bad = evloop::spawn(PanicsHoldingAGuard {
                _guard: guard, // moved into the task: no guard is held across an await here
                _witness: SeesPanicking(seen),
                polled: false,
            });
            let err = bad.await.unwrap_err();
            // The loop goes on: another task runs to its end.
            let after = evloop::spawn(async {
                evloop::yield_now().await;
                7
            });
            (err, after.await.unwrap())
        }
    });
    std::panic::set_hook(prev);
    assert!(err.is_panic());
    assert_eq!(after, 7);
    assert_eq!(
        seen.get(),
        Some(true),
        "the future's destructors ran during the unwind"
    );
    assert!(
        LEDGER.is_poisoned(),
        "a std Mutex guard dropped by the unwinding task poisons its mutex"
    );
    assert_eq!(*LEDGER.lock().unwrap_or_else(|e| e.into_inner()), 1);
}

#[test]
fn dropping_the_runtime_drops_pending_futures_on_its_thread() {
    let drops = Rc::new(Cell::new(0));
    let rt = evloop::Runtime::new().unwrap();
    rt.block_on(async {
        for _ in 0..10 {
            let guard = DropGuard::new(&drops);
            drop(evloop::spawn(async move {
                let _guard = guard;
                evloop::time::sleep(Duration::from_secs(3600)).await;
            }));
        }
        // Some started, some not yet: both kinds must be dropped.
        evloop::yield_now().await;
        for _ in 0..5 {
            let guard = DropGuard::new(&drops);
            drop(evloop::spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            }));
        }
    });
    assert_eq!(rt.alive_tasks(), 15);
    assert_eq!(drops.get(), 0);
    drop(rt);
    assert_eq!(drops.get(), 15);
}

#[test]
fn run_cancels_tasks_left_behind() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    evloop::run(async move {
        let guard = DropGuard::new(&d);
        drop(evloop::spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        }));
    });
    assert_eq!(drops.get(), 1);
}

#[test]
fn a_join_handle_kept_past_the_runtime_reports_cancelled() {
    let rt = evloop::Runtime::new().unwrap();
    let handle = rt
        .block_on(async { Some(evloop::spawn(pending::<u8>())) })
        .unwrap();
    drop(rt);
    assert!(handle.is_finished());
    let rt2 = evloop::Runtime::new().unwrap();
    assert!(rt2.block_on(handle).unwrap_err().is_cancelled());
}
