//! Park: how the loop waits when it has nothing to run, and how other threads wake it.
//!
//! At the end of each turn the loop decides how long it may block (`EventLoop::park`):
//! not at all if a task is ready (it only checks I/O), forever if no timer is armed, else
//! until the next timer's deadline. It ends that kernel wait a learned margin early and
//! spins the rest (`spin.rs`), so timers fire within microseconds of their deadline.
//!
//! The wait itself is the reactor's (`readiness.rs`). Before blocking the loop announces
//! it (`Unparker::announce_sleep`), then looks once more for remote work; a waker on
//! another thread that finds the announcement writes the eventfd (`Unparker::unpark`).
//! See `remote.rs` for why no wake is lost between the two.

use std::sync::Arc;
use std::time::Duration;

use evloop_time::Instant;

use super::EventLoop;
use crate::loom::{AtomicBool, Ordering};

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

/// The "loop may be asleep" flag and what interrupts the sleep.
///
/// The flag is written with `swap`, never a plain `store`: on x86-64 a sequentially
/// consistent store is an `xchg` anyway, and loom (whose models in `loom_tests.rs` check
/// this protocol) mis-orders a plain store racing a read-modify-write of the same flag
/// (loom issue #254), which would hide real findings behind false ones.
pub(crate) struct Unparker {
    /// The loop is (about to be) blocked in the reactor and needs the eventfd to wake.
    sleeping: AtomicBool,
    /// Writes the reactor's eventfd.
    wakeup: Arc<dyn Wakeup>,
}

impl Unparker {
    /// An awake loop's flag.
    pub(crate) fn new(wakeup: Arc<dyn Wakeup>) -> Unparker {
        Unparker {
            sleeping: AtomicBool::new(false),
            wakeup,
        }
    }

    /// Wakes the loop if it may be blocked in the reactor.
    pub(crate) fn unpark(&self) {
        if self.sleeping.swap(false, Ordering::SeqCst) {
            self.wakeup.wakeup();
        }
    }

    /// The loop is about to block: from here on, wakers write the eventfd. The caller
    /// then looks for remote work once more before it blocks.
    pub(crate) fn announce_sleep(&self) {
        self.sleeping.swap(true, Ordering::SeqCst);
        crate::loom::fence(Ordering::SeqCst);
    }

    /// The loop is awake again (or decided not to sleep).
    pub(crate) fn end_sleep(&self) {
        self.sleeping.swap(false, Ordering::SeqCst);
    }
}

impl EventLoop {
    /// Blocks for as long as nothing else is due: not at all if a task is ready, forever
    /// if no timer is armed, else until the next timer's deadline, ending the kernel wait
    /// a learned margin early and spinning the rest.
    pub(super) fn park(&self) {
        if self.has_ready_work() {
            self.poll_io_now();
            return;
        }
        let Some(deadline) = self.timers.next_deadline() else {
            self.sleep(None);
            return;
        };
        if self.timers.is_paused() {
            self.park_paused(deadline);
            return;
        }
        let now = Instant::now();
        if deadline <= now {
            self.poll_io_now();
            return;
        }
        let margin = self.spin.margin();
        if deadline - now > margin {
            let wake_at = deadline - margin;
            self.sleep(Some(wake_at - now));
            let woke = Instant::now();
            if woke >= wake_at {
                self.spin.record(woke - wake_at);
            }
            if self.has_ready_work() {
                return;
            }
        }
        self.spin_until(deadline);
    }

    /// Is a task ready to run, here or injected from another thread (or, in debug mode,
    /// a dump to serve)?
    pub(super) fn has_ready_work(&self) -> bool {
        !self.run_queue.is_empty() || self.remote.has_remote_work() || self.has_dumps_to_serve()
    }

    /// Waits in the kernel for I/O, a remote wake, or `timeout`.
    pub(super) fn sleep(&self, timeout: Option<Duration>) {
        if self.remote.prepare_sleep() {
            self.wait_for_io(timeout);
            self.remote.end_sleep();
        }
    }

    /// Busy-waits until `deadline`, checking for I/O every few microseconds, and returns
    /// early if a task becomes ready.
    fn spin_until(&self, deadline: Instant) {
        /// Clock reads between two I/O checks (a clock read costs some tens of ns).
        const READS_PER_IO_CHECK: u32 = 64;
        let mut reads = 0;
        while Instant::now() < deadline {
            reads += 1;
            if reads == READS_PER_IO_CHECK {
                reads = 0;
                self.poll_io_now();
            }
            if self.has_ready_work() {
                return;
            }
            std::hint::spin_loop();
        }
    }
}
