//! Timers: after each wait the loop fires the timers whose deadline has passed
//! (`evloop-time`'s store wakes their tasks); the store's next deadline bounds the next
//! wait (`park.rs`).
//!
//! With the clock paused (`evloop::time::pause`, tests), the loop never sleeps until a
//! timer: once nothing is ready it moves the clock to the next deadline instead, so an
//! hour of timers runs in milliseconds.

use std::time::Duration;

use evloop_time::Instant;

use super::EventLoop;

impl EventLoop {
    /// Wakes every sleeper whose deadline has passed.
    pub(super) fn fire_due_timers(&self) {
        if !self.timers.is_empty() {
            self.timers.fire_due(Instant::now());
        }
    }

    /// `park` with the clock paused: where the loop would sleep until `deadline`, it checks
    /// I/O without blocking and, if nothing became ready, moves the clock to `deadline`
    /// instead (`fire_due_timers` then fires that timer). While a `spawn_blocking` job
    /// runs, the clock stays and the loop waits for it, a millisecond at a time (the job's
    /// completion wakes the loop; the timeout covers an aborted job's, which does not).
    pub(super) fn park_paused(&self, deadline: Instant) {
        self.poll_io_now();
        if self.has_ready_work() {
            return;
        }
        if self.blocking.in_flight() > 0 {
            self.sleep(Some(Duration::from_millis(1)));
            return;
        }
        self.timers.auto_advance(deadline);
    }
}
