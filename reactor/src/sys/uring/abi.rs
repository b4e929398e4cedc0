//! The kernel's io_uring interface, as `<linux/io_uring.h>` declares it: the structures
//! shared with the kernel (parameters, ring offsets, submission and completion entries,
//! the buffer ring) and the constants this backend uses. The `libc` crate has only the
//! system call numbers, so the layouts are written here, each checked against its size
//! in the kernel's header by a test.

/// `struct io_sqring_offsets`: where each field of the submission ring lies in its mapping.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct SqOffsets {
    /// The kernel's consumer index.
    pub(crate) head: u32,
    /// Our producer index.
    pub(crate) tail: u32,
    /// `entries - 1`.
    pub(crate) ring_mask: u32,
    /// Number of entries.
    pub(crate) ring_entries: u32,
    /// `IORING_SQ_*` flags the kernel sets (e.g. `IORING_SQ_CQ_OVERFLOW`).
    pub(crate) flags: u32,
    /// Entries the kernel dropped as invalid.
    pub(crate) dropped: u32,
    /// The index array: slot `i` names the entry the kernel takes `i`-th.
    pub(crate) array: u32,
    /// Reserved.
    pub(crate) resv1: u32,
    /// For `IORING_SETUP_NO_MMAP` only.
    pub(crate) user_addr: u64,
}

/// `struct io_cqring_offsets`: where each field of the completion ring lies.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct CqOffsets {
    /// Our consumer index.
    pub(crate) head: u32,
    /// The kernel's producer index.
    pub(crate) tail: u32,
    /// `entries - 1`.
    pub(crate) ring_mask: u32,
    /// Number of entries.
    pub(crate) ring_entries: u32,
    /// Completions that did not fit (counted; kept by the kernel with `IORING_FEAT_NODROP`).
    pub(crate) overflow: u32,
    /// The completion entries' array.
    pub(crate) cqes: u32,
    /// `IORING_CQ_*` flags.
    pub(crate) flags: u32,
    /// Reserved.
    pub(crate) resv1: u32,
    /// For `IORING_SETUP_NO_MMAP` only.
    pub(crate) user_addr: u64,
}

/// `struct io_uring_params`: what `io_uring_setup` is asked for and what it answers.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Params {
    /// Submission ring size (rounded up to a power of two by the kernel).
    pub(crate) sq_entries: u32,
    /// Completion ring size (with `IORING_SETUP_CQSIZE`, asked; else twice `sq_entries`).
    pub(crate) cq_entries: u32,
    /// `IORING_SETUP_*`.
    pub(crate) flags: u32,
    /// For `IORING_SETUP_SQ_AFF`.
    pub(crate) sq_thread_cpu: u32,
    /// For `IORING_SETUP_SQPOLL`.
    pub(crate) sq_thread_idle: u32,
    /// `IORING_FEAT_*` the kernel offers (written by the kernel).
    pub(crate) features: u32,
    /// For `IORING_SETUP_ATTACH_WQ`.
    pub(crate) wq_fd: u32,
    /// Reserved.
    pub(crate) resv: [u32; 3],
    /// The submission ring's layout (written by the kernel).
    pub(crate) sq_off: SqOffsets,
    /// The completion ring's layout (written by the kernel).
    pub(crate) cq_off: CqOffsets,
}

/// `struct io_uring_sqe`: one submission, 64 bytes. The kernel's unions are flattened to
/// the one member each of them this backend uses.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Sqe {
    /// `IORING_OP_*`.
    pub(crate) opcode: u8,
    /// `IOSQE_*`.
    pub(crate) flags: u8,
    /// For send and receive: `IORING_RECVSEND_*`.
    pub(crate) ioprio: u16,
    /// The file descriptor operated on.
    pub(crate) fd: i32,
    /// Offset (unused by the socket operations).
    pub(crate) off: u64,
    /// Buffer address; for `POLL_REMOVE` and `ASYNC_CANCEL`, the target's user data.
    pub(crate) addr: u64,
    /// Buffer length; for `POLL_ADD`, `IORING_POLL_*` flags.
    pub(crate) len: u32,
    /// The operation's flags: poll events, `msg_flags`, cancel flags.
    pub(crate) op_flags: u32,
    /// Handed back in the completion.
    pub(crate) user_data: u64,
    /// With `IOSQE_BUFFER_SELECT`: the buffer group to pick from.
    pub(crate) buf_group: u16,
    /// Credentials to use (0: the submitter's).
    pub(crate) personality: u16,
    /// Unused here.
    pub(crate) file_index: u32,
    /// Unused here.
    pub(crate) addr3: u64,
    /// Padding to 64 bytes.
    pub(crate) pad: u64,
}

/// `struct io_uring_cqe`: one completion, 16 bytes.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cqe {
    /// The submission's `user_data`.
    pub(crate) user_data: u64,
    /// The result: what the system call would return, or `-errno`.
    pub(crate) res: i32,
    /// `IORING_CQE_F_*`; the buffer id in the upper 16 bits.
    pub(crate) flags: u32,
}

/// `struct io_uring_getevents_arg`: the extended argument of `io_uring_enter` with
/// `IORING_ENTER_EXT_ARG`, which carries the wait's timeout.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct GeteventsArg {
    /// Signal mask to wait with (0: unchanged).
    pub(crate) sigmask: u64,
    /// Its size.
    pub(crate) sigmask_sz: u32,
    /// `min_wait_usec` on kernels that have it; 0 otherwise.
    pub(crate) pad: u32,
    /// Pointer to a `__kernel_timespec` (0: wait without a timeout).
    pub(crate) ts: u64,
}

/// The kernel's `struct __kernel_timespec`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KernelTimespec {
    /// Whole seconds.
    pub(crate) tv_sec: i64,
    /// Nanoseconds, below 1e9.
    pub(crate) tv_nsec: i64,
}

/// `struct io_uring_probe` with room for every operation number: which operations the
/// kernel supports.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub(crate) struct Probe {
    /// The highest operation number the kernel knows.
    pub(crate) last_op: u8,
    /// How many entries of `ops` the kernel filled.
    pub(crate) ops_len: u8,
    /// Reserved.
    pub(crate) resv: u16,
    /// Reserved.
    pub(crate) resv2: [u32; 3],
    /// One entry per operation number.
    pub(crate) ops: [ProbeOp; PROBE_OPS],
}

/// `struct io_uring_probe_op`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct ProbeOp {
    /// The operation number.
    pub(crate) op: u8,
    /// Reserved.
    pub(crate) resv: u8,
    /// `IO_URING_OP_SUPPORTED` if the kernel has it.
    pub(crate) flags: u16,
    /// Reserved.
    pub(crate) resv2: u32,
}

/// Entries in [`Probe::ops`]: every possible operation number.
pub(crate) const PROBE_OPS: usize = 256;

/// `struct io_uring_buf_reg`: registers a provided-buffer ring.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct BufReg {
    /// The ring's address (page aligned).
    pub(crate) ring_addr: u64,
    /// Its number of entries (a power of two).
    pub(crate) ring_entries: u32,
    /// The buffer group id receives name with `buf_group`.
    pub(crate) bgid: u16,
    /// `IOU_PBUF_RING_*`.
    pub(crate) flags: u16,
    /// Reserved.
    pub(crate) resv: [u64; 3],
}

/// `struct io_uring_buf`: one entry of a provided-buffer ring. Entry 0's `resv` field is
/// the ring's tail.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct Buf {
    /// The buffer's address.
    pub(crate) addr: u64,
    /// Its length.
    pub(crate) len: u32,
    /// Its id, reported in the completion's flags.
    pub(crate) bid: u16,
    /// Reserved (entry 0: the tail).
    pub(crate) resv: u16,
}

// Operations (`enum io_uring_op`).
/// `IORING_OP_NOP`.
pub(crate) const OP_NOP: u8 = 0;
/// `IORING_OP_POLL_ADD`.
pub(crate) const OP_POLL_ADD: u8 = 6;
/// `IORING_OP_POLL_REMOVE`.
pub(crate) const OP_POLL_REMOVE: u8 = 7;
/// `IORING_OP_ASYNC_CANCEL`.
pub(crate) const OP_ASYNC_CANCEL: u8 = 14;
/// `IORING_OP_SEND`.
pub(crate) const OP_SEND: u8 = 26;
/// `IORING_OP_RECV`.
pub(crate) const OP_RECV: u8 = 27;
/// `IORING_OP_SEND_ZC` (6.0), probed only as the marker of a kernel whose receives honour
/// `IORING_RECVSEND_POLL_FIRST` and whose sends honour `MSG_WAITALL` (both 5.19–6.0).
pub(crate) const OP_SEND_ZC: u8 = 47;

// Submission flags (`IOSQE_*`).
/// Pick the receive buffer from the submission's buffer group.
pub(crate) const IOSQE_BUFFER_SELECT: u8 = 1 << 5;
/// Post no completion if the operation succeeds.
pub(crate) const IOSQE_CQE_SKIP_SUCCESS: u8 = 1 << 6;

// Setup flags (`IORING_SETUP_*`).
/// `cq_entries` is given.
pub(crate) const SETUP_CQSIZE: u32 = 1 << 3;
/// Clamp oversized ring sizes instead of failing.
pub(crate) const SETUP_CLAMP: u32 = 1 << 4;
/// Keep submitting after a submission fails.
pub(crate) const SETUP_SUBMIT_ALL: u32 = 1 << 7;
/// Do not interrupt the thread to run completions' task work.
pub(crate) const SETUP_COOP_TASKRUN: u32 = 1 << 8;
/// Only the creating thread submits.
pub(crate) const SETUP_SINGLE_ISSUER: u32 = 1 << 12;
/// Run completions' task work only when the thread waits for completions.
pub(crate) const SETUP_DEFER_TASKRUN: u32 = 1 << 13;

// Features (`IORING_FEAT_*`).
/// One mapping holds both rings.
pub(crate) const FEAT_SINGLE_MMAP: u32 = 1 << 0;
/// Completions that do not fit in the ring are kept, never dropped.
pub(crate) const FEAT_NODROP: u32 = 1 << 1;
/// Submitted data is copied at submission (the kernel never rereads an SQE).
pub(crate) const FEAT_SUBMIT_STABLE: u32 = 1 << 2;
/// `io_uring_enter` takes a timeout (`IORING_ENTER_EXT_ARG`).
pub(crate) const FEAT_EXT_ARG: u32 = 1 << 8;
/// `IOSQE_CQE_SKIP_SUCCESS`; also marks multishot polls (5.13) as present.
pub(crate) const FEAT_CQE_SKIP: u32 = 1 << 11;

// `io_uring_enter` flags.
/// Wait for completions.
pub(crate) const ENTER_GETEVENTS: u32 = 1 << 0;
/// The last argument is a [`GeteventsArg`].
pub(crate) const ENTER_EXT_ARG: u32 = 1 << 3;

// `io_uring_register` opcodes.
/// `IORING_REGISTER_PROBE`.
pub(crate) const REGISTER_PROBE: u32 = 8;
/// `IORING_REGISTER_PBUF_RING`.
pub(crate) const REGISTER_PBUF_RING: u32 = 22;
/// `IORING_UNREGISTER_PBUF_RING`.
pub(crate) const UNREGISTER_PBUF_RING: u32 = 23;

/// `IO_URING_OP_SUPPORTED`.
pub(crate) const OP_SUPPORTED: u16 = 1;

// mmap offsets.
/// The submission ring (and, with `FEAT_SINGLE_MMAP`, the completion ring).
pub(crate) const OFF_SQ_RING: libc::off_t = 0;
/// The submission entries.
pub(crate) const OFF_SQES: libc::off_t = 0x1000_0000;

/// `IORING_SQ_CQ_OVERFLOW`: completions wait in the kernel's overflow list.
pub(crate) const SQ_CQ_OVERFLOW: u32 = 1 << 1;

// Completion flags (`IORING_CQE_F_*`).
/// The upper 16 bits of `flags` hold a provided buffer's id.
pub(crate) const CQE_F_BUFFER: u32 = 1 << 0;
/// The multishot request stays armed: more completions will come.
pub(crate) const CQE_F_MORE: u32 = 1 << 1;
/// A receive left more data in the socket.
pub(crate) const CQE_F_SOCK_NONEMPTY: u32 = 1 << 2;
/// Where the buffer id starts in `flags`.
pub(crate) const CQE_BUFFER_SHIFT: u32 = 16;

/// `IORING_POLL_ADD_MULTI`: the poll stays armed after each event (edge-triggered unless
/// `IORING_POLL_ADD_LEVEL`).
pub(crate) const POLL_ADD_MULTI: u32 = 1 << 0;

/// `IORING_RECVSEND_POLL_FIRST`: wait for readiness before the first attempt.
pub(crate) const RECVSEND_POLL_FIRST: u16 = 1 << 0;

/// `IORING_ASYNC_CANCEL_ALL`: cancel every request matching, not just the first.
pub(crate) const ASYNC_CANCEL_ALL: u32 = 1 << 0;
/// `IORING_ASYNC_CANCEL_ANY`: match any request.
pub(crate) const ASYNC_CANCEL_ANY: u32 = 1 << 2;

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn layouts_match_the_kernel_header() {
        assert_eq!(size_of::<SqOffsets>(), 40);
        assert_eq!(size_of::<CqOffsets>(), 40);
        assert_eq!(size_of::<Params>(), 120);
        assert_eq!(size_of::<Sqe>(), 64);
        assert_eq!(size_of::<Cqe>(), 16);
        assert_eq!(size_of::<GeteventsArg>(), 24);
        assert_eq!(size_of::<BufReg>(), 40);
        assert_eq!(size_of::<Buf>(), 16);
        assert_eq!(size_of::<ProbeOp>(), 8);
        assert_eq!(size_of::<Probe>(), 16 + 8 * PROBE_OPS);
        assert_eq!(std::mem::offset_of!(Sqe, user_data), 32);
        assert_eq!(std::mem::offset_of!(Sqe, buf_group), 40);
        assert_eq!(std::mem::offset_of!(Buf, resv), 14);
    }
}
