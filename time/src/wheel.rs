//! The hierarchical timing wheel: the pure data structure behind [`TimerStore`].
//!
//! Deadlines are `u64` nanoseconds since some origin the caller picks (the store uses its
//! creation instant). They are grouped into ticks of 2^16 ns (about 65.5 µs). The wheel has
//! [`LEVELS`] levels of 64 slots each: a slot of level `L` spans 64^L ticks, so level 0 holds
//! the next 64 ticks (about 4 ms) one tick per slot, level 1 the next 64 × 4 ms, and so on;
//! eight levels cover the whole `u64` nanosecond range (about 584 years).
//!
//! A timer goes into the level given by the highest bit in which its tick differs from the
//! wheel's current tick (`elapsed`), so every timer of level `L` lies inside the current
//! level-`L + 1` slot. Hence the first non-empty level always holds the earliest timers,
//! and inside it the lowest occupied slot (one `trailing_zeros` on the level's occupancy
//! bitmap) is the next to come due. When a slot of an upper level comes due its timers
//! are *cascaded*: re-inserted relative to the new current tick, which puts each of them
//! in a lower level. A timer cascades at most `LEVELS - 1` times, so arming, cancelling
//! and firing are all O(1).
//!
//! Each slot is an intrusive doubly-linked list threaded through one slab (`Vec` plus a
//! free list, `u32` indices): unlinking a timer touches only its neighbours.
//!
//! Level-0 slots are one tick wide, and the slot of the current tick may hold timers whose
//! deadline (in nanoseconds) has not passed yet: firing compares each of them to `now`
//! exactly, so nothing ever fires early, and [`Wheel::next_deadline`] scans that one slot
//! for its exact minimum.
//!
//! [`TimerStore`]: crate::TimerStore

/// log2 of the tick length in nanoseconds: a tick is 2^16 ns, about 65.5 µs.
pub(crate) const TICK_SHIFT: u32 = 16;
/// log2 of the number of slots per level.
const SLOT_BITS: u32 = 6;
/// Slots per level: one `u64` occupancy bitmap covers a level.
const SLOTS: usize = 1 << SLOT_BITS;
/// Levels: 8 × 6 bits of ticks + 16 bits of tick length = all 64 bits of nanoseconds.
pub(crate) const LEVELS: usize = 8;
/// The "no entry" index that ends a list.
const NIL: u32 = u32::MAX;
/// `Entry::list` of an entry that is in no slot list: fired, disarmed, or never armed.
const LIST_IDLE: u16 = u16::MAX;
/// `Entry::list` of a free slab slot.
const LIST_VACANT: u16 = u16::MAX - 1;

/// Names one timer in the wheel, from insertion until [`Wheel::remove`].
///
/// Keys are not generational: whoever inserted a timer owns its key and is the only one
/// who may remove it, so a stale key cannot exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key(u32);

/// One slab slot: a timer (armed or idle) or a link in the free list.
struct Entry<T> {
    /// The deadline in nanoseconds since the wheel's origin.
    deadline: u64,
    /// Previous entry in the same slot list, or `NIL` at the head.
    prev: u32,
    /// Next entry in the same slot list, or the next free slot when vacant; `NIL` ends both.
    next: u32,
    /// Which list the entry is linked into (`level * 64 + slot`), or `LIST_IDLE` /
    /// `LIST_VACANT`.
    list: u16,
    /// What the caller stored with the timer; `None` only while the slot is vacant.
    value: Option<T>,
}

/// Where the next slot to come due is, as found by [`Wheel::next_expiration`].
#[derive(Clone, Copy, Debug)]
struct Expiration {
    /// The level of the slot.
    level: usize,
    /// The slot within its level.
    slot: usize,
    /// The first tick the slot covers.
    start: u64,
}

/// A hierarchical timing wheel whose timers each carry a `T` (the store keeps a waker).
pub(crate) struct Wheel<T> {
    /// Per level, bit `s` is set iff slot `s` of that level has at least one entry.
    occupied: [u64; LEVELS],
    /// Head entry of each slot list, indexed by `level * 64 + slot`; `NIL` when empty.
    heads: [u32; LEVELS * SLOTS],
    /// The slab every entry lives in, armed or not.
    entries: Vec<Entry<T>>,
    /// First vacant slab slot (the free list runs through `Entry::next`), or `NIL`.
    free: u32,
    /// The wheel's current tick: every slot before it has been processed.
    elapsed: u64,
    /// How many entries are armed (linked into some slot list).
    armed: usize,
}

impl<T> Wheel<T> {
    /// An empty wheel whose current tick is 0.
    pub(crate) fn new() -> Self {
        Wheel {
            occupied: [0; LEVELS],
            heads: [NIL; LEVELS * SLOTS],
            entries: Vec::new(),
            free: NIL,
            elapsed: 0,
            armed: 0,
        }
    }

    /// How many timers are armed.
    pub(crate) fn len(&self) -> usize {
        self.armed
    }

    /// Adds an armed timer due at `deadline` (a deadline in the past fires on the next
    /// [`fire_due`](Self::fire_due)). O(1) apart from slab growth.
    pub(crate) fn insert(&mut self, deadline: u64, value: T) -> Key {
        let index = if self.free == NIL {
            let index = u32::try_from(self.entries.len())
                .ok()
                .filter(|&i| i != NIL)
                .expect("evloop timer wheel: more than u32::MAX - 1 timers");
            self.entries.push(Entry {
                deadline,
                prev: NIL,
                next: NIL,
                list: LIST_IDLE,
                value: Some(value),
            });
            index
        } else {
            let index = self.free;
            let entry = &mut self.entries[index as usize];
            self.free = entry.next;
            entry.deadline = deadline;
            entry.list = LIST_IDLE;
            entry.value = Some(value);
            index
        };
        self.link(index);
        self.armed += 1;
        Key(index)
    }

    /// Moves the timer to `deadline` and arms it, whether it was armed, fired or disarmed.
    /// O(1).
    pub(crate) fn reset(&mut self, key: Key, deadline: u64) {
        self.disarm(key);
        self.entries[key.0 as usize].deadline = deadline;
        self.link(key.0);
        self.armed += 1;
    }

    /// Takes the timer out of its slot list without freeing it; returns whether it was
    /// armed. O(1).
    pub(crate) fn disarm(&mut self, key: Key) -> bool {
        if self.check(key).list == LIST_IDLE {
            return false;
        }
        self.unlink(key.0);
        self.armed -= 1;
        true
    }

    /// Disarms the timer and frees its slab slot for reuse; returns its value. O(1).
    pub(crate) fn remove(&mut self, key: Key) -> T {
        self.disarm(key);
        let free = self.free;
        let entry = &mut self.entries[key.0 as usize];
        entry.list = LIST_VACANT;
        entry.next = free;
        self.free = key.0;
        entry
            .value
            .take()
            .expect("checked by disarm: the entry is occupied")
    }

    /// Is the timer linked into a slot (neither fired nor disarmed)?
    pub(crate) fn is_armed(&self, key: Key) -> bool {
        self.check(key).list != LIST_IDLE
    }

    /// The timer's deadline in nanoseconds.
    #[cfg(test)]
    pub(crate) fn deadline(&self, key: Key) -> u64 {
        self.check(key).deadline
    }

    /// How many slab slots exist (armed, idle or vacant).
    #[cfg(test)]
    pub(crate) fn slab_len(&self) -> usize {
        self.entries.len()
    }

    /// The value stored with the timer.
    pub(crate) fn value_mut(&mut self, key: Key) -> &mut T {
        self.check(key);
        self.entries[key.0 as usize]
            .value
            .as_mut()
            .expect("checked: the entry is occupied")
    }

    /// The earliest instant (in nanoseconds) at which some armed timer may be due, or
    /// `None` when none is armed. Exact when the earliest timer is in level 0; otherwise
    /// the start of its upper-level slot, which is never later than its deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        let exp = self.next_expiration()?;
        if exp.level > 0 {
            return Some(exp.start << TICK_SHIFT);
        }
        let mut min = u64::MAX;
        let mut index = self.heads[exp.slot];
        while index != NIL {
            let entry = &self.entries[index as usize];
            min = min.min(entry.deadline);
            index = entry.next;
        }
        Some(min)
    }

    /// Fires every armed timer whose deadline is `<= now`: each becomes idle (still owned
    /// by its key) and `on_fire` gets its value. Returns how many fired. Cascades the upper
    /// slots that came due; never looks at a slot that is not due.
    pub(crate) fn fire_due(&mut self, now: u64, mut on_fire: impl FnMut(&mut T)) -> usize {
        let now_tick = now >> TICK_SHIFT;
        let mut fired = 0;
        while let Some(exp) = self.next_expiration() {
            if exp.start > now_tick {
                break;
            }
            self.elapsed = exp.start;
            if exp.level > 0 {
                // Cascade: everything in the slot lies at or after `start`, inside this
                // slot's span, so relinking relative to `start` puts it in a lower level.
                let mut index = self.take_list(exp.level, exp.slot);
                while index != NIL {
                    let next = self.entries[index as usize].next;
                    self.entries[index as usize].list = LIST_IDLE;
                    self.link(index);
                    index = next;
                }
                continue;
            }
            if exp.start < now_tick {
                // The whole tick is before `now`'s tick: every deadline in it has passed.
                let mut index = self.take_list(0, exp.slot);
                while index != NIL {
                    let entry = &mut self.entries[index as usize];
                    index = entry.next;
                    entry.list = LIST_IDLE;
                    on_fire(entry.value.as_mut().expect("armed entries are occupied"));
                    self.armed -= 1;
                    fired += 1;
                }
                continue;
            }
            // The slot of `now`'s own tick: fire what is due, keep the rest for later.
            let mut index = self.heads[exp.slot];
            while index != NIL {
                let entry = &self.entries[index as usize];
                let next = entry.next;
                if entry.deadline <= now {
                    self.unlink(index);
                    self.armed -= 1;
                    fired += 1;
                    let entry = &mut self.entries[index as usize];
                    on_fire(entry.value.as_mut().expect("armed entries are occupied"));
                }
                index = next;
            }
            break;
        }
        self.elapsed = self.elapsed.max(now_tick);
        fired
    }

    /// The entry of `key`, which must not be vacant.
    fn check(&self, key: Key) -> &Entry<T> {
        let entry = &self.entries[key.0 as usize];
        assert!(
            entry.list != LIST_VACANT,
            "evloop timer wheel: use of a removed timer key"
        );
        entry
    }

    /// The earliest non-empty slot: the lowest occupied slot of the lowest non-empty level.
    fn next_expiration(&self) -> Option<Expiration> {
        let level = self.occupied.iter().position(|&bits| bits != 0)?;
        let bits = self.occupied[level];
        let shift = level as u32 * SLOT_BITS;
        debug_assert!(
            bits & ((1u64 << ((self.elapsed >> shift) & (SLOTS as u64 - 1))) - 1) == 0,
            "a slot behind the current tick is occupied"
        );
        let slot = bits.trailing_zeros() as usize;
        let block = (self.elapsed >> (shift + SLOT_BITS)) << (shift + SLOT_BITS);
        Some(Expiration {
            level,
            slot,
            start: block + ((slot as u64) << shift),
        })
    }

    /// Links the idle entry at `index` into the slot its deadline belongs to.
    fn link(&mut self, index: u32) {
        let entry = &self.entries[index as usize];
        debug_assert_eq!(entry.list, LIST_IDLE);
        // A deadline already behind the current tick goes in the current tick's slot.
        let tick = (entry.deadline >> TICK_SHIFT).max(self.elapsed);
        let level = level_for(self.elapsed, tick);
        let slot = ((tick >> (level as u32 * SLOT_BITS)) as usize) & (SLOTS - 1);
        let list = level * SLOTS + slot;
        let head = self.heads[list];
        if head != NIL {
            self.entries[head as usize].prev = index;
        }
        let entry = &mut self.entries[index as usize];
        entry.prev = NIL;
        entry.next = head;
        entry.list = list as u16;
        self.heads[list] = index;
        self.occupied[level] |= 1 << slot;
    }

    /// Takes the armed entry at `index` out of its slot list, leaving it idle.
    fn unlink(&mut self, index: u32) {
        let Entry {
            prev, next, list, ..
        } = self.entries[index as usize];
        let list = list as usize;
        if prev == NIL {
            self.heads[list] = next;
            if next == NIL {
                self.occupied[list / SLOTS] &= !(1 << (list % SLOTS));
            }
        } else {
            self.entries[prev as usize].next = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
        self.entries[index as usize].list = LIST_IDLE;
    }

    /// Empties one slot, returning the head of its former list (whose entries still say
    /// they are linked: the caller relinks or idles each).
    fn take_list(&mut self, level: usize, slot: usize) -> u32 {
        self.occupied[level] &= !(1 << slot);
        std::mem::replace(&mut self.heads[level * SLOTS + slot], NIL)
    }
}

/// The level a timer due at `tick` goes in when the current tick is `elapsed`: the one
/// holding the highest bit in which the two differ (level 0 when they are equal).
fn level_for(elapsed: u64, tick: u64) -> usize {
    let masked = (elapsed ^ tick) | (SLOTS as u64 - 1);
    let significant = 63 - masked.leading_zeros();
    (significant / SLOT_BITS).min(LEVELS as u32 - 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One tick in nanoseconds.
    const TICK: u64 = 1 << TICK_SHIFT;

    /// A small deterministic generator (xorshift64*), so tests need no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Fires at `now` and returns the fired values, sorted.
    fn fire(wheel: &mut Wheel<u64>, now: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let n = wheel.fire_due(now, |v| out.push(*v));
        assert_eq!(n, out.len());
        out.sort_unstable();
        out
    }

    /// Fires by following `next_deadline` until `key` fires; returns the instant it fired at.
    fn run_until_fired(wheel: &mut Wheel<u64>, key: Key) -> u64 {
        for _ in 0..4 * LEVELS {
            let next = wheel.next_deadline().expect("the timer is armed");
            assert!(next <= wheel.deadline(key), "next_deadline is late");
            wheel.fire_due(next, |_| {});
            if !wheel.is_armed(key) {
                return next;
            }
        }
        panic!("timer did not fire within {} steps", 4 * LEVELS);
    }

    #[test]
    fn empty_wheel_has_no_deadline_and_fires_nothing() {
        let mut wheel = Wheel::<u64>::new();
        assert_eq!(wheel.next_deadline(), None);
        assert_eq!(fire(&mut wheel, u64::MAX), Vec::<u64>::new());
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn fires_at_its_deadline_and_not_a_nanosecond_before() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(100_000, 7);
        assert_eq!(wheel.len(), 1);
        assert!(fire(&mut wheel, 99_999).is_empty());
        assert!(wheel.is_armed(key));
        assert_eq!(fire(&mut wheel, 100_000), vec![7]);
        assert!(!wheel.is_armed(key));
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn next_deadline_is_exact_in_level_zero() {
        let mut wheel = Wheel::new();
        wheel.insert(3 * TICK + 17, 1);
        wheel.insert(3 * TICK + 5, 2);
        wheel.insert(9 * TICK + 1, 3);
        assert_eq!(wheel.next_deadline(), Some(3 * TICK + 5));
        assert_eq!(fire(&mut wheel, 3 * TICK + 5), vec![2]);
        // The rest of the same tick stays until its own nanosecond.
        assert_eq!(wheel.next_deadline(), Some(3 * TICK + 17));
        assert!(fire(&mut wheel, 3 * TICK + 16).is_empty());
        assert_eq!(fire(&mut wheel, 3 * TICK + 17), vec![1]);
        assert_eq!(wheel.next_deadline(), Some(9 * TICK + 1));
    }

    #[test]
    fn firing_order_follows_deadlines_not_insertion() {
        let mut wheel = Wheel::new();
        let deadlines = [50 * TICK, 3 * TICK, 7000 * TICK, 3 * TICK + 1, 64 * TICK];
        for (i, &d) in deadlines.iter().enumerate() {
            wheel.insert(d, i as u64);
        }
        let mut order = Vec::new();
        while let Some(next) = wheel.next_deadline() {
            order.extend(fire(&mut wheel, next));
        }
        assert_eq!(order, vec![1, 3, 0, 4, 2]);
    }

    #[test]
    fn cascades_down_from_every_level_and_fires_exactly_on_time() {
        for level in 1..LEVELS as u32 {
            let mut wheel = Wheel::new();
            // A deadline in the middle of a slot of `level`, off any tick boundary.
            let deadline = (5u64 << (level * SLOT_BITS)) * TICK + 3 * TICK + 123;
            let key = wheel.insert(deadline, 0);
            assert_eq!(wheel.entries[0].list as usize / SLOTS, level as usize);
            assert_eq!(run_until_fired(&mut wheel, key), deadline, "level {level}");
        }
    }

    #[test]
    fn far_future_deadlines_are_clamped_not_lost() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(u64::MAX, 1);
        assert_eq!(wheel.entries[0].list as usize / SLOTS, LEVELS - 1);
        assert!(fire(&mut wheel, u64::MAX - 1).is_empty());
        assert_eq!(run_until_fired(&mut wheel, key), u64::MAX);
    }

    #[test]
    fn past_deadlines_fire_on_the_next_call() {
        let mut wheel = Wheel::new();
        wheel.fire_due(1000 * TICK, |_| {});
        wheel.insert(5, 1);
        wheel.insert(1000 * TICK - 1, 2);
        assert_eq!(wheel.next_deadline(), Some(5));
        assert_eq!(fire(&mut wheel, 1000 * TICK), vec![1, 2]);
    }

    #[test]
    fn removal_from_every_level_leaves_nothing_behind() {
        let mut wheel = Wheel::new();
        let mut keys = Vec::new();
        for level in 0..LEVELS as u32 {
            let deadline = (3u64 << (level * SLOT_BITS)) * TICK + 1;
            keys.push(wheel.insert(deadline, u64::from(level)));
            keys.push(wheel.insert(deadline + 1, u64::from(level)));
        }
        let levels: Vec<usize> = wheel
            .entries
            .iter()
            .map(|e| e.list as usize / SLOTS)
            .collect();
        assert_eq!(levels, (0..LEVELS).flat_map(|l| [l, l]).collect::<Vec<_>>());
        // Remove heads and tails alike.
        for (i, key) in keys.into_iter().enumerate() {
            assert_eq!(wheel.remove(key), i as u64 / 2);
        }
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.occupied, [0; LEVELS]);
        assert!(wheel.heads.iter().all(|&h| h == NIL));
        assert_eq!(wheel.next_deadline(), None);
        assert!(fire(&mut wheel, u64::MAX).is_empty());
    }

    #[test]
    fn removing_from_the_middle_of_a_slot_keeps_its_neighbours() {
        let mut wheel = Wheel::new();
        let keys: Vec<Key> = (0..5).map(|i| wheel.insert(10 * TICK + i, i)).collect();
        wheel.remove(keys[2]);
        wheel.remove(keys[4]);
        wheel.remove(keys[0]);
        assert_eq!(wheel.len(), 2);
        assert_eq!(wheel.next_deadline(), Some(10 * TICK + 1));
        assert_eq!(fire(&mut wheel, 11 * TICK), vec![1, 3]);
    }

    #[test]
    fn reset_moves_a_timer_between_levels_and_rearms_a_fired_one() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(TICK, 1);
        wheel.reset(key, 100_000 * TICK);
        assert_eq!(wheel.len(), 1);
        assert!(fire(&mut wheel, 50_000 * TICK).is_empty());
        wheel.reset(key, 50_000 * TICK + 9);
        assert_eq!(wheel.next_deadline(), Some(50_000 * TICK + 9));
        assert_eq!(fire(&mut wheel, 50_000 * TICK + 9), vec![1]);
        assert!(!wheel.is_armed(key));
        wheel.reset(key, 60_000 * TICK);
        assert_eq!(wheel.len(), 1);
        assert_eq!(run_until_fired(&mut wheel, key), 60_000 * TICK);
    }

    #[test]
    fn disarm_keeps_the_slot_and_remove_frees_it_for_reuse() {
        let mut wheel = Wheel::new();
        let a = wheel.insert(TICK, 1);
        assert!(wheel.disarm(a));
        assert!(!wheel.disarm(a));
        assert_eq!(wheel.len(), 0);
        assert_eq!(*wheel.value_mut(a), 1);
        wheel.remove(a);
        for i in 0..1000 {
            let key = wheel.insert(i * TICK, i);
            assert_eq!(key, a, "the freed slot is reused");
            wheel.remove(key);
        }
        assert_eq!(wheel.entries.len(), 1);
    }

    #[test]
    #[should_panic(expected = "removed timer key")]
    fn a_removed_key_is_rejected() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(TICK, 1);
        wheel.remove(key);
        wheel.is_armed(key);
    }

    #[test]
    fn level_for_picks_the_highest_differing_digit() {
        assert_eq!(level_for(0, 0), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(63, 64), 1);
        assert_eq!(level_for(64, 127), 0);
        assert_eq!(level_for(0, 1 << 47), 7);
        assert_eq!(level_for(0, u64::MAX >> TICK_SHIFT), 7);
    }

    #[test]
    fn random_timers_fire_in_deadline_order_each_exactly_once() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut wheel = Wheel::new();
        let mut deadlines = Vec::new();
        for i in 0..100_000u64 {
            // Spread over ~70 s with a dense cluster in the first few ms.
            let deadline = match rng.next() % 4 {
                0 => rng.next() % (4 * 64 * TICK),
                1 => rng.next() % 70_000_000_000,
                2 => rng.next() % 1_000_000_000,
                _ => rng.next() % 50_000_000,
            };
            deadlines.push(deadline);
            wheel.insert(deadline, i);
        }
        let mut seen = vec![false; deadlines.len()];
        let mut now = 0;
        let mut last_fired = None;
        let mut fired_total = 0;
        while wheel.len() > 0 {
            let next = wheel.next_deadline().unwrap();
            // Jump to the next deadline or a random step, whichever is later.
            now = now.max(next).max(now + rng.next() % (3 * TICK));
            let mut batch = Vec::new();
            wheel.fire_due(now, |&mut id| batch.push(id));
            for id in batch {
                let deadline = deadlines[id as usize];
                assert!(deadline <= now, "fired early");
                assert!(
                    last_fired.is_none_or(|last| deadline > last),
                    "fired late: it was due at an earlier call"
                );
                assert!(
                    !std::mem::replace(&mut seen[id as usize], true),
                    "fired twice"
                );
                fired_total += 1;
            }
            last_fired = Some(now);
            // Nothing due remains.
            if let Some(next) = wheel.next_deadline() {
                assert!(next > now);
            }
        }
        assert_eq!(fired_total, deadlines.len());
    }

    #[test]
    fn random_arm_and_cancel_keep_the_counts_and_never_fire_cancelled() {
        let mut rng = Rng(42);
        let mut wheel = Wheel::new();
        let mut live: Vec<(Key, u64)> = Vec::new();
        let mut now = 0u64;
        for step in 0..20_000u64 {
            match rng.next() % 3 {
                0 | 1 => {
                    let deadline = now + rng.next() % (1 << 30);
                    live.push((wheel.insert(deadline, step), deadline));
                }
                _ if !live.is_empty() => {
                    let (key, _) = live.swap_remove((rng.next() % live.len() as u64) as usize);
                    wheel.remove(key);
                }
                _ => {}
            }
            if step % 64 == 0 {
                now += rng.next() % (1 << 22);
                let due = live.iter().filter(|&&(_, d)| d <= now).count();
                assert_eq!(wheel.fire_due(now, |_| {}), due);
                live.retain(|&(key, d)| {
                    if d <= now {
                        wheel.remove(key);
                    }
                    d > now
                });
            }
            assert_eq!(wheel.len(), live.len());
        }
    }
}
