//! The FIFO queue of waiting futures that every primitive of this crate shares.
//!
//! Waiters live in a slab (`Vec<Slot>`) and are linked into a doubly linked list by index,
//! so pushing, unlinking any waiter and popping the head are O(1) and, once the slab has
//! grown to the largest number of simultaneous waiters, allocate nothing. No pointers, no
//! pinning, no `unsafe`: a waiting future holds only its [`Key`], and the futures built on
//! it are `Unpin`.
//!
//! A waiter's life: [`push`](WaitQueue::push) (status `Waiting`, linked) → the primitive pops
//! it with [`pop_front`](WaitQueue::pop_front), marking it `Granted` (it now owns what it
//! waited for) or `Closed` → the future sees the status on its next poll and
//! [`remove`](WaitQueue::remove)s its slot. A future dropped before that removes its slot in
//! its `Drop` and, if the slot was `Granted`, hands the grant back to the primitive, which
//! passes it on: nothing is lost.

use std::task::Waker;

/// "No slot": the end of a list.
const NIL: usize = usize::MAX;

/// Where a waiter stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Linked in the queue, waiting for its turn.
    Waiting,
    /// Taken off the queue and given what it asked for; it owns that grant now.
    Granted,
    /// Taken off the queue because the primitive closed; it got nothing.
    Closed,
}

/// The slab index of one waiter. Not `Clone`: the one future that pushed the waiter owns
/// the key and gives it back exactly once, to [`WaitQueue::remove`].
#[derive(Debug)]
pub(crate) struct Key(usize);

/// One slab entry: a waiter, or a free slot on the free list.
#[derive(Debug)]
struct Slot {
    /// The waiter before this one in FIFO order (`NIL` at the head); meaningful while
    /// `Waiting`.
    prev: usize,
    /// The waiter after this one (`NIL` at the tail) while `Waiting`; the next free slot
    /// while free.
    next: usize,
    /// What the waiter asks for: a number of permits for a semaphore, 1 elsewhere.
    want: usize,
    /// The waker of the task to wake when the waiter is popped; taken by the pop.
    waker: Option<Waker>,
    /// `None` while the slot is free.
    status: Option<Status>,
}

/// A FIFO of waiters in a slab; see the module docs.
#[derive(Debug)]
pub(crate) struct WaitQueue {
    /// Every slot ever used; it grows to the peak number of simultaneous waiters.
    slots: Vec<Slot>,
    /// The oldest `Waiting` waiter.
    head: usize,
    /// The newest `Waiting` waiter.
    tail: usize,
    /// The first free slot, or `NIL`.
    free: usize,
}

impl WaitQueue {
    /// An empty queue; allocates nothing until the first push.
    pub(crate) const fn new() -> WaitQueue {
        WaitQueue {
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
        }
    }

    /// Whether no waiter is `Waiting`.
    pub(crate) fn is_empty(&self) -> bool {
        self.head == NIL
    }

    /// What the oldest waiting waiter asks for, if any waits.
    pub(crate) fn front_want(&self) -> Option<usize> {
        (self.head != NIL).then(|| self.slots[self.head].want)
    }

    /// Whether `key`'s waiter is the oldest one waiting.
    pub(crate) fn is_front(&self, key: &Key) -> bool {
        self.head == key.0
    }

    /// Queues a waiter at the back, asking for `want`, to be woken through `waker`.
    pub(crate) fn push(&mut self, want: usize, waker: &Waker) -> Key {
        let slot = Slot {
            prev: self.tail,
            next: NIL,
            want,
            waker: Some(waker.clone()),
            status: Some(Status::Waiting),
        };
        let index = if self.free != NIL {
            let index = self.free;
            self.free = self.slots[index].next;
            self.slots[index] = slot;
            index
        } else {
            self.slots.push(slot);
            self.slots.len() - 1
        };
        if self.tail == NIL {
            self.head = index;
        } else {
            self.slots[self.tail].next = index;
        }
        self.tail = index;
        Key(index)
    }

    /// Where `key`'s waiter stands.
    pub(crate) fn status(&self, key: &Key) -> Status {
        self.slots[key.0]
            .status
            .expect("a waiter's key always names a used slot")
    }

    /// Keeps `waker` as the one to wake for a still `Waiting` waiter, cloning it only if
    /// it would wake a different task than the one stored.
    pub(crate) fn set_waker(&mut self, key: &Key, waker: &Waker) {
        let slot = &mut self.slots[key.0];
        match &slot.waker {
            Some(stored) if stored.will_wake(waker) => {}
            _ => slot.waker = Some(waker.clone()),
        }
    }

    /// Takes the oldest waiting waiter off the queue, marks it `to` (`Granted` or `Closed`)
    /// and returns its waker, for the caller to wake (best after releasing its lock).
    pub(crate) fn pop_front(&mut self, to: Status) -> Option<Waker> {
        debug_assert_ne!(to, Status::Waiting);
        if self.head == NIL {
            return None;
        }
        let index = self.head;
        self.unlink(index);
        let slot = &mut self.slots[index];
        slot.status = Some(to);
        slot.waker.take()
    }

    /// Frees `key`'s slot, unlinking the waiter if it still waits, and says where it stood.
    pub(crate) fn remove(&mut self, key: Key) -> Status {
        let status = self.status(&key);
        if status == Status::Waiting {
            self.unlink(key.0);
        }
        let slot = &mut self.slots[key.0];
        slot.status = None;
        slot.waker = None;
        slot.next = self.free;
        self.free = key.0;
        status
    }

    /// Unlinks the waiting waiter at `index` from the FIFO.
    fn unlink(&mut self, index: usize) {
        let (prev, next) = (self.slots[index].prev, self.slots[index].next);
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next].prev = prev;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    fn waker() -> Waker {
        Waker::from(Arc::new(Noop))
    }

    #[test]
    fn pops_in_push_order_and_skips_removed_waiters() {
        let w = waker();
        let mut q = WaitQueue::new();
        let a = q.push(1, &w);
        let b = q.push(2, &w);
        let c = q.push(3, &w);
        assert!(q.is_front(&a));
        assert_eq!(q.remove(b), Status::Waiting);
        assert!(q.pop_front(Status::Granted).is_some());
        assert_eq!(q.status(&a), Status::Granted);
        assert_eq!(q.front_want(), Some(3));
        assert!(q.pop_front(Status::Closed).is_some());
        assert_eq!(q.status(&c), Status::Closed);
        assert!(q.is_empty());
        assert!(q.pop_front(Status::Granted).is_none());
        assert_eq!(q.remove(a), Status::Granted);
        assert_eq!(q.remove(c), Status::Closed);
    }

    #[test]
    fn reuses_freed_slots_instead_of_growing() {
        let w = waker();
        let mut q = WaitQueue::new();
        for _ in 0..1000 {
            let a = q.push(1, &w);
            let b = q.push(1, &w);
            q.remove(b);
            q.remove(a);
        }
        assert_eq!(q.slots.len(), 2);
        assert!(q.is_empty());
    }

    #[test]
    fn removing_the_middle_keeps_both_neighbours_linked() {
        let w = waker();
        let mut q = WaitQueue::new();
        let keys: Vec<Key> = (0..5).map(|i| q.push(i, &w)).collect();
        let mut keys = keys.into_iter();
        let k0 = keys.next().unwrap();
        let k1 = keys.next().unwrap();
        let k2 = keys.next().unwrap();
        let k3 = keys.next().unwrap();
        let k4 = keys.next().unwrap();
        q.remove(k2);
        q.remove(k4);
        q.remove(k0);
        let mut order = Vec::new();
        while let Some(want) = q.front_want() {
            order.push(want);
            q.pop_front(Status::Granted);
        }
        assert_eq!(order, [1, 3]);
        q.remove(k1);
        q.remove(k3);
        let again = q.push(9, &w);
        assert!(q.is_front(&again));
    }
}
