//! The `Waker` of a task: a pointer to its header, counted by the task's references.
//!
//! A wake asks the task's loop ([`Schedule`]) to queue it. On the loop's own thread that
//! is a push onto the local run queue: no atomic operation, no lock, no syscall. From any
//! other thread it sets the atomic `SCHEDULED` bit and goes through the loop's injection
//! queue. Cloning a waker adds a task reference; the task is freed with the last one.
//!
//! A wake by value is a wake by reference and then the release of the waker's reference
//! (`ref_waker.rs`): while a remote wake uses the loop's shared state something must keep
//! it alive, and the reference queued by the wake may be dropped by the loop at any moment
//! (it may be shutting down); the waker's own reference, held until the wake is done, is
//! what does.

use std::marker::PhantomData;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::header::Header;
use super::{Schedule, TaskRef};
use crate::ref_waker::{self, RefCountedWake};

/// The wakers of tasks run by `S`.
struct TaskWaker<S>(PhantomData<S>);

/// The waker vtable of tasks run by `S`; the loop keeps it in a `static` (see
/// [`Schedule::WAKER_VTABLE`]).
pub(crate) const fn vtable<S: Schedule>() -> RawWakerVTable {
    ref_waker::vtable::<TaskWaker<S>>()
}

// SAFETY: `S::WAKER_VTABLE` is `vtable::<S>()`, which is `ref_waker::vtable::<Self>()`, in
// a static (the `Schedule` contract); every such waker's data is a live task header.
unsafe impl<S: Schedule> RefCountedWake for TaskWaker<S> {
    const VTABLE: &'static RawWakerVTable = S::WAKER_VTABLE;

    unsafe fn retain(data: *const ()) {
        // SAFETY: the waker being cloned is alive.
        unsafe { header(data) }.state.ref_inc();
    }

    unsafe fn release(data: *const ()) {
        // SAFETY: the waker being dropped is alive until the decrement.
        let header = unsafe { header(data) };
        if header.state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { (header.vtable.dealloc)(NonNull::from(header)) };
        }
    }

    unsafe fn wake_by_ref(data: *const ()) {
        // SAFETY: the waker is alive for this call.
        let header = unsafe { header(data) };
        let ptr = NonNull::from(header);
        if !S::schedule_local(ptr) && header.state.schedule_by_ref() {
            // SAFETY: `schedule_by_ref` added the reference the `TaskRef` now owns; this
            // waker's own reference outlives the call.
            unsafe { S::schedule_remote(TaskRef::from_raw(ptr)) };
        }
    }
}

/// A waker that borrows the caller's reference: wrap it in `ManuallyDrop` and never drop it.
///
/// # Safety
/// The caller must hold a reference to the task for as long as the waker is used.
pub(crate) unsafe fn borrowed(header: &Header) -> Waker {
    let data = std::ptr::from_ref(header).cast();
    // SAFETY: the vtable's functions uphold the `RawWaker` contract; the reference the
    // caller holds keeps the header alive.
    unsafe { Waker::from_raw(RawWaker::new(data, header.vtable.waker)) }
}

/// A waker that owns one of the task's references (released when it is dropped).
///
/// # Safety
/// The caller must own a reference to the task and hand it over.
pub(crate) unsafe fn owned(header: NonNull<Header>) -> Waker {
    // SAFETY: the caller's reference keeps the header alive; it becomes the waker's.
    let vtable = unsafe { header.as_ref() }.vtable.waker;
    // SAFETY: as for `borrowed`; the reference handed over is what the waker releases.
    unsafe { Waker::from_raw(RawWaker::new(header.as_ptr().cast_const().cast(), vtable)) }
}

/// The header behind a waker's data pointer.
///
/// # Safety
/// `data` must come from a live waker of a task, and the returned header must not be used
/// after that waker's reference is released.
unsafe fn header<'a>(data: *const ()) -> &'a Header {
    // SAFETY: as the caller promises, `data` points at a live header.
    unsafe { &*data.cast::<Header>() }
}
