//! `JoinWaiter`: the waker of whoever awaits a `JoinHandle`, in one word.
//!
//! A `Waker` is two words. Almost always the one awaiting a task is another evloop task,
//! whose waker is just its header pointer and our vtable, so the header keeps that pointer
//! alone (holding a task reference, as a waker clone would) and rebuilds the waker when
//! the task completes. Any other waker (the main future's, a `gather_all` child's, another
//! runtime's) is boxed, and its pointer stored with the low bit set.

use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::task::{RawWakerVTable, Waker};

use super::header::Header;
use super::waker;

/// Tag in the low bit: the word points to a `Box<Waker>`, not to a task header.
const BOXED: usize = 1;

/// None (0), an evloop task's header (owning one reference), or a boxed waker (`| BOXED`).
/// Loop thread only, like the rest of the header.
#[derive(Default)]
pub(crate) struct JoinWaiter {
    /// The encoded word.
    word: Cell<usize>,
}

impl JoinWaiter {
    /// Stores `waker` as the one to wake, unless the stored one already wakes the same task.
    /// `task_wakers` is the vtable of evloop task wakers (`Schedule::WAKER_VTABLE`).
    pub(crate) fn register(&self, waker: &Waker, task_wakers: &'static RawWakerVTable) {
        let word = self.word.get();
        if word != 0 && will_wake(word, waker, task_wakers) {
            return;
        }
        let new = if ptr::eq(waker.vtable(), task_wakers) {
            // An evloop task: keep its header pointer, with a reference of our own.
            let header = waker.data() as *const Header;
            // SAFETY: a waker with our vtable points at a live header and holds a
            // reference to it, so adding one is sound.
            unsafe { &*header }.state.ref_inc();
            header as usize
        } else {
            Box::into_raw(Box::new(waker.clone())) as usize | BOXED
        };
        drop(self.replace(new));
    }

    /// Removes and returns the stored waker.
    pub(crate) fn take(&self) -> Option<Waker> {
        self.replace(0)
    }

    /// Stores `new`, returning the waker that was stored before.
    fn replace(&self, new: usize) -> Option<Waker> {
        let old = self.word.replace(new);
        if old == 0 {
            None
        } else if old & BOXED != 0 {
            // SAFETY: a `BOXED` word came from `Box::into_raw` and is owned by this waiter.
            Some(*unsafe { Box::from_raw((old & !BOXED) as *mut Waker) })
        } else {
            // SAFETY: the word is a task header whose reference this waiter owns; the
            // waker takes that reference over.
            Some(unsafe { waker::owned(NonNull::new_unchecked(old as *mut Header)) })
        }
    }
}

/// Does the stored `word` (not 0) wake the same task as `waker`?
fn will_wake(word: usize, waker: &Waker, task_wakers: &'static RawWakerVTable) -> bool {
    if word & BOXED != 0 {
        // SAFETY: a `BOXED` word is a live `Box<Waker>` owned by the waiter that stores it,
        // which outlives this call.
        unsafe { &*((word & !BOXED) as *const Waker) }.will_wake(waker)
    } else {
        ptr::eq(waker.vtable(), task_wakers) && waker.data() as usize == word
    }
}

impl Drop for JoinWaiter {
    fn drop(&mut self) {
        drop(self.take());
    }
}
