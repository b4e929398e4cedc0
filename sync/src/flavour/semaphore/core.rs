//! The counting-semaphore logic, as plain data: a [`Semaphore`](super::Semaphore) keeps a
//! [`SemCore`] in its flavour's cell, and a bounded mpsc channel keeps one (its free buffer
//! slots) inside its channel state.
//!
//! Permits go to waiters strictly in FIFO order: a release hands them straight to the
//! oldest waiter that fits, and a newcomer takes permits without queueing only when no one
//! waits, so nobody barges ahead. A waiter that wants more than is free blocks the ones
//! behind it (no starvation of large requests).

use std::panic::Location;
use std::task::{Context, Poll, Waker};

use evloop_reactor::wait_site::{WaitDetail, WaitKind};

use super::{AcquireError, TryAcquireError};
use crate::wait_site::note_wait;
use crate::waiters::{Key, Status, WaitQueue};

/// A semaphore's state: free permits, whether it is closed, and who waits.
#[derive(Debug)]
pub(crate) struct SemCore {
    /// Permits no one holds and no waiter has been granted.
    permits: usize,
    /// Set by `close`: acquiring fails from then on; granted permits stay valid.
    closed: bool,
    /// Tasks waiting for permits, oldest first.
    waiters: WaitQueue,
}

impl SemCore {
    /// A semaphore with `permits` free permits.
    pub(crate) const fn new(permits: usize) -> SemCore {
        SemCore {
            permits,
            closed: false,
            waiters: WaitQueue::new(),
        }
    }

    pub(crate) fn available(&self) -> usize {
        self.permits
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Takes `n` permits now if they are free and no one waits before us.
    #[inline]
    pub(crate) fn try_acquire(&mut self, n: usize) -> Result<(), TryAcquireError> {
        if self.closed {
            Err(TryAcquireError::Closed)
        } else if self.waiters.is_empty() && self.permits >= n {
            self.permits -= n;
            Ok(())
        } else {
            Err(TryAcquireError::NoPermits)
        }
    }

    /// One poll of an acquire of `n` permits whose queue slot (once it has one) is `key`.
    #[inline]
    pub(crate) fn poll_acquire(
        &mut self,
        n: usize,
        key: &mut Option<Key>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let Some(k) = key else {
            return match self.try_acquire(n) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TryAcquireError::Closed) => Poll::Ready(Err(AcquireError(()))),
                Err(TryAcquireError::NoPermits) => {
                    *key = Some(self.waiters.push(n, cx.waker()));
                    Poll::Pending
                }
            };
        };
        match self.waiters.status(k) {
            Status::Waiting => {
                self.waiters.set_waker(k, cx.waker());
                Poll::Pending
            }
            status => {
                let k = key.take().expect("matched Some above");
                self.waiters.remove(k);
                Poll::Ready(if status == Status::Granted {
                    Ok(())
                } else {
                    Err(AcquireError(()))
                })
            }
        }
    }

    /// An acquire of `n` gives up (its future was dropped). Returns whether waiters behind it
    /// may now be served, so the caller must run [`wake_granted`]: either it had already
    /// been granted its permits (they come back), or it was the head of the queue and its
    /// large request held the others back.
    #[inline]
    pub(crate) fn cancel(&mut self, key: Key, n: usize) -> bool {
        let was_front = self.waiters.is_front(&key);
        match self.waiters.remove(key) {
            Status::Granted => {
                self.release(n);
                true
            }
            Status::Waiting => was_front,
            Status::Closed => false,
        }
    }

    /// Puts `n` permits back (a permit dropped, or `add_permits`). Follow with
    /// [`grant_next`](Self::grant_next) until it returns `None`.
    #[inline]
    pub(crate) fn release(&mut self, n: usize) {
        self.permits = self
            .permits
            .checked_add(n)
            .expect("a semaphore's permit count overflowed usize");
    }

    /// Grants the oldest waiter its permits if enough are free, and returns its waker.
    #[inline]
    pub(crate) fn grant_next(&mut self) -> Option<Waker> {
        if self.closed {
            return None;
        }
        let want = self.waiters.front_want()?;
        if want > self.permits {
            return None;
        }
        self.permits -= want;
        self.waiters.pop_front(Status::Granted)
    }

    /// Closes the semaphore. Follow with [`close_next`](Self::close_next) until it returns
    /// `None`, to fail every waiter.
    pub(crate) fn close(&mut self) {
        self.closed = true;
    }

    /// Fails the oldest waiter because the semaphore closed, and returns its waker.
    pub(crate) fn close_next(&mut self) -> Option<Waker> {
        self.waiters.pop_front(Status::Closed)
    }
}

/// What holds a [`SemCore`] in its flavour's cell: a semaphore, or a bounded channel's
/// state. `with` must not be re-entered from `f`; callers wake tasks only outside it.
pub(crate) trait CoreCell {
    /// Runs `f` with exclusive access to the core.
    fn with<R>(&self, f: impl FnOnce(&mut SemCore) -> R) -> R;
}

/// Wakes, one at a time and outside the cell, every waiter that the free permits now cover.
#[inline]
pub(crate) fn wake_granted(cell: &impl CoreCell) {
    while let Some(waker) = cell.with(SemCore::grant_next) {
        waker.wake();
    }
}

/// Returns `n` permits and serves the waiters they cover.
#[inline]
pub(crate) fn release(cell: &impl CoreCell, n: usize) {
    cell.with(|core| core.release(n));
    wake_granted(cell);
}

/// Closes the semaphore and fails every waiter.
pub(crate) fn close(cell: &impl CoreCell) {
    cell.with(SemCore::close);
    while let Some(waker) = cell.with(SemCore::close_next) {
        waker.wake();
    }
}

/// The state of one acquire future: how many permits it wants and its place in the queue.
/// The future that owns it must call [`cancel`](Self::cancel) from its `Drop`.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// Permits asked for.
    want: usize,
    /// The queue slot while queued.
    key: Option<Key>,
    /// Set once the acquire returned `Ready`.
    done: bool,
    /// What a task dump calls this wait: a semaphore acquire, a mutex lock, a send.
    kind: WaitKind,
    /// The user's call that made the future (`sem.acquire()`, `mutex.lock()`,
    /// `tx.send(..)`): the wait's site in task dumps.
    site: &'static Location<'static>,
}

impl Waiter {
    /// A waiter for `want` permits, a wait of `kind` made at `site`.
    pub(crate) const fn new(
        want: usize,
        kind: WaitKind,
        site: &'static Location<'static>,
    ) -> Waiter {
        Waiter {
            want,
            key: None,
            done: false,
            kind,
            site,
        }
    }

    /// Permits asked for.
    pub(crate) fn want(&self) -> usize {
        self.want
    }

    /// One poll of the acquire.
    #[inline]
    pub(crate) fn poll(
        &mut self,
        cell: &impl CoreCell,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        cell.with(|core| self.poll_locked(core, cx))
    }

    /// One poll of the acquire, for a caller that already holds the core.
    #[inline]
    pub(crate) fn poll_locked(
        &mut self,
        core: &mut SemCore,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        assert!(
            !self.done,
            "an acquire future was polled after it completed"
        );
        let out = core.poll_acquire(self.want, &mut self.key, cx);
        self.done = out.is_ready();
        if !self.done {
            let detail = match self.kind {
                WaitKind::Acquire => WaitDetail::Permits(self.want),
                _ => WaitDetail::None,
            };
            note_wait(self.kind, Some(self.site), detail);
        }
        out
    }

    /// Leaves the queue if still in it, passing on a grant it never observed.
    #[inline]
    pub(crate) fn cancel(&mut self, cell: &impl CoreCell) {
        if let Some(key) = self.key.take() {
            leave_queue(cell, key, self.want);
        }
    }
}

/// The rare half of [`Waiter::cancel`], kept out of line so that dropping a completed
/// acquire (the common case) stays a check of one field in its caller.
#[cold]
fn leave_queue(cell: &impl CoreCell, key: Key, want: usize) {
    if cell.with(|core| core.cancel(key, want)) {
        wake_granted(cell);
    }
}
