//! The injection queue: where wakes from other threads land, until the loop moves them
//! onto its local run queue at the start of a turn (`wake.rs`, `intake`).
//!
//! A lock-free FIFO (crossbeam's `SegQueue`) plus a `closed` flag: once the runtime has
//! shut down, a push releases its value at once instead of leaving it in a queue nobody
//! will drain. A push that races the close is caught by re-reading the flag after the
//! push (with a full fence between): then the pusher drains the queue itself, so every
//! value is released exactly once (`loom_a_wake_racing_shutdown_releases_its_task_exactly_once`).

use crate::loom::{fence, AtomicBool, Ordering, Queue};

/// Values (task references) pushed from any thread, popped by the loop's thread.
pub(crate) struct Inject<T> {
    /// The pushed values, oldest first.
    queue: Queue<T>,
    /// The runtime is gone: pushes are released instead of queued.
    closed: AtomicBool,
}

impl<T> Inject<T> {
    /// An open, empty queue.
    pub(crate) fn new() -> Inject<T> {
        Inject {
            queue: Queue::new(),
            closed: AtomicBool::new(false),
        }
    }

    /// Queues `value` and returns `true`, or releases it and returns `false` if the queue
    /// is closed already. A value queued while the queue closes is released by whichever
    /// side drains it (it may also have been taken by the loop's last intake): `true` means
    /// "queued", not "will be taken".
    pub(crate) fn push(&self, value: T) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        self.queue.push(value);
        fence(Ordering::SeqCst);
        if self.closed.load(Ordering::Acquire) {
            // The runtime shut down while we pushed: nobody else may drain this.
            self.drain();
        }
        true
    }

    /// Takes the oldest value.
    pub(crate) fn pop(&self) -> Option<T> {
        self.queue.pop()
    }

    /// Is nothing queued?
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Closes the queue: later pushes are released at once, queued values now.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.drain();
    }

    /// Releases every queued value.
    fn drain(&self) {
        while let Some(value) = self.queue.pop() {
            drop(value);
        }
    }
}
