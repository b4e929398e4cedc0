//! [`BufRing`]: the receive buffers the runtime owns, lent to the kernel through a
//! provided-buffer ring (`IORING_REGISTER_PBUF_RING`).
//!
//! A receive submitted with `IOSQE_BUFFER_SELECT` names no buffer: when data arrives the
//! kernel takes the next buffer from this ring, fills it, and reports its id in the
//! completion. From then on the buffer is ours (the kernel never touches it again) until
//! [`BufRing::give_back`] puts it at the ring's tail. So an idle connection with a
//! receive armed holds no memory; only data that arrived and was not yet read does.
//!
//! The ring and the buffers are anonymous mappings, never moved and never freed while
//! the ring is registered: [`BufRing::unregister`] must run (or the io_uring instance be
//! gone) before the memory is unmapped, which [`Drop`] of the backend arranges.

#![allow(unsafe_code)]

use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU16, Ordering};

use super::abi::{self, Buf, BufReg};
use super::ring::Ring;

/// The buffer group id of the ring (one ring per io_uring instance).
pub(crate) const GROUP: u16 = 0;

/// The provided-buffer ring and its buffers.
#[derive(Debug)]
pub(crate) struct BufRing {
    /// The ring of [`Buf`] entries the kernel takes buffers from.
    entries: NonNull<Buf>,
    /// The buffers, `count * size` bytes.
    memory: NonNull<u8>,
    /// Number of buffers (= ring entries, a power of two).
    count: u16,
    /// Bytes per buffer.
    size: u32,
    /// Our copy of the ring's tail (the kernel only reads it).
    tail: u16,
    /// Whether the ring is registered with an io_uring instance.
    registered: bool,
}

impl BufRing {
    /// `count` buffers (a power of two, at most 32768) of `size` bytes each, every one
    /// in the ring, registered with `ring` as group [`GROUP`].
    ///
    /// # Errors
    /// `mmap`'s error, or `io_uring_register`'s (`EINVAL` before 5.19).
    pub(crate) fn new(ring: &Ring, count: u16, size: u32) -> io::Result<BufRing> {
        assert!(count.is_power_of_two() && count <= 32768);
        let entries = map_anonymous(usize::from(count) * std::mem::size_of::<Buf>())?.cast();
        let memory = match map_anonymous(usize::from(count) * size as usize) {
            Ok(m) => m,
            Err(e) => {
                // SAFETY: mapped just above with this length; nothing refers to it.
                unsafe {
                    unmap(
                        entries.cast(),
                        usize::from(count) * std::mem::size_of::<Buf>(),
                    )
                };
                return Err(e);
            }
        };
        let mut bufs = BufRing {
            entries,
            memory,
            count,
            size,
            tail: 0,
            registered: false,
        };
        for bid in 0..count {
            bufs.push(bid);
        }
        bufs.publish();
        let reg = BufReg {
            ring_addr: entries.as_ptr() as u64,
            ring_entries: u32::from(count),
            bgid: GROUP,
            ..BufReg::default()
        };
        // SAFETY: `reg` describes the page-aligned ring mapped above, which stays mapped
        // and in place until `unregister` (or the instance's end) releases it.
        unsafe { ring.register(abi::REGISTER_PBUF_RING, (&reg as *const BufReg).cast(), 1)? };
        bufs.registered = true;
        Ok(bufs)
    }

    /// Bytes per buffer: the most one receive delivers.
    pub(crate) fn size(&self) -> u32 {
        self.size
    }

    /// The first `len` bytes of buffer `bid`, which a completion handed to us.
    ///
    /// # Panics
    /// If `bid` or `len` is out of range.
    pub(crate) fn bytes(&self, bid: u16, offset: usize, len: usize) -> &[u8] {
        assert!(bid < self.count && offset + len <= self.size as usize);
        // SAFETY: inside the buffers' mapping (checked above). The kernel wrote the
        // buffer before posting the completion that gave it to us, and takes it again
        // only after `give_back` (which needs `&mut self`, so this borrow has ended).
        unsafe {
            std::slice::from_raw_parts(
                self.memory
                    .as_ptr()
                    .add(usize::from(bid) * self.size as usize + offset),
                len,
            )
        }
    }

    /// Returns buffer `bid` to the kernel.
    pub(crate) fn give_back(&mut self, bid: u16) {
        debug_assert!(bid < self.count);
        self.push(bid);
        self.publish();
    }

    /// Writes the ring entry for `bid` at our tail.
    fn push(&mut self, bid: u16) {
        let index = usize::from(self.tail & (self.count - 1));
        // SAFETY: the slot is inside the ring's mapping; slots at and past the published
        // tail are ours to write (the kernel reads only up to the tail). Writing the
        // fields one by one leaves entry 0's `resv` (the shared tail) alone.
        unsafe {
            let entry = self.entries.as_ptr().add(index);
            (&raw mut (*entry).addr).write(
                self.memory
                    .as_ptr()
                    .add(usize::from(bid) * self.size as usize) as u64,
            );
            (&raw mut (*entry).len).write(self.size);
            (&raw mut (*entry).bid).write(bid);
        }
        self.tail = self.tail.wrapping_add(1);
    }

    /// Publishes the tail (a release store, after the entries it covers).
    fn publish(&self) {
        // SAFETY: entry 0's `resv` is the ring's tail, a `u16` the kernel reads.
        let tail = unsafe { &*(&raw const (*self.entries.as_ptr()).resv).cast::<AtomicU16>() };
        tail.store(self.tail, Ordering::Release);
    }

    /// Unregisters the ring from `ring`: from then on the kernel takes no buffer from it.
    pub(crate) fn unregister(&mut self, ring: &Ring) {
        if self.registered {
            let reg = BufReg {
                bgid: GROUP,
                ..BufReg::default()
            };
            // SAFETY: `reg` lives across the call; it names the group registered above.
            let result = unsafe {
                ring.register(abi::UNREGISTER_PBUF_RING, (&reg as *const BufReg).cast(), 1)
            };
            self.registered = result.is_err();
        }
    }
}

impl Drop for BufRing {
    fn drop(&mut self) {
        if self.registered {
            // The kernel may still write into the buffers: leak them rather than free
            // memory it could touch. The backend's drop unregisters first, so this only
            // happens if unregistering failed.
            return;
        }
        // SAFETY: both mappings were made in `new` with these lengths, the ring is
        // unregistered, and no borrow of the buffers outlives `&self`.
        unsafe {
            unmap(
                self.entries.cast(),
                usize::from(self.count) * std::mem::size_of::<Buf>(),
            );
            unmap(self.memory, usize::from(self.count) * self.size as usize);
        }
    }
}

/// A private anonymous mapping of `len` bytes (page aligned, zeroed).
fn map_anonymous(len: usize) -> io::Result<NonNull<u8>> {
    // SAFETY: a fresh private anonymous mapping; no file, no fixed address.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    NonNull::new(ptr.cast()).ok_or_else(io::Error::last_os_error)
}

/// Unmaps a mapping made by [`map_anonymous`].
///
/// # Safety
/// `ptr` and `len` must be a mapping from `map_anonymous` that nothing uses any more.
unsafe fn unmap(ptr: NonNull<u8>, len: usize) {
    // SAFETY: the caller vouches for the mapping.
    unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
}
