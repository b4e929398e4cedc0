//! What a watch channel's halves share: the value, its version, and the receivers waiting
//! for the next version.

use std::cell::{Ref, RefCell, RefMut};
use std::task::{Poll, Waker};

use super::error::RecvError;
use crate::waiters::{Key, Status, WaitQueue};

/// The channel: the value apart from the bookkeeping, so reading the value never blocks
/// a receiver from registering and the other way round.
#[derive(Debug)]
pub(super) struct Shared<T> {
    /// The latest value.
    value: RefCell<T>,
    /// Its version, who listens, and who waits.
    state: RefCell<State>,
}

/// A watch channel's bookkeeping.
#[derive(Debug)]
pub(super) struct State {
    /// Bumped by every send: a receiver has seen the value when it holds this number.
    pub(super) version: u64,
    /// The sender was dropped: no version will come after this one.
    pub(super) closed: bool,
    /// Live receivers; a plain `send` with none is refused.
    pub(super) receivers: usize,
    /// Receivers waiting in `changed` for the next version.
    waiters: WaitQueue,
}

impl<T> Shared<T> {
    /// A channel holding `value` at version 0, with one receiver.
    pub(super) fn new(value: T) -> Shared<T> {
        Shared {
            value: RefCell::new(value),
            state: RefCell::new(State {
                version: 0,
                closed: false,
                receivers: 1,
                waiters: WaitQueue::new(),
            }),
        }
    }

    /// The bookkeeping, for a short borrow.
    pub(super) fn state(&self) -> RefMut<'_, State> {
        self.state.borrow_mut()
    }

    /// Reads the value.
    ///
    /// # Panics
    /// Inside a `send_modify` closure, which holds the value mutably.
    #[track_caller]
    pub(super) fn read(&self) -> Ref<'_, T> {
        self.value.try_borrow().unwrap_or_else(|_| {
            panic!(
                "watch: borrow() inside the closure of send_modify or send_if_modified, \
                 which holds the value mutably; read it through the closure's argument"
            )
        })
    }

    /// Writes the value.
    ///
    /// # Panics
    /// While a [`Ref`](super::Ref) from `borrow` is alive: on one loop that is a bug
    /// (a `Ref` held across an `.await`), which would deadlock a lock-based channel.
    #[track_caller]
    pub(super) fn write(&self) -> RefMut<'_, T> {
        self.value.try_borrow_mut().unwrap_or_else(|_| {
            panic!(
                "watch: a send while a watch::Ref from borrow() is alive; drop the Ref (or \
                 clone the value out) before the next .await instead of holding it across"
            )
        })
    }

    /// Marks a new version and wakes, one at a time and outside the borrow, every receiver
    /// waiting for it: each is woken once per change.
    pub(super) fn publish(&self) {
        self.state().version += 1;
        self.wake_waiters();
    }

    /// Wakes every receiver waiting in `changed`, after a new version or the sender's end.
    pub(super) fn wake_waiters(&self) {
        while let Some(waker) = self.state().waiters.pop_front(Status::Granted) {
            waker.wake();
        }
    }
}

impl State {
    /// One poll of `changed` by a receiver that has seen `*seen` and whose queue slot (once
    /// it has one) is `key`: the one place a watch receiver starts or keeps waiting.
    pub(super) fn poll_changed(
        &mut self,
        seen: &mut u64,
        key: &mut Option<Key>,
        waker: &Waker,
    ) -> Poll<Result<(), RecvError>> {
        let news = *seen != self.version;
        if news || self.closed {
            if let Some(key) = key.take() {
                self.waiters.remove(key);
            }
            *seen = self.version;
            return Poll::Ready(if news { Ok(()) } else { Err(RecvError(())) });
        }
        match key {
            Some(k) if self.waiters.status(k) == Status::Waiting => {
                self.waiters.set_waker(k, waker);
            }
            _ => {
                if let Some(stale) = key.take() {
                    self.waiters.remove(stale);
                }
                *key = Some(self.waiters.push(1, waker));
            }
        }
        Poll::Pending
    }

    /// Forgets a `changed` that was dropped while queued.
    pub(super) fn cancel(&mut self, key: Key) {
        // A wake-up goes to every waiter, so a dropped one has nothing to pass on.
        self.waiters.remove(key);
    }
}
