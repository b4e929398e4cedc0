//! Readiness: the loop asks the reactor (`evloop-reactor`, epoll) which fds became ready;
//! the reactor calls the wakers stored for them, which queue their tasks (`wake.rs`).

use std::time::Duration;

use super::EventLoop;

impl EventLoop {
    /// Checks for I/O without blocking. With no fd registered, only the eventfd could be
    /// ready, and what it signals (remote wakes) is checked directly: skip the syscall.
    /// The same when the only fds are debug mode's dump server's, but for one check in
    /// [`DUMP_CHECK_INTERVAL`](super::dump_server::DUMP_CHECK_INTERVAL): `evloop-ps` can wait some turns, a busy loop should not
    /// pay a syscall per turn for it (a blocking wait always watches its sockets).
    #[inline]
    pub(super) fn poll_io_now(&self) {
        let registered = self.reactor.registrations();
        if registered > 0 && (self.dump_server.is_none() || self.io_beyond_dumps(registered)) {
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
