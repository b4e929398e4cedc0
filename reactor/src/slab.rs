//! The generation-checked registration slab.
//!
//! Every registration owns one slot; the key handed to the kernel (epoll's `u64` user
//! data) is `(generation << 32) | index`. Removing an entry bumps its slot's generation,
//! so a key minted for an earlier owner of the slot no longer resolves: an event the
//! kernel reported for a registration that is already gone is recognised as stale and
//! ignored instead of waking whoever reuses the slot.
//!
//! The slab is pure data (no I/O, no wakers of its own) and is unit-tested on its own.

/// A slab key: `(generation << 32) | index`, the value stored in epoll's user data.
pub(crate) type Token = u64;

/// The token of the notifier's eventfd; the slab never mints it (index `u32::MAX` is
/// never used).
pub(crate) const NOTIFIER_TOKEN: Token = u64::MAX;

/// The largest number of slots; index `u32::MAX` is never used, which keeps
/// [`Token`] `u64::MAX` free for the reactor to reserve.
const MAX_SLOTS: usize = u32::MAX as usize;

/// A vector of generation-stamped slots with a free list.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    /// Every slot ever allocated; vacant ones stay here (with their generation) for reuse.
    slots: Vec<Slot<T>>,
    /// Indices of vacant slots, reused last-in first-out so the vector stays dense.
    free: Vec<u32>,
    /// Number of occupied slots.
    len: usize,
}

/// One slot of the [`Slab`].
#[derive(Debug)]
struct Slot<T> {
    /// Bumped each time the slot is vacated; part of every token minted for it.
    generation: u32,
    /// The occupant, `None` while the slot sits on the free list.
    value: Option<T>,
}

impl<T> Slab<T> {
    /// An empty slab; allocates nothing until the first insert.
    pub(crate) const fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    /// Stores `value` in a vacant slot (reusing one if any) and returns its token.
    ///
    /// # Panics
    /// If `u32::MAX` slots are occupied at once.
    pub(crate) fn insert(&mut self, value: T) -> Token {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                assert!(self.slots.len() < MAX_SLOTS, "reactor slab is full");
                self.slots.push(Slot {
                    generation: 0,
                    value: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        debug_assert!(slot.value.is_none(), "free list held an occupied slot");
        slot.value = Some(value);
        self.len += 1;
        token(slot.generation, index)
    }

    /// The value behind `token`, or `None` if stale or unknown.
    pub(crate) fn get(&self, token: Token) -> Option<&T> {
        let (generation, index) = split(token);
        let slot = self.slots.get(index as usize)?;
        if slot.generation == generation {
            slot.value.as_ref()
        } else {
            None
        }
    }

    /// The value behind `token`, mutably, or `None` if stale or unknown.
    pub(crate) fn get_mut(&mut self, token: Token) -> Option<&mut T> {
        let (generation, index) = split(token);
        let slot = self.slots.get_mut(index as usize)?;
        if slot.generation == generation {
            slot.value.as_mut()
        } else {
            None
        }
    }

    /// Takes the value behind `token` out, vacates the slot and bumps its generation.
    /// Returns `None` (and changes nothing) if the token is stale or unknown.
    pub(crate) fn remove(&mut self, token: Token) -> Option<T> {
        let (generation, index) = split(token);
        let slot = self.slots.get_mut(index as usize)?;
        if slot.generation != generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index);
        self.len -= 1;
        Some(value)
    }

    /// Number of occupied slots.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every occupied slot's token and value, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Token, &T)> + '_ {
        self.slots.iter().enumerate().filter_map(|(index, slot)| {
            let value = slot.value.as_ref()?;
            Some((token(slot.generation, index as u32), value))
        })
    }
}

impl<T> Slab<T> {
    /// Every occupied slot's token and value, taken out of the slab.
    pub(crate) fn into_values(self) -> impl Iterator<Item = (Token, T)> {
        self.slots
            .into_iter()
            .enumerate()
            .filter_map(|(index, slot)| Some((token(slot.generation, index as u32), slot.value?)))
    }
}

/// Packs a generation and an index into a [`Token`].
fn token(generation: u32, index: u32) -> Token {
    (u64::from(generation) << 32) | u64::from(index)
}

/// Unpacks a [`Token`] into `(generation, index)`.
fn split(token: Token) -> (u32, u32) {
    ((token >> 32) as u32, token as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove() {
        let mut slab = Slab::new();
        let a = slab.insert("a");
        let b = slab.insert("b");
        assert_ne!(a, b);
        assert_eq!(slab.len(), 2);
        assert_eq!(slab.get(a), Some(&"a"));
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.remove(b), Some("b"));
        assert_eq!(slab.len(), 1);
        assert_eq!(slab.get(b), None);
        assert_eq!(slab.remove(b), None, "double remove is a no-op");
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn reuse_bumps_generation() {
        let mut slab = Slab::new();
        let old = slab.insert(1);
        slab.remove(old);
        let new = slab.insert(2);
        assert_eq!(split(new).1, split(old).1, "the vacated slot is reused");
        assert_eq!(split(new).0, split(old).0 + 1, "with the next generation");
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn stale_token_is_rejected() {
        let mut slab = Slab::new();
        let old = slab.insert(1);
        slab.remove(old);
        let new = slab.insert(2);
        assert_eq!(slab.get(old), None);
        assert_eq!(
            slab.remove(old),
            None,
            "a stale token cannot evict the new owner"
        );
        assert_eq!(slab.get(new), Some(&2));
    }

    #[test]
    fn unknown_index_is_rejected() {
        let mut slab: Slab<u8> = Slab::new();
        assert_eq!(slab.get(token(0, 7)), None);
        assert_eq!(slab.remove(token(0, 7)), None);
        assert_eq!(slab.get(u64::MAX), None);
    }

    #[test]
    fn iter_yields_the_occupied_slots_with_their_tokens() {
        let mut slab = Slab::new();
        let a = slab.insert('a');
        let b = slab.insert('b');
        let c = slab.insert('c');
        slab.remove(b);
        let d = slab.insert('d'); // reuses b's slot, next generation
        slab.remove(a);
        let seen: Vec<_> = slab.iter().collect();
        assert_eq!(seen, [(d, &'d'), (c, &'c')]);
        assert!(seen.iter().all(|&(t, v)| slab.get(t) == Some(v)));
    }

    #[test]
    fn generation_wraps() {
        let mut slab = Slab::new();
        let t = slab.insert(());
        slab.slots[0].generation = u32::MAX;
        let t = token(u32::MAX, split(t).1);
        assert_eq!(slab.remove(t), Some(()));
        let t = slab.insert(());
        assert_eq!(split(t).0, 0);
    }
}
