//! The task's one atomic word: the reference count and the `SCHEDULED` bit.
//!
//! Wakers may live on any thread, so the count of references is atomic, and so is
//! "is this task already in the injection queue?" (`SCHEDULED`), which wakes from other
//! threads test and set. A wake on the loop's own thread uses the header's `QUEUED` flag
//! instead, a plain `Cell`: the common wake costs no atomic operation at all. Everything
//! else about a task (complete, cancelled, join interest) is likewise loop-thread only.
//!
//! Keeping the count and the bit in one word lets a remote wake decide "enqueue, and take
//! a reference for the queue" in a single compare-and-swap.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The task sits in the injection queue, or is complete. While set, further remote wakes
/// are no-ops; the loop clears it when it takes the task off the injection queue.
const SCHEDULED: usize = 1;
/// One reference in the count, which occupies the bits above `SCHEDULED`.
const REF_ONE: usize = 2;
/// Past this many references something leaked wakers without bound: abort like `Arc` does.
const REF_MAX: usize = isize::MAX as usize;

/// What a wake by value asks its caller to do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WakeByVal {
    /// Push the task onto a run queue; the waker's reference now belongs to the queue.
    Enqueue,
    /// The task was already queued (or done): the reference was released, others remain.
    Done,
    /// The task was already queued or done and this was the last reference: free it.
    Dealloc,
}

/// The atomic state word of a task.
pub(crate) struct State {
    /// `refs * REF_ONE | SCHEDULED?`
    word: AtomicUsize,
}

impl State {
    /// A new task with `refs` references, not in the injection queue.
    pub(crate) fn new(refs: usize) -> State {
        State {
            word: AtomicUsize::new(refs * REF_ONE),
        }
    }

    /// Adds a reference (a waker clone).
    pub(crate) fn ref_inc(&self) {
        let prev = self.word.fetch_add(REF_ONE, Ordering::Relaxed);
        if prev > REF_MAX {
            std::process::abort();
        }
    }

    /// Drops a reference; `true` when it was the last one and the task must be freed.
    pub(crate) fn ref_dec(&self) -> bool {
        let prev = self.word.fetch_sub(REF_ONE, Ordering::AcqRel);
        debug_assert!(prev >= REF_ONE, "task reference count underflow");
        prev & !SCHEDULED == REF_ONE
    }

    /// A wake by reference: `true` when the caller must enqueue the task, in which case a
    /// reference for the queue has been added.
    pub(crate) fn schedule_by_ref(&self) -> bool {
        let mut cur = self.word.load(Ordering::Acquire);
        loop {
            if cur & SCHEDULED != 0 {
                return false;
            }
            if cur > REF_MAX {
                std::process::abort();
            }
            match self.word.compare_exchange_weak(
                cur,
                (cur | SCHEDULED) + REF_ONE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
    }

    /// A wake by value: the waker's own reference is either handed to the queue or released.
    pub(crate) fn schedule_by_val(&self) -> WakeByVal {
        let mut cur = self.word.load(Ordering::Acquire);
        loop {
            let (next, outcome) = if cur & SCHEDULED != 0 {
                let last = cur & !SCHEDULED == REF_ONE;
                (
                    cur - REF_ONE,
                    if last {
                        WakeByVal::Dealloc
                    } else {
                        WakeByVal::Done
                    },
                )
            } else {
                (cur | SCHEDULED, WakeByVal::Enqueue)
            };
            match self
                .word
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return outcome,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Clears `SCHEDULED` when the loop takes the task off the injection queue, just
    /// before polling it, so that a remote wake during the poll queues the task again.
    /// Acquire: a wake from another thread that found the bit set published its data
    /// before this point, and the poll must see it.
    pub(crate) fn unschedule(&self) {
        self.word.fetch_and(!SCHEDULED, Ordering::AcqRel);
    }

    /// Sets `SCHEDULED` for good once the task is complete: later wakes cost one load.
    pub(crate) fn set_done(&self) {
        self.word.fetch_or(SCHEDULED, Ordering::AcqRel);
    }

    /// Is the task in the injection queue (or done)?
    pub(crate) fn is_scheduled(&self) -> bool {
        self.word.load(Ordering::Acquire) & SCHEDULED != 0
    }

    /// The current reference count (tests and debugging).
    #[cfg(test)]
    pub(crate) fn refs(&self) -> usize {
        self.word.load(Ordering::Acquire) / REF_ONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_task_has_its_references_and_is_not_injected() {
        let s = State::new(2);
        assert_eq!(s.refs(), 2);
        assert!(!s.is_scheduled());
        assert!(s.schedule_by_ref());
        assert!(
            !s.schedule_by_ref(),
            "already queued: no second queue entry"
        );
        assert_eq!(s.refs(), 3);
    }

    #[test]
    fn wake_while_unscheduled_enqueues_once() {
        let s = State::new(1);
        assert!(s.schedule_by_ref());
        assert_eq!(s.refs(), 2, "the queue holds a reference");
        assert!(!s.schedule_by_ref());
        assert_eq!(s.refs(), 2);
    }

    #[test]
    fn wake_by_value_hands_over_or_releases() {
        let s = State::new(2);
        assert_eq!(s.schedule_by_val(), WakeByVal::Enqueue);
        assert_eq!(s.refs(), 2);
        s.ref_inc();
        assert_eq!(s.schedule_by_val(), WakeByVal::Done);
        assert_eq!(s.refs(), 2);
    }

    #[test]
    fn wake_of_a_done_task_releases_the_last_reference() {
        let s = State::new(1);
        s.set_done();
        assert!(!s.schedule_by_ref());
        assert_eq!(s.schedule_by_val(), WakeByVal::Dealloc);
    }

    #[test]
    fn last_reference_is_reported() {
        let s = State::new(2);
        assert!(!s.ref_dec());
        assert!(s.ref_dec());
    }
}
