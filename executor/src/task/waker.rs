//! The `Waker` of a task: a pointer to its header and four functions.
//!
//! Waking on the loop's own thread sets the header's `QUEUED` flag and pushes the task
//! onto the local run queue: no atomic operation, no lock, no syscall. From any other
//! thread it sets the atomic `SCHEDULED` bit and goes through the loop's injection queue
//! (see `runtime::shared`). Cloning a waker adds a task reference; it is freed with the last.

use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::header::Header;
use super::TaskRef;
use crate::runtime::{enqueue_if_local, schedule_remote};

/// The vtable shared by every task waker.
pub(crate) static VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker that borrows the caller's reference: wrap it in `ManuallyDrop` and never drop it.
///
/// # Safety
/// The caller must hold a reference to the task for as long as the waker is used.
pub(crate) unsafe fn borrowed(ptr: NonNull<Header>) -> Waker {
    // SAFETY: the vtable's contract is upheld by the functions below; the reference the
    // caller holds keeps the header alive.
    unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) }
}

/// A waker that owns one of the task's references (released when it is dropped).
///
/// # Safety
/// The caller must own a reference to the task and hand it over.
pub(crate) unsafe fn owned(ptr: NonNull<Header>) -> Waker {
    // SAFETY: as for `borrowed`; the reference handed over is what the waker releases.
    unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) }
}

/// The header behind a waker's data pointer.
fn header<'a>(data: *const ()) -> &'a Header {
    // SAFETY: every waker with this vtable was built from a live `NonNull<Header>` and owns
    // (or borrows) a reference to it.
    unsafe { &*(data as *const Header) }
}

/// `Waker::clone`: one more reference.
unsafe fn clone(data: *const ()) -> RawWaker {
    header(data).state.ref_inc();
    RawWaker::new(data, &VTABLE)
}

/// `Waker::wake`: a wake by reference, then this waker's reference is released.
///
/// Not a hand-over of that reference to the injection queue: while a remote wake uses the
/// loop's `Shared`, something must keep it alive, and the queued reference may be dropped
/// by the loop at any moment (it may be shutting down). The waker's own reference, held
/// until the wake is done, is what does.
unsafe fn wake(data: *const ()) {
    // SAFETY: this waker owns a reference, so the task is alive for both calls.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

/// `Waker::wake_by_ref`: queue the task unless it is already queued.
unsafe fn wake_by_ref(data: *const ()) {
    let ptr = NonNull::from(header(data));
    if !enqueue_if_local(ptr) && header(data).state.schedule_by_ref() {
        // SAFETY: `schedule_by_ref` added the reference the `TaskRef` now owns; this
        // waker's own reference outlives the call.
        unsafe { schedule_remote(TaskRef::from_raw(ptr)) };
    }
}

/// `Waker::drop`: one reference less.
unsafe fn drop_waker(data: *const ()) {
    if header(data).state.ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { (header(data).vtable.dealloc)(NonNull::from(header(data))) };
    }
}
