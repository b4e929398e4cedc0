//! `Handle`: a loop, reachable from any thread, like asyncio's
//! `run_coroutine_threadsafe` and `call_soon_threadsafe`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use crate::raw::cell::{self, Start};
use crate::scheduler::context;
use crate::scheduler::remote::{Injected, NewTask, Remote};
use crate::scheduler::wake::LoopScheduler;
use crate::task::remote_handle::{RemoteTask, Slot, SlotRef, TaskMemory};
use crate::task::RemoteHandle;

/// A handle to a loop that any thread can hold: it spawns tasks on the loop and runs
/// closures there. Cheap to clone; `Send + Sync`.
///
/// A loop's tasks never leave its thread, so what a handle hands over is either a `Send`
/// future ([`spawn`](Handle::spawn)) or a `Send` closure that builds the future on the
/// loop ([`spawn_with`](Handle::spawn_with)): evloop's timers, sockets and loop-local
/// `sync` types are not `Send`, so work that sleeps or does I/O on the loop is started with
/// `spawn_with`. Every spawn returns a [`RemoteHandle`] that any thread can await or
/// [`join`](RemoteHandle::join).
///
/// | asyncio | evloop |
/// |---|---|
/// | `asyncio.run_coroutine_threadsafe(coro, loop)` | `handle.spawn(fut)` / `handle.spawn_with(\|\| fut)` |
/// | `loop.call_soon_threadsafe(f)` | `handle.call_soon(f)` |
/// | `future.result()` | `remote_handle.join()` |
///
/// ```
/// use std::time::Duration;
/// let rt = evloop::Runtime::new()?;
/// let handle = rt.handle();
/// let worker = std::thread::spawn(move || {
///     // Built on the loop: the sleep is not `Send`, the closure is.
///     let task = handle.spawn_with(|| async {
///         evloop::time::sleep(Duration::from_millis(5)).await;
///         "slept on the loop"
///     });
///     task.join().unwrap()
/// });
/// rt.block_on(async {
///     while !worker.is_finished() {
///         evloop::time::sleep(Duration::from_millis(1)).await;
///     }
/// });
/// assert_eq!(worker.join().unwrap(), "slept on the loop");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// A handle outlives its loop: once the loop has ended, spawns return a handle that yields
/// a cancelled [`JoinError`](crate::JoinError) at once (the future or closure is dropped
/// on the calling thread), and [`call_soon`](Handle::call_soon) returns `false`.
#[derive(Clone)]
pub struct Handle {
    /// The loop's shared part.
    remote: Arc<Remote>,
}

impl Handle {
    /// The handle of the loop `remote` belongs to.
    pub(crate) fn new(remote: Arc<Remote>) -> Handle {
        Handle { remote }
    }

    /// The handle of the loop running on this thread.
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::Handle::current();
    ///     assert_eq!(handle.spawn(async { 1 }).await.unwrap(), 1);
    /// });
    /// ```
    ///
    /// # Panics
    /// Outside a running loop; use [`Runtime::handle`](crate::Runtime::handle) there, or
    /// [`try_current`](Handle::try_current).
    #[track_caller]
    pub fn current() -> Handle {
        Handle::try_current().unwrap_or_else(|| {
            panic!(
                "evloop::Handle::current called outside of an evloop runtime: there is no \
                 loop running on this thread. Take the handle on the loop's thread (inside \
                 `evloop::run`, or `Runtime::handle()`) and move it to this thread."
            )
        })
    }

    /// The handle of the loop running on this thread, or `None` outside a loop.
    ///
    /// ```
    /// assert!(evloop::Handle::try_current().is_none());
    /// evloop::run(async { assert!(evloop::Handle::try_current().is_some()) });
    /// ```
    pub fn try_current() -> Option<Handle> {
        context::with_current(|event_loop| Handle::new(event_loop.remote.clone()))
    }

    /// Spawns `future` on the loop, from any thread: asyncio's
    /// `run_coroutine_threadsafe`. The future must be `Send` (it is made here and run
    /// there); to run a future that is not, build it on the loop with
    /// [`spawn_with`](Handle::spawn_with).
    ///
    /// ```
    /// let rt = evloop::Runtime::new()?;
    /// let handle = rt.handle();
    /// let tasks: Vec<_> = (0..4u64)
    ///     .map(|i| {
    ///         let handle = handle.clone();
    ///         std::thread::spawn(move || handle.spawn(async move { i * i }).join().unwrap())
    ///     })
    ///     .collect();
    /// rt.block_on(async {
    ///     while !tasks.iter().all(|t| t.is_finished()) {
    ///         evloop::yield_now().await;
    ///     }
    /// });
    /// let squares: Vec<u64> = tasks.into_iter().map(|t| t.join().unwrap()).collect();
    /// assert_eq!(squares, [0, 1, 4, 9]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> RemoteHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = Location::caller();
        let id = self.remote.next_remote_id();
        let owner = self.remote.hold();
        // The slot goes in the task's own allocation: one malloc per remote task.
        let mut slot = None;
        let ptr = cell::allocate_with_trailer::<_, LoopScheduler, _>(
            Slot::unshared(id, self.remote.id()),
            |trailer| {
                slot = Some(trailer);
                // SAFETY: the future lives in the cell whose trailer holds the slot.
                RemoteTask::new(future, unsafe { SlotRef::in_task(trailer) })
            },
            owner,
            id,
            Start::Injected,
        );
        let slot = slot.expect("allocate_with_trailer calls make");
        // SAFETY: `allocate_with_trailer` made one reference, which this takes over.
        let task = unsafe { crate::raw::TaskRef::from_raw(ptr) };
        let memory = TaskMemory::new(task.clone_ref());
        let new = NewTask {
            task: Some(task),
            location,
        };
        // On the loop's own thread the task is listed at once; from anywhere else it goes
        // through the injection queue. A closed loop drops `new` there, which drops the
        // future on this thread and reports the task cancelled.
        let mut new = Some(new);
        context::with_current(|event_loop| {
            if Arc::ptr_eq(&event_loop.remote, &self.remote) {
                event_loop.adopt(new.take().expect("not taken yet"));
            }
        });
        if let Some(new) = new {
            self.remote.schedule_remote(Injected::Spawn(new));
        }
        // SAFETY: the handle holds `memory`, a reference to the task whose trailer holds
        // the slot.
        RemoteHandle::new(unsafe { SlotRef::in_task(slot) }, Some(memory))
    }

    /// Runs `make` on the loop's thread and spawns the future it returns there: the
    /// closure travels, the future never does, so it may hold `Rc`s, evloop sockets and
    /// timers (which are not `Send`). The output must be `Send`: it comes back through the
    /// returned [`RemoteHandle`].
    ///
    /// ```
    /// use std::{rc::Rc, time::Duration};
    /// let rt = evloop::Runtime::new()?;
    /// let handle = rt.handle();
    /// let worker = std::thread::spawn(move || {
    ///     handle
    ///         .spawn_with(|| async {
    ///             let local = Rc::new(20); // not Send: fine, it lives on the loop
    ///             evloop::time::sleep(Duration::from_millis(1)).await;
    ///             *local + 1
    ///         })
    ///         .join()
    /// });
    /// rt.block_on(async {
    ///     while !worker.is_finished() {
    ///         evloop::time::sleep(Duration::from_millis(1)).await;
    ///     }
    /// });
    /// assert_eq!(worker.join().unwrap().unwrap(), 21);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn_with<F, Fut>(&self, make: F) -> RemoteHandle<Fut::Output>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future + 'static,
        Fut::Output: Send + 'static,
    {
        let location = Location::caller();
        let id = self.remote.next_remote_id();
        let slot = Slot::new(id, self.remote.id());
        let start = StartOnLoop {
            make: Some(make),
            slot: slot.clone(),
        };
        let call = move || start.run(location, id);
        // If the loop is gone the closure is dropped here, and `StartOnLoop`'s drop
        // reports the task cancelled.
        self.remote.schedule_remote(Injected::Call(Box::new(call)));
        RemoteHandle::new(SlotRef::Shared(slot), None)
    }

    /// Runs `f` on the loop's thread at its next turn: asyncio's `call_soon_threadsafe`.
    /// Returns `true` when queued, `false` if the loop has ended (then `f` is dropped
    /// here, not run). A call queued while the loop shuts down is dropped unrun, as
    /// asyncio drops the callbacks of a loop that closes. A panic in `f` is reported by
    /// the panic hook and ends that call only; the loop goes on.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let rt = evloop::Runtime::new()?;
    /// let calls = Arc::new(AtomicUsize::new(0));
    /// let (handle, c) = (rt.handle(), calls.clone());
    /// std::thread::spawn(move || assert!(handle.call_soon(move || {
    ///     c.fetch_add(1, Ordering::SeqCst);
    /// })))
    /// .join()
    /// .unwrap();
    /// rt.block_on(evloop::yield_now()); // one turn runs the call
    /// assert_eq!(calls.load(Ordering::SeqCst), 1);
    /// drop(rt);
    /// let handle = evloop::Runtime::new()?.handle(); // that runtime is dropped at once
    /// assert!(!handle.call_soon(|| unreachable!()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn call_soon(&self, f: impl FnOnce() + Send + 'static) -> bool {
        self.remote.schedule_remote(Injected::Call(Box::new(f)))
    }
}

/// The closure of a `spawn_with`, on its way to the loop. Dropped without running (the
/// loop was gone), it reports the task cancelled.
struct StartOnLoop<F, T> {
    /// The closure that makes the future; taken when it runs.
    make: Option<F>,
    /// Where the task reports.
    slot: Arc<Slot<T>>,
}

impl<F, Fut> StartOnLoop<F, Fut::Output>
where
    F: FnOnce() -> Fut,
    Fut: Future + 'static,
{
    /// On the loop's thread: builds the future and spawns it.
    fn run(mut self, location: &'static Location<'static>, id: u64) {
        let make = self.make.take().expect("a spawn_with closure runs once");
        let task = RemoteTask::new(make(), SlotRef::Shared(self.slot.clone()));
        context::with_current(|event_loop| event_loop.spawn_detached(task, location, id))
            .expect("Injected calls run on their loop's thread");
    }
}

impl<F, T> Drop for StartOnLoop<F, T> {
    fn drop(&mut self) {
        if self.make.is_some() {
            self.slot.cancel();
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("loop_id", &self.remote.id())
            .finish()
    }
}
