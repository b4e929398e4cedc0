//! Tasks: the unit the loop schedules, like asyncio's `Task`; named spawns with
//! [`Builder`] and introspection with [`all_tasks`].
//!
//! ```
//! evloop::run(async {
//!     let worker = evloop::task::Builder::new().name("worker").spawn(async { 1 });
//!     assert!(evloop::task::all_tasks().iter().any(|t| t.name.as_deref() == Some("worker")));
//!     assert_eq!(worker.await.unwrap(), 1);
//! });
//! ```
//!
//! Inside the crate:
//! `header.rs` is the type-independent head of a task, `state.rs` its one atomic word,
//! `raw.rs` the allocation and its vtable, `waker.rs` the `Waker`, `join_handle.rs` and
//! `error.rs` what `spawn` hands back, `builder.rs` named spawns, `info.rs` `all_tasks()`.

mod builder;
mod error;
pub(crate) mod header;
mod info;
mod join_handle;
mod join_waiter;
pub(crate) mod raw;
mod state;
pub(crate) mod waker;

use std::ptr::NonNull;

pub use crate::join::JoinSet;
pub use crate::runtime::SlowPoll;
pub use builder::Builder;
pub use error::JoinError;
pub use info::{all_tasks, TaskInfo, TaskState};
pub use join_handle::JoinHandle;

use header::Header;

/// One counted reference to a task: dropping it releases the reference and frees the task
/// with the last one. This is what run queues hold.
pub(crate) struct TaskRef {
    /// The task's header; this value owns one of its references.
    ptr: NonNull<Header>,
}

// SAFETY: a `TaskRef` only crosses threads through the injection queue; the operations a
// foreign thread can perform on it (drop, i.e. an atomic decrement and, at the last
// reference, `dealloc`) are thread-safe by the design of `raw::dealloc`.
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
        // SAFETY: this reference keeps the header alive.
        unsafe { self.ptr.as_ref() }
    }

    /// The raw pointer, for vtable calls (the reference is kept).
    pub(crate) fn as_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    /// Wakes the task without giving up this reference.
    pub(crate) fn wake_by_ref(&self) {
        // SAFETY: this reference outlives the borrowed waker, which is never dropped.
        let waker = std::mem::ManuallyDrop::new(unsafe { waker::borrowed(self.ptr) });
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
