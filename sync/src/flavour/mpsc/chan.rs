//! The state a channel's halves share, in one cell of the channel's flavour.

use std::collections::VecDeque;
use std::task::Waker;

use crate::flavour::{CoreCell, Flavour, SemCore};
use crate::waker_slot::wake;

/// One channel.
pub(super) struct Chan<T, F: Flavour> {
    /// Everything that changes, in one borrow (loop-local) or one lock (shared).
    state: F::Cell<State<T>>,
    /// Whether `State::room` limits the buffer (a bounded channel).
    pub(super) bounded: bool,
}

/// A channel's changing state.
pub(super) struct State<T> {
    /// Messages sent and not yet received, oldest first.
    pub(super) buffer: VecDeque<T>,
    /// The receiving task, woken by the next send or by the last sender leaving.
    pub(super) rx_waker: Option<Waker>,
    /// Live senders; at 0 the receiver gets `None` once the buffer is empty.
    senders: usize,
    /// The receiver closed or was dropped: sends fail.
    pub(super) rx_closed: bool,
    /// Bounded channels: one permit per free buffer slot, and the FIFO of senders waiting
    /// for one (unused when unbounded). A sender that gets a permit pushes at once, and
    /// the receiver gives one back for every message it takes.
    pub(super) room: SemCore,
}

impl<T> State<T> {
    /// Appends a message and returns the receiver's waker, to wake once out of the cell.
    #[inline]
    pub(super) fn push(&mut self, value: T) -> Option<Waker> {
        self.buffer.push_back(value);
        self.rx_waker.take()
    }

    /// Whether the receiver will get `None` once the buffer is empty.
    #[inline]
    pub(super) fn is_disconnected(&self) -> bool {
        self.senders == 0 || self.rx_closed
    }
}

impl<T, F: Flavour> Chan<T, F> {
    /// A channel with one sender; `capacity` is `None` for an unbounded one.
    pub(super) fn new(capacity: Option<usize>) -> F::Ptr<Chan<T, F>> {
        F::ptr(Chan {
            state: F::cell(State {
                buffer: VecDeque::new(),
                rx_waker: None,
                senders: 1,
                rx_closed: false,
                room: SemCore::new(capacity.unwrap_or(0)),
            }),
            bounded: capacity.is_some(),
        })
    }

    /// Runs `f` on the state, in one borrow or lock. `f` must not wake tasks or drop
    /// messages: both may use the channel again.
    #[inline]
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        F::with(&self.state, f)
    }

    /// Counts one more sender.
    pub(super) fn add_sender(&self) {
        self.with(|state| state.senders += 1);
    }

    /// Counts one sender less; the last one wakes the receiver so it sees the end.
    pub(super) fn drop_sender(&self) {
        let receiver = self.with(|state| {
            state.senders -= 1;
            if state.senders == 0 {
                state.rx_waker.take()
            } else {
                None
            }
        });
        wake(receiver);
    }
}

/// Lets the semaphore helpers reach the channel's `room` through its cell.
impl<T, F: Flavour> CoreCell for Chan<T, F> {
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut SemCore) -> R) -> R {
        F::with(&self.state, |state| f(&mut state.room))
    }
}
