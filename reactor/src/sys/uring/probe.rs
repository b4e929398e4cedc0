//! What the kernel's io_uring offers, and whether that is enough: the features
//! `io_uring_setup` reported and the operations `IORING_REGISTER_PROBE` lists.
//!
//! The backend needs, for readiness: the ring's completions never dropped
//! (`FEAT_NODROP`, 5.5), timed waits (`FEAT_EXT_ARG`, 5.11), `IOSQE_CQE_SKIP_SUCCESS`
//! (`FEAT_CQE_SKIP`, 5.17, which also dates the multishot polls of 5.13) and the poll
//! and cancel operations. The completion path of TCP streams also needs `RECV` and
//! `SEND`, receive buffers picked from a registered ring (5.19) and receives that wait
//! for readiness first (`IORING_RECVSEND_POLL_FIRST`, 5.19); `SEND_ZC` (6.0) stands
//! for the latter two, which no probe reports. A kernel that lacks the readiness set
//! gets epoll instead; one that lacks only the completion set gets io_uring readiness
//! for every fd, TCP streams included.

use super::abi::{self, Probe, ProbeOp};

/// The operations one io_uring instance supports, from `IORING_REGISTER_PROBE`.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Ops {
    /// `supported[op]`: the kernel supports operation `op`.
    supported: [bool; abi::PROBE_OPS],
}

impl Ops {
    /// Reads a filled-in probe.
    pub(crate) fn from_probe(probe: &Probe) -> Ops {
        let mut supported = [false; abi::PROBE_OPS];
        for op in &probe.ops[..usize::from(probe.ops_len)] {
            if op.flags & abi::OP_SUPPORTED != 0 {
                supported[usize::from(op.op)] = true;
            }
        }
        Ops { supported }
    }

    /// A probe with `ops` supported (for tests).
    #[cfg(test)]
    pub(crate) fn with(ops: &[u8]) -> Ops {
        let mut supported = [false; abi::PROBE_OPS];
        for &op in ops {
            supported[usize::from(op)] = true;
        }
        Ops { supported }
    }

    /// Whether `op` is supported.
    pub(crate) fn has(&self, op: u8) -> bool {
        self.supported[usize::from(op)]
    }
}

/// An empty probe for the kernel to fill.
pub(crate) fn empty_probe() -> Probe {
    Probe {
        last_op: 0,
        ops_len: 0,
        resv: 0,
        resv2: [0; 3],
        ops: [ProbeOp::default(); abi::PROBE_OPS],
    }
}

/// The features (and their names) the readiness backend cannot do without.
const REQUIRED_FEATURES: [(u32, &str); 4] = [
    (abi::FEAT_NODROP, "IORING_FEAT_NODROP (5.5)"),
    (abi::FEAT_SUBMIT_STABLE, "IORING_FEAT_SUBMIT_STABLE (5.5)"),
    (abi::FEAT_EXT_ARG, "IORING_FEAT_EXT_ARG (5.11)"),
    (abi::FEAT_CQE_SKIP, "IORING_FEAT_CQE_SKIP (5.17)"),
];

/// The operations (and their names) the readiness backend cannot do without.
const REQUIRED_OPS: [(u8, &str); 4] = [
    (abi::OP_NOP, "IORING_OP_NOP"),
    (abi::OP_POLL_ADD, "IORING_OP_POLL_ADD"),
    (abi::OP_POLL_REMOVE, "IORING_OP_POLL_REMOVE"),
    (abi::OP_ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL"),
];

/// The operations the completion path of TCP streams needs (see the module docs).
const COMPLETION_OPS: [(u8, &str); 3] = [
    (abi::OP_RECV, "IORING_OP_RECV"),
    (abi::OP_SEND, "IORING_OP_SEND"),
    (abi::OP_SEND_ZC, "IORING_OP_SEND_ZC (6.0)"),
];

/// `Ok` if `features` and `ops` are enough for the readiness backend; else the names of
/// what is missing, for the fallback's message.
pub(crate) fn check_readiness(features: u32, ops: &Ops) -> Result<(), String> {
    let missing: Vec<&str> = REQUIRED_FEATURES
        .iter()
        .filter(|(bit, _)| features & bit == 0)
        .map(|&(_, name)| name)
        .chain(
            REQUIRED_OPS
                .iter()
                .filter(|(op, _)| !ops.has(*op))
                .map(|&(_, name)| name),
        )
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the kernel's io_uring lacks {}",
            missing.join(", ")
        ))
    }
}

/// `Ok` if `ops` has what the completion path needs; else what is missing.
pub(crate) fn check_completion(ops: &Ops) -> Result<(), String> {
    let missing: Vec<&str> = COMPLETION_OPS
        .iter()
        .filter(|(op, _)| !ops.has(*op))
        .map(|&(_, name)| name)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the kernel's io_uring lacks {}",
            missing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_FEATURES: u32 =
        abi::FEAT_NODROP | abi::FEAT_SUBMIT_STABLE | abi::FEAT_EXT_ARG | abi::FEAT_CQE_SKIP;

    #[test]
    fn a_complete_kernel_passes_both_checks() {
        let ops = Ops::with(&[0, 6, 7, 14, 26, 27, 47]);
        check_readiness(ALL_FEATURES, &ops).unwrap();
        check_completion(&ops).unwrap();
    }

    #[test]
    fn what_is_missing_is_named() {
        let ops = Ops::with(&[0, 6, 14]);
        let err = check_readiness(ALL_FEATURES & !abi::FEAT_EXT_ARG, &ops).unwrap_err();
        assert!(err.contains("IORING_FEAT_EXT_ARG (5.11)"), "{err}");
        assert!(err.contains("IORING_OP_POLL_REMOVE"), "{err}");
        assert!(!err.contains("POLL_ADD"), "{err}");
        let err = check_completion(&Ops::with(&[26, 27])).unwrap_err();
        assert!(err.contains("SEND_ZC"), "{err}");
    }

    #[test]
    fn a_filled_probe_is_read_by_operation_number() {
        let mut probe = empty_probe();
        probe.ops_len = 3;
        probe.ops[0] = ProbeOp {
            op: 6,
            flags: abi::OP_SUPPORTED,
            ..ProbeOp::default()
        };
        probe.ops[1] = ProbeOp {
            op: 7,
            flags: 0,
            ..ProbeOp::default()
        };
        probe.ops[2] = ProbeOp {
            op: 27,
            flags: abi::OP_SUPPORTED,
            ..ProbeOp::default()
        };
        let ops = Ops::from_probe(&probe);
        assert!(ops.has(6) && ops.has(27));
        assert!(!ops.has(7) && !ops.has(0));
    }
}
