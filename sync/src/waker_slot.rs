//! Keeping one task's `Waker` without cloning it on every poll.

use std::cell::Cell;
use std::task::Waker;

/// Stores `waker` in `slot`, cloning it only if the stored one would wake another task.
pub(crate) fn register(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(stored) if stored.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

/// [`register`] for a loop-local `Cell`.
pub(crate) fn register_cell(slot: &Cell<Option<Waker>>, waker: &Waker) {
    let mut stored = slot.take();
    register(&mut stored, waker);
    slot.set(stored);
}

/// Wakes and forgets the task stored in `slot`, if any.
pub(crate) fn wake_cell(slot: &Cell<Option<Waker>>) {
    if let Some(waker) = slot.take() {
        waker.wake();
    }
}
