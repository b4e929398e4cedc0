//! Shutdown: when the runtime is dropped, every remaining task's future is dropped on the
//! loop's thread (asyncio cancels the tasks left when `asyncio.run` returns), the
//! injection queue is closed so later remote wakes release their task at once, and the
//! blocking pool is told to wind down.

use super::EventLoop;

impl EventLoop {
    /// Drops every remaining task's future on this thread and shuts the injection queue.
    pub(crate) fn shutdown(&self) {
        let _entered = self.enter_unchecked();
        // Futures dropped here may spawn or wake: keep going until nothing is left.
        loop {
            // Keep each cancelled task's table reference until the run queue, which may
            // still point at it, is cleared.
            let mut cancelled = Vec::new();
            while let Some(task) = self.tasks.last().and_then(|last| self.unlist(last)) {
                // SAFETY: `task` holds a reference for the call.
                unsafe { (task.header().vtable.cancel)(task.as_ptr()) };
                cancelled.push(task);
            }
            self.run_queue.clear();
            let done = cancelled.is_empty() && self.tasks.len() == 0;
            drop(cancelled);
            if done {
                break;
            }
        }
        self.remote.close();
        self.blocking.shutdown();
    }
}
