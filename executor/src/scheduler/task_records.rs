//! Debug mode's record of each live task: which task spawned it, how long its polls took,
//! when it was last polled, and what it waited for when that poll returned `Pending`.
//! Task dumps (`task/dump/`) read these; slow-poll reports name the wait sites of the
//! poll before the slow one.
//!
//! The records live beside the live-task table (`live_tasks.rs`), one per table slot and
//! moved in step with it, so a poll finds its task's record by the slot its header
//! already holds: no hashing, and nothing added to the 40-byte header. Outside debug mode
//! the table keeps no records at all.

use evloop_reactor::context::LoopContext;
use evloop_reactor::wait_site::WaitSite;

/// What debug mode knows of one task besides its header.
#[derive(Debug, Default)]
pub(crate) struct TaskRecord {
    /// The task whose poll spawned this one (0: the future given to `block_on`), or
    /// `None` when no poll did (a spawn from another thread or from a `call_soon` closure).
    pub(crate) spawned_by: Option<u64>,
    /// Time spent in its polls, in nanoseconds of the poll clock (`poll_clock.rs`).
    pub(crate) busy: u64,
    /// When its last poll ended, on the poll clock; 0 before its first poll.
    pub(crate) last_poll: u64,
    /// The wait sites its last poll noted.
    pub(crate) waits: Vec<WaitSite>,
}

impl TaskRecord {
    /// A record of a task spawned by `spawned_by`, not yet polled.
    pub(crate) fn new(spawned_by: Option<u64>) -> TaskRecord {
        TaskRecord {
            spawned_by,
            ..TaskRecord::default()
        }
    }

    /// Counts a poll that ran from `start` to `end` and takes the wait sites it noted
    /// from `context`. Returns the poll's length, and the sites the task waited on
    /// before it when that length is at least `slow` (a slow poll to report).
    pub(crate) fn count_poll(
        &mut self,
        start: u64,
        end: u64,
        context: &LoopContext,
        slow: u64,
    ) -> (u64, Option<Vec<WaitSite>>) {
        let took = end.saturating_sub(start);
        self.busy = self.busy.saturating_add(took);
        self.last_poll = end;
        let before = (took >= slow).then(|| self.waits.clone());
        context.take_wait_sites(&mut self.waits);
        (took, before)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use evloop_reactor::context::record_wait;
    use evloop_reactor::wait_site::{WaitDetail, WaitKind};

    fn site(kind: WaitKind) -> WaitSite {
        WaitSite::new(kind, None, WaitDetail::None)
    }

    #[test]
    fn a_poll_replaces_the_sites_and_a_slow_one_returns_those_before_it() {
        let cx = LoopContext::new(None, None).collecting_wait_sites();
        let _entered = cx.enter();
        let mut record = TaskRecord::new(Some(3));
        record_wait(|| site(WaitKind::Sleep));
        assert_eq!(record.count_poll(100, 150, &cx, 1_000), (50, None));
        assert_eq!(record.waits, [site(WaitKind::Sleep)]);
        record_wait(|| site(WaitKind::Read));
        let (took, before) = record.count_poll(2_000, 5_000, &cx, 1_000);
        assert_eq!(took, 3_000);
        assert_eq!(before.unwrap(), [site(WaitKind::Sleep)]);
        assert_eq!(record.waits, [site(WaitKind::Read)]);
        assert_eq!((record.busy, record.last_poll), (3_050, 5_000));
        // A poll that noted nothing leaves no stale site behind.
        record.count_poll(6_000, 6_001, &cx, 1_000);
        assert!(record.waits.is_empty());
    }
}
