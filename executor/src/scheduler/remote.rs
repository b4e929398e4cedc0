//! The part of a loop that other threads can reach, shared through an `Arc` (and behind
//! every `evloop::Handle`): the injection queue (`inject.rs`) of wakes, spawns and calls
//! from other threads, the sleep handshake (`park.rs`), the main future's wake flag, and
//! the loop's id, by which task headers name it (`loop_ids.rs`).
//!
//! A waker on a foreign thread pushes its task onto the injection queue, then writes the
//! eventfd only if the loop may be asleep in the kernel. The "may be asleep" flag and the
//! queue form a Dekker pair (each side writes its own variable, fences, reads the other's),
//! so a wake is never lost: either the loop sees the task before it sleeps, or the waker
//! sees the loop asleep and interrupts it (`loom_tests.rs` checks every interleaving).

use std::panic::Location;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use super::inject::Inject;
use super::loop_ids::{self, LoopId};
use super::park::{Unparker, Wakeup};
use crate::loom::{AtomicBool, Ordering};
use crate::raw::TaskRef;

/// What other threads hand a loop through its injection queue.
pub(crate) enum Injected {
    /// A task of this loop woken on another thread (the queue's reference).
    Wake(TaskRef),
    /// A task made on another thread (`Handle::spawn`), to be listed and run.
    Spawn(NewTask),
    /// A closure to run on the loop's thread (`Handle::call_soon`, `Handle::spawn_with`).
    Call(Box<dyn FnOnce() + Send>),
}

/// A task allocated on another thread (`cell::Start::Injected`) that its loop has not
/// taken in yet. If it is dropped instead (the loop is gone), its future is dropped at
/// once, on the thread that drops it: it never ran, and it is `Send`.
pub(crate) struct NewTask {
    /// The queue's reference, which becomes the live-task table's.
    pub(crate) task: Option<TaskRef>,
    /// Where it was spawned.
    pub(crate) location: &'static Location<'static>,
}

impl NewTask {
    /// Takes the task out to list it.
    pub(crate) fn take(mut self) -> TaskRef {
        self.task.take().expect("a new task is taken in once")
    }
}

impl Drop for NewTask {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // SAFETY: never listed, never polled: this value is the only reference, and the
            // thread dropping it is the only one that can touch the task's stage.
            unsafe { (task.header().vtable.cancel)(task.as_ptr()) };
        }
    }
}

/// The first id of tasks spawned from other threads: they count up from here, in their
/// own range, while tasks spawned on the loop count up from 1 in a plain `Cell`.
const FIRST_REMOTE_ID: u64 = 1 << 47;

/// State of one loop that is shared with other threads (and outlives the runtime while
/// wakers or tasks still point at it). Generic over what is queued only so the loom
/// models can check the protocol with plain values; the loop queues `Injected` values.
pub(crate) struct Remote<T = Injected> {
    /// Wakes, spawns and calls from other threads, waiting for the loop's next turn.
    inject: Inject<T>,
    /// The "loop may be asleep" flag and the eventfd that interrupts its sleep.
    unparker: Unparker,
    /// The future passed to `block_on` was woken and must be polled.
    main_woken: AtomicBool,
    /// This loop's id, which task headers store instead of a pointer to this (`None` for
    /// the loom models, which have no tasks).
    id: Option<LoopId>,
    /// The next id of a task spawned from another thread.
    next_remote_id: AtomicU64,
}

impl Remote {
    /// The shared half of a new loop, registered so that its tasks can name it by id.
    pub(crate) fn new_registered(wakeup: Arc<dyn Wakeup>) -> Arc<Remote> {
        Arc::new_cyclic(|weak: &std::sync::Weak<Remote>| {
            let mut remote = Remote::new(wakeup);
            // The pointer becomes valid when `new_cyclic` returns, before any task can
            // exist to look it up; it stays valid until the id is dropped with it.
            remote.id = Some(LoopId::register(weak.as_ptr().cast()));
            remote
        })
    }

    /// The id that task headers store.
    pub(crate) fn id(&self) -> u16 {
        self.id
            .as_ref()
            .expect("a loop's `Remote` is registered")
            .get()
    }

    /// Takes the hold on this loop that a new task keeps until it is freed (see
    /// [`Remote::release`]), and returns the loop's id.
    pub(crate) fn hold(self: &Arc<Self>) -> u16 {
        std::mem::forget(Arc::clone(self));
        self.id()
    }

    /// The loop registered under `id`.
    ///
    /// # Safety
    /// The caller must hold a task of that loop (which holds the loop, see `hold`), and
    /// the returned reference must not outlive that task.
    pub(crate) unsafe fn by_id<'a>(id: u16) -> &'a Remote {
        // SAFETY: the id stays registered as long as the `Remote` lives, which the task's
        // hold keeps alive; `new_registered` registered a `*const Remote`.
        unsafe { &*loop_ids::lookup(id).cast::<Remote>() }
    }

    /// Gives back a hold taken by `hold` on the loop registered under `id`.
    ///
    /// # Safety
    /// The caller must own that hold and give it up now.
    pub(crate) unsafe fn release(id: u16) {
        // SAFETY: as in `by_id`; the strong count is the caller's to release. If it was
        // the last, the `Remote` (and its id) is dropped here.
        unsafe { Arc::decrement_strong_count(loop_ids::lookup(id).cast::<Remote>()) };
    }
}

impl<T> Remote<T> {
    /// The shared half of a new loop whose sleep is interrupted through `wakeup`.
    pub(crate) fn new(wakeup: Arc<dyn Wakeup>) -> Remote<T> {
        Remote {
            inject: Inject::new(),
            unparker: Unparker::new(wakeup),
            main_woken: AtomicBool::new(false),
            id: None,
            next_remote_id: AtomicU64::new(FIRST_REMOTE_ID),
        }
    }

    /// Queues a wake, spawn or call from another thread (or outside the loop) and wakes
    /// the loop. Returns `false`, having released `item`, if the loop is gone (see
    /// `Inject::push` for an item queued while the loop shuts down).
    pub(crate) fn schedule_remote(&self, item: T) -> bool {
        if self.inject.push(item) {
            self.unparker.unpark();
            true
        } else {
            false
        }
    }

    /// An id for a task spawned from another thread.
    pub(crate) fn next_remote_id(&self) -> u64 {
        self.next_remote_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Takes the oldest item queued from another thread.
    pub(crate) fn pop_remote(&self) -> Option<T> {
        self.inject.pop()
    }

    /// Is there work the loop must do before it may sleep?
    pub(crate) fn has_remote_work(&self) -> bool {
        !self.inject.is_empty() || self.main_woken.load(Ordering::SeqCst)
    }

    /// Announces that the loop is about to block. Returns `false` if it must not, because
    /// work arrived meanwhile.
    pub(crate) fn prepare_sleep(&self) -> bool {
        self.unparker.announce_sleep();
        if self.has_remote_work() {
            self.unparker.end_sleep();
            return false;
        }
        true
    }

    /// The loop is awake again.
    pub(crate) fn end_sleep(&self) {
        self.unparker.end_sleep();
    }

    /// Was the main future woken (and not yet polled since)?
    pub(crate) fn is_main_woken(&self) -> bool {
        self.main_woken.load(Ordering::SeqCst)
    }

    /// Takes the "main future was woken" flag.
    pub(crate) fn take_main_woken(&self) -> bool {
        self.main_woken.swap(false, Ordering::AcqRel)
    }

    /// Marks the main future as woken (and polls it at the loop's next turn).
    pub(crate) fn set_main_woken(&self) {
        self.main_woken.swap(true, Ordering::SeqCst);
    }

    /// Wakes the main future from another thread: the flag, then the loop if it may be
    /// asleep (both sequentially consistent read-modify-writes, the other half of the
    /// Dekker pair in `prepare_sleep`; `loom_the_main_futures_wake_is_never_lost`).
    pub(crate) fn wake_main_remote(&self) {
        self.set_main_woken();
        self.unparker.unpark();
    }

    /// Shuts the injection queue: later wakes are dropped, queued ones released.
    pub(crate) fn close(&self) {
        self.inject.close();
    }
}
