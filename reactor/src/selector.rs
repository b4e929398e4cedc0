//! [`Selector`]: the backend a [`Reactor`](crate::Reactor) waits in, chosen once when
//! it is created and dispatched by one `match` per call.
//!
//! An enum, not a trait object: the default backend's calls stay direct (no box, no
//! virtual call, no allocation), and a new backend joins as one more variant, its file
//! next to the others in `sys/`. The wait itself is dispatched in
//! [`Reactor::wait`](crate::Reactor::wait), which hands each backend what it needs: a
//! readiness-based backend that keeps its interest list in the kernel (epoll) needs
//! nothing, a level-triggered one (poll, select) the directions tasks wait on, and
//! io_uring's completions are routed either to a registration (a poll's readiness) or
//! to a stream's completion state.

use std::io;
use std::os::fd::RawFd;

use crate::backend::Backend;
use crate::slab::Token;
use crate::sys::uring::Uring;
use crate::sys::{epoll::Epoll, poll::Poll, select::Select};

/// One backend's state: its kernel object (if any) and its wait buffers.
#[derive(Debug)]
pub(crate) enum Selector {
    /// [`Backend::Epoll`].
    Epoll(Epoll),
    /// [`Backend::Poll`].
    Poll(Poll),
    /// [`Backend::Select`].
    Select(Select),
    /// [`Backend::Uring`] (boxed: its state is larger than the others').
    Uring(Box<Uring>),
}

impl Selector {
    /// The state of `backend`, whose waits always include the notifier's eventfd
    /// `notifier`, and, if io_uring was asked for but cannot serve, why (epoll serves
    /// instead).
    ///
    /// # Errors
    /// The OS error of creating the backend's kernel object (`epoll_create1`), or, for
    /// select, an `InvalidInput` error if `notifier` is 1024 or above.
    pub(crate) fn new(backend: Backend, notifier: RawFd) -> io::Result<(Selector, Option<String>)> {
        Ok(match backend {
            Backend::Epoll => (Selector::Epoll(Epoll::new(notifier)?), None),
            Backend::Poll => (Selector::Poll(Poll::new(notifier)), None),
            Backend::Select => (Selector::Select(Select::new(notifier)?), None),
            Backend::Uring => match Uring::new(notifier) {
                Ok(uring) => (Selector::Uring(Box::new(uring)), None),
                Err(why) => (Selector::Epoll(Epoll::new(notifier)?), Some(why)),
            },
        })
    }

    /// Which backend this is.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Selector::Epoll(_) => Backend::Epoll,
            Selector::Poll(_) => Backend::Poll,
            Selector::Select(_) => Backend::Select,
            Selector::Uring(_) => Backend::Uring,
        }
    }

    /// Registers `fd` under `token`, for both directions.
    ///
    /// # Errors
    /// The backend's refusal: `epoll_ctl`'s error (`EEXIST`, `EBADF`, `EPERM`...);
    /// for poll, select and io_uring `EBADF` or `EEXIST`; for select `InvalidInput` when `fd` is
    /// 1024 or above.
    #[inline]
    pub(crate) fn add(&self, fd: RawFd, token: Token) -> io::Result<()> {
        match self {
            Selector::Epoll(epoll) => epoll.add(fd, token),
            Selector::Poll(poll) => poll.add(fd, token),
            Selector::Select(select) => select.add(fd, token),
            Selector::Uring(uring) => uring.add(fd, token),
        }
    }

    /// Forgets `fd`'s registration `token`. An fd closed or never added is fine.
    #[inline]
    pub(crate) fn delete(&self, fd: RawFd, token: Token) {
        match self {
            // Only ENOENT/EBADF are expected and already mapped to Ok; anything else
            // would mean a broken epoll fd, which the next wait reports.
            Selector::Epoll(epoll) => drop(epoll.delete(fd)),
            Selector::Poll(poll) => poll.delete(fd, token),
            Selector::Select(select) => select.delete(fd, token),
            Selector::Uring(uring) => uring.delete(fd, token),
        }
    }
}
