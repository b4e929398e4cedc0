//! [`Ring`]: one io_uring instance: its file descriptor, the submission and completion
//! rings mapped into this process, and the three system calls (`io_uring_setup`,
//! `io_uring_enter`, `io_uring_register`) through `syscall(2)`.
//!
//! The rings are shared memory: the kernel consumes submissions from the head of the
//! submission ring while this thread produces at its tail, and produces completions at
//! the tail of the completion ring while this thread consumes at its head. Each index is
//! written by one side only, published with a release store and read with an acquire
//! load, so an entry is complete before the other side sees the index move past it.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::abi::{self, Cqe, GeteventsArg, KernelTimespec, Params, Sqe};
use crate::sys::cvt;

/// The setup flags asked for, best first; a kernel that refuses one set (`EINVAL`) is
/// asked for the next. `SINGLE_ISSUER` (6.0) and `DEFER_TASKRUN` (6.1) let the kernel
/// run completion work only when this thread waits for it, with no locking for other
/// submitters; `COOP_TASKRUN` (5.19) spares the thread an interrupt per completion.
const SETUP_FLAG_SETS: [u32; 3] = [
    abi::SETUP_SINGLE_ISSUER
        | abi::SETUP_DEFER_TASKRUN
        | abi::SETUP_COOP_TASKRUN
        | abi::SETUP_SUBMIT_ALL,
    abi::SETUP_COOP_TASKRUN | abi::SETUP_SUBMIT_ALL,
    0,
];

/// One io_uring instance and its mapped rings. Owned by one thread.
#[derive(Debug)]
pub(crate) struct Ring {
    /// The ring's file descriptor; closing it tears the instance down.
    fd: OwnedFd,
    /// The mapping of the submission ring (and of the completion ring with
    /// `FEAT_SINGLE_MMAP`, which [`Ring::setup`] requires).
    _rings: Mapping,
    /// The mapping of the submission entries.
    _sqes_map: Mapping,
    /// The kernel's consumer index of the submission ring.
    sq_head: NonNull<AtomicU32>,
    /// Our producer index of the submission ring.
    sq_tail: NonNull<AtomicU32>,
    /// `IORING_SQ_*` flags.
    sq_flags: NonNull<AtomicU32>,
    /// Submission ring size minus one.
    sq_mask: u32,
    /// Submission ring size.
    sq_entries: u32,
    /// The submission entries.
    sqes: NonNull<Sqe>,
    /// Our copy of the submission tail (only this thread writes it).
    local_tail: u32,
    /// Entries pushed since the last `io_uring_enter` took them.
    unsubmitted: u32,
    /// Our consumer index of the completion ring.
    cq_head: NonNull<AtomicU32>,
    /// The kernel's producer index of the completion ring.
    cq_tail: NonNull<AtomicU32>,
    /// Completion ring size minus one.
    cq_mask: u32,
    /// The completion entries.
    cqes: NonNull<Cqe>,
    /// The setup flags the kernel accepted.
    setup_flags: u32,
    /// The features the kernel offers (`IORING_FEAT_*`).
    features: u32,
    /// `io_uring_enter` calls made (for tests and the benchmarks' system call counts).
    enters: u64,
}

impl Ring {
    /// `io_uring_setup` with `sq_entries` submission and `cq_entries` completion entries
    /// (clamped by the kernel to its limits), asking for the best [`SETUP_FLAG_SETS`]
    /// the kernel accepts, and maps the rings.
    ///
    /// # Errors
    /// `io_uring_setup`'s error (`ENOSYS`: no io_uring; `EPERM`: forbidden by
    /// `kernel.io_uring_disabled` or a seccomp filter; `ENOMEM`), or `mmap`'s; an
    /// `Unsupported` error if the kernel lacks the single mapping of both rings (5.4).
    pub(crate) fn setup(sq_entries: u32, cq_entries: u32) -> io::Result<Ring> {
        let mut last = io::Error::from_raw_os_error(libc::EINVAL);
        for flags in SETUP_FLAG_SETS {
            let mut params = Params {
                cq_entries,
                flags: flags | abi::SETUP_CQSIZE | abi::SETUP_CLAMP,
                ..Params::default()
            };
            // SAFETY: `params` is a live, writable `io_uring_params` the kernel reads and
            // fills in; a non-negative result is a new fd nobody else owns.
            let fd = unsafe {
                libc::syscall(
                    libc::SYS_io_uring_setup,
                    sq_entries,
                    &mut params as *mut Params,
                )
            };
            match cvt(fd) {
                Ok(fd) => {
                    // SAFETY: a fresh fd from io_uring_setup, owned by nobody else.
                    let fd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
                    return Ring::map(fd, &params);
                }
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// Maps the rings of the instance `fd` that `params` describes.
    fn map(fd: OwnedFd, params: &Params) -> io::Result<Ring> {
        if params.features & abi::FEAT_SINGLE_MMAP == 0 {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "io_uring without IORING_FEAT_SINGLE_MMAP (kernel before 5.4)",
            ));
        }
        let sq = &params.sq_off;
        let cq = &params.cq_off;
        let sq_size = sq.array as usize + params.sq_entries as usize * 4;
        let cq_size = cq.cqes as usize + params.cq_entries as usize * std::mem::size_of::<Cqe>();
        let rings = Mapping::new(&fd, sq_size.max(cq_size), abi::OFF_SQ_RING)?;
        let sqes_map = Mapping::new(
            &fd,
            params.sq_entries as usize * std::mem::size_of::<Sqe>(),
            abi::OFF_SQES,
        )?;
        let at = |offset: u32| rings.at::<AtomicU32>(offset as usize);
        // SAFETY: the offsets come from the kernel and lie inside the mapping.
        let (sq_mask, sq_entries, cq_mask) = unsafe {
            (
                *rings.at::<u32>(sq.ring_mask as usize).as_ptr(),
                *rings.at::<u32>(sq.ring_entries as usize).as_ptr(),
                *rings.at::<u32>(cq.ring_mask as usize).as_ptr(),
            )
        };
        let array = rings.at::<u32>(sq.array as usize);
        for i in 0..sq_entries {
            // SAFETY: the index array has `sq_entries` slots; the kernel reads it only
            // for entries published past the tail, and none is yet. Slot i names entry
            // i for good, so the entries are used in ring order.
            unsafe { array.as_ptr().add(i as usize).write(i) };
        }
        let sq_tail = at(sq.tail);
        // SAFETY: the tail is a live `u32` in the mapping; only this thread writes it.
        let local_tail = unsafe { sq_tail.as_ref() }.load(Ordering::Relaxed);
        Ok(Ring {
            sq_head: at(sq.head),
            sq_tail,
            sq_flags: at(sq.flags),
            sq_mask,
            sq_entries,
            sqes: sqes_map.at::<Sqe>(0),
            local_tail,
            unsubmitted: 0,
            cq_head: at(cq.head),
            cq_tail: at(cq.tail),
            cq_mask,
            cqes: rings.at::<Cqe>(cq.cqes as usize),
            setup_flags: params.flags,
            features: params.features,
            enters: 0,
            _rings: rings,
            _sqes_map: sqes_map,
            fd,
        })
    }

    /// The setup flags the kernel accepted (`IORING_SETUP_*`).
    pub(crate) fn setup_flags(&self) -> u32 {
        self.setup_flags
    }

    /// The features the kernel offers (`IORING_FEAT_*`).
    pub(crate) fn features(&self) -> u32 {
        self.features
    }

    /// `io_uring_enter` calls made so far.
    pub(crate) fn enters(&self) -> u64 {
        self.enters
    }

    /// Entries pushed that no `io_uring_enter` has taken yet.
    pub(crate) fn unsubmitted(&self) -> u32 {
        self.unsubmitted
    }

    /// Copies `sqe` into the submission ring and returns its position (for
    /// [`retract`](Ring::retract)); `None` if the ring is full (the caller submits and
    /// pushes again).
    pub(crate) fn push(&mut self, sqe: &Sqe) -> Option<u32> {
        // SAFETY: the head is a live `u32` in the mapping, written by the kernel.
        let head = unsafe { self.sq_head.as_ref() }.load(Ordering::Acquire);
        if self.local_tail.wrapping_sub(head) >= self.sq_entries {
            return None;
        }
        let position = self.local_tail;
        let index = (self.local_tail & self.sq_mask) as usize;
        // SAFETY: `index` < sq_entries, inside the entries' mapping; the slot is past the
        // kernel's head (it has consumed it), and not yet published by the tail.
        unsafe { self.sqes.as_ptr().add(index).write(*sqe) };
        self.local_tail = self.local_tail.wrapping_add(1);
        // SAFETY: the tail is a live `u32` in the mapping, written only by this thread;
        // the release store publishes the entry written above.
        unsafe { self.sq_tail.as_ref() }.store(self.local_tail, Ordering::Release);
        self.unsubmitted += 1;
        Some(position)
    }

    /// Turns the entry pushed at `position` into a no-op that posts nothing, if no
    /// `io_uring_enter` has taken it yet; returns whether it did. (Without `SQPOLL` the
    /// kernel reads the submission ring only inside `io_uring_enter`, so an entry past
    /// what the last call took is still ours to rewrite.)
    pub(crate) fn retract(&mut self, position: u32) -> bool {
        let first_unsubmitted = self.local_tail.wrapping_sub(self.unsubmitted);
        if position.wrapping_sub(first_unsubmitted) >= self.unsubmitted {
            return false;
        }
        let index = (position & self.sq_mask) as usize;
        let nop = Sqe {
            opcode: abi::OP_NOP,
            flags: abi::IOSQE_CQE_SKIP_SUCCESS,
            user_data: super::IGNORED,
            ..Sqe::default()
        };
        // SAFETY: `index` < sq_entries; the entry is published but not yet taken by
        // the kernel (checked above), and only this thread enters the ring.
        unsafe { self.sqes.as_ptr().add(index).write(nop) };
        true
    }

    /// Whether a completion in the ring, not yet reaped, satisfies `pred` (the ring is
    /// left as it is).
    pub(crate) fn peek_any(&self, pred: impl Fn(&Cqe) -> bool) -> bool {
        // SAFETY: as in `reap`.
        let (head, tail) = unsafe {
            (
                self.cq_head.as_ref().load(Ordering::Relaxed),
                self.cq_tail.as_ref().load(Ordering::Acquire),
            )
        };
        (0..tail.wrapping_sub(head)).any(|i| {
            let index = (head.wrapping_add(i) & self.cq_mask) as usize;
            // SAFETY: as in `reap`: between our head and the kernel's tail.
            pred(&unsafe { self.cqes.as_ptr().add(index).read() })
        })
    }

    /// Submits every pushed entry and, with `wait`, blocks until at least one completion
    /// is there or `timeout` passes (`None`: no limit). Without `wait` it still runs the
    /// kernel's pending completion work (`GETEVENTS` with no minimum), so that the
    /// completions that are due are in the ring when it returns.
    ///
    /// # Errors
    /// The OS error: `EINTR` (a signal), `ETIME` (the timeout passed, only reported when
    /// nothing was submitted), `EBUSY`/`EAGAIN` (the kernel is short of resources).
    pub(crate) fn enter(&mut self, wait: bool, timeout: Option<Duration>) -> io::Result<()> {
        let ts = timeout.map(|t| KernelTimespec {
            tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        let arg = GeteventsArg {
            ts: ts
                .as_ref()
                .map_or(0, |ts| ts as *const KernelTimespec as u64),
            ..GeteventsArg::default()
        };
        let min_complete: u32 = wait.into();
        let to_submit = self.unsubmitted;
        self.enters += 1;
        // SAFETY: `arg` (and the timespec it points to) live across the call; the size
        // passed is the argument's; the kernel reads the submission entries we published.
        let n = unsafe {
            libc::syscall(
                libc::SYS_io_uring_enter,
                self.fd.as_raw_fd(),
                to_submit,
                min_complete,
                abi::ENTER_GETEVENTS | abi::ENTER_EXT_ARG,
                &arg as *const GeteventsArg,
                std::mem::size_of::<GeteventsArg>(),
            )
        };
        let n = cvt(n)?;
        self.unsubmitted -= (n as u32).min(self.unsubmitted);
        Ok(())
    }

    /// Moves up to `max` completions from the ring into `out` (appended) and frees their
    /// slots; returns how many.
    pub(crate) fn reap(&mut self, out: &mut Vec<Cqe>, max: usize) -> usize {
        // SAFETY: both indices are live `u32`s in the mapping; the tail is the kernel's
        // (acquire: the entries before it are written), the head ours.
        let (head, tail) = unsafe {
            (
                self.cq_head.as_ref().load(Ordering::Relaxed),
                self.cq_tail.as_ref().load(Ordering::Acquire),
            )
        };
        let n = (tail.wrapping_sub(head) as usize).min(max);
        for i in 0..n {
            let index = (head.wrapping_add(i as u32) & self.cq_mask) as usize;
            // SAFETY: `index` <= cq_mask, inside the completion array; the entry lies
            // between our head and the kernel's tail, so the kernel has written it and
            // will not touch it until the head passes it.
            out.push(unsafe { self.cqes.as_ptr().add(index).read() });
        }
        // SAFETY: the head is ours; the release store hands the slots back after the
        // reads above.
        unsafe { self.cq_head.as_ref() }.store(head.wrapping_add(n as u32), Ordering::Release);
        n
    }

    /// Whether completions wait in the kernel's overflow list (the ring was full); the
    /// next `enter` moves them into the ring.
    pub(crate) fn overflowed(&self) -> bool {
        // SAFETY: a live `u32` in the mapping, written by the kernel.
        unsafe { self.sq_flags.as_ref() }.load(Ordering::Acquire) & abi::SQ_CQ_OVERFLOW != 0
    }

    /// Whether completions are in the ring, not yet reaped.
    pub(crate) fn has_completions(&self) -> bool {
        // SAFETY: as in `reap`.
        let (head, tail) = unsafe {
            (
                self.cq_head.as_ref().load(Ordering::Relaxed),
                self.cq_tail.as_ref().load(Ordering::Acquire),
            )
        };
        head != tail
    }

    /// `io_uring_register(opcode, arg, nr_args)`.
    ///
    /// # Safety
    /// `arg` must point to what `opcode` expects (`nr_args` of them), valid for the call
    /// (and, for the buffer ring, for as long as it stays registered).
    pub(crate) unsafe fn register(
        &self,
        opcode: u32,
        arg: *const libc::c_void,
        nr_args: u32,
    ) -> io::Result<()> {
        // SAFETY: the caller vouches for `arg`.
        let r = unsafe {
            libc::syscall(
                libc::SYS_io_uring_register,
                self.fd.as_raw_fd(),
                opcode,
                arg,
                nr_args,
            )
        };
        cvt(r).map(drop)
    }
}

/// A `MAP_SHARED` mapping of part of a ring's fd, unmapped on drop.
#[derive(Debug)]
struct Mapping {
    /// Start of the mapping.
    ptr: NonNull<u8>,
    /// Its length in bytes.
    len: usize,
}

impl Mapping {
    /// Maps `len` bytes of `fd` at `offset` (one of the `IORING_OFF_*`), prefaulted.
    fn new(fd: &OwnedFd, len: usize, offset: libc::off_t) -> io::Result<Mapping> {
        // SAFETY: a fresh shared mapping of the ring fd; the kernel checks `offset` and
        // `len` against the instance's sizes.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd.as_raw_fd(),
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mapping {
            ptr: NonNull::new(ptr.cast()).ok_or_else(io::Error::last_os_error)?,
            len,
        })
    }

    /// A pointer to a `T` at byte `offset` of the mapping.
    fn at<T>(&self, offset: usize) -> NonNull<T> {
        debug_assert!(offset + std::mem::size_of::<T>() <= self.len);
        // SAFETY: the offset lies inside the mapping (checked in debug builds; the
        // callers pass the kernel's offsets).
        unsafe { self.ptr.add(offset).cast() }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by `Mapping::new` with this length and is unmapped
        // once; nothing points into it past the `Ring` that owns it.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ring, or `None` (said on stderr) where the kernel refuses io_uring.
    fn ring(sq: u32, cq: u32) -> Option<Ring> {
        match Ring::setup(sq, cq) {
            Ok(ring) => Some(ring),
            Err(e) => {
                eprintln!("skipped: io_uring_setup: {e}");
                None
            }
        }
    }

    #[test]
    fn a_nop_goes_round_the_rings() {
        let Some(mut ring) = ring(8, 16) else {
            return;
        };
        let sqe = Sqe {
            opcode: abi::OP_NOP,
            user_data: 42,
            ..Sqe::default()
        };
        assert!(ring.push(&sqe).is_some());
        assert_eq!(ring.unsubmitted(), 1);
        ring.enter(true, Some(Duration::from_secs(5))).unwrap();
        assert_eq!(ring.unsubmitted(), 0);
        let mut out = Vec::new();
        assert_eq!(ring.reap(&mut out, 16), 1);
        assert_eq!(out[0].user_data, 42);
        assert_eq!(out[0].res, 0);
        assert!(!ring.has_completions());
    }

    #[test]
    fn a_full_submission_ring_refuses_the_next_entry() {
        let Some(mut ring) = ring(4, 16) else {
            return;
        };
        let sqe = Sqe {
            opcode: abi::OP_NOP,
            ..Sqe::default()
        };
        let entries = ring.sq_entries;
        for _ in 0..entries {
            assert!(ring.push(&sqe).is_some());
        }
        assert!(ring.push(&sqe).is_none());
        ring.enter(false, None).unwrap();
        assert!(
            ring.push(&sqe).is_some(),
            "submitted entries free their slots"
        );
    }

    #[test]
    fn an_entry_not_yet_submitted_can_be_retracted() {
        let Some(mut ring) = ring(8, 16) else {
            return;
        };
        let nop = |user_data| Sqe {
            opcode: abi::OP_NOP,
            user_data,
            ..Sqe::default()
        };
        let kept = ring.push(&nop(1)).unwrap();
        let gone = ring.push(&nop(2)).unwrap();
        assert!(ring.retract(gone));
        ring.enter(true, Some(Duration::from_secs(5))).unwrap();
        assert!(!ring.retract(kept), "taken by the kernel already");
        assert!(ring.peek_any(|c| c.user_data == 1));
        let mut out = Vec::new();
        ring.reap(&mut out, 16);
        assert_eq!(out.iter().map(|c| c.user_data).collect::<Vec<_>>(), [1]);
        assert!(!ring.peek_any(|_| true));
    }

    #[test]
    fn a_timed_wait_with_nothing_to_do_reports_etime() {
        let Some(mut ring) = ring(4, 16) else {
            return;
        };
        let start = std::time::Instant::now();
        let err = ring
            .enter(true, Some(Duration::from_millis(2)))
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ETIME));
        assert!(start.elapsed() >= Duration::from_millis(2));
    }
}
