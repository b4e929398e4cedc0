//! The task itself: its one heap allocation, its state word, its `Waker`, and the slot for
//! whoever awaits its end. Nothing here knows which loop runs a task or how: what a task
//! needs from its loop is the [`Schedule`] trait, which the loop (`scheduler/wake.rs`)
//! implements. The dependency runs one way, scheduler → task, so this module can be read,
//! and its state word model-checked (`state.rs`), alone.
//!
//! - `header.rs`: the type-independent head of every task (40 bytes) and its flags;
//! - `state.rs`: the one atomic word (reference count, `SCHEDULED`), the only state other
//!   threads touch;
//! - `cell.rs`: the allocation `TaskCell<F>` (header, then the future, then its output)
//!   and the type-erased vtable that polls, cancels and frees it;
//! - `waker.rs`: the `Waker` of a task, which calls [`Schedule`];
//! - `join_waiter.rs`: the one-word slot holding the waker of the `JoinHandle`'s awaiter.

pub(crate) mod cell;
pub(crate) mod header;
pub(crate) mod join_waiter;
pub(crate) mod state;
pub(crate) mod waker;

use std::ptr::NonNull;
use std::task::RawWakerVTable;

use header::Header;

/// What a task needs from the loop that runs it. The loop is named in the task's header by
/// a 16-bit index (`Header::owner`), so the trait's functions take the task (or that
/// index) rather than a `&self`; one type implements it (`scheduler::wake::LoopScheduler`).
pub(crate) trait Schedule: 'static {
    /// The vtable of every task waker (`waker::vtable::<Self>()`), kept in a `static` so
    /// that its address identifies an evloop task waker (`join_waiter.rs` keeps such
    /// wakers in one word).
    const WAKER_VTABLE: &'static RawWakerVTable;

    /// Queues a task woken on the thread of the loop that owns it and returns `true`; or
    /// returns `false` when this thread does not run that loop.
    fn schedule_local(task: NonNull<Header>) -> bool;

    /// Queues a task woken on another thread (or outside any loop) on its loop's
    /// injection queue, and wakes the loop if it sleeps. `task` is the queue's reference.
    ///
    /// # Safety
    /// The caller must hold another reference to the task until this returns: the loop
    /// may drop the queued one at once (it may be shutting down), and the caller's is what
    /// keeps the loop's shared state alive meanwhile.
    unsafe fn schedule_remote(task: TaskRef);

    /// Gives back the hold a freed task had on the loop registered under `owner`.
    ///
    /// # Safety
    /// Called once per task, by its `dealloc`, after which nothing of the task remains.
    unsafe fn release(owner: u16);
}

/// One counted reference to a task: dropping it releases the reference and frees the task
/// with the last one. This is what the live-task table and the injection queue hold.
pub(crate) struct TaskRef {
    /// The task's header; this value owns one of its references.
    ptr: NonNull<Header>,
}

// SAFETY: a `TaskRef` only crosses threads through the injection queue; the operations a
// foreign thread can perform on it (drop, i.e. an atomic decrement and, at the last
// reference, `dealloc`) are thread-safe by the design of `cell::dealloc`.
unsafe impl Send for TaskRef {}

impl TaskRef {
    /// Takes ownership of one reference.
    ///
    /// # Safety
    /// The caller must own a reference to a live task and hand it over.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> TaskRef {
        TaskRef { ptr }
    }

    /// The header.
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: this reference keeps the header alive for as long as `self` is borrowed.
        unsafe { self.ptr.as_ref() }
    }

    /// The raw pointer, for vtable calls (the reference is kept).
    pub(crate) fn as_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    /// Another reference to the same task.
    pub(crate) fn clone_ref(&self) -> TaskRef {
        self.header().state.ref_inc();
        TaskRef { ptr: self.ptr }
    }

    /// Gives up ownership of the reference without releasing it (see `from_raw`).
    pub(crate) fn into_raw(self) -> NonNull<Header> {
        std::mem::ManuallyDrop::new(self).ptr
    }

    /// Wakes the task without giving up this reference.
    pub(crate) fn wake_by_ref(&self) {
        // SAFETY: this reference outlives the borrowed waker, which is never dropped.
        let waker = std::mem::ManuallyDrop::new(unsafe { waker::borrowed(self.header()) });
        waker.wake_by_ref();
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        if self.header().state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { (self.header().vtable.dealloc)(self.ptr) };
        }
    }
}
