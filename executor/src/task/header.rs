//! The first part of every task allocation: what the loop needs without knowing the
//! future's type.
//!
//! A task is one heap allocation, `TaskCell<F>` (see `raw.rs`): this `Header`, then the
//! future's stage (the future, then its output). Everything reaches the task through a
//! `NonNull<Header>` and the type-erased `Vtable`.

use std::cell::{Cell, UnsafeCell};
use std::panic::Location;
use std::ptr::NonNull;
use std::task::Waker;

use super::state::State;
use crate::runtime::shared::Shared;

/// Flags in `Header::flags`, read and written only on the loop's thread.
pub(crate) mod flags {
    /// The future has finished (or was cancelled or panicked) and has been dropped.
    pub(crate) const COMPLETE: u8 = 1;
    /// A `JoinHandle` still exists and wants the output.
    pub(crate) const JOIN_INTEREST: u8 = 2;
    /// `abort` was called: the next poll drops the future instead of polling it.
    pub(crate) const CANCELLED: u8 = 4;
    /// The task is inside its `poll` right now.
    pub(crate) const RUNNING: u8 = 8;
    /// Linked in the loop's list of live tasks (which then owns a reference).
    pub(crate) const LISTED: u8 = 16;
    /// In the loop's local run queue. The queue holds no reference: a queued task is
    /// never complete, so the live list keeps it alive until it is polled.
    pub(crate) const QUEUED: u8 = 32;
}

/// Type-erased operations on a `TaskCell<F>`.
pub(crate) struct Vtable {
    /// Polls the future (or finishes cancelling it) and completes the task if it is done.
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Drops the future without polling it and completes the task as cancelled.
    pub(crate) cancel: unsafe fn(NonNull<Header>),
    /// Writes `Poll<Result<T, JoinError>>` to `dst` if the task is complete, else parks the waker.
    pub(crate) read_output: unsafe fn(NonNull<Header>, dst: *mut (), waker: &Waker),
    /// Drops a finished output nobody will read.
    pub(crate) drop_output: unsafe fn(NonNull<Header>),
    /// Frees the allocation (the last reference is gone).
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
}

/// Links of the loop's intrusive list of live tasks (the list owns one reference).
#[derive(Default)]
pub(crate) struct Links {
    /// The previous live task, or none at the head.
    pub(crate) prev: Cell<Option<NonNull<Header>>>,
    /// The next live task, or none at the tail.
    pub(crate) next: Cell<Option<NonNull<Header>>>,
}

/// Who a task is, for `all_tasks()` and debug reports.
pub(crate) struct Meta {
    /// Unique within its loop, from 1.
    pub(crate) id: u64,
    /// Where `spawn` was called (`#[track_caller]`).
    pub(crate) location: &'static Location<'static>,
    /// The name given through `task::Builder`, if any.
    pub(crate) name: Option<Box<str>>,
    /// How many times the future has been polled.
    pub(crate) polls: Cell<u64>,
}

/// The type-independent head of a task allocation.
#[repr(C)]
pub(crate) struct Header {
    /// Reference count and the `SCHEDULED` bit: the only state other threads touch.
    pub(crate) state: State,
    /// `flags::*`, loop thread only.
    pub(crate) flags: Cell<u8>,
    /// The operations of the concrete `TaskCell<F>`.
    pub(crate) vtable: &'static Vtable,
    /// The loop this task belongs to; the task owns one strong count of it (from `Arc::into_raw`),
    /// so a waker can reach the injection queue even after the runtime is gone.
    pub(crate) shared: NonNull<Shared>,
    /// Position in the loop's list of live tasks.
    pub(crate) links: Links,
    /// The `JoinHandle`'s waker, woken when the task completes. Loop thread only.
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
    /// Identity for introspection.
    pub(crate) meta: Meta,
}

impl Header {
    /// Is `flag` set?
    pub(crate) fn has(&self, flag: u8) -> bool {
        self.flags.get() & flag != 0
    }

    /// Sets `flag`.
    pub(crate) fn set(&self, flag: u8) {
        self.flags.set(self.flags.get() | flag);
    }

    /// Clears `flag`.
    pub(crate) fn clear(&self, flag: u8) {
        self.flags.set(self.flags.get() & !flag);
    }
}
