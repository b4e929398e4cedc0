//! The current loop: which loop, if any, runs on this thread.
//!
//! One thread-local pointer, set while `block_on` (or the runtime's shutdown) runs. It
//! is what makes "one loop per thread" checkable, what `spawn` and `spawn_blocking` find
//! their loop through, and what tells a waker whether it runs on its task's own loop
//! (`wake.rs`). A plain `Cell` of a pointer, without a destructor: reading it stays valid
//! while the thread's other thread-locals are being destroyed (a runtime kept in a
//! `thread_local!` is dropped then).

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr;

use super::EventLoop;

thread_local! {
    /// The loop running on this thread, or null.
    static CURRENT: Cell<*const EventLoop> = const { Cell::new(ptr::null()) };
}

/// Runs `f` with the loop running on this thread, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&EventLoop) -> R) -> Option<R> {
    let event_loop = current_ptr();
    if event_loop.is_null() {
        None
    } else {
        // SAFETY: CURRENT is non-null only while an `Entered` guard for this loop lives
        // on this thread, and that guard borrows the loop.
        Some(f(unsafe { &*event_loop }))
    }
}

/// The loop running on this thread, or null: for the local wake, the hottest path of the
/// loop, which checks it without a closure. A non-null pointer is valid for as long as
/// the caller stays inside the current poll (see `with_current`).
#[inline]
pub(crate) fn current_ptr() -> *const EventLoop {
    CURRENT.with(Cell::get)
}

/// Restores the previous "current loop" of this thread when dropped.
pub(crate) struct Entered<'a> {
    /// What CURRENT held before.
    prev: *const EventLoop,
    /// Ties the guard to the loop it entered.
    _loop: PhantomData<&'a EventLoop>,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}

impl EventLoop {
    /// Makes this the thread's running loop.
    ///
    /// # Panics
    /// If a loop is already running on this thread (one loop per thread).
    #[track_caller]
    pub(crate) fn enter(&self) -> Entered<'_> {
        if !CURRENT.with(Cell::get).is_null() {
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
    pub(crate) fn enter_unchecked(&self) -> Entered<'_> {
        let prev = CURRENT.with(|c| c.replace(ptr::from_ref(self)));
        Entered {
            prev,
            _loop: PhantomData,
        }
    }
}
