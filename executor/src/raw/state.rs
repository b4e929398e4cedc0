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

use crate::loom::{AtomicU32, Ordering};

/// The task sits in the injection queue, or is complete. While set, further remote wakes
/// are no-ops; the loop clears it when it takes the task off the injection queue.
const SCHEDULED: u32 = 1;
/// One reference in the count, which occupies the bits above `SCHEDULED`.
const REF_ONE: u32 = 2;
/// Past this many references (a billion wakers of one task) something leaked wakers
/// without bound: abort like `Arc` does. Half the range stays as headroom for threads
/// that increment at the same moment, so the count cannot wrap before one of them aborts.
const REF_MAX: u32 = i32::MAX as u32;

/// The atomic state word of a task.
pub(crate) struct State {
    /// `refs * REF_ONE | SCHEDULED?`
    word: AtomicU32,
}

impl State {
    /// A new task with `refs` references, not in the injection queue.
    pub(crate) fn new(refs: u32) -> State {
        State {
            word: AtomicU32::new(refs * REF_ONE),
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
    pub(crate) fn refs(&self) -> u32 {
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
    fn wake_of_a_done_task_queues_nothing() {
        let s = State::new(1);
        s.set_done();
        assert!(!s.schedule_by_ref());
        assert_eq!(s.refs(), 1);
        assert!(s.ref_dec(), "the waker's was the last reference");
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

    /// Guards: a wake by value racing completion never queues a finished task, and every
    /// reference (the list's, the waker's, the queue's if it queued) is released, the
    /// task freed exactly once. (A wake by value is a wake by reference, then the drop of
    /// the waker: the waker's reference keeps the loop's `Shared` alive while the wake
    /// uses it, even if the loop shuts down and drops the queued reference meanwhile.)
    #[test]
    fn loom_wake_by_value_racing_completion() {
        model("loom_wake_by_value_racing_completion", || {
            let state = Arc::new(State::new(2)); // the list's and a waker's
            let remote = {
                let state = state.clone();
                loom::thread::spawn(move || {
                    let queued = state.schedule_by_ref();
                    (queued, state.ref_dec())
                })
            };
            state.set_done();
            let last_here = state.ref_dec();
            let (queued, last_there) = remote.join().unwrap();
            // The loop pops a queued task, finds it complete, and drops the queue's reference.
            let last_queue = queued && state.ref_dec();
            let frees = u8::from(last_here) + u8::from(last_there) + u8::from(last_queue);
            assert_eq!(frees, 1, "freed {frees} times");
        });
    }
}
