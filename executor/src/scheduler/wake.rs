//! Wake: how a woken task reaches the run queue. This is the loop's side of the
//! [`Schedule`] trait that a task's waker calls (`raw/waker.rs`).
//!
//! - On the loop's own thread (`schedule_local`): the task is pushed onto the local run
//!   queue and flagged `QUEUED` (a plain header flag): no atomic operation, no syscall.
//! - From any other thread (`schedule_remote`): the waker has set the task's atomic
//!   `SCHEDULED` bit; the task goes onto the loop's injection queue (`inject.rs`) and the
//!   loop is woken if it sleeps (`park.rs`). At its next turn the loop moves injected tasks
//!   onto the run queue (`intake`).

use std::ptr::NonNull;
use std::task::RawWakerVTable;

use super::context;
use super::remote::{Injected, NewTask, Remote};
use super::EventLoop;
use crate::raw::header::{flags, Header};
use crate::raw::{waker, Schedule, TaskRef};

/// The vtable of every task waker: one `static`, so its address identifies a task waker.
static TASK_WAKER: RawWakerVTable = waker::vtable::<LoopScheduler>();

/// The scheduler of evloop's tasks, as the task module sees it.
pub(crate) struct LoopScheduler;

impl Schedule for LoopScheduler {
    const WAKER_VTABLE: &'static RawWakerVTable = &TASK_WAKER;

    #[inline]
    fn schedule_local(task: NonNull<Header>) -> bool {
        let event_loop = context::current_ptr();
        if event_loop.is_null() {
            return false;
        }
        // SAFETY: the current loop outlives this call (see `context::current_ptr`).
        let event_loop = unsafe { &*event_loop };
        // SAFETY: the caller (a waker or a task reference) keeps the header alive.
        let header = unsafe { task.as_ref() };
        if event_loop.id != header.owner {
            return false;
        }
        event_loop.enqueue(task, header);
        true
    }

    unsafe fn schedule_remote(task: TaskRef) {
        // SAFETY: the caller's reference to the task keeps the task's hold on its loop,
        // and so the `Remote`, alive for this whole call.
        let remote = unsafe { Remote::by_id(task.header().owner) };
        remote.schedule_remote(Injected::Wake(task));
    }

    unsafe fn release(owner: u16) {
        // SAFETY: the task took this hold in `EventLoop::spawn` and gives it up once.
        unsafe { Remote::release(owner) };
    }
}

impl EventLoop {
    /// Queues a task of this loop locally, unless it is queued already or complete.
    #[inline]
    pub(super) fn enqueue(&self, task: NonNull<Header>, header: &Header) {
        if !header.has(flags::QUEUED | flags::COMPLETE) {
            header.set(flags::QUEUED);
            self.run_queue.push(task);
        }
    }

    /// Takes in what other threads handed the loop: woken tasks and new ones go onto the
    /// local run queue, calls run now.
    pub(super) fn intake(&self) {
        while let Some(item) = self.remote.pop_remote() {
            match item {
                Injected::Wake(task) => self.take_wake(&task),
                Injected::Spawn(new) => self.adopt(new),
                Injected::Call(f) => run_call(f),
            }
        }
    }

    /// A task woken on another thread: queue it (the queue's reference is dropped after).
    fn take_wake(&self, task: &TaskRef) {
        let header = task.header();
        // A complete task keeps SCHEDULED set, so that later wakes stay no-ops.
        if !header.has(flags::COMPLETE) {
            // From here on a remote wake queues the task again; what that waker's thread
            // wrote before waking is visible (acquire).
            header.state.unschedule();
            self.enqueue(task.as_ptr(), header);
        }
    }

    /// A task made on another thread (or for this loop by a `Handle` on its own thread):
    /// list it, which takes over its one reference, and queue it.
    pub(crate) fn adopt(&self, new: NewTask) {
        let location = new.location;
        let task = new.take();
        let ptr = task.as_ptr();
        self.list(task, None, location);
        // SAFETY: listed just now: the table's reference keeps it alive.
        self.enqueue(ptr, unsafe { ptr.as_ref() });
    }
}

/// Runs a closure another thread queued (`Handle::call_soon`). A panic in it ends that
/// call only, as an exception in an asyncio callback does: the panic hook has reported it,
/// and the loop goes on.
fn run_call(f: Box<dyn FnOnce() + Send>) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
}
