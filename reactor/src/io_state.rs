//! [`IoState`]: one registration's readiness and parked wakers.
//!
//! It is shared (`Rc`) by the two sides that touch it: the [`Reactor`](crate::Reactor),
//! which finds it through its slab when an event arrives and records the edge, and the
//! [`Registration`](crate::Registration), which polls and clears readiness on every I/O
//! call directly, without a slab lookup. Everything runs on the loop's one thread, so
//! plain `Cell`s suffice; a waker is always taken out of its cell before it is woken or
//! dropped, so a waker that re-enters the reactor finds the state consistent.

use std::cell::Cell;
use std::fmt;
use std::os::fd::RawFd;
use std::task::{Context, Poll, Waker};

use crate::interest::{Direction, Interest};
use crate::slab::Token;
use crate::sys::{Event, Watch};

/// Readiness and wakers of one registration, per [`Direction`].
pub(crate) struct IoState {
    /// The registered fd (borrowed, never closed here): what the level-triggered backends
    /// hand the kernel on each wait.
    fd: RawFd,
    /// The directions the registration said it would poll (checked in debug builds).
    interest: Interest,
    /// Indexed by [`Direction::index`].
    dirs: [DirState; 2],
}

/// One direction of one registration.
#[derive(Default)]
struct DirState {
    /// An edge was seen and not yet cleared: I/O may proceed.
    ready: Cell<bool>,
    /// An edge carried a condition (urgent data, peer shutdown, hang-up, error) under
    /// which a short transfer does not mean the socket is drained (or full), and after
    /// which no further edge may come: [`IoState::clear_ready_after_short_io`] leaves
    /// `ready` set. Only [`IoState::clear_ready`], after an `EAGAIN`, resets it.
    sticky: Cell<bool>,
    /// The task waiting for the next edge in this direction.
    waker: Cell<Option<Waker>>,
}

impl IoState {
    /// `fd`'s state: not ready in either direction, no waker.
    pub(crate) fn new(fd: RawFd, interest: Interest) -> IoState {
        IoState {
            fd,
            interest,
            dirs: Default::default(),
        }
    }

    /// See [`Registration::poll_ready`](crate::Registration::poll_ready).
    #[inline]
    pub(crate) fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<()> {
        debug_assert!(
            self.interest.contains(dir),
            "poll_ready({dir:?}) on a registration with interest {:?}",
            self.interest
        );
        let state = &self.dirs[dir.index()];
        if state.ready.get() {
            return Poll::Ready(());
        }
        let parked = state.waker.take();
        match parked {
            Some(waker) if waker.will_wake(cx.waker()) => state.waker.set(Some(waker)),
            replaced => {
                state.waker.set(Some(cx.waker().clone()));
                // Dropped after the cell is whole again: a waker's drop may re-enter.
                drop(replaced);
            }
        }
        Poll::Pending
    }

    /// See [`Registration::clear_ready`](crate::Registration::clear_ready).
    #[inline]
    pub(crate) fn clear_ready(&self, dir: Direction) {
        let state = &self.dirs[dir.index()];
        state.ready.set(false);
        state.sticky.set(false);
    }

    /// See
    /// [`Registration::clear_ready_after_short_io`](crate::Registration::clear_ready_after_short_io).
    #[inline]
    pub(crate) fn clear_ready_after_short_io(&self, dir: Direction) {
        let state = &self.dirs[dir.index()];
        state.ready.set(state.sticky.get());
    }

    /// The registered fd.
    pub(crate) fn fd(&self) -> RawFd {
        self.fd
    }

    /// What a level-triggered backend should ask the kernel about this registration
    /// (filed under `token`): the directions a task waits on. A parked waker means
    /// exactly that: [`poll_ready`](Self::poll_ready) parks one only while the direction
    /// is not ready, and [`record`](Self::record) takes it when readiness arrives.
    pub(crate) fn watch(&self, token: Token) -> Watch {
        Watch {
            fd: self.fd,
            token,
            read: self.dirs[Direction::Read.index()].waiting(),
            write: self.dirs[Direction::Write.index()].waiting(),
        }
    }

    /// Records the edges of `event` and hands back the wakers to wake, read first.
    pub(crate) fn record(&self, event: &Event) -> [Option<Waker>; 2] {
        [
            self.dirs[Direction::Read.index()].record(event.readable, event.read_sticky),
            self.dirs[Direction::Write.index()].record(event.writable, event.write_sticky),
        ]
    }
}

impl DirState {
    /// Whether a task's waker is parked here, waiting for readiness.
    fn waiting(&self) -> bool {
        let waker = self.waker.take();
        let waiting = waker.is_some();
        self.waker.set(waker);
        waiting
    }

    /// Records an edge if `edge` is set (and whether it was `sticky`) and hands back the
    /// waker to wake, if any.
    fn record(&self, edge: bool, sticky: bool) -> Option<Waker> {
        if edge {
            self.ready.set(true);
            if sticky {
                self.sticky.set(true);
            }
            self.waker.take()
        } else {
            None
        }
    }
}

impl fmt::Debug for IoState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [read, write] = &self.dirs;
        f.debug_struct("IoState")
            .field("fd", &self.fd)
            .field("interest", &self.interest)
            .field("read_ready", &read.ready.get())
            .field("write_ready", &write.ready.get())
            .finish_non_exhaustive()
    }
}
