//! The `poll` backend (`ppoll`): level-triggered, with the interest list handed to the
//! kernel on every wait.
//!
//! The kernel keeps nothing between two waits: each one passes a `pollfd` per fd a task
//! waits on (the reactor's [`Watch`]es), the kernel checks every one of them (and, to
//! sleep, hooks itself onto each one's wait queue), and fills in what is ready. The cost
//! of a wait grows with the fds watched, ready or not; that is what epoll saves.
//!
//! `poll` reports levels (the fd *is* readable), not edges. The reactor keeps readiness
//! itself, as with epoll, and asks only for directions a task waits on: a readable fd
//! that nobody reads yet, or a socket that is always writable, is left out instead of
//! ending every wait at once. So the layers above see the same edge-style readiness as
//! on epoll.

#![allow(unsafe_code)]

use std::cell::{RefCell, RefMut};
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use super::{check_open, cvt, reentrant_wait, resume_after_signals, timespec, Event, Watch};
use crate::fd_table::FdTable;
use crate::slab::{Token, NOTIFIER_TOKEN};

/// Asked for a task waiting to read: data, urgent data, peer shutdown.
const READ_INTEREST: libc::c_short = libc::POLLIN | libc::POLLPRI | libc::POLLRDHUP;
/// Asked for a task waiting to write: buffer space.
const WRITE_INTEREST: libc::c_short = libc::POLLOUT;

/// Reported conditions that count as "readable" (hang-up, error and an fd that is not
/// open are reported whether asked or not; the next read reports them).
const READ_FLAGS: libc::c_short =
    libc::POLLIN | libc::POLLPRI | libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;
/// Reported conditions that count as "writable".
const WRITE_FLAGS: libc::c_short = libc::POLLOUT | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;
/// Read conditions after which a short read does not prove the socket drained.
const READ_STICKY_FLAGS: libc::c_short =
    libc::POLLPRI | libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;
/// Write conditions after which a short write does not prove the send buffer full.
const WRITE_STICKY_FLAGS: libc::c_short = libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;

/// The registered fds (by number, for `EEXIST`) and the `pollfd` array of the wait.
#[derive(Debug)]
pub(crate) struct Poll {
    /// The notifier's eventfd, watched for reading on every wait.
    notifier: RawFd,
    /// Which registration owns each fd.
    owners: RefCell<FdTable>,
    /// The array handed to the kernel, rebuilt for each wait; borrowed while the reactor
    /// delivers a wait's events (so a re-entrant wait is an error).
    set: RefCell<PollSet>,
}

impl Poll {
    /// A backend whose waits always include the notifier's eventfd `notifier`.
    pub(crate) fn new(notifier: RawFd) -> Poll {
        Poll {
            notifier,
            owners: RefCell::new(FdTable::default()),
            set: RefCell::new(PollSet::default()),
        }
    }

    /// Registers `fd` under `token`.
    ///
    /// # Errors
    /// `EBADF` if `fd` is not open, `EEXIST` if it is registered already.
    pub(crate) fn add(&self, fd: RawFd, token: Token) -> io::Result<()> {
        check_open(fd)?;
        self.owners.borrow_mut().insert(fd, token)
    }

    /// Forgets `fd`'s registration `token`.
    pub(crate) fn delete(&self, fd: RawFd, token: Token) {
        self.owners.borrow_mut().remove(fd, token);
    }

    /// Starts a wait: an empty `pollfd` array but for the notifier, for the reactor to
    /// [`push`](PollSet::push) its watches onto.
    ///
    /// # Errors
    /// [`reentrant_wait`] while a previous wait's events are being delivered.
    pub(crate) fn begin(&self) -> io::Result<RefMut<'_, PollSet>> {
        let mut set = self.set.try_borrow_mut().map_err(|_| reentrant_wait())?;
        set.fds.clear();
        set.tokens.clear();
        set.push_raw(self.notifier, libc::POLLIN, NOTIFIER_TOKEN);
        Ok(set)
    }
}

/// One wait's `pollfd` array and the token of each entry; allocated once, reused.
#[derive(Debug, Default)]
pub(crate) struct PollSet {
    /// What the kernel checks, and where it writes what it found (`revents`).
    fds: Vec<libc::pollfd>,
    /// `tokens[i]` is the registration behind `fds[i]`.
    tokens: Vec<Token>,
}

impl PollSet {
    /// Watches `watch.fd` for the directions it asks (nothing if none).
    pub(crate) fn push(&mut self, watch: Watch) {
        let mut events = 0;
        if watch.read {
            events |= READ_INTEREST;
        }
        if watch.write {
            events |= WRITE_INTEREST;
        }
        if events != 0 {
            self.push_raw(watch.fd, events, watch.token);
        }
    }

    /// Appends one entry.
    fn push_raw(&mut self, fd: RawFd, events: libc::c_short, token: Token) {
        self.fds.push(libc::pollfd {
            fd,
            events,
            revents: 0,
        });
        self.tokens.push(token);
    }

    /// Blocks in `ppoll` until a watched fd is ready or the timeout passes (`None`:
    /// forever), to the nanosecond and never early; a signal does not end the wait.
    ///
    /// # Errors
    /// The OS error of `ppoll` other than `EINTR` (`ENOMEM`, or `EINVAL` beyond
    /// `RLIMIT_NOFILE` entries).
    pub(crate) fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        resume_after_signals(timeout, |left| {
            let ts = left.map(timespec);
            let ts_ptr = ts
                .as_ref()
                .map_or(std::ptr::null(), |ts| ts as *const libc::timespec);
            // SAFETY: the pointer and length describe `self.fds`, which lives across the
            // call and which the kernel reads and writes (`revents`) only within those
            // bounds; the timeout is null or points to a live timespec; the signal mask
            // is null (the thread's mask stays as it is).
            let n = unsafe {
                libc::ppoll(
                    self.fds.as_mut_ptr(),
                    self.fds.len() as libc::nfds_t,
                    ts_ptr,
                    std::ptr::null(),
                )
            };
            cvt(n).map(drop)
        })
    }

    /// The events of the last wait: one per entry the kernel reported something for.
    pub(crate) fn ready(&self) -> impl Iterator<Item = Event> + '_ {
        self.fds
            .iter()
            .zip(&self.tokens)
            .filter(|(fd, _)| fd.revents != 0)
            .map(|(fd, &token)| event(token, fd.revents))
    }
}

/// The [`Event`] of a poll mask (`revents`, or an io_uring poll's result) for `token`.
pub(crate) fn event(token: Token, revents: libc::c_short) -> Event {
    Event {
        token,
        readable: revents & READ_FLAGS != 0,
        writable: revents & WRITE_FLAGS != 0,
        read_sticky: revents & READ_STICKY_FLAGS != 0,
        write_sticky: revents & WRITE_STICKY_FLAGS != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::closed_fd;
    use crate::sys::eventfd::{eventfd, eventfd_write};
    use std::os::fd::AsRawFd;
    use std::time::Instant;

    #[test]
    fn only_the_directions_asked_are_watched() {
        let mut set = PollSet::default();
        let watch = |read, write| Watch {
            fd: 3,
            token: 7,
            read,
            write,
        };
        set.push(watch(false, false));
        assert!(set.fds.is_empty(), "nobody waits: not handed to the kernel");
        set.push(watch(true, false));
        set.push(watch(false, true));
        set.push(watch(true, true));
        let events: Vec<_> = set.fds.iter().map(|p| p.events).collect();
        assert_eq!(
            events,
            [
                READ_INTEREST,
                WRITE_INTEREST,
                READ_INTEREST | WRITE_INTEREST
            ]
        );
        assert_eq!(set.tokens, [7, 7, 7]);
    }

    #[test]
    fn a_notified_eventfd_is_reported_with_its_token() {
        let notifier = eventfd().unwrap();
        let poll = Poll::new(notifier.as_raw_fd());
        let mut set = poll.begin().unwrap();
        set.wait(Some(Duration::ZERO)).unwrap();
        assert_eq!(set.ready().count(), 0);
        eventfd_write(&notifier).unwrap();
        set.wait(Some(Duration::from_secs(5))).unwrap();
        let events: Vec<_> = set.ready().collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].token, NOTIFIER_TOKEN);
        assert!(events[0].readable && !events[0].read_sticky);
        assert!(poll.begin().is_err(), "the set is still borrowed");
    }

    #[test]
    fn a_closed_fd_is_reported_ready_both_ways_not_as_a_failed_wait() {
        let notifier = eventfd().unwrap();
        let poll = Poll::new(notifier.as_raw_fd());
        let mut set = poll.begin().unwrap();
        set.push(Watch {
            fd: closed_fd(900),
            token: 1,
            read: true,
            write: false,
        });
        set.wait(Some(Duration::from_secs(5))).unwrap();
        let events: Vec<_> = set.ready().collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].token, 1);
        assert!(events[0].readable && events[0].writable && events[0].read_sticky);
    }

    #[test]
    fn timeouts_never_end_early() {
        let notifier = eventfd().unwrap();
        let poll = Poll::new(notifier.as_raw_fd());
        let mut set = poll.begin().unwrap();
        for micros in [1, 150, 1_500] {
            let timeout = Duration::from_micros(micros);
            let start = Instant::now();
            set.wait(Some(timeout)).unwrap();
            assert!(start.elapsed() >= timeout);
            assert_eq!(set.ready().count(), 0);
        }
    }

    #[test]
    fn registration_refuses_closed_and_duplicate_fds() {
        let notifier = eventfd().unwrap();
        let poll = Poll::new(notifier.as_raw_fd());
        let fd = eventfd().unwrap();
        poll.add(fd.as_raw_fd(), 1).unwrap();
        let twice = poll.add(fd.as_raw_fd(), 2).unwrap_err();
        assert_eq!(twice.raw_os_error(), Some(libc::EEXIST));
        poll.delete(fd.as_raw_fd(), 1);
        poll.add(fd.as_raw_fd(), 2).unwrap();
        let bad = poll.add(-1, 3).unwrap_err();
        assert_eq!(bad.raw_os_error(), Some(libc::EBADF));
    }
}
