//! A broadcast channel's state: a ring of the last `capacity` messages, each with the
//! number of receivers that still have to take it, and the receivers waiting for the next.
//!
//! Messages have positions 0, 1, 2, ... in send order; position `p` lives in slot
//! `p % capacity` until position `p + capacity` overwrites it. A receiver is just the
//! position of the next message it will take. When it takes a message it releases its
//! claim on the slot; the last claim moves the value out instead of cloning it, so a
//! message is dropped as soon as every receiver that was subscribed when it was sent has
//! taken it (or dropped out), and at the latest when it is overwritten: memory never grows
//! past `capacity` messages, however slow a receiver is.

use std::task::{Poll, Waker};

use super::error::{RecvError, TryRecvError};
use crate::waiters::{Key, Status, WaitQueue};

/// One message's place in the ring.
#[derive(Debug)]
struct Slot<T> {
    /// Receivers that still have to take the message; its value goes when this reaches 0.
    claims: usize,
    /// The message, until every claim is released or the slot is overwritten.
    value: Option<T>,
}

/// What a channel's senders and receivers share.
#[derive(Debug)]
pub(super) struct Ring<T> {
    /// The last `capacity` messages; `slots.len()` is the capacity.
    slots: Box<[Slot<T>]>,
    /// The position the next message gets: how many were ever sent.
    tail: u64,
    /// Live senders; at 0 a receiver that has taken everything gets `Closed`.
    pub(super) senders: usize,
    /// Live receivers: each new message is claimed by all of them.
    pub(super) receivers: usize,
    /// Receivers waiting for the next message (or for the last sender to leave).
    waiters: WaitQueue,
}

impl<T> Ring<T> {
    /// An empty ring of `capacity` slots, with one sender and one receiver.
    pub(super) fn new(capacity: usize) -> Ring<T> {
        Ring {
            slots: (0..capacity)
                .map(|_| Slot {
                    claims: 0,
                    value: None,
                })
                .collect(),
            tail: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitQueue::new(),
        }
    }

    /// The position a receiver subscribing now starts at: only later messages reach it.
    pub(super) fn tail(&self) -> u64 {
        self.tail
    }

    /// The oldest position still in the ring.
    fn oldest(&self) -> u64 {
        self.tail.saturating_sub(self.slots.len() as u64)
    }

    /// The slot of position `pos`.
    fn slot(&mut self, pos: u64) -> &mut Slot<T> {
        let capacity = self.slots.len() as u64;
        &mut self.slots[(pos % capacity) as usize]
    }

    /// Stores `value` at the next position, claimed by every live receiver, and returns
    /// the message it overwrote, for the caller to drop outside the cell (its drop may use
    /// the channel).
    pub(super) fn push(&mut self, value: T) -> Option<T> {
        let (tail, receivers) = (self.tail, self.receivers);
        let slot = self.slot(tail);
        slot.claims = receivers;
        let overwritten = slot.value.replace(value);
        self.tail += 1;
        overwritten
    }

    /// Takes one waiting receiver off the queue, to be woken (outside the cell) because a
    /// message arrived or the last sender left.
    pub(super) fn next_waiter(&mut self) -> Option<Waker> {
        self.waiters.pop_front(Status::Granted)
    }

    /// Releases the claim of the receiver at `*next` on the message there and moves it on:
    /// the message, or why there is none.
    pub(super) fn take(&mut self, next: &mut u64) -> Result<T, TryRecvError>
    where
        T: Clone,
    {
        let oldest = self.oldest();
        if *next < oldest {
            let missed = oldest - *next;
            *next = oldest;
            return Err(TryRecvError::Lagged(missed));
        }
        if *next == self.tail {
            return Err(if self.senders == 0 {
                TryRecvError::Closed
            } else {
                TryRecvError::Empty
            });
        }
        let pos = *next;
        *next += 1;
        let slot = self.slot(pos);
        slot.claims -= 1;
        let value = if slot.claims == 0 {
            slot.value.take()
        } else {
            slot.value.clone()
        };
        Ok(value.expect("a claimed message stays in its slot until its last claim"))
    }

    /// Releases the claim of a receiver leaving at `next` on the message there, moving it
    /// on; returns the message if that was its last claim, for the caller to drop outside
    /// the cell. Call until `next` reaches the tail.
    pub(super) fn release_one(&mut self, next: &mut u64) -> Option<T> {
        *next = (*next).max(self.oldest());
        if *next == self.tail {
            return None;
        }
        let pos = *next;
        *next += 1;
        let slot = self.slot(pos);
        slot.claims -= 1;
        if slot.claims == 0 {
            slot.value.take()
        } else {
            None
        }
    }

    /// Messages sent that the receiver at `next` has not taken, overwritten ones included.
    pub(super) fn unseen(&self, next: u64) -> u64 {
        self.tail - next
    }

    /// One poll of a receive by the receiver at `*next` whose queue slot (once it has one)
    /// is `key`: the one place a broadcast receiver starts or keeps waiting.
    pub(super) fn poll_take(
        &mut self,
        next: &mut u64,
        key: &mut Option<Key>,
        waker: &Waker,
    ) -> Poll<Result<T, RecvError>>
    where
        T: Clone,
    {
        if let Some(k) = key {
            let still_waiting = self.waiters.status(k) == Status::Waiting;
            if still_waiting && *next == self.tail && self.senders > 0 {
                self.waiters.set_waker(k, waker);
                return Poll::Pending;
            }
            let k = key.take().expect("matched Some above");
            self.waiters.remove(k);
        }
        match self.take(next) {
            Ok(value) => Poll::Ready(Ok(value)),
            Err(TryRecvError::Lagged(missed)) => Poll::Ready(Err(RecvError::Lagged(missed))),
            Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError::Closed)),
            Err(TryRecvError::Empty) => {
                *key = Some(self.waiters.push(1, waker));
                Poll::Pending
            }
        }
    }

    /// Forgets a receive that was dropped while queued.
    pub(super) fn cancel(&mut self, key: Key) {
        // A wake-up goes to every waiter, so a dropped one has nothing to pass on.
        self.waiters.remove(key);
    }
}
