//! Wakers over a reference-counted pointer, built from three functions.
//!
//! Both hand-made wakers of the executor (a task's, `raw/waker.rs`, and a join child's,
//! `join/wake_list.rs`) are a data pointer to something reference-counted: cloning adds a
//! reference, dropping releases one, waking by value is a wake by reference followed by
//! the release. [`vtable`] builds the `RawWakerVTable` from those three operations, so
//! each waker writes only what is its own.

use std::task::{RawWaker, RawWakerVTable};

/// A waker whose data pointer owns (or borrows) one reference to something counted.
///
/// # Safety
/// `VTABLE` must be `vtable::<Self>()` (kept in a `static`), and the three functions must
/// accept every data pointer of a waker with that vtable that is still alive.
pub(crate) unsafe trait RefCountedWake: 'static {
    /// The vtable of this kind of waker.
    const VTABLE: &'static RawWakerVTable;

    /// Adds a reference (a clone of the waker).
    ///
    /// # Safety
    /// `data` comes from a live waker of this kind.
    unsafe fn retain(data: *const ());

    /// Releases the reference a waker owned (its drop).
    ///
    /// # Safety
    /// `data` comes from a live waker of this kind, which is gone after this call.
    unsafe fn release(data: *const ());

    /// Wakes without giving up the reference.
    ///
    /// # Safety
    /// `data` comes from a live waker of this kind.
    unsafe fn wake_by_ref(data: *const ());
}

/// The `RawWakerVTable` of `W`'s wakers.
pub(crate) const fn vtable<W: RefCountedWake>() -> RawWakerVTable {
    RawWakerVTable::new(clone::<W>, wake::<W>, W::wake_by_ref, W::release)
}

/// `Waker::clone`: one more reference.
unsafe fn clone<W: RefCountedWake>(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned is alive.
    unsafe { W::retain(data) };
    RawWaker::new(data, W::VTABLE)
}

/// `Waker::wake`: a wake by reference, then this waker's reference is released. (Not a
/// hand-over of the reference to whatever the wake queues: the waker's own reference is
/// what keeps the target alive while the wake still uses it.)
unsafe fn wake<W: RefCountedWake>(data: *const ()) {
    // SAFETY: this waker owns a reference, so the target is alive for both calls.
    unsafe {
        W::wake_by_ref(data);
        W::release(data);
    }
}
