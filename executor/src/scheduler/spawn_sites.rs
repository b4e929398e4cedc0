//! The spawn sites of one loop, numbered, so that a task header records where it was
//! spawned in two bytes instead of an 8-byte `&'static Location`.
//!
//! A program has few distinct `spawn` call sites (hundreds, not millions), while a server
//! may hold a million tasks from one of them. Each distinct site gets a number the first
//! time it spawns; the last site used is cached, so the common case (spawning in a loop
//! from one place) costs one comparison.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::Location;
use std::ptr;

/// A spawn site as `Location::caller` returns it.
pub(crate) type Site = &'static Location<'static>;

/// The number a header stores when the table is full (see `LiveTasks`, which then keeps
/// that task's site in a side map).
pub(crate) const UNNUMBERED: u16 = u16::MAX;

/// Spawn sites by number, and numbers by site.
pub(crate) struct SpawnSites {
    /// The site numbered last looked up, and its number: the fast path.
    last: Cell<(*const Location<'static>, u16)>,
    /// Site by number.
    sites: RefCell<Vec<Site>>,
    /// Number by site address (each call site is one static `Location`).
    numbers: RefCell<HashMap<*const Location<'static>, u16>>,
}

impl Default for SpawnSites {
    fn default() -> SpawnSites {
        SpawnSites {
            last: Cell::new((ptr::null(), UNNUMBERED)),
            sites: RefCell::default(),
            numbers: RefCell::default(),
        }
    }
}

impl SpawnSites {
    /// The number of `site`, numbering it if it is new; `UNNUMBERED` once 65,535 sites
    /// have numbers.
    pub(crate) fn number(&self, site: Site) -> u16 {
        let (last, number) = self.last.get();
        if ptr::eq(last, site) {
            return number;
        }
        self.number_slow(site)
    }

    /// `number` when the site is not the cached one.
    #[cold]
    fn number_slow(&self, site: Site) -> u16 {
        let mut numbers = self.numbers.borrow_mut();
        let number = match numbers.get(&ptr::from_ref(site)) {
            Some(&number) => number,
            None => {
                let mut sites = self.sites.borrow_mut();
                if sites.len() >= usize::from(UNNUMBERED) {
                    return UNNUMBERED;
                }
                let number = sites.len() as u16;
                sites.push(site);
                numbers.insert(ptr::from_ref(site), number);
                number
            }
        };
        self.last.set((ptr::from_ref(site), number));
        number
    }

    /// The site numbered `number` (not `UNNUMBERED`).
    pub(crate) fn site(&self, number: u16) -> Site {
        self.sites.borrow()[usize::from(number)]
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[track_caller]
    fn here() -> Site {
        Location::caller()
    }

    #[test]
    fn each_site_keeps_its_number() {
        let table = SpawnSites::default();
        let a = here();
        let b = here();
        let na = table.number(a);
        let nb = table.number(b);
        assert_ne!(na, nb);
        assert_eq!(table.number(a), na);
        assert_eq!(table.number(a), na);
        assert_eq!(table.number(b), nb);
        assert_eq!(table.site(na).line(), a.line());
        assert_eq!(table.site(nb).line(), b.line());
    }
}
