//! Timers: after each wait the loop fires the timers whose deadline has passed
//! (`evloop-time`'s store wakes their tasks); the store's next deadline bounds the next
//! wait (`park.rs`).

use std::time::Instant;

use super::EventLoop;

impl EventLoop {
    /// Wakes every sleeper whose deadline has passed.
    pub(super) fn fire_due_timers(&self) {
        if !self.timers.is_empty() {
            self.timers.fire_due(Instant::now());
        }
    }
}
