//! [`LoopSleep`]: an evloop sleep that hyper may hold as a `Send + Sync` future.
//!
//! hyper's `rt::Sleep` must be `Send + Sync`, but `evloop_time::Sleep` is bound to the
//! loop that armed it (it keeps an `Rc` to that loop's timer store). `LoopSleep` pins
//! the armed sleep to its thread at run time instead: polls and resets on any other
//! thread panic, and a drop on any other thread leaks the sleep rather than touch it.

use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};

use evloop_time::Instant;

thread_local! {
    /// This thread's id, cached: `thread::current()` costs a reference count round trip.
    static THREAD_ID: ThreadId = thread::current().id();
}

/// The id of the calling thread; `None` while its thread-locals are being torn down.
fn current_thread() -> Option<ThreadId> {
    THREAD_ID.try_with(|id| *id).ok()
}

/// A deadline, and once polled the evloop timer armed for it on one loop's thread.
pub(crate) struct LoopSleep {
    /// When the sleep completes.
    deadline: Instant,
    /// The armed timer; `None` until the first poll.
    armed: Option<Armed>,
}

/// An evloop sleep together with the thread it belongs to.
struct Armed {
    /// The thread whose loop first polled the sleep: the only one that may touch it.
    owner: ThreadId,
    /// The timer. `ManuallyDrop` so that a drop on another thread can leak it.
    sleep: ManuallyDrop<evloop_time::Sleep>,
}

// SAFETY: the only part of `LoopSleep` that is neither `Send` nor `Sync` is
// `armed.sleep`. It is created on `owner` (in `poll`), and is polled, reset and dropped
// only there: `poll` and `reset` check the current thread and panic on any other, and
// `Drop` leaks it on any other thread. No `&self` method reaches it, so sharing a
// `&LoopSleep` between threads (`Sync`) gives access to nothing thread-bound.
unsafe impl Send for LoopSleep {}
// SAFETY: see `Send` above.
unsafe impl Sync for LoopSleep {}

impl hyper::rt::Sleep for LoopSleep {}

impl LoopSleep {
    /// A sleep until `sleep`'s deadline, to be armed on the loop that polls it first.
    /// `sleep` is only read: it is made and dropped on the caller's thread.
    pub(crate) fn new(sleep: evloop_time::Sleep) -> LoopSleep {
        LoopSleep {
            deadline: sleep.deadline(),
            armed: None,
        }
    }

    /// Moves the deadline; an armed timer is re-armed in place.
    ///
    /// # Panics
    /// On a thread other than the one whose loop armed the timer.
    pub(crate) fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Some(armed) = &mut self.armed {
            armed.check_thread("reset");
            armed.sleep.reset(deadline);
        }
    }
}

impl Armed {
    /// Panics unless called on `owner`.
    fn check_thread(&self, what: &str) {
        assert!(
            current_thread().unwrap_or_else(|| thread::current().id()) == self.owner,
            "an evloop-hyper sleep was {what} on a thread other than the one of the loop \
             that armed it; hyper's timers must be used from connection tasks on that loop"
        );
    }
}

impl Future for LoopSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let deadline = this.deadline;
        let armed = this.armed.get_or_insert_with(|| Armed {
            owner: current_thread().unwrap_or_else(|| thread::current().id()),
            sleep: ManuallyDrop::new(evloop_time::sleep_until(deadline)),
        });
        armed.check_thread("polled");
        Pin::new(&mut *armed.sleep).poll(cx)
    }
}

impl Drop for LoopSleep {
    fn drop(&mut self) {
        if let Some(armed) = &mut self.armed {
            if current_thread() == Some(armed.owner) {
                // SAFETY: `armed.sleep` is dropped exactly once, here, and never used
                // again: `self` is being dropped.
                unsafe { ManuallyDrop::drop(&mut armed.sleep) };
            }
            // On another thread the sleep is leaked: dropping it would touch its loop's
            // `Rc`s from the wrong thread. So it is during the owner's thread-local
            // teardown, when the owner can no longer be told apart.
        }
    }
}

impl fmt::Debug for LoopSleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopSleep")
            .field("deadline", &self.deadline)
            .field("armed", &self.armed.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::task::{Wake, Waker};
    use std::time::Duration;

    use super::*;

    /// A waker that does nothing, for polls outside a loop.
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    /// A sleep of `ms` milliseconds from now.
    fn sleep_ms(ms: u64) -> LoopSleep {
        LoopSleep::new(evloop_time::sleep(Duration::from_millis(ms)))
    }

    #[test]
    fn completes_at_its_deadline_and_not_before() {
        let start = Instant::now();
        evloop_executor::run(sleep_ms(30));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn reset_moves_an_armed_timer() {
        let start = Instant::now();
        evloop_executor::run(async {
            let mut sleep = sleep_ms(10_000);
            // Arm it, then pull the deadline in.
            assert!(futures_poll_once(&mut sleep).await.is_pending());
            sleep.reset(Instant::now() + Duration::from_millis(20));
            sleep.await;
        });
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(20) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }

    #[test]
    fn an_armed_sleep_dropped_on_another_thread_is_leaked_not_touched() {
        let rt = evloop_executor::Runtime::new().unwrap();
        let sleep = armed_on(&rt);
        drop(rt);
        thread::spawn(move || drop(sleep)).join().unwrap();
    }

    #[test]
    fn polling_an_armed_sleep_on_another_thread_panics() {
        let rt = evloop_executor::Runtime::new().unwrap();
        let sleep = armed_on(&rt);
        let polled = thread::spawn(move || {
            let mut sleep = sleep;
            let waker = Waker::from(Arc::new(Noop));
            let _ = Pin::new(&mut sleep).poll(&mut Context::from_waker(&waker));
        })
        .join();
        let message = *polled.unwrap_err().downcast::<String>().unwrap();
        assert!(
            message.contains("polled on a thread other than"),
            "{message}"
        );
    }

    /// A 10 s sleep armed on `rt`'s loop.
    fn armed_on(rt: &evloop_executor::Runtime) -> LoopSleep {
        let mut sleep = sleep_ms(10_000);
        rt.block_on(async { assert!(futures_poll_once(&mut sleep).await.is_pending()) });
        sleep
    }

    /// Polls `sleep` once with the current task's context.
    async fn futures_poll_once(sleep: &mut LoopSleep) -> Poll<()> {
        std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *sleep).poll(cx))).await
    }
}
