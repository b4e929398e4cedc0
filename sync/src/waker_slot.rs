//! Keeping one task's `Waker` without cloning it on every poll, and waking it once taken.

use std::task::Waker;

/// Stores `waker` in `slot`, cloning it only if the stored one would wake another task.
#[inline]
pub(crate) fn register(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(stored) if stored.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

/// Wakes the task taken out of a slot, if there was one. Callers take it under their
/// primitive's borrow or lock and wake it after releasing that, so the woken task (or a
/// waker that polls in place) can use the primitive at once.
#[inline]
pub(crate) fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}
