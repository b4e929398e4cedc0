//! `JoinHandle`: the caller's end of a spawned task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use evloop_reactor::context::{noting_waits, record_wait};
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};

use super::JoinError;
use crate::raw::cell::Output;
use crate::raw::header::{flags, Header};
use crate::raw::TaskRef;

/// An owned permission to await a spawned task's output, like the `Task` object that
/// `asyncio.create_task` returns.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled. Dropping it *detaches* the task: it keeps running and its output is
/// dropped. It is `!Send`: it belongs to the loop that spawned the task.
///
/// ```
/// evloop::run(async {
///     let handle = evloop::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
pub struct JoinHandle<T> {
    /// The handle's reference to the task.
    task: TaskRef,
    /// The output type, and `!Send`/`!Sync`: the handle stays on the loop's thread.
    _marker: PhantomData<(T, Rc<()>)>,
}

impl<T> JoinHandle<T> {
    /// Wraps the handle's task reference.
    pub(crate) fn new(task: TaskRef) -> JoinHandle<T> {
        JoinHandle {
            task,
            _marker: PhantomData,
        }
    }

    /// Cancels the task, like asyncio's `Task.cancel()`: its future is dropped at the
    /// loop's next turn without being polled again, and awaiting this handle yields a
    /// cancelled [`JoinError`]. No effect on a task that already finished.
    ///
    /// ```
    /// use std::time::Duration;
    /// evloop::run(async {
    ///     let handle = evloop::spawn(evloop::time::sleep(Duration::from_secs(60)));
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        let header = self.task.header();
        if !header.has(flags::COMPLETE) {
            header.set(flags::CANCELLED);
            self.task.wake_by_ref();
        }
    }

    /// `true` once the task has finished (with a value, a panic, or by cancellation), like
    /// asyncio's `Task.done()`.
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::spawn(async { "result" });
    ///     assert!(!handle.is_finished()); // spawned, not yet run
    ///     evloop::yield_now().await; // one loop turn: the task runs to its end
    ///     assert!(handle.is_finished());
    ///     assert_eq!(handle.await.unwrap(), "result");
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.header().has(flags::COMPLETE)
    }

    /// The task's id, as `task::all_tasks()` and `JoinError::id` report it; unique within
    /// the loop.
    ///
    /// ```
    /// evloop::run(async {
    ///     let a = evloop::spawn(async {});
    ///     let b = evloop::spawn(async {});
    ///     assert_ne!(a.id(), b.id());
    ///     assert!(evloop::task::all_tasks().iter().any(|t| t.id == a.id()));
    /// });
    /// ```
    pub fn id(&self) -> u64 {
        self.task.header().id()
    }
}

/// The handle holds only a task pointer; the output is written straight to the caller.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut out: Poll<Output<T>> = Poll::Pending;
        let header = self.task.header();
        // SAFETY: `out` has the type `read_output` writes for this task's output type `T`,
        // and the handle holds a reference to the task.
        unsafe {
            (header.vtable.read_output)(
                self.task.as_ptr(),
                std::ptr::from_mut(&mut out).cast(),
                cx.waker(),
            );
        }
        if out.is_pending() && noting_waits() {
            note_join_wait(header);
        }
        out.map(|output| {
            let id = header.id();
            match output {
                Output::Value(value) => Ok(value),
                Output::Cancelled => Err(JoinError::cancelled(id)),
                Output::Panicked(payload) => Err(JoinError::panic(id, *payload)),
            }
        })
    }
}

/// Notes, in debug mode, that the task being polled awaits the task of `header`. Out of
/// line, so that the handle's `poll` stays small enough to inline into its awaiter.
#[inline(never)]
fn note_join_wait(header: &Header) {
    record_wait(|| {
        let (id, loop_index) = (header.id(), header.owner);
        WaitSite::new(WaitKind::Join, None, WaitDetail::Task { id, loop_index })
    });
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let header = self.task.header();
        header.clear(flags::JOIN_INTEREST);
        drop(header.join_waiter.take());
        // SAFETY: the handle is on the loop thread and holds a reference.
        unsafe { (header.vtable.drop_output)(self.task.as_ptr()) };
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
