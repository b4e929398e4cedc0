//! The current loop: which loop, if any, runs on this thread.
//!
//! The loop keeps its parts in a `LoopContext` (`evloop_reactor::context`: the one
//! thread-local of the runtime, shared with the reactor, which registers sockets with the
//! current reactor, and the timers, which bind sleeps to the current timer store) and
//! enters it, naming itself as its owner, while `block_on` (or the runtime's shutdown)
//! runs. That makes "one loop per thread" checkable, and is how `spawn` and
//! `spawn_blocking` find their loop and a waker learns whether it runs on its task's own
//! loop (`wake.rs`).

use evloop_reactor::context::{self, EnterGuard};

use super::EventLoop;

/// Runs `f` with the loop running on this thread, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&EventLoop) -> R) -> Option<R> {
    let event_loop = current_ptr();
    if event_loop.is_null() {
        None
    } else {
        // SAFETY: non-null only while the guard of `EventLoop::enter` lives on this thread,
        // and that guard borrows the loop.
        Some(f(unsafe { &*event_loop }))
    }
}

/// The loop running on this thread, or null: for the local wake, the hottest path of the
/// loop, which checks it without a closure. A non-null pointer is valid for as long as
/// the caller stays inside the current poll (see `with_current`).
#[inline]
pub(crate) fn current_ptr() -> *const EventLoop {
    context::current_owner::<EventLoop>()
}

impl EventLoop {
    /// Makes this the thread's running loop (and its reactor and timer store current).
    ///
    /// # Panics
    /// If a loop is already running on this thread (one loop per thread).
    #[track_caller]
    pub(crate) fn enter(&self) -> EnterGuard<'_> {
        if !current_ptr().is_null() {
            panic!(
                "evloop: cannot start a loop (evloop::run / Runtime::block_on) from inside a running \
                 evloop loop: there is one loop per thread. Inside async code, `.await` the future \
                 or `evloop::spawn` it instead."
            );
        }
        self.enter_unchecked()
    }

    /// Makes this the thread's current loop even if another is (runtime shutdown inside a
    /// task).
    pub(crate) fn enter_unchecked(&self) -> EnterGuard<'_> {
        self.context.enter_as(self)
    }
}
