//! Readiness: the loop asks the reactor (`evloop-reactor`, epoll) which fds became ready;
//! the reactor calls the wakers stored for them, which queue their tasks (`wake.rs`).

use std::time::Duration;

use super::EventLoop;

impl EventLoop {
    /// Checks for I/O without blocking. With no fd registered, only the eventfd could be
    /// ready, and what it signals (remote wakes) is checked directly: skip the syscall.
    pub(super) fn poll_io_now(&self) {
        if self.reactor.registrations() > 0 {
            self.wait_for_io(Some(Duration::ZERO));
        }
    }

    /// Blocks in the reactor until an fd is ready, the eventfd is written, or `timeout`
    /// passes, and wakes the tasks of the ready fds. Its only possible errors are bugs.
    pub(super) fn wait_for_io(&self, timeout: Option<Duration>) {
        if let Err(err) = self.reactor.wait(timeout) {
            panic!("evloop: the reactor's wait failed: {err}");
        }
    }
}
