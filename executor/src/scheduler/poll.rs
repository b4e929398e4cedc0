//! Poll: the loop takes a task off the run queue and polls it once (the task's own
//! `cell.rs` runs the future, catches a panic, and completes the task when it is done);
//! a task that completed leaves the live-task table.
//!
//! In debug mode every poll is timed (`poll_clock.rs`: one clock read per poll, the end
//! of one poll being the start of the next), counted in the task's record with the wait
//! sites its futures noted (`task_records.rs`), and reported if slow (`debug.rs`). The
//! main future's polls (`block_on`'s) go through [`EventLoop::poll_main`], timed and
//! recorded the same way in debug mode.

use std::panic::Location;
use std::ptr::NonNull;
use std::task::Poll;
use std::time::Duration;

use super::debug::SlowPoll;
use super::task_records::Whose;
use super::{EventLoop, NOT_POLLING};
use crate::raw::header::{flags, Header};

/// Marks the main future's poll over when dropped, also by unwinding: a main future that
/// panics unwinds out of `block_on`, and the runtime may be used again.
struct Polling<'a>(&'a EventLoop);

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        self.0.polling.set(NOT_POLLING);
        self.0.main.running.set(false);
    }
}

impl EventLoop {
    /// Polls up to the fairness budget (`Builder::event_interval`) of ready tasks.
    pub(super) fn run_ready_tasks(&self) {
        if self.config.debug.enabled {
            self.run_ready_tasks_timed();
            return;
        }
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
        // SAFETY: the task is live (above).
        unsafe { (header.vtable.poll)(ptr) };
        self.unlink_if_complete(ptr, header);
    }

    /// A task that woke itself during the poll that completed it is queued again: the
    /// queue holds no reference, so it stays listed (alive) until that entry is popped,
    /// finds it complete, and unlinks it then.
    #[inline]
    fn unlink_if_complete(&self, ptr: NonNull<Header>, header: &Header) {
        if header.has(flags::COMPLETE) && !header.has(flags::QUEUED) {
            drop(self.tasks.remove(ptr));
        }
    }

    /// Debug mode's `run_ready_tasks`: each poll timed and recorded.
    fn run_ready_tasks_timed(&self) {
        // Sites noted outside any poll (a `call_soon` closure polling by hand) belong to
        // no task.
        self.context.clear_wait_sites();
        let mut start = self.poll_clock.now();
        for _ in 0..self.config.event_interval {
            match self.run_queue.pop() {
                Some(task) => start = self.poll_task_timed(task, start),
                None => break,
            }
        }
        self.polling.set(NOT_POLLING);
        self.run_queue.trim();
    }

    /// Debug mode's `poll_task`: polls a task that `start` on the poll clock saw begin,
    /// records the poll, reports it if slow, and returns when it ended.
    fn poll_task_timed(&self, ptr: NonNull<Header>, start: u64) -> u64 {
        // SAFETY: as in `poll_task`.
        let header = unsafe { ptr.as_ref() };
        header.clear(flags::QUEUED);
        // Reset once the batch is done (`run_ready_tasks_timed`): nothing runs between two
        // polls of a batch. A task's poll does not unwind (its panic is caught inside).
        self.polling.set(header.id());
        // SAFETY: the task is live (as in `poll_task`).
        unsafe { (header.vtable.poll)(ptr) };
        let end = self.poll_clock.now();
        let whose = Whose::Task(header);
        let slow = self.poll_clock.threshold();
        let done = header.has(flags::COMPLETE);
        let counted = self
            .records
            .count(whose, (start, end), &self.context, slow, done);
        if let Some(took) = counted {
            self.report_slow_task_poll(header, took);
        }
        if done && !header.has(flags::QUEUED) {
            drop(self.unlist(ptr));
        }
        end
    }

    /// Polls the main future (`block_on`'s) through `poll`; in debug mode timed,
    /// recorded as task 0's, and reported if slow.
    #[inline]
    pub(crate) fn poll_main<T>(
        &self,
        location: &'static Location<'static>,
        poll: impl FnOnce() -> Poll<T>,
    ) -> Poll<T> {
        let main = &self.main;
        main.polls.set(main.polls.get() + 1);
        main.running.set(true);
        if !self.config.debug.enabled {
            let _polling = Polling(self);
            return poll();
        }
        self.context.clear_wait_sites();
        let start = self.poll_clock.now();
        let output = {
            self.polling.set(0);
            let _polling = Polling(self);
            poll()
        };
        let end = self.poll_clock.now();
        let slow = self.poll_clock.threshold();
        if let Some(took) =
            self.records
                .count(Whose::Main, (start, end), &self.context, slow, false)
        {
            self.report_slow_poll(SlowPoll {
                id: 0,
                name: None,
                location,
                duration: self.measured(took),
                waited_on: self.records.waits(Whose::Main),
            });
            self.records.take_waits(Whose::Main, &self.context);
        }
        output
    }

    /// Debug mode: reports the poll of a task that took `took` poll-clock nanoseconds,
    /// naming what the task waited for before it, then takes the poll's wait sites.
    #[cold]
    fn report_slow_task_poll(&self, header: &Header, took: u64) {
        let whose = Whose::Task(header);
        self.report_slow_poll(SlowPoll {
            id: header.id(),
            name: self.tasks.name_of(header),
            location: self.tasks.location_of(header),
            duration: self.measured(took),
            waited_on: self.records.waits(whose),
        });
        self.records.take_waits(whose, &self.context);
    }

    /// Debug mode: hands `slow` to the sink (stderr or the user's hook), with no borrow of
    /// the loop's records held: the hook may take a dump.
    #[cold]
    fn report_slow_poll(&self, slow: SlowPoll) {
        self.config.debug.sink.report(&slow);
    }

    /// A poll's length as reported: `took` poll-clock nanoseconds, rounded up to cover
    /// the tick clock's error (`poll_clock.rs`).
    fn measured(&self, took: u64) -> Duration {
        Duration::from_nanos(took) + self.poll_clock.slack()
    }
}
