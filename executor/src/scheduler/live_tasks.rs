//! The loop's table of live tasks, and the names of the named ones.
//!
//! Every spawned task is in the table from spawn until it completes; the table owns one
//! reference to each, which is what keeps an idle task (one nobody but a waker points at)
//! alive, and what lets the runtime cancel every task at shutdown and `task::all_tasks()`
//! list them. It is a vector of task pointers; each header records its own index
//! (`Header::slot`), so removal is a swap with the last entry: O(1), and 8 bytes per
//! task, half of what a doubly linked list threaded through the headers would cost.
//!
//! Names are rare, so they live here in a map by task id rather than in every header;
//! spawn sites are few, so headers store a site's number in `spawn_sites.rs` (and, in the
//! unlikely program with more than 65,535 of them, the rest live in a map by task id).
//!
//! Debug mode keeps a record per slot beside this table (`task_records.rs`), moved in
//! step with it by the loop (`EventLoop::list`, `EventLoop::unlist`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ptr::NonNull;

use super::spawn_sites::{Site, SpawnSites, UNNUMBERED};
use crate::raw::header::{flags, Header};
use crate::raw::TaskRef;

/// Live tasks of one loop; loop thread only.
#[derive(Default)]
pub(crate) struct LiveTasks {
    /// Each live task, owning one reference; `Header::slot` is the index here.
    slots: RefCell<Vec<NonNull<Header>>>,
    /// The names given through `task::Builder::name`, by task id.
    names: RefCell<HashMap<u64, Box<str>>>,
    /// Spawn sites by number (`Header::site`).
    sites: SpawnSites,
    /// The sites of tasks whose site got no number (`UNNUMBERED`), by task id.
    unnumbered: RefCell<HashMap<u64, Site>>,
}

impl LiveTasks {
    /// Adds a task, taking over the reference `task` owns, with its name if it has one and
    /// where it was spawned.
    pub(crate) fn push(&self, task: TaskRef, name: Option<Box<str>>, site: Site) {
        let ptr = task.into_raw();
        // SAFETY: the reference just taken over keeps the header alive.
        let header = unsafe { ptr.as_ref() };
        let mut slots = self.slots.borrow_mut();
        let slot = u32::try_from(slots.len()).expect("evloop: more than 2^32 live tasks");
        header.slot.set(slot);
        slots.push(ptr);
        header.set(flags::LISTED);
        let number = self.sites.number(site);
        header.site.set(number);
        if number == UNNUMBERED {
            self.unnumbered.borrow_mut().insert(header.id(), site);
        }
        if let Some(name) = name {
            header.set(flags::NAMED);
            self.names.borrow_mut().insert(header.id(), name);
        }
    }

    /// Removes a task if it is listed, returning the table's reference to it.
    pub(crate) fn remove(&self, ptr: NonNull<Header>) -> Option<TaskRef> {
        // SAFETY: the caller holds a reference or the table does (LISTED), either way the
        // header is alive.
        let header = unsafe { ptr.as_ref() };
        if !header.has(flags::LISTED) {
            return None;
        }
        header.clear(flags::LISTED);
        let mut slots = self.slots.borrow_mut();
        let slot = header.slot.get() as usize;
        debug_assert_eq!(slots[slot], ptr, "a task's slot points back at it");
        slots.swap_remove(slot);
        if let Some(moved) = slots.get(slot) {
            // SAFETY: listed, so alive (the table owns a reference).
            unsafe { moved.as_ref() }.slot.set(slot as u32);
        }
        // Give back most of the memory of a burst of tasks, amortized O(1).
        if slots.capacity() > 4096 && slots.len() < slots.capacity() / 4 {
            let half = slots.capacity() / 2;
            slots.shrink_to(half);
        }
        drop(slots);
        if header.has(flags::NAMED) {
            header.clear(flags::NAMED);
            self.names.borrow_mut().remove(&header.id());
        }
        if header.site.get() == UNNUMBERED {
            self.unnumbered.borrow_mut().remove(&header.id());
        }
        // SAFETY: the table owned this reference while the task was listed.
        Some(unsafe { TaskRef::from_raw(ptr) })
    }

    /// The task in the last slot, if any (still listed).
    pub(crate) fn last(&self) -> Option<NonNull<Header>> {
        self.slots.borrow().last().copied()
    }

    /// How many tasks are listed.
    pub(crate) fn len(&self) -> usize {
        self.slots.borrow().len()
    }

    /// The name of a listed task, if it was given one.
    pub(crate) fn name_of(&self, header: &Header) -> Option<String> {
        if !header.has(flags::NAMED) {
            return None;
        }
        self.names.borrow().get(&header.id()).map(|n| n.to_string())
    }

    /// Where a listed task was spawned.
    pub(crate) fn location_of(&self, header: &Header) -> Site {
        match header.site.get() {
            UNNUMBERED => self.unnumbered.borrow()[&header.id()],
            number => self.sites.site(number),
        }
    }

    /// Calls `f` on every listed task. `f` must not spawn or complete tasks.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Header)) {
        for ptr in self.slots.borrow().iter() {
            // SAFETY: listed, so alive.
            f(unsafe { ptr.as_ref() });
        }
    }
}
