//! Debug mode's record of each live task: which task spawned it, how long its polls took,
//! when it was last polled, and what it waited for when that poll returned `Pending`.
//! Task dumps (`task/dump/`) read these; slow-poll reports name the wait sites of the
//! poll before the slow one.
//!
//! The records live beside the live-task table (`live_tasks.rs`), one per table slot and
//! moved in step with it ([`TaskRecords`], kept by the loop, which lists and unlists
//! tasks in both), so a poll finds its task's record by the slot its header already
//! holds: no hashing, and nothing added to the 40-byte header. Outside debug mode there
//! are no records, and listing a task pays one branch for them.

use std::cell::RefCell;

use evloop_reactor::context::LoopContext;
use evloop_reactor::wait_site::WaitSite;

use crate::raw::header::Header;

/// The records of a loop's live tasks, at the indices of their slots in the live-task
/// table; loop thread only.
#[derive(Default)]
pub(crate) struct TaskRecords {
    /// One record per slot of the table.
    records: RefCell<Vec<TaskRecord>>,
}

impl TaskRecords {
    /// The record of the task just listed (in the table's last slot).
    pub(crate) fn push(&self, spawned_by: Option<u64>) {
        self.records.borrow_mut().push(TaskRecord::new(spawned_by));
    }

    /// Drops the record in `slot`, moving the last one there, as the table just did with
    /// its task. (The memory of a burst of tasks is kept for the next: debug mode trades
    /// memory for time.)
    pub(crate) fn remove(&self, slot: usize) {
        self.records.borrow_mut().swap_remove(slot);
    }

    /// Runs `f` on the record of the listed task of `header`. `f` must not list or
    /// unlist tasks, nor read records.
    #[inline]
    pub(crate) fn with<R>(
        &self,
        header: &Header,
        f: impl FnOnce(&mut TaskRecord) -> R,
    ) -> Option<R> {
        let mut records = self.records.borrow_mut();
        records.get_mut(header.slot.get() as usize).map(f)
    }
}

/// `TaskRecord::spawned_by` of a task that no poll spawned.
const NO_SPAWNER: u64 = u64::MAX;

/// What debug mode knows of one task besides its header: 32 bytes a task, and the wait
/// sites on the heap only for a task that waited on evloop's futures (a loop of a million
/// short tasks should not pay a page fault every hundred of them for sites they never had).
#[derive(Debug)]
pub(crate) struct TaskRecord {
    /// The task whose poll spawned this one (0: the future given to `block_on`), or
    /// `NO_SPAWNER` when no poll did (a spawn from another thread or from a `call_soon`
    /// closure).
    spawned_by: u64,
    /// Time spent in its polls, in nanoseconds of the poll clock (`poll_clock.rs`).
    pub(crate) busy: u64,
    /// When its last poll ended, on the poll clock; 0 before its first poll.
    pub(crate) last_poll: u64,
    /// The wait sites its last poll noted; allocated at its first wait, then reused.
    waits: Option<Box<Waits>>,
}

impl Default for TaskRecord {
    fn default() -> TaskRecord {
        TaskRecord::new(None)
    }
}

impl TaskRecord {
    /// A record of a task spawned by `spawned_by`, not yet polled.
    pub(crate) fn new(spawned_by: Option<u64>) -> TaskRecord {
        TaskRecord {
            spawned_by: spawned_by.unwrap_or(NO_SPAWNER),
            busy: 0,
            last_poll: 0,
            waits: None,
        }
    }

    /// The task whose poll spawned this one (0: the main future), if one did.
    pub(crate) fn spawned_by(&self) -> Option<u64> {
        (self.spawned_by != NO_SPAWNER).then_some(self.spawned_by)
    }

    /// The wait sites its last poll noted.
    pub(crate) fn waits(&self) -> &[WaitSite] {
        self.waits.as_deref().map_or(&[], Waits::as_slice)
    }

    /// Counts a poll that ran from `start` to `end` on the poll clock; returns its length.
    #[inline]
    pub(crate) fn count(&mut self, start: u64, end: u64) -> u64 {
        let took = end.saturating_sub(start);
        self.busy = self.busy.wrapping_add(took);
        self.last_poll = end;
        took
    }

    /// Replaces the wait sites with those the poll just counted noted in `context`.
    #[inline]
    pub(crate) fn take_waits(&mut self, context: &LoopContext) {
        // The common case of a busy loop: a task that never waited on evloop's futures,
        // and did not now.
        if self.waits.is_none() && context.no_wait_sites() {
            return;
        }
        self.replace_waits(context);
    }

    /// `take_waits` for a task that waits, or waited before.
    #[inline(never)]
    fn replace_waits(&mut self, context: &LoopContext) {
        context.take_wait_sites(|noted| match &mut self.waits {
            Some(waits) => waits.replace_with(noted),
            None => {
                let mut waits = Waits::None;
                waits.replace_with(noted);
                self.waits = Some(Box::new(waits));
            }
        });
    }
}

/// The wait sites of a task's last poll: most often one, kept inline.
#[derive(Debug, Default)]
enum Waits {
    /// It noted none (it waits on futures evloop does not own, or is running).
    #[default]
    None,
    /// One site.
    One(WaitSite),
    /// Several (a `race`, a `select!`, a `JoinSet`...).
    Many(Vec<WaitSite>),
}

impl Waits {
    /// Replaces these with the sites in `noted`, leaving it empty.
    #[inline]
    fn replace_with(&mut self, noted: &mut Vec<WaitSite>) {
        match noted.len() {
            0 if matches!(self, Waits::None) => {}
            0 => *self = Waits::None,
            1 => *self = Waits::One(noted.pop().expect("one site")),
            _ => *self = Waits::Many(std::mem::take(noted)),
        }
    }

    /// The sites, in the order they were noted.
    fn as_slice(&self) -> &[WaitSite] {
        match self {
            Waits::None => &[],
            Waits::One(site) => std::slice::from_ref(site),
            Waits::Many(sites) => sites,
        }
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
    fn each_poll_replaces_the_sites_of_the_one_before() {
        let cx = LoopContext::new(None, None).collecting_wait_sites();
        let _entered = cx.enter();
        let mut record = TaskRecord::new(Some(3));
        record_wait(|| site(WaitKind::Sleep));
        assert_eq!(record.count(100, 150), 50);
        record.take_waits(&cx);
        assert_eq!(record.waits(), [site(WaitKind::Sleep)]);
        record_wait(|| site(WaitKind::Read));
        record_wait(|| site(WaitKind::Join));
        assert_eq!(record.count(2_000, 5_000), 3_000);
        record.take_waits(&cx);
        assert_eq!(record.waits(), [site(WaitKind::Read), site(WaitKind::Join)]);
        assert_eq!((record.busy, record.last_poll), (3_050, 5_000));
        // A poll that noted nothing leaves no stale site behind.
        record.count(6_000, 6_001);
        record.take_waits(&cx);
        assert!(record.waits().is_empty());
    }
}
