//! The cross-thread [`Notifier`]: an eventfd that interrupts [`Reactor::wait`](crate::Reactor::wait).

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::sys::eventfd;

/// Interrupts a reactor's [`wait`](crate::Reactor::wait) from any thread.
///
/// The executor's cross-thread wakers push onto the loop's injection queue and then call
/// [`notify`](Notifier::notify) if the loop may be asleep in the kernel. The notifier owns
/// its eventfd and is shared through an `Arc`, so it stays valid after the reactor is
/// dropped; notifying then just bumps a counter nobody reads.
///
/// ```
/// use std::time::Duration;
/// use evloop_reactor::Reactor;
///
/// let reactor = Reactor::new()?;
/// let notifier = reactor.notifier();
/// std::thread::spawn(move || notifier.notify());
/// reactor.wait(Some(Duration::from_secs(5)))?; // returns as soon as notify() ran
/// # while !reactor.take_notified() { reactor.wait(Some(Duration::from_secs(5)))?; }
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Notifier {
    /// The eventfd (non-blocking, close-on-exec) the reactor watches.
    fd: OwnedFd,
}

impl Notifier {
    /// A notifier with a fresh eventfd.
    pub(crate) fn new() -> io::Result<Notifier> {
        Ok(Notifier {
            fd: eventfd::eventfd()?,
        })
    }

    /// Wakes the reactor's current or next [`wait`](crate::Reactor::wait), from any thread.
    ///
    /// Cheap (one `write(2)`), never blocks, and never fails in a way the caller could act
    /// on: a saturated counter already guarantees a wake-up, and after the reactor is gone
    /// there is nobody to wake.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_reactor::Reactor;
    ///
    /// let reactor = Reactor::new()?;
    /// let notifier = reactor.notifier();
    /// notifier.notify();
    /// notifier.notify(); // wakes coalesce: one event for any number of notifies
    /// reactor.wait(Some(Duration::ZERO))?; // returns at once: the eventfd is readable
    /// assert!(reactor.take_notified());
    /// drop(reactor);
    /// notifier.notify(); // harmless once the reactor is gone
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn notify(&self) {
        // The only possible errors (EAGAIN is already filtered) would mean the fd is
        // broken, which the reactor then notices on its own wait; nothing to do here.
        let _ = eventfd::eventfd_write(&self.fd);
    }

    /// Resets the counter; returns whether it had been notified. Called by the reactor
    /// when the eventfd's event arrives.
    pub(crate) fn drain(&self) -> io::Result<bool> {
        eventfd::eventfd_drain(&self.fd)
    }

    /// The eventfd, for registering with the backend.
    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("fd", &self.raw_fd())
            .finish()
    }
}
