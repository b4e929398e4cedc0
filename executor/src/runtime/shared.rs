//! The part of a loop that other threads can reach: the injection queue and the wake-up
//! protocol around the reactor's eventfd.
//!
//! A waker on a foreign thread pushes its task here, then writes the eventfd only if the
//! loop may be asleep in `epoll_wait`. The "may be asleep" flag and the queue form a
//! Dekker pair (each side writes its own variable, fences, reads the other's), so a wake
//! is never lost: either the loop sees the task before it sleeps, or the waker sees the
//! loop asleep and interrupts it.
//!
//! The flags are written with `swap`, never a plain `store`: on x86-64 a sequentially
//! consistent store is an `xchg` anyway, and loom (whose models in `loom_tests.rs` check
//! this protocol) mis-orders a plain store racing a read-modify-write of the same flag
//! (loom issue #254), which would hide real findings behind false ones.

use std::sync::Arc;
use std::task::Wake;

use super::registry::{self, Registration};
use crate::loom::{fence, AtomicBool, Ordering, Queue};
use crate::task::TaskRef;

/// Interrupts the loop's blocking wait: the reactor's eventfd (or, under loom, a model).
pub(crate) trait Wakeup: Send + Sync {
    /// Makes the loop's current or next blocking wait return.
    fn wakeup(&self);
}

impl Wakeup for evloop_reactor::Notifier {
    fn wakeup(&self) {
        self.notify();
    }
}

/// State of one loop that is shared with other threads (and outlives the runtime while
/// wakers or tasks still point at it). Generic over what is queued only so the loom
/// tests can model the protocol with plain values; the loop queues `TaskRef`s.
pub(crate) struct Shared<T = TaskRef> {
    /// Tasks woken from other threads, waiting to be moved into the local run queue.
    inject: Queue<T>,
    /// The loop is (about to be) blocked in the reactor and needs the eventfd to wake.
    sleeping: AtomicBool,
    /// The runtime is gone: wakes are dropped instead of queued.
    closed: AtomicBool,
    /// The future passed to `block_on` was woken and must be polled.
    main_woken: AtomicBool,
    /// Writes the reactor's eventfd.
    notifier: Arc<dyn Wakeup>,
    /// This loop's index in the process-wide registry, which task headers store instead
    /// of a pointer to this (`None` for the loom models, which have no tasks).
    registration: Option<Registration>,
}

impl Shared {
    /// The shared half of a new loop, registered so that its tasks can name it by index.
    pub(crate) fn new_registered(notifier: Arc<dyn Wakeup>) -> Arc<Shared> {
        Arc::new_cyclic(|weak: &std::sync::Weak<Shared>| {
            let mut shared = Shared::new(notifier);
            // The pointer becomes valid when `new_cyclic` returns, before any task can
            // exist to look it up; it stays valid until the registration drops with it.
            shared.registration = Some(Registration::new(weak.as_ptr().cast()));
            shared
        })
    }

    /// The registry index that task headers store.
    pub(crate) fn index(&self) -> u16 {
        self.registration
            .as_ref()
            .expect("a loop's `Shared` is registered")
            .index()
    }

    /// The loop registered under `index`.
    ///
    /// # Safety
    /// The caller must hold a task of that loop (which owns a strong count of it), and
    /// the returned reference must not outlive that task.
    pub(crate) unsafe fn by_index<'a>(index: u16) -> &'a Shared {
        // SAFETY: the registration lives as long as the `Shared`, which the task's strong
        // count keeps alive; `new_registered` registered a `*const Shared`.
        unsafe { &*registry::lookup(index).cast::<Shared>() }
    }

    /// Releases the strong count a task owned of the loop registered under `index`.
    ///
    /// # Safety
    /// The caller must own that strong count (taken with `Arc::into_raw` or
    /// `Arc::increment_strong_count`) and give it up now.
    pub(crate) unsafe fn release_by_index(index: u16) {
        // SAFETY: as in `by_index`; the count is the caller's to release. If it was the
        // last, the `Shared` (and its registration) is dropped here.
        unsafe { Arc::decrement_strong_count(registry::lookup(index).cast::<Shared>()) };
    }
}

impl<T> Shared<T> {
    /// The shared half of a new loop whose reactor is interrupted through `notifier`.
    pub(crate) fn new(notifier: Arc<dyn Wakeup>) -> Shared<T> {
        Shared {
            inject: Queue::new(),
            sleeping: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            notifier,
            registration: None,
        }
    }

    /// Queues a task woken on another thread (or outside the loop) and wakes the loop.
    pub(crate) fn schedule_remote(&self, task: T) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        self.inject.push(task);
        fence(Ordering::SeqCst);
        if self.closed.load(Ordering::Acquire) {
            // The runtime shut down while we pushed: nobody else will drain this.
            self.drain();
            return;
        }
        self.interrupt();
    }

    /// Wakes the loop if it may be blocked in the reactor.
    fn interrupt(&self) {
        if self.sleeping.swap(false, Ordering::SeqCst) {
            self.notifier.wakeup();
        }
    }

    /// Takes one task woken from another thread.
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
        self.sleeping.swap(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if self.has_remote_work() {
            self.sleeping.swap(false, Ordering::SeqCst);
            return false;
        }
        true
    }

    /// The loop is awake again.
    pub(crate) fn end_sleep(&self) {
        self.sleeping.swap(false, Ordering::SeqCst);
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
        self.interrupt();
    }

    /// Shuts the queue: later wakes are dropped, queued ones released.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.drain();
    }

    /// Releases every queued task reference.
    fn drain(&self) {
        while let Some(task) = self.inject.pop() {
            drop(task);
        }
    }
}

/// The waker of the future given to `block_on` (which is not a task).
pub(crate) struct MainWaker {
    /// The loop that polls the main future.
    pub(crate) shared: Arc<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if super::core::is_current(&self.shared) {
            self.shared.set_main_woken();
        } else {
            self.shared.wake_main_remote();
        }
    }
}
