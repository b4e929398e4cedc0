//! The task allocation, `TaskCell<F, X>`, and the vtable functions that act on it.
//!
//! One `Box` per task holds the header and the stage: first the future, then (once it
//! finished) its output until the `JoinHandle` takes it, in the same bytes. A task made on
//! another thread (`Handle::spawn`) also carries, in a trailer `X`, the slot its
//! `RemoteHandle` reads the result from, so that it too is one allocation (for a task of
//! the loop's own thread `X` is `()`, which takes no room). Nothing else is allocated per
//! task.

use std::any::Any;
use std::cell::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::header::{flags, Header, Vtable};
use super::state::State;
use super::{waker, Schedule};

/// What a finished task leaves for its `JoinHandle`: the value, or why there is none.
/// (Not `Result<T, JoinError>`: the id is in the header, and a thin panic payload keeps
/// this two words for a small `T`. The handle turns it into the `Result`.)
pub(crate) enum Output<T> {
    /// The future's output.
    Value(T),
    /// Aborted, or dropped at runtime shutdown.
    Cancelled,
    /// The future panicked with this payload.
    Panicked(Box<Box<dyn Any + Send + 'static>>),
}

/// The future, then its output: which one is live is told by the header's `HAS_FUTURE`
/// and `HAS_OUTPUT` flags, so the stage needs no tag of its own.
union Stage<F: Future> {
    /// Live while `HAS_FUTURE` is set.
    future: ManuallyDrop<F>,
    /// Live while `HAS_OUTPUT` is set.
    output: ManuallyDrop<Output<F::Output>>,
}

/// The single heap allocation of a task. `repr(C)` so a `NonNull<Header>` is also a
/// pointer to the whole cell.
#[repr(C)]
struct TaskCell<F: Future, X> {
    /// Must stay first.
    header: Header,
    /// Only the loop's thread touches the stage (see `dealloc` for the one exception, which
    /// runs only once the stage holds neither the future nor an output).
    stage: UnsafeCell<Stage<F>>,
    /// Shared with whoever holds a reference to the task, from any thread (so `Sync`),
    /// until the cell is freed: a remote task's result slot, or `()`.
    trailer: X,
}

/// How a new task starts out.
#[derive(Clone, Copy)]
pub(crate) enum Start {
    /// Spawned on its loop's thread: two references (the live-task table's and the
    /// `JoinHandle`'s), flagged `QUEUED` for the run queue the caller pushes it onto.
    Local,
    /// Made on another thread and handed to the loop through its injection queue: one
    /// reference (the queue's, which becomes the table's), no `JoinHandle` (the output is
    /// dropped; a remote task reports through its own future, `task/remote_handle.rs`).
    Injected,
}

/// Allocates a task for `future`, set up as `start` says.
///
/// `owner` is the id of the loop that runs it (`Header::owner`); the caller has taken the
/// hold on that loop which the task's `dealloc` gives back through `S::release`.
pub(crate) fn allocate<F: Future + 'static, S: Schedule>(
    future: F,
    owner: u16,
    id: u64,
    start: Start,
) -> NonNull<Header> {
    allocate_with_trailer::<F, S, ()>((), |_| future, owner, id, start)
}

/// Allocates a task whose cell also holds `trailer`, and makes its future with `make`,
/// which gets the trailer's address: it stays valid, and the trailer shared, for as long
/// as the cell lives (so for the whole life of the future, which lives in the cell, and
/// for as long as a reference to the task is held). The trailer is dropped when the cell
/// is freed, on whichever thread drops the last reference.
pub(crate) fn allocate_with_trailer<F: Future + 'static, S: Schedule, X: Send + Sync + 'static>(
    trailer: X,
    make: impl FnOnce(NonNull<X>) -> F,
    owner: u16,
    id: u64,
    start: Start,
) -> NonNull<Header> {
    let (refs, initial) = match start {
        Start::Local => (2, flags::JOIN_INTEREST | flags::QUEUED | flags::HAS_FUTURE),
        Start::Injected => (1, flags::HAS_FUTURE),
    };
    // The cell is written field by field through one raw pointer, which is also the
    // pointer `dealloc` frees: the trailer's address given to `make` is derived from it
    // and stays valid (no `Box` is moved or re-borrowed in between).
    let cell = Box::into_raw(Box::<TaskCell<F, X>>::new_uninit()).cast::<TaskCell<F, X>>();
    // SAFETY: `cell` points to an allocation of the right size and alignment; each field
    // is written once, through `addr_of_mut!` (no reference to uninitialised memory).
    unsafe { std::ptr::addr_of_mut!((*cell).trailer).write(trailer) };
    // SAFETY: as above; the pointer to a field of a non-null allocation is not null.
    let trailer = unsafe { NonNull::new_unchecked(std::ptr::addr_of_mut!((*cell).trailer)) };
    let future = make(trailer);
    // SAFETY: as above. Had `make` panicked, the allocation would leak (with its
    // trailer), never be used half-written.
    unsafe {
        std::ptr::addr_of_mut!((*cell).header).write(Header::new(
            State::new(refs),
            vtable::<F, S, X>(),
            owner,
            id,
            initial,
        ));
        std::ptr::addr_of_mut!((*cell).stage).write(UnsafeCell::new(Stage {
            future: ManuallyDrop::new(future),
        }));
    }
    // SAFETY: every field is initialised; `cell` came from `Box::into_raw`.
    unsafe { NonNull::new_unchecked(cell) }.cast()
}

/// Holds the vtable of `TaskCell<F, X>` run by `S` as an associated constant, which a
/// reference promotes to a `'static` one.
struct VtableOf<F, S, X>(std::marker::PhantomData<(F, S, X)>);

impl<F: Future + 'static, S: Schedule, X: 'static> VtableOf<F, S, X> {
    /// The vtable.
    const VTABLE: Vtable = Vtable {
        poll: poll::<F, X>,
        cancel: cancel::<F, X>,
        read_output: read_output::<F, S, X>,
        drop_output: drop_output::<F, X>,
        dealloc: dealloc::<F, S, X>,
        waker: S::WAKER_VTABLE,
    };
}

/// The vtable of `TaskCell<F, X>` run by `S`.
fn vtable<F: Future + 'static, S: Schedule, X: 'static>() -> &'static Vtable {
    &VtableOf::<F, S, X>::VTABLE
}

/// The cell behind a header pointer.
///
/// # Safety
/// `ptr` must come from `allocate::<F, _>` and still be alive, and the returned reference
/// must not outlive the caller's reference to the task.
unsafe fn cell<'a, F: Future, X>(ptr: NonNull<Header>) -> &'a TaskCell<F, X> {
    // SAFETY: `TaskCell` is `repr(C)` with the header first, so the pointers coincide; the
    // caller guarantees the allocation is alive and of this type.
    unsafe { ptr.cast::<TaskCell<F, X>>().as_ref() }
}

/// The stage, mutably.
///
/// # Safety
/// Loop thread only, and no other reference to the stage may be live (the loop never
/// re-enters a task's vtable while another vtable call on the same task runs).
#[allow(clippy::mut_from_ref)]
unsafe fn stage<F: Future, X>(cell: &TaskCell<F, X>) -> &mut Stage<F> {
    // SAFETY: exclusivity is the caller's promise, above.
    unsafe { &mut *cell.stage.get() }
}

/// Drops the future in place if the poll that holds this guard unwinds: the future's
/// destructors then run *during* the unwind, so those that look at
/// `std::thread::panicking()` (a `std::sync::Mutex` guard poisoning its mutex, a
/// transaction guard rolling back) see the panic, as they would on a plain thread.
struct DropFutureOnUnwind<'a, F: Future, X> {
    /// The cell whose future is being polled.
    cell: &'a TaskCell<F, X>,
}

impl<F: Future, X> Drop for DropFutureOnUnwind<'_, F, X> {
    fn drop(&mut self) {
        // Only reached while unwinding: a normal return forgets the guard. A destructor
        // that panics here, during the unwind, aborts the process, as it would in any
        // Rust code (tokio behaves the same).
        self.cell.header.clear(flags::HAS_FUTURE);
        // SAFETY: loop thread; the poll's borrow of the stage ended with the unwind that
        // runs this; `HAS_FUTURE` was set (it is cleared above so nothing drops it again).
        unsafe { ManuallyDrop::drop(&mut stage(self.cell).future) };
    }
}

/// Polls the task once. Called by the loop for a task that is live (listed), so the
/// list's reference keeps the cell alive for the whole call.
unsafe fn poll<F: Future, X>(ptr: NonNull<Header>) {
    // SAFETY: the caller guarantees the cell is alive.
    let cell = unsafe { cell::<F, X>(ptr) };
    let header = &cell.header;
    if header.has(flags::COMPLETE) {
        return;
    }
    if header.has(flags::CANCELLED) {
        // SAFETY: on the loop thread, no stage borrow is live.
        unsafe { complete(cell, Output::Cancelled) };
        return;
    }
    header.set(flags::RUNNING);
    header.count_poll();
    // SAFETY: the list's reference outlives this borrowed waker, which is never dropped.
    let waker = ManuallyDrop::new(unsafe { waker::borrowed(header) });
    let mut cx = Context::from_waker(&waker);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let guard = DropFutureOnUnwind { cell };
        // SAFETY: loop thread, no other stage borrow; `HAS_FUTURE` is set (not complete),
        // and the future never moves out of the heap cell until it is dropped in place, so
        // pinning it is sound.
        let poll = unsafe { Pin::new_unchecked(&mut *stage(cell).future) }.poll(&mut cx);
        std::mem::forget(guard);
        poll
    }));
    header.clear(flags::RUNNING);
    let output = match result {
        Ok(Poll::Pending) => return,
        Ok(Poll::Ready(value)) => Output::Value(value),
        Err(payload) => Output::Panicked(Box::new(payload)),
    };
    // SAFETY: the poll's stage borrow has ended.
    unsafe { complete(cell, output) };
}

/// Drops the future (unless a panicking poll dropped it already), stores or drops the
/// output, marks the task complete and wakes the `JoinHandle`'s waiter. The loop unlinks
/// the task from its live list afterwards.
///
/// # Safety
/// Loop thread, no stage borrow live, task not yet complete.
unsafe fn complete<F: Future, X>(cell: &TaskCell<F, X>, output: Output<F::Output>) {
    let header = &cell.header;
    if header.has(flags::HAS_FUTURE) {
        header.clear(flags::HAS_FUTURE);
        // A panicking destructor must not take the loop down: the task's result stands.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: as the caller promises; `HAS_FUTURE` was set, and is cleared above
            // whether or not the destructor panics.
            unsafe { ManuallyDrop::drop(&mut stage(cell).future) };
        }));
    }
    header.set(flags::COMPLETE);
    header.state.set_done();
    if header.has(flags::JOIN_INTEREST) {
        // SAFETY: as the caller promises; the future's storage is free now.
        unsafe { stage(cell).output = ManuallyDrop::new(output) };
        header.set(flags::HAS_OUTPUT);
        if let Some(waker) = header.join_waiter.take() {
            waker.wake();
        }
    } else {
        let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(output)));
    }
}

/// Cancels the task now: drops its future without polling it (runtime shutdown, or an
/// injected task whose loop is gone). Runs on the thread that owns the task's stage: the
/// loop's, or for an injected task never taken in, the thread that holds it.
unsafe fn cancel<F: Future, X>(ptr: NonNull<Header>) {
    // SAFETY: the caller holds a reference.
    let cell = unsafe { cell::<F, X>(ptr) };
    if !cell.header.has(flags::COMPLETE) {
        // SAFETY: loop thread, no stage borrow live, not complete.
        unsafe { complete(cell, Output::Cancelled) };
    }
}

/// `JoinHandle::poll`: writes `Poll<Output<F::Output>>` to `dst` once the task is
/// complete, else keeps the waker to wake then.
unsafe fn read_output<F: Future, S: Schedule, X>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) {
    // SAFETY: the handle holds a reference.
    let cell = unsafe { cell::<F, X>(ptr) };
    let header = &cell.header;
    if !header.has(flags::COMPLETE) {
        header.join_waiter.register(waker, S::WAKER_VTABLE);
        return;
    }
    assert!(
        header.has(flags::HAS_OUTPUT),
        "`JoinHandle` polled again after it returned the task's output"
    );
    header.clear(flags::HAS_OUTPUT);
    // SAFETY: loop thread (the handle is !Send), no other stage borrow; `HAS_OUTPUT` was
    // set, and is now cleared, so the output is read out exactly once.
    let output = unsafe { ManuallyDrop::take(&mut stage(cell).output) };
    // SAFETY: the handle passes a `*mut Poll<Output<F::Output>>`.
    unsafe { *dst.cast::<Poll<Output<F::Output>>>() = Poll::Ready(output) };
}

/// `JoinHandle::drop`: nobody will read the output; drop it if the task already left one.
unsafe fn drop_output<F: Future, X>(ptr: NonNull<Header>) {
    // SAFETY: the handle holds a reference.
    let cell = unsafe { cell::<F, X>(ptr) };
    if cell.header.has(flags::HAS_OUTPUT) {
        cell.header.clear(flags::HAS_OUTPUT);
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: loop thread, no other stage borrow, and `HAS_OUTPUT` was set.
            unsafe { ManuallyDrop::drop(&mut stage(cell).output) };
        }));
    }
}

/// Frees the task, and drops its trailer. May run on any thread: by then the stage holds
/// neither the future (dropped on the loop thread at completion or shutdown) nor an output
/// (taken or dropped on the loop thread when the `JoinHandle` went away), and the trailer
/// is `Send`.
unsafe fn dealloc<F: Future, S: Schedule, X>(ptr: NonNull<Header>) {
    // SAFETY: this was the last reference; the cell came from `Box::into_raw` in
    // `allocate_with_trailer`, fully initialised.
    let cell = unsafe { Box::from_raw(ptr.cast::<TaskCell<F, X>>().as_ptr()) };
    debug_assert!(
        !cell.header.has(flags::HAS_FUTURE | flags::HAS_OUTPUT),
        "a task is freed only once its future and output are gone"
    );
    let owner = cell.header.owner;
    drop(cell);
    // SAFETY: the task held its loop since `allocate`; nothing of it remains.
    unsafe { S::release(owner) };
}
