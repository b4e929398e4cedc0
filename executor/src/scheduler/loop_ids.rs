//! Loop ids: a process-wide table of live loops, so that a task header names its loop in
//! two bytes.
//!
//! A waker on another thread must find its task's loop (to reach the injection queue), and
//! a freed task must release the hold it has on that loop's `Remote`. Storing an 8-byte
//! pointer in each header would cost a million idle tasks 8 MB; instead each loop's
//! `Remote` takes a 16-bit id here when it is created and gives it back when it is
//! dropped, and headers store the id.
//!
//! The id stays valid for as long as anything can use it: every task holds a strong
//! count of its `Remote`, so the `Remote` (and with it the id) outlives every task and
//! waker that carries its id. An id is reused only after that.
//!
//! At most 65,536 `Remote`s may be alive at once. Each belongs to a loop that owns an
//! epoll fd and an eventfd, so a process meets its fd limit long before this one.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

/// How many loops can be registered at once.
const CAPACITY: usize = 1 << 16;

/// Id → `Remote` (type-erased; see `LoopId`). Zero-initialized, so untouched
/// pages of it cost no memory.
static SLOTS: [AtomicPtr<()>; CAPACITY] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; CAPACITY];

/// Which indices are free: `next` has never been handed out, `free` came back.
struct FreeList {
    /// The lowest index never handed out.
    next: usize,
    /// Indices given back, reused first (lowest memory footprint of `SLOTS`).
    free: Vec<u16>,
}

/// Guards the free list; taken only when a loop is created or its `Remote` dropped.
static FREE: Mutex<FreeList> = Mutex::new(FreeList {
    next: 0,
    free: Vec::new(),
});

/// One loop's entry in the table, cleared when this is dropped (with the `Remote`).
#[derive(Debug)]
pub(crate) struct LoopId {
    /// The index headers store.
    index: u16,
}

impl LoopId {
    /// Registers `remote`, which must stay valid until the `LoopId` is dropped.
    ///
    /// # Panics
    /// If 65,536 loops are registered already.
    pub(crate) fn register(remote: *const ()) -> LoopId {
        let mut list = FREE.lock().unwrap_or_else(|e| e.into_inner());
        let index = match list.free.pop() {
            Some(index) => index,
            None => {
                assert!(
                    list.next < CAPACITY,
                    "evloop: more than {CAPACITY} event loops alive at once"
                );
                list.next += 1;
                (list.next - 1) as u16
            }
        };
        drop(list);
        SLOTS[usize::from(index)].store(remote.cast_mut(), Ordering::Release);
        LoopId { index }
    }

    /// The id to store in task headers.
    pub(crate) fn get(&self) -> u16 {
        self.index
    }
}

impl Drop for LoopId {
    fn drop(&mut self) {
        SLOTS[usize::from(self.index)].store(std::ptr::null_mut(), Ordering::Release);
        FREE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .free
            .push(self.index);
    }
}

/// The pointer registered under `index`.
///
/// # Safety
/// The caller must hold something that keeps that registration alive (a task of that
/// loop, which holds a strong count of its `Remote`); then the pointer is the one given to
/// `LoopId::register`, and valid.
pub(crate) unsafe fn lookup(index: u16) -> *const () {
    let ptr = SLOTS[usize::from(index)].load(Ordering::Acquire);
    debug_assert!(
        !ptr.is_null(),
        "evloop: a task outlived its loop's registration"
    );
    ptr
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn indices_are_reused_only_after_release() {
        let a_target = 1u8;
        let b_target = 2u8;
        let a = LoopId::register((&a_target as *const u8).cast());
        let b = LoopId::register((&b_target as *const u8).cast());
        assert_ne!(a.get(), b.get());
        // SAFETY: both registrations are alive.
        unsafe {
            assert_eq!(lookup(a.get()), (&a_target as *const u8).cast());
            assert_eq!(lookup(b.get()), (&b_target as *const u8).cast());
        }
        drop(a);
        // Other tests register loops concurrently, so the index `a` gave back may have
        // gone to one of them; whichever index `c` gets, it is not the one `b` holds.
        let c = LoopId::register((&a_target as *const u8).cast());
        assert_ne!(c.get(), b.get());
        // SAFETY: `c` is alive.
        let found = unsafe { lookup(c.get()) };
        assert_eq!(found, (&a_target as *const u8).cast());
    }
}
