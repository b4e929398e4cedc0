//! `RemoteHandle`: the handle of a task spawned through an [`evloop::Handle`](crate::Handle),
//! usable from any thread, like the `concurrent.futures.Future` that asyncio's
//! `run_coroutine_threadsafe` returns.
//!
//! A `JoinHandle` reads its task's output straight from the task's memory, which only the
//! loop's thread may touch. A remote task instead runs inside [`RemoteTask`], which writes
//! its result into a [`Slot`] shared with the handle behind a mutex: whoever finishes first
//! (the task with a value, a panic or a cancellation; the handle with `abort`) decides, the
//! other finds it there. The slot also keeps the task's waker, so that `abort` from another
//! thread makes the loop poll the task once more, and drop it.
//!
//! A task made by `Handle::spawn` keeps its slot in its own allocation (the cell's trailer,
//! `raw/cell.rs`), and its handle holds a reference to the task to keep it there: one
//! allocation per remote task, as for a local one. `spawn_with` makes its task later, on
//! the loop, so its slot is an `Arc` of its own.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll, Waker};

use evloop_reactor::context::record_wait;
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};

use super::JoinError;
use crate::loom::{AtomicBool, Condvar, Mutex, MutexGuard, Ordering};
use crate::raw::TaskRef;
use crate::scheduler::context;

/// What a remote task and its handle share.
pub(crate) struct Slot<T> {
    /// The task's id (for `JoinError`).
    id: u64,
    /// The index of the task's loop, for the wait site of an awaiting task.
    loop_index: u16,
    /// `abort` was called: the task's next poll drops its future. Outside the lock, so
    /// that a task's poll reads it without taking the lock.
    cancel: AtomicBool,
    /// The result and the wakers, behind a lock both sides take briefly.
    state: Mutex<SlotState<T>>,
    /// Signalled when the result arrives, for a plain thread blocked in `join`.
    done: Condvar,
}

/// The contents of a [`Slot`].
struct SlotState<T> {
    /// The task's result, until the handle takes it.
    result: Option<Result<T, JoinError>>,
    /// The result was set (it may have been taken since).
    finished: bool,
    /// The task's waker (from its latest poll that returned `Pending`), which `abort`
    /// wakes.
    task: Option<Waker>,
    /// Whoever awaits the handle.
    waiter: Option<Waker>,
    /// A thread blocks in `join` on the condition variable (so a finish must signal it;
    /// without one, signalling would be a wasted `futex` call per task).
    joiner: bool,
}

impl<T> Slot<T> {
    /// An empty slot for task `id` of loop `loop_index`, shared by counting.
    pub(crate) fn new(id: u64, loop_index: u16) -> Arc<Slot<T>> {
        Arc::new(Slot::unshared(id, loop_index))
    }

    /// An empty slot for task `id` of loop `loop_index`, to be placed (in a task's
    /// trailer).
    pub(crate) fn unshared(id: u64, loop_index: u16) -> Slot<T> {
        Slot {
            id,
            loop_index,
            cancel: AtomicBool::new(false),
            state: Mutex::new(SlotState {
                result: None,
                finished: false,
                task: None,
                waiter: None,
                joiner: false,
            }),
            done: Condvar::new(),
        }
    }

    /// The state, whatever a panicking holder left (every update is a few plain stores).
    fn lock(&self) -> MutexGuard<'_, SlotState<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the result unless one is set, and wakes whoever waits for it.
    fn finish(&self, result: Result<T, JoinError>) {
        let mut state = self.lock();
        if state.finished {
            return;
        }
        state.result = Some(result);
        state.finished = true;
        state.task = None;
        let waiter = state.waiter.take();
        let joiner = state.joiner;
        drop(state);
        if joiner {
            self.done.notify_all();
        }
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }

    /// Keeps the waker of a task that returned `Pending`, for `abort` to wake. Most remote
    /// tasks finish in their first poll and never come here.
    fn park_task(&self, waker: &Waker) {
        let mut state = self.lock();
        match &state.task {
            Some(task) if task.will_wake(waker) => {}
            _ => state.task = Some(waker.clone()),
        }
        drop(state);
        // An `abort` that took the waker slot before this store (and found it empty) set
        // `cancel` before it did; the lock orders that before this load, which sees it.
        if self.cancel.load(Ordering::SeqCst) {
            waker.wake_by_ref();
        }
    }

    /// Finishes the task as cancelled (it was dropped before its end).
    pub(crate) fn cancel(&self) {
        self.finish(Err(JoinError::cancelled(self.id)));
    }
}

/// Where a remote task and its handle find their [`Slot`].
pub(crate) enum SlotRef<T> {
    /// An allocation of its own, shared by counting (`spawn_with`).
    Shared(Arc<Slot<T>>),
    /// The trailer of the task's own allocation (`Handle::spawn`), kept alive by a
    /// reference to the task: the cell that holds the future, or the handle's
    /// [`TaskMemory`].
    InTask(NonNull<Slot<T>>),
}

impl<T> SlotRef<T> {
    /// The slot at `slot`, in a task's trailer.
    ///
    /// # Safety
    /// `slot` must stay valid for as long as the returned value lives: it is in the cell
    /// that holds this value, or the holder also holds a reference to that task.
    pub(crate) unsafe fn in_task(slot: NonNull<Slot<T>>) -> SlotRef<T> {
        SlotRef::InTask(slot)
    }
}

impl<T> Deref for SlotRef<T> {
    type Target = Slot<T>;

    fn deref(&self) -> &Slot<T> {
        match self {
            SlotRef::Shared(slot) => slot,
            // SAFETY: `in_task`'s caller keeps the task's cell, and so the slot, alive for
            // as long as this value.
            SlotRef::InTask(slot) => unsafe { slot.as_ref() },
        }
    }
}

// SAFETY: a `SlotRef` gives only `&Slot<T>`, which is `Send + Sync` when `T: Send` (its
// state is behind a mutex, the rest atomics and a condition variable); the pointer of
// `InTask` is as valid on any thread as on the one that made it.
unsafe impl<T: Send> Send for SlotRef<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SlotRef<T> {}

pin_project_lite::pin_project! {
    /// The future a remote task runs: the user's future, reporting to a [`Slot`].
    ///
    /// Dropped before it finished (runtime shutdown, or its loop was gone before it
    /// started), it reports the task cancelled.
    pub(crate) struct RemoteTask<F: Future> {
        // The user's future; `None` once it finished or was dropped.
        #[pin]
        future: Option<F>,
        // Where the result goes.
        slot: SlotRef<F::Output>,
    }

    impl<F: Future> PinnedDrop for RemoteTask<F> {
        fn drop(this: Pin<&mut Self>) {
            this.slot.cancel();
        }
    }
}

impl<F: Future> RemoteTask<F> {
    /// Runs `future`, reporting to `slot`.
    pub(crate) fn new(future: F, slot: SlotRef<F::Output>) -> RemoteTask<F> {
        RemoteTask {
            future: Some(future),
            slot,
        }
    }
}

impl<F: Future> Future for RemoteTask<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        if this.future.as_ref().as_pin_ref().is_none() {
            return Poll::Ready(());
        }
        if this.slot.cancel.load(Ordering::SeqCst) {
            this.future.set(None);
            this.slot.cancel();
            return Poll::Ready(());
        }
        // A panic is caught here, where its payload can be kept for the handle; the
        // user's future is dropped while the panic unwinds, as for any task.
        let polled = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut guard = DropOnUnwind(this.future.as_mut());
            let poll = guard
                .0
                .as_mut()
                .as_pin_mut()
                .expect("checked above")
                .poll(cx);
            std::mem::forget(guard);
            poll
        }));
        let result = match polled {
            Ok(Poll::Pending) => {
                this.slot.park_task(cx.waker());
                return Poll::Pending;
            }
            Ok(Poll::Ready(value)) => Ok(value),
            Err(payload) => Err(JoinError::panic(this.slot.id, payload)),
        };
        this.future.set(None);
        this.slot.finish(result);
        Poll::Ready(())
    }
}

/// Drops the user's future if the poll that holds this guard unwinds.
struct DropOnUnwind<'a, F>(Pin<&'a mut Option<F>>);

impl<F> Drop for DropOnUnwind<'_, F> {
    fn drop(&mut self) {
        self.0.set(None);
    }
}

/// A handle to a task spawned through an [`evloop::Handle`](crate::Handle): `Send`, so
/// any thread can await it, abort it, or block on it with [`join`](RemoteHandle::join).
///
/// Awaiting it (on any loop) yields `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was cancelled (aborted, or dropped when its loop shut down, or spawned on a loop that
/// had already ended). Dropping it detaches the task.
///
/// ```
/// let rt = evloop::Runtime::new()?;
/// let handle = rt.handle();
/// let worker = std::thread::spawn(move || {
///     // A plain thread hands the loop a task and blocks until it is done.
///     handle.spawn(async { 6 * 7 }).join()
/// });
/// // The loop runs the task while it waits for the thread.
/// let answer = rt.block_on(async {
///     loop {
///         if worker.is_finished() {
///             break worker.join().unwrap();
///         }
///         evloop::time::sleep(std::time::Duration::from_millis(1)).await;
///     }
/// });
/// assert_eq!(answer.unwrap(), 42);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct RemoteHandle<T> {
    /// What the task reports to. Declared before `_memory`, which may keep it alive, so
    /// dropped first.
    slot: SlotRef<T>,
    /// A reference to the task's allocation, when it was made on the handle's thread
    /// (`Handle::spawn`): it keeps the slot in the task's trailer alive, and the task's
    /// memory is then freed here, by the thread that allocated it (malloc's fast path),
    /// rather than on the loop's thread.
    _memory: Option<TaskMemory>,
}

/// A task reference held only to be dropped: it gives no access to the task.
pub(crate) struct TaskMemory(#[allow(dead_code)] TaskRef);

// SAFETY: a `&TaskMemory` allows nothing at all (the field is never read), so sharing one
// between threads cannot race; dropping the reference is thread-safe (`TaskRef: Send`).
unsafe impl Sync for TaskMemory {}

impl TaskMemory {
    /// Keeps `task`'s allocation alive until this is dropped.
    pub(crate) fn new(task: TaskRef) -> TaskMemory {
        TaskMemory(task)
    }
}

impl<T> RemoteHandle<T> {
    /// The handle of the task reporting to `slot`, holding `memory` if given (it must be
    /// given, and be the task whose trailer holds the slot, for `SlotRef::InTask`).
    pub(crate) fn new(slot: SlotRef<T>, memory: Option<TaskMemory>) -> RemoteHandle<T> {
        RemoteHandle {
            slot,
            _memory: memory,
        }
    }

    /// The task's id, unique within its loop (as [`JoinHandle::id`](crate::JoinHandle::id)).
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::Handle::current();
    ///     let a = handle.spawn(async {});
    ///     let b = handle.spawn(async {});
    ///     assert_ne!(a.id(), b.id());
    /// });
    /// ```
    pub fn id(&self) -> u64 {
        self.slot.id
    }

    /// Cancels the task, from any thread, like `concurrent.futures.Future.cancel()`: its
    /// loop drops its future at its next turn, without polling it again, and the handle
    /// yields a cancelled [`JoinError`]. No effect on a task that already finished.
    ///
    /// ```
    /// use std::time::Duration;
    /// evloop::run(async {
    ///     let handle = evloop::Handle::current();
    ///     let task = handle.spawn_with(|| evloop::time::sleep(Duration::from_secs(60)));
    ///     task.abort();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        self.slot.cancel.store(true, Ordering::SeqCst);
        let mut state = self.slot.lock();
        if state.finished {
            return;
        }
        let task = state.task.take();
        drop(state);
        if let Some(task) = task {
            task.wake();
        }
    }

    /// `true` once the task has finished (with a value, a panic, or by cancellation).
    ///
    /// ```
    /// evloop::run(async {
    ///     let task = evloop::Handle::current().spawn(async { 1 });
    ///     assert!(!task.is_finished());
    ///     assert_eq!(task.await.unwrap(), 1);
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.slot.lock().finished
    }

    /// Blocks this thread until the task is done and returns its result, like
    /// `concurrent.futures.Future.result()`: for plain threads (a worker pool, `main`
    /// before any loop runs there), which cannot `.await`.
    ///
    /// ```
    /// let rt = evloop::Runtime::new()?;
    /// let handle = rt.handle();
    /// let join = std::thread::spawn(move || handle.spawn(async { "done" }).join());
    /// rt.block_on(async {
    ///     while !join.is_finished() {
    ///         evloop::yield_now().await;
    ///     }
    /// });
    /// assert_eq!(join.join().unwrap().unwrap(), "done");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// On a thread that runs an evloop loop: blocking it would stop every task of that
    /// loop (and deadlock if the task runs there). `.await` the handle instead.
    #[track_caller]
    pub fn join(self) -> Result<T, JoinError> {
        if context::with_current(|_| ()).is_some() {
            panic!(
                "evloop: RemoteHandle::join called on a thread that runs an evloop loop: it \
                 would block every task of the loop (and deadlock if the task runs there). \
                 Inside async code, `.await` the RemoteHandle instead."
            );
        }
        let mut state = self.slot.lock();
        loop {
            if let Some(result) = state.result.take() {
                return result;
            }
            assert!(
                !state.finished,
                "`RemoteHandle::join` after the result was taken"
            );
            state.joiner = true;
            state = self
                .slot
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl<T> Future for RemoteHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.slot.lock();
        if let Some(result) = state.result.take() {
            return Poll::Ready(result);
        }
        assert!(
            !state.finished,
            "`RemoteHandle` polled again after it returned the task's output"
        );
        match &state.waiter {
            Some(waiter) if waiter.will_wake(cx.waker()) => {}
            _ => state.waiter = Some(cx.waker().clone()),
        }
        drop(state);
        let (id, loop_index) = (self.slot.id, self.slot.loop_index);
        record_wait(|| WaitSite::new(WaitKind::Join, None, WaitDetail::Task { id, loop_index }));
        Poll::Pending
    }
}

impl<T> fmt::Debug for RemoteHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Model checks of the slot: whichever of completion, abort and the handle's poll comes
/// first, the result is delivered once and a waiting handle is woken.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::model;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    /// Counts wakes.
    struct CountWakes(AtomicUsize);

    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Guards: a task finishing on its loop while another thread aborts the handle and
    /// then polls it: the handle gets exactly one result, the value or a cancellation,
    /// and if it was pending it is woken.
    #[test]
    fn loom_remote_completion_racing_abort_and_poll() {
        model("loom_remote_completion_racing_abort_and_poll", || {
            let slot = Slot::<u32>::new(7, 0);
            let handle = RemoteHandle::new(SlotRef::Shared(slot.clone()), None);
            let task = loom::thread::spawn(move || slot.finish(Ok(1)));
            let wakes = Arc::new(CountWakes(AtomicUsize::new(0)));
            let waker = Waker::from(wakes.clone());
            let mut handle = handle;
            handle.abort();
            let first = Pin::new(&mut handle).poll(&mut Context::from_waker(&waker));
            task.join().unwrap();
            let result = match first {
                Poll::Ready(result) => result,
                Poll::Pending => {
                    assert_eq!(
                        wakes.0.load(Ordering::SeqCst),
                        1,
                        "the waiting handle was woken"
                    );
                    match Pin::new(&mut handle).poll(&mut Context::from_waker(&waker)) {
                        Poll::Ready(result) => result,
                        Poll::Pending => panic!("finished, yet the handle still waits"),
                    }
                }
            };
            match result {
                Ok(value) => assert_eq!(value, 1),
                Err(err) => panic!("abort only asks the task; the task decides: {err}"),
            }
        });
    }

    /// Guards: `abort` on another thread racing a task that just returned `Pending` and
    /// parks its waker: either `abort` finds the waker and wakes it, or the task sees the
    /// flag after parking and wakes itself; an abort is never lost.
    #[test]
    fn loom_abort_racing_a_task_parking_its_waker() {
        model("loom_abort_racing_a_task_parking_its_waker", || {
            let slot = Slot::<u32>::new(7, 0);
            let handle = RemoteHandle::new(SlotRef::Shared(slot.clone()), None);
            let wakes = Arc::new(CountWakes(AtomicUsize::new(0)));
            let task = {
                let (slot, wakes) = (slot.clone(), wakes.clone());
                loom::thread::spawn(move || slot.park_task(&Waker::from(wakes)))
            };
            handle.abort();
            task.join().unwrap();
            assert!(
                wakes.0.load(Ordering::SeqCst) >= 1,
                "the aborted task was not woken"
            );
        });
    }

    /// Guards: the handle dropped on one thread while the task finishes on another: the
    /// value is dropped exactly once, with the slot.
    #[test]
    fn loom_remote_completion_racing_the_handles_drop() {
        model("loom_remote_completion_racing_the_handles_drop", || {
            let drops = Arc::new(AtomicUsize::new(0));
            /// Counts its drops.
            struct Counted(Arc<AtomicUsize>);
            impl Drop for Counted {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let slot = Slot::<Counted>::new(7, 0);
            let handle = RemoteHandle::new(SlotRef::Shared(slot.clone()), None);
            let value = Counted(drops.clone());
            let task = loom::thread::spawn(move || slot.finish(Ok(value)));
            drop(handle);
            task.join().unwrap();
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        });
    }
}
