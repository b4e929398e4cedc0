//! `WakeList`: one waker per child of a large join, all in one allocation, so the join
//! polls only the children that were woken.
//!
//! Polling every child on every wake would make `gather_all` of n tasks cost O(n²).
//! Instead child `i` gets a waker pointing at `slots[i]`; waking it records `i` in the
//! ready list and wakes the join's own task. The wakers share the list's `Arc` count, so
//! cloning one allocates nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::ref_waker::{self, RefCountedWake};

/// The shared state of a join's child wakers.
pub(crate) struct WakeList {
    /// Child `i`'s waker points at `slots[i]`.
    slots: Box<[Slot]>,
    /// Indices of children woken since the join last looked.
    ready: Mutex<Vec<u32>>,
    /// The waker of the task that awaits the join.
    parent: Mutex<Option<Waker>>,
}

/// What one child's waker points at.
struct Slot {
    /// The list this slot belongs to (valid while any waker or the join holds the `Arc`).
    list: *const WakeList,
    /// This child's index.
    index: u32,
    /// Already in `ready`: further wakes are no-ops until the join polls the child.
    queued: AtomicBool,
}

// SAFETY: `Slot::list` points at the `WakeList` that contains the slot, kept alive by the
// `Arc` count that every waker and the join own; everything else is `Sync` already.
unsafe impl Send for WakeList {}
// SAFETY: as above.
unsafe impl Sync for WakeList {}

/// The vtable of child wakers.
static VTABLE: RawWakerVTable = ref_waker::vtable::<ChildWaker>();

impl WakeList {
    /// A list for `n` children, all initially ready (each must be polled once).
    pub(crate) fn new(n: usize) -> Arc<WakeList> {
        let n32 = u32::try_from(n).expect("evloop join: more than u32::MAX futures");
        Arc::new_cyclic(|weak| {
            let list = weak.as_ptr();
            WakeList {
                slots: (0..n32)
                    .map(|index| Slot {
                        list,
                        index,
                        queued: AtomicBool::new(true),
                    })
                    .collect(),
                ready: Mutex::new((0..n32).collect()),
                parent: Mutex::new(None),
            }
        })
    }

    /// Records the waker to call when any child wakes.
    pub(crate) fn set_parent(&self, waker: &Waker) {
        let mut parent = self.parent.lock().unwrap_or_else(PoisonError::into_inner);
        match &*parent {
            Some(old) if old.will_wake(waker) => {}
            _ => *parent = Some(waker.clone()),
        }
    }

    /// Swaps the ready indices into `out` (which must be empty), reusing its allocation.
    pub(crate) fn take_ready(&self, out: &mut Vec<u32>) {
        debug_assert!(out.is_empty());
        let mut ready = self.ready.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::swap(&mut *ready, out);
    }

    /// Re-arms child `index` (about to be polled) and returns its waker, borrowed from the
    /// caller's `Arc`: wrap it in `ManuallyDrop`.
    pub(crate) fn child_waker(self: &Arc<Self>, index: u32) -> Waker {
        let slot = &self.slots[index as usize];
        slot.queued.store(false, Ordering::Release);
        // SAFETY: the data pointer is a slot of this list, and the vtable functions treat
        // it as such; the caller's `Arc` outlives the borrowed waker.
        unsafe { Waker::from_raw(RawWaker::new(std::ptr::from_ref(slot).cast(), &VTABLE)) }
    }
}

/// The slot behind a child waker.
///
/// # Safety
/// `data` must come from a live child waker (built by `child_waker` from a slot of a live
/// list), and the slot must not be used after that waker's count is released.
unsafe fn slot<'a>(data: *const ()) -> &'a Slot {
    // SAFETY: as the caller promises, `data` points at a slot of a live list.
    unsafe { &*data.cast::<Slot>() }
}

/// A join child's waker: its data is a `Slot`, counted by the list's `Arc`.
struct ChildWaker;

// SAFETY: `VTABLE` is `ref_waker::vtable::<ChildWaker>()` in a static, and only
// `child_waker` makes wakers with it, from slots of a list that the waker keeps alive.
unsafe impl RefCountedWake for ChildWaker {
    const VTABLE: &'static RawWakerVTable = &VTABLE;

    unsafe fn retain(data: *const ()) {
        // SAFETY: the waker being cloned holds or borrows a count, so the list is alive.
        unsafe { Arc::increment_strong_count(slot(data).list) };
    }

    unsafe fn release(data: *const ()) {
        // SAFETY: this waker owned one count; the slot is read before it is released.
        unsafe { Arc::decrement_strong_count(slot(data).list) };
    }

    /// Marks the child ready and wakes the join.
    unsafe fn wake_by_ref(data: *const ()) {
        // SAFETY: the waker is alive for this call.
        let slot = unsafe { slot(data) };
        if slot.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        // SAFETY: the list outlives this call (the waker holds or borrows a count).
        let list = unsafe { &*slot.list };
        list.ready
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(slot.index);
        let parent = list
            .parent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::ManuallyDrop;

    #[test]
    fn all_children_start_ready() {
        let list = WakeList::new(3);
        let mut ready = Vec::new();
        list.take_ready(&mut ready);
        assert_eq!(ready, vec![0, 1, 2]);
    }

    #[test]
    fn a_child_is_queued_once_until_repolled() {
        let list = WakeList::new(2);
        let mut ready = Vec::new();
        list.take_ready(&mut ready);
        ready.clear();
        let waker = ManuallyDrop::new(list.child_waker(1));
        let owned = (*waker).clone();
        owned.wake_by_ref();
        owned.wake_by_ref();
        list.take_ready(&mut ready);
        assert_eq!(ready, vec![1]);
        drop(owned);
        assert_eq!(Arc::strong_count(&list), 1, "clones release their count");
    }

    #[test]
    fn wakes_from_other_threads_arrive() {
        let list = WakeList::new(4);
        let mut ready = Vec::new();
        list.take_ready(&mut ready);
        ready.clear();
        let wakers: Vec<Waker> = (0..4)
            .map(|i| (*ManuallyDrop::new(list.child_waker(i))).clone())
            .collect();
        let threads: Vec<_> = wakers
            .into_iter()
            .map(|w| std::thread::spawn(move || w.wake()))
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        list.take_ready(&mut ready);
        ready.sort_unstable();
        assert_eq!(ready, vec![0, 1, 2, 3]);
        assert_eq!(Arc::strong_count(&list), 1);
    }
}
