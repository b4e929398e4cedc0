//! The task's one atomic word: the reference count and the `SCHEDULED` bit.
//!
//! Wakers may live on any thread, so the count of references is atomic, and so is
//! "is this task already in the injection queue?" (`SCHEDULED`), which wakes from other
//! threads test and set. A wake on the loop's own thread uses the header's `QUEUED` flag
//! instead, a plain `Cell`: the common wake costs no atomic operation at all. Everything
//! else about a task (complete, cancelled, join interest) is likewise loop-thread only.
//!
//! Keeping the count and the bit in one word lets a remote wake's `fetch_or` both decide
//! "enqueue" and synchronize with the loop's next poll.

use crate::loom::{AtomicUsize, Ordering};

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
    ///
    /// Always a read-modify-write with release, even when the task is queued already: the
    /// loop's `unschedule` then acquires it, so the poll that follows sees what the waker
    /// wrote before waking. (A compare-and-swap that fails is only a load; loom found the
    /// wake that got lost that way: `loom_remote_wake_racing_a_poll_is_never_lost`.)
    pub(crate) fn schedule_by_ref(&self) -> bool {
        let prev = self.word.fetch_or(SCHEDULED, Ordering::AcqRel);
        if prev & SCHEDULED != 0 {
            return false;
        }
        // The caller's own reference keeps the task alive, and nobody can take it off a
        // queue it is not on yet: adding the queue's reference after the bit is safe.
        self.ref_inc();
        true
    }

    /// A wake by value: the waker's own reference is either handed to the queue or released.
    pub(crate) fn schedule_by_val(&self) -> WakeByVal {
        let prev = self.word.fetch_or(SCHEDULED, Ordering::AcqRel);
        if prev & SCHEDULED == 0 {
            WakeByVal::Enqueue
        } else if self.ref_dec() {
            WakeByVal::Dealloc
        } else {
            WakeByVal::Done
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
    #[cfg(all(test, not(loom)))]
    pub(crate) fn refs(&self) -> usize {
        self.word.load(Ordering::Acquire) / REF_ONE
    }
}

#[cfg(all(test, not(loom)))]
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

/// Model checks of the state word with every interleaving loom can find. Only the
/// cross-thread transitions are modelled: abort and `JoinHandle` drop run on the loop's
/// thread only (the handle is `!Send`), so they cannot race completion.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::model;
    use loom::sync::atomic::AtomicBool;
    use loom::sync::Arc;

    /// Guards: a wake from another thread that lands while the loop is polling the task
    /// (after it cleared SCHEDULED) is not lost — either the poll sees what the waker
    /// wrote before waking, or the wake queues the task again.
    #[test]
    fn loom_remote_wake_racing_a_poll_is_never_lost() {
        model("loom_remote_wake_racing_a_poll_is_never_lost", || {
            // Queued by an earlier remote wake: SCHEDULED, with the queue's reference.
            let state = Arc::new(State::new(1));
            assert!(state.schedule_by_ref());
            let data = Arc::new(AtomicBool::new(false));
            let waker = {
                let (state, data) = (state.clone(), data.clone());
                loom::thread::spawn(move || {
                    data.store(true, Ordering::Relaxed);
                    state.schedule_by_ref()
                })
            };
            // The loop takes it off the queue and polls it.
            state.unschedule();
            let seen = data.load(Ordering::Relaxed);
            let queued_again = waker.join().unwrap();
            assert!(seen || queued_again, "the wake was lost");
        });
    }

    /// Guards: a waker dropped on another thread while the loop completes the task and
    /// releases the list's reference frees the task exactly once.
    #[test]
    fn loom_last_reference_is_released_once_across_threads() {
        model(
            "loom_last_reference_is_released_once_across_threads",
            || {
                let state = Arc::new(State::new(2)); // the list's and a waker's
                let remote = {
                    let state = state.clone();
                    loom::thread::spawn(move || state.ref_dec())
                };
                state.set_done();
                let here = state.ref_dec();
                let there = remote.join().unwrap();
                assert!(here ^ there, "freed {} times", here as u8 + there as u8);
            },
        );
    }

    /// Guards: a wake by value racing completion never queues a finished task, and the
    /// waker's reference is released exactly once (handed over or dropped).
    #[test]
    fn loom_wake_by_value_racing_completion() {
        model("loom_wake_by_value_racing_completion", || {
            let state = Arc::new(State::new(2)); // the list's and a waker's
            let remote = {
                let state = state.clone();
                loom::thread::spawn(move || state.schedule_by_val())
            };
            state.set_done();
            let last_here = state.ref_dec();
            match remote.join().unwrap() {
                // The wake came first: the queue owns the waker's reference and the loop
                // would find the task complete and drop it.
                WakeByVal::Enqueue => {
                    assert!(!last_here);
                    assert!(state.ref_dec(), "the queue held the last reference");
                }
                WakeByVal::Done => assert!(last_here),
                WakeByVal::Dealloc => assert!(!last_here),
            }
        });
    }
}
