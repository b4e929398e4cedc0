//! The task allocation, `TaskCell<F>`, and the vtable functions that act on it.
//!
//! One `Box` per task holds the header and the stage: first the future, then (once it
//! finished) its result until the `JoinHandle` takes it. Nothing else is allocated per task.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::header::{flags, Header, Meta, Vtable};
use super::state::State;
use super::waker;
use super::JoinError;
use crate::runtime::shared::Shared;

/// Where the future is in its life.
enum Stage<F: Future> {
    /// Still to be polled.
    Running(F),
    /// Done; the result waits for the `JoinHandle`.
    Finished(Result<F::Output, JoinError>),
    /// Nothing left: the result was taken or nobody wanted it.
    Consumed,
}

/// The single heap allocation of a task. `repr(C)` so a `NonNull<Header>` is also a
/// pointer to the whole cell.
#[repr(C)]
struct TaskCell<F: Future> {
    /// Must stay first.
    header: Header,
    /// Only the loop's thread touches the stage (see `Header`'s docs for the one exception:
    /// `dealloc` on another thread, which runs only once the stage holds no `F` and no output).
    stage: std::cell::UnsafeCell<Stage<F>>,
}

/// Allocates a task for `future` with two references, the loop's live list and the
/// `JoinHandle`, flagged `QUEUED` for the local run queue the caller pushes it onto.
pub(crate) fn allocate<F: Future + 'static>(
    future: F,
    shared: &Arc<Shared>,
    meta: Meta,
) -> NonNull<Header> {
    let cell = Box::new(TaskCell {
        header: Header {
            state: State::new(2),
            flags: std::cell::Cell::new(flags::JOIN_INTEREST | flags::QUEUED),
            vtable: vtable::<F>(),
            shared: shared_ref(shared),
            links: Default::default(),
            join_waker: std::cell::UnsafeCell::new(None),
            meta,
        },
        stage: std::cell::UnsafeCell::new(Stage::Running(future)),
    });
    NonNull::from(Box::leak(cell)).cast()
}

/// One strong count of the loop's `Shared`, owned by the task (released in `dealloc`).
fn shared_ref(shared: &Arc<Shared>) -> NonNull<Shared> {
    let raw = Arc::into_raw(shared.clone()).cast_mut();
    // SAFETY: `Arc::into_raw` never returns null.
    unsafe { NonNull::new_unchecked(raw) }
}

/// The vtable of `TaskCell<F>`.
fn vtable<F: Future + 'static>() -> &'static Vtable {
    &Vtable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        read_output: read_output::<F>,
        drop_output: drop_output::<F>,
        dealloc: dealloc::<F>,
    }
}

/// The cell behind a header pointer.
///
/// # Safety
/// `ptr` must come from `allocate::<F>` and still be alive.
unsafe fn cell<'a, F: Future>(ptr: NonNull<Header>) -> &'a TaskCell<F> {
    // SAFETY: `TaskCell` is `repr(C)` with the header first, so the pointers coincide; the
    // caller guarantees the allocation is alive and of this type.
    unsafe { ptr.cast::<TaskCell<F>>().as_ref() }
}

/// The stage, mutably.
///
/// # Safety
/// Loop thread only, and no other reference to the stage may be live (the loop never
/// re-enters a task's vtable while another vtable call on the same task runs).
#[allow(clippy::mut_from_ref)]
unsafe fn stage<F: Future>(cell: &TaskCell<F>) -> &mut Stage<F> {
    // SAFETY: exclusivity is the caller's promise, above.
    unsafe { &mut *cell.stage.get() }
}

/// Polls the task once. Called by the loop for a task that is live (listed), so the
/// list's reference keeps the cell alive for the whole call.
unsafe fn poll<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the caller guarantees the cell is alive.
    let cell = unsafe { cell::<F>(ptr) };
    let header = &cell.header;
    if header.has(flags::COMPLETE) {
        return;
    }
    if header.has(flags::CANCELLED) {
        // SAFETY: on the loop thread, no stage borrow is live.
        unsafe { complete(cell, Err(JoinError::cancelled(header.meta.id))) };
        return;
    }
    header.set(flags::RUNNING);
    header.meta.polls.set(header.meta.polls.get() + 1);
    // SAFETY: the list's reference outlives this borrowed waker, which is never dropped.
    let waker = ManuallyDrop::new(unsafe { waker::borrowed(ptr) });
    let mut cx = Context::from_waker(&waker);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: loop thread, no other stage borrow; the future never moves out of the
        // heap cell until it is dropped in place, so pinning it is sound.
        match unsafe { stage(cell) } {
            Stage::Running(future) => unsafe { Pin::new_unchecked(future) }.poll(&mut cx),
            _ => unreachable!("a task that is not complete has its future"),
        }
    }));
    header.clear(flags::RUNNING);
    let result = match result {
        Ok(Poll::Pending) => return,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(payload) => Err(JoinError::panic(header.meta.id, payload)),
    };
    // SAFETY: the poll's stage borrow has ended.
    unsafe { complete(cell, result) };
}

/// Drops the future, stores or drops the result, marks the task complete and wakes the
/// `JoinHandle`. The loop unlinks the task from its live list afterwards.
///
/// # Safety
/// Loop thread, no stage borrow live, task not yet complete.
unsafe fn complete<F: Future>(cell: &TaskCell<F>, result: Result<F::Output, JoinError>) {
    let header = &cell.header;
    // A panicking destructor must not take the loop down: the task's result stands.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as the caller promises.
        *unsafe { stage(cell) } = Stage::Consumed;
    }));
    header.set(flags::COMPLETE);
    header.state.set_done();
    if header.has(flags::JOIN_INTEREST) {
        // SAFETY: as the caller promises.
        *unsafe { stage(cell) } = Stage::Finished(result);
        // SAFETY: the join waker is only touched on the loop thread, and not re-entrantly.
        if let Some(waker) = unsafe { (*header.join_waker.get()).take() } {
            waker.wake();
        }
    } else {
        let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(result)));
    }
}

/// Cancels the task now: drops its future without polling it (runtime shutdown).
unsafe fn cancel<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the caller holds a reference.
    let cell = unsafe { cell::<F>(ptr) };
    if !cell.header.has(flags::COMPLETE) {
        // SAFETY: loop thread, no stage borrow live, not complete.
        unsafe { complete(cell, Err(JoinError::cancelled(cell.header.meta.id))) };
    }
}

/// `JoinHandle::poll`: hands out the result or parks the waker.
unsafe fn read_output<F: Future>(ptr: NonNull<Header>, dst: *mut (), waker: &Waker) {
    // SAFETY: the handle holds a reference.
    let cell = unsafe { cell::<F>(ptr) };
    let header = &cell.header;
    if header.has(flags::COMPLETE) {
        // SAFETY: loop thread (the handle is !Send), no other stage borrow.
        let stage = unsafe { stage(cell) };
        match std::mem::replace(stage, Stage::Consumed) {
            Stage::Finished(result) => {
                // SAFETY: the handle passes a `*mut Poll<Result<F::Output, JoinError>>`.
                unsafe {
                    *dst.cast::<Poll<Result<F::Output, JoinError>>>() = Poll::Ready(result);
                }
            }
            _ => panic!("`JoinHandle` polled again after it returned the task's output"),
        }
    } else {
        // SAFETY: loop thread, not re-entrant.
        let slot = unsafe { &mut *header.join_waker.get() };
        match slot {
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }
}

/// `JoinHandle::drop` on a complete task: nobody will read the result.
unsafe fn drop_output<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: the handle holds a reference.
    let cell = unsafe { cell::<F>(ptr) };
    if cell.header.has(flags::COMPLETE) {
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: loop thread, no other stage borrow.
            *unsafe { stage(cell) } = Stage::Consumed;
        }));
    }
}

/// Frees the task. May run on any thread: by then the stage holds neither the future
/// (dropped on the loop thread at completion or shutdown) nor an output (taken or
/// dropped on the loop thread when the `JoinHandle` went away).
unsafe fn dealloc<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: this was the last reference; the cell came from `Box::leak` in `allocate`.
    let cell = unsafe { Box::from_raw(ptr.cast::<TaskCell<F>>().as_ptr()) };
    let shared = cell.header.shared;
    drop(cell);
    // SAFETY: the task owned one strong count, from `Arc::into_raw` in `allocate`.
    drop(unsafe { Arc::from_raw(shared.as_ptr()) });
}
