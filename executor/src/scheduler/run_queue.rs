//! The run queue: tasks of this loop that are ready to be polled, oldest first.
//!
//! Entries hold no task reference: a task in the queue is flagged `QUEUED` and, being
//! live, is kept alive by the live-task table (`live_tasks.rs`). A task that completes
//! while queued (it woke itself in the poll that completed it) stays listed until its
//! entry is popped, so an entry never points at freed memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ptr::NonNull;

use crate::raw::header::Header;

/// A FIFO of ready tasks; loop thread only.
pub(crate) struct RunQueue {
    /// The queued tasks.
    tasks: RefCell<VecDeque<NonNull<Header>>>,
}

impl RunQueue {
    /// Entries the queue keeps however empty it is.
    const KEEP: usize = 4096;

    /// An empty queue with room for a few hundred tasks.
    pub(crate) fn new() -> RunQueue {
        RunQueue {
            tasks: RefCell::new(VecDeque::with_capacity(256)),
        }
    }

    /// Appends a task (the caller has flagged it `QUEUED`).
    #[inline]
    pub(crate) fn push(&self, task: NonNull<Header>) {
        self.tasks.borrow_mut().push_back(task);
    }

    /// Takes the oldest task.
    #[inline]
    pub(crate) fn pop(&self) -> Option<NonNull<Header>> {
        self.tasks.borrow_mut().pop_front()
    }

    /// Is no task ready?
    pub(crate) fn is_empty(&self) -> bool {
        self.tasks.borrow().is_empty()
    }

    /// Forgets every entry (runtime shutdown).
    pub(crate) fn clear(&self) {
        self.tasks.borrow_mut().clear();
    }

    /// Gives back the memory of a burst: once the queue is empty, a queue grown past
    /// `16 * KEEP` entries (by a million spawns at once, say) shrinks back to `KEEP`.
    pub(crate) fn trim(&self) {
        let mut tasks = self.tasks.borrow_mut();
        if tasks.is_empty() && tasks.capacity() > 16 * Self::KEEP {
            tasks.shrink_to(Self::KEEP);
        }
    }
}
