//! Poll: the loop takes a task off the run queue and polls it once (the task's own
//! `cell.rs` runs the future, catches a panic, and completes the task when it is done);
//! a task that completed leaves the live-task table. In debug mode every poll is timed
//! and a slow one reported (`debug.rs`).

use std::panic::Location;
use std::ptr::NonNull;
use std::time::Instant;

use super::debug::SlowPoll;
use super::EventLoop;
use crate::raw::header::{flags, Header};

impl EventLoop {
    /// Polls up to the fairness budget (`Builder::event_interval`) of ready tasks.
    pub(super) fn run_ready_tasks(&self) {
        for _ in 0..self.config.event_interval {
            match self.run_queue.pop() {
                Some(task) => self.poll_task(task),
                None => break,
            }
        }
        self.run_queue.trim();
    }

    /// Polls one task, and unlinks it if that completed it.
    fn poll_task(&self, ptr: NonNull<Header>) {
        // SAFETY: a queued task is listed: the table's reference keeps it alive until it
        // is unlinked below, after its last use here.
        let header = unsafe { ptr.as_ref() };
        header.clear(flags::QUEUED);
        if self.config.debug.enabled {
            let start = Instant::now();
            // SAFETY: the task is live (above).
            unsafe { (header.vtable.poll)(ptr) };
            self.check_slow_poll(start, header);
        } else {
            // SAFETY: the task is live (above).
            unsafe { (header.vtable.poll)(ptr) };
        }
        // A task that woke itself during the poll that completed it is queued again:
        // the queue holds no reference, so it stays listed (alive) until that entry is
        // popped, finds it complete, and unlinks it then.
        if header.has(flags::COMPLETE) && !header.has(flags::QUEUED) {
            drop(self.tasks.remove(ptr));
        }
    }

    /// Debug mode: reports the poll of `header` that began at `start` if it was slow.
    fn check_slow_poll(&self, start: Instant, header: &Header) {
        let duration = start.elapsed();
        if duration >= self.config.debug.slow_poll_threshold {
            self.config.debug.sink.report(&SlowPoll {
                id: header.id(),
                name: self.tasks.name_of(header),
                location: self.tasks.location_of(header),
                duration,
            });
        }
    }

    /// Debug mode: reports a slow poll of the main future.
    pub(crate) fn check_slow_main_poll(
        &self,
        start: Instant,
        location: &'static Location<'static>,
    ) {
        let duration = start.elapsed();
        if duration >= self.config.debug.slow_poll_threshold {
            self.config.debug.sink.report(&SlowPoll {
                id: 0,
                name: None,
                location,
                duration,
            });
        }
    }
}
