//! Debug mode's record of each live task: which task spawned it, how long its polls took,
//! when it was last polled, and what it waited for when that poll returned `Pending`.
//! Task dumps (`task/dump/`) read these; slow-poll reports name the wait sites of the
//! poll before the slow one.
//!
//! The records live beside the live-task table (`live_tasks.rs`), one per table slot and
//! moved in step with it ([`TaskRecords`], kept by the loop, which lists and unlists
//! tasks in both), so a poll finds its task's record by the slot its header already
//! holds: no hashing, and nothing added to the 40-byte header. A record is 32 bytes; the
//! wait sites of the tasks that wait on evloop's futures live in a slab of their own
//! (`WaitSlots`), one slot a waiting task, reused: a loop of a million short tasks that
//! never wait faults in no memory for sites, and a task's first wait allocates nothing
//! once the slab has grown. The main future's record is kept here too. Outside debug mode
//! there are no records, and listing a task pays one branch for them.

use std::cell::RefCell;

use evloop_reactor::context::LoopContext;
use evloop_reactor::wait_site::WaitSite;

use crate::raw::header::Header;

/// Whose record: the main future's or a listed task's.
#[derive(Clone, Copy)]
pub(crate) enum Whose<'a> {
    /// The future given to `block_on`.
    Main,
    /// The listed task of this header.
    Task(&'a Header),
}

/// A record's figures, as a dump reads them.
pub(crate) struct Figures {
    /// The task whose poll spawned it (0: the main future), if one did.
    pub(crate) spawned_by: Option<u64>,
    /// Time in its polls, in poll-clock nanoseconds.
    pub(crate) busy: u64,
    /// When its last poll ended on the poll clock; 0 before its first.
    pub(crate) last_poll: u64,
}

/// The records of a loop's tasks; loop thread only.
#[derive(Default)]
pub(crate) struct TaskRecords {
    /// One record per slot of the live-task table.
    records: RefCell<Vec<TaskRecord>>,
    /// The main future's record (reset by each `block_on`).
    main: RefCell<TaskRecord>,
    /// The wait sites of the tasks that have some.
    waits: RefCell<WaitSlots>,
}

impl TaskRecords {
    /// The record of the task just listed (in the table's last slot).
    #[inline]
    pub(crate) fn push(&self, spawned_by: Option<u64>) {
        self.records.borrow_mut().push(TaskRecord::new(spawned_by));
    }

    /// Drops the record in `slot`, moving the last one there, as the table just did with
    /// its task. (The memory of a burst of tasks is kept for the next: debug mode trades
    /// memory for time.)
    #[inline]
    pub(crate) fn remove(&self, slot: usize) {
        let record = self.records.borrow_mut().swap_remove(slot);
        if record.waits != NO_WAITS {
            self.waits.borrow_mut().release(record.waits);
        }
    }

    /// A new main future: its record starts afresh.
    pub(crate) fn reset_main(&self) {
        let old = std::mem::take(&mut *self.main.borrow_mut());
        if old.waits != NO_WAITS {
            self.waits.borrow_mut().release(old.waits);
        }
    }

    /// Counts a poll of `whose` that ran from `start` to `end` on the poll clock. Returns
    /// its length if it is at least `slow`: a slow poll, to report with the sites of the
    /// poll before it, and then [`take_waits`](Self::take_waits). Else it takes the sites
    /// the poll noted in `context` at once, or, if the poll completed the task (`done`: its
    /// record goes with it), forgets them.
    #[inline]
    pub(crate) fn count(
        &self,
        whose: Whose<'_>,
        (start, end): (u64, u64),
        context: &LoopContext,
        slow: u64,
        done: bool,
    ) -> Option<u64> {
        let taken = self.with(whose, |record| {
            let took = end.saturating_sub(start);
            record.busy = record.busy.wrapping_add(took);
            record.last_poll = end;
            if took >= slow {
                return Err(took);
            }
            if done {
                return Ok(Sites::Forget);
            }
            // The common case of a busy loop: a task that never waited on evloop's
            // futures, and did not now.
            if record.waits == NO_WAITS && context.no_wait_sites() {
                return Ok(Sites::None);
            }
            Ok(Sites::Take)
        })?;
        match taken {
            Err(took) => return Some(took),
            Ok(Sites::Take) => self.take_waits(whose, context),
            Ok(Sites::Forget) => context.clear_wait_sites(),
            Ok(Sites::None) => {}
        }
        None
    }

    /// Replaces the wait sites of `whose` with those its poll just noted in `context`.
    #[inline(never)]
    pub(crate) fn take_waits(&self, whose: Whose<'_>, context: &LoopContext) {
        self.with(whose, |record| {
            let mut slots = self.waits.borrow_mut();
            context.take_wait_sites(|noted| match (record.waits, noted.is_empty()) {
                (NO_WAITS, true) => {}
                (NO_WAITS, false) => {
                    record.waits = slots.take();
                    slots.replace(record.waits, noted);
                }
                (slot, _) => slots.replace(slot, noted),
            });
        });
    }

    /// The wait sites of `whose`'s last poll.
    pub(crate) fn waits(&self, whose: Whose<'_>) -> Vec<WaitSite> {
        let slot = self.with(whose, |record| record.waits).unwrap_or(NO_WAITS);
        if slot == NO_WAITS {
            return Vec::new();
        }
        self.waits.borrow().sites(slot).to_vec()
    }

    /// The figures of `whose`, if it has a record.
    pub(crate) fn figures(&self, whose: Whose<'_>) -> Option<Figures> {
        self.with(whose, |record| Figures {
            spawned_by: (record.spawned_by != NO_SPAWNER).then_some(record.spawned_by),
            busy: record.busy,
            last_poll: record.last_poll,
        })
    }

    /// Runs `f` on the record of `whose`. `f` must not list or unlist tasks.
    #[inline]
    fn with<R>(&self, whose: Whose<'_>, f: impl FnOnce(&mut TaskRecord) -> R) -> Option<R> {
        match whose {
            Whose::Main => Some(f(&mut self.main.borrow_mut())),
            Whose::Task(header) => {
                let mut records = self.records.borrow_mut();
                records.get_mut(header.slot.get() as usize).map(f)
            }
        }
    }
}

/// What a counted poll leaves to do with the wait sites it noted.
enum Sites {
    /// It noted none, and the record holds none: nothing.
    None,
    /// Make them the record's.
    Take,
    /// Its task is complete: drop them.
    Forget,
}

/// `TaskRecord::spawned_by` of a task that no poll spawned.
const NO_SPAWNER: u64 = u64::MAX;

/// `TaskRecord::waits` of a task that never waited on evloop's futures.
const NO_WAITS: u32 = u32::MAX;

/// What debug mode knows of one task besides its header.
#[derive(Debug)]
struct TaskRecord {
    /// The task whose poll spawned this one (0: the future given to `block_on`), or
    /// `NO_SPAWNER` when no poll did (a spawn from another thread or from a `call_soon`
    /// closure).
    spawned_by: u64,
    /// Time spent in its polls, in nanoseconds of the poll clock (`poll_clock.rs`).
    busy: u64,
    /// When its last poll ended, on the poll clock; 0 before its first poll.
    last_poll: u64,
    /// Its slot in `WaitSlots` once it waited on evloop's futures, else `NO_WAITS`.
    waits: u32,
}

impl Default for TaskRecord {
    fn default() -> TaskRecord {
        TaskRecord::new(None)
    }
}

impl TaskRecord {
    /// A record of a task spawned by `spawned_by`, not yet polled.
    fn new(spawned_by: Option<u64>) -> TaskRecord {
        TaskRecord {
            spawned_by: spawned_by.unwrap_or(NO_SPAWNER),
            busy: 0,
            last_poll: 0,
            waits: NO_WAITS,
        }
    }
}

/// The wait sites of the waiting tasks, a slot each, slots reused through a free list.
#[derive(Debug, Default)]
struct WaitSlots {
    /// The slots.
    slots: Vec<Waits>,
    /// Slots no task holds.
    free: Vec<u32>,
}

impl WaitSlots {
    /// A slot for a task that waits for the first time.
    fn take(&mut self) -> u32 {
        match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Waits::None);
                u32::try_from(self.slots.len() - 1).expect("evloop: more than 2^32 waiting tasks")
            }
        }
    }

    /// Gives back `slot`, dropping its sites.
    fn release(&mut self, slot: u32) {
        self.slots[slot as usize] = Waits::None;
        self.free.push(slot);
    }

    /// Replaces the sites in `slot` with `noted`'s, leaving it empty.
    fn replace(&mut self, slot: u32, noted: &mut Vec<WaitSite>) {
        let waits = &mut self.slots[slot as usize];
        match noted.len() {
            0 if matches!(waits, Waits::None) => {}
            0 => *waits = Waits::None,
            1 => *waits = Waits::One(noted.pop().expect("one site")),
            _ => *waits = Waits::Many(std::mem::take(noted)),
        }
    }

    /// The sites in `slot`.
    fn sites(&self, slot: u32) -> &[WaitSite] {
        match &self.slots[slot as usize] {
            Waits::None => &[],
            Waits::One(site) => std::slice::from_ref(site),
            Waits::Many(sites) => sites,
        }
    }
}

/// The wait sites of a task's last poll: most often one, kept inline.
#[derive(Debug, Default)]
enum Waits {
    /// None (it waits on futures evloop does not own, or is running).
    #[default]
    None,
    /// One site.
    One(WaitSite),
    /// Several (a `race`, a `select!`, a `JoinSet`...).
    Many(Vec<WaitSite>),
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
        let records = TaskRecords::default();
        let main = Whose::Main;
        record_wait(|| site(WaitKind::Sleep));
        assert_eq!(records.count(main, (100, 150), &cx, 1_000, false), None);
        assert_eq!(records.waits(main), [site(WaitKind::Sleep)]);
        record_wait(|| site(WaitKind::Read));
        record_wait(|| site(WaitKind::Join));
        // A slow poll: the sites before it stay until it is reported.
        assert_eq!(
            records.count(main, (2_000, 5_000), &cx, 1_000, false),
            Some(3_000)
        );
        assert_eq!(records.waits(main), [site(WaitKind::Sleep)]);
        records.take_waits(main, &cx);
        assert_eq!(
            records.waits(main),
            [site(WaitKind::Read), site(WaitKind::Join)]
        );
        let figures = records.figures(main).unwrap();
        assert_eq!((figures.busy, figures.last_poll), (3_050, 5_000));
        // A poll that noted nothing leaves no stale site behind.
        records.count(main, (6_000, 6_001), &cx, 1_000, false);
        assert!(records.waits(main).is_empty());
    }

    #[test]
    fn the_sites_of_a_completing_poll_are_forgotten() {
        let cx = LoopContext::new(None, None).collecting_wait_sites();
        let _entered = cx.enter();
        let records = TaskRecords::default();
        record_wait(|| site(WaitKind::Sleep));
        assert_eq!(records.count(Whose::Main, (0, 1), &cx, 1_000, true), None);
        assert!(records.waits(Whose::Main).is_empty());
        assert!(cx.no_wait_sites(), "nothing left for the next task's poll");
    }

    #[test]
    fn wait_slots_are_reused() {
        let mut slots = WaitSlots::default();
        let (a, b) = (slots.take(), slots.take());
        assert_ne!(a, b);
        slots.replace(a, &mut vec![site(WaitKind::Lock)]);
        assert_eq!(slots.sites(a), [site(WaitKind::Lock)]);
        slots.release(a);
        assert_eq!(slots.take(), a);
        assert!(slots.sites(a).is_empty(), "a released slot holds no sites");
        assert_eq!(slots.slots.len(), 2);
    }
}
