//! The first part of every task allocation: what the loop needs without knowing the
//! future's type.
//!
//! A task is one heap allocation, `TaskCell<F>` (see `cell.rs`): this `Header`, then the
//! future's stage (the future, then its output). Everything reaches the task through a
//! `NonNull<Header>` and the type-erased `Vtable`.

use std::cell::Cell;
use std::ptr::NonNull;
use std::task::{RawWakerVTable, Waker};

use super::join_waiter::JoinWaiter;
use super::state::State;

/// Flags in the low 16 bits of `Header::id_flags`, read and written only on the loop's thread.
pub(crate) mod flags {
    /// The future has finished (or was cancelled or panicked) and has been dropped.
    pub(crate) const COMPLETE: u16 = 1;
    /// A `JoinHandle` still exists and wants the output.
    pub(crate) const JOIN_INTEREST: u16 = 2;
    /// `abort` was called: the next poll drops the future instead of polling it.
    pub(crate) const CANCELLED: u16 = 4;
    /// The task is inside its `poll` right now.
    pub(crate) const RUNNING: u16 = 8;
    /// In the loop's list of live tasks (which then owns a reference).
    pub(crate) const LISTED: u16 = 16;
    /// In the loop's local run queue. The queue holds no reference: a queued task stays
    /// in the live list (which keeps it alive) until it is popped, even if it completed
    /// meanwhile (it woke itself in the poll that completed it).
    pub(crate) const QUEUED: u16 = 32;
    /// The task has a name, kept in the loop's name table under its id.
    pub(crate) const NAMED: u16 = 64;
    /// The stage holds the future (see `cell.rs`).
    pub(crate) const HAS_FUTURE: u16 = 128;
    /// The stage holds the output, waiting for the `JoinHandle`.
    pub(crate) const HAS_OUTPUT: u16 = 256;
}

/// How many low bits of `Header::id_flags` hold flags; the id is above them.
const FLAG_BITS: u32 = 16;

/// Type-erased operations on a `TaskCell<F>`.
pub(crate) struct Vtable {
    /// Polls the future (or finishes cancelling it) and completes the task if it is done.
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Drops the future without polling it and completes the task as cancelled.
    pub(crate) cancel: unsafe fn(NonNull<Header>),
    /// Writes `Poll<cell::Output<T>>` to `dst` if the task is complete, else keeps the waker.
    pub(crate) read_output: unsafe fn(NonNull<Header>, dst: *mut (), waker: &Waker),
    /// Drops a finished output nobody will read.
    pub(crate) drop_output: unsafe fn(NonNull<Header>),
    /// Frees the allocation (the last reference is gone).
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// The vtable of this task's wakers (`Schedule::waker_vtable` of its loop).
    pub(crate) waker: &'static RawWakerVTable,
}

/// The type-independent head of a task allocation: 40 bytes on 64-bit targets, packed
/// because a server may hold a million idle tasks. With a small future the whole cell is
/// at most 56 bytes, which malloc serves from a 64-byte chunk. What is rare or shared
/// lives elsewhere: a task's name in the loop's name table, its loop as an index into the
/// process-wide registry, its spawn site as a number in the loop's table of sites.
#[repr(C)]
pub(crate) struct Header {
    /// Reference count and the `SCHEDULED` bit: the only state other threads touch.
    pub(crate) state: State,
    /// Position in the loop's table of live tasks (see `scheduler/live_tasks.rs`).
    pub(crate) slot: Cell<u32>,
    /// The operations of the concrete `TaskCell<F>`.
    pub(crate) vtable: &'static Vtable,
    /// Whoever awaits the `JoinHandle`, woken when the task completes. Loop thread only.
    pub(crate) join_waiter: JoinWaiter,
    /// The task id (unique within its loop, from 1) above 16 bits of `flags::*`. Loop thread only.
    id_flags: Cell<u64>,
    /// The loop this task belongs to, as its id in `scheduler/loop_ids.rs`. The task
    /// owns one hold on that loop's shared state (`Schedule::release` gives it back), so
    /// a waker can reach the injection queue even after the runtime is gone.
    pub(crate) owner: u16,
    /// Where `spawn` was called, numbered in the loop's table of sites
    /// (`scheduler/spawn_sites.rs`); set when the task is listed.
    pub(crate) site: Cell<u16>,
    /// How many times the future has been polled (saturating).
    polls: Cell<u32>,
}

impl Header {
    /// A header with no flags but `initial`, of the loop registered as `owner`.
    pub(crate) fn new(
        state: State,
        vtable: &'static Vtable,
        owner: u16,
        id: u64,
        initial: u16,
    ) -> Header {
        assert!(id < 1 << (64 - FLAG_BITS), "evloop: task ids exhausted");
        Header {
            state,
            slot: Cell::new(0),
            vtable,
            join_waiter: JoinWaiter::default(),
            id_flags: Cell::new(id << FLAG_BITS | u64::from(initial)),
            owner,
            site: Cell::new(0),
            polls: Cell::new(0),
        }
    }

    /// The task's id.
    pub(crate) fn id(&self) -> u64 {
        self.id_flags.get() >> FLAG_BITS
    }

    /// How many times the task was polled.
    pub(crate) fn polls(&self) -> u64 {
        u64::from(self.polls.get())
    }

    /// Counts a poll.
    pub(crate) fn count_poll(&self) {
        self.polls.set(self.polls.get().saturating_add(1));
    }

    /// Is any of `flags` set?
    pub(crate) fn has(&self, flags: u16) -> bool {
        self.id_flags.get() & u64::from(flags) != 0
    }

    /// Sets `flags`.
    pub(crate) fn set(&self, flags: u16) {
        self.id_flags.set(self.id_flags.get() | u64::from(flags));
    }

    /// Clears `flags`.
    pub(crate) fn clear(&self, flags: u16) {
        self.id_flags.set(self.id_flags.get() & !u64::from(flags));
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    #[test]
    fn the_header_stays_at_40_bytes() {
        assert_eq!(std::mem::size_of::<super::Header>(), 40);
    }
}
