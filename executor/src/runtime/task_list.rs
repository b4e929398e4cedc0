//! The loop's intrusive list of live tasks.
//!
//! Every task that has not completed is linked here, and the list owns one reference to
//! it: this is how dropping the runtime finds and drops every remaining future, and how
//! `task::all_tasks()` lists them. Linking and unlinking are O(1) and allocate nothing.

use std::cell::Cell;
use std::ptr::NonNull;

use crate::task::header::{flags, Header};
use crate::task::TaskRef;

/// Doubly linked through `Header::links`; loop thread only.
#[derive(Default)]
pub(crate) struct TaskList {
    /// The most recently spawned live task.
    head: Cell<Option<NonNull<Header>>>,
    /// How many tasks are linked.
    len: Cell<usize>,
}

impl TaskList {
    /// Links a task, taking over the reference `task` owns.
    pub(crate) fn push(&self, task: TaskRef) {
        let ptr = task.as_ptr();
        std::mem::forget(task);
        // SAFETY: the list now owns a reference, so the header is alive.
        let header = unsafe { ptr.as_ref() };
        header.links.prev.set(None);
        header.links.next.set(self.head.get());
        if let Some(old) = self.head.get() {
            // SAFETY: linked tasks are alive (the list holds a reference to each).
            unsafe { old.as_ref() }.links.prev.set(Some(ptr));
        }
        self.head.set(Some(ptr));
        header.set(flags::LISTED);
        self.len.set(self.len.get() + 1);
    }

    /// Unlinks a task if it is linked, returning the list's reference to it.
    pub(crate) fn remove(&self, ptr: NonNull<Header>) -> Option<TaskRef> {
        // SAFETY: the caller holds a reference, so the header is alive.
        let header = unsafe { ptr.as_ref() };
        if !header.has(flags::LISTED) {
            return None;
        }
        header.clear(flags::LISTED);
        let prev = header.links.prev.take();
        let next = header.links.next.take();
        match prev {
            // SAFETY: linked neighbours are alive.
            Some(p) => unsafe { p.as_ref() }.links.next.set(next),
            None => self.head.set(next),
        }
        if let Some(n) = next {
            // SAFETY: linked neighbours are alive.
            unsafe { n.as_ref() }.links.prev.set(prev);
        }
        self.len.set(self.len.get() - 1);
        // SAFETY: hands back the reference the list owned.
        Some(unsafe { TaskRef::from_raw(ptr) })
    }

    /// Unlinks the head, returning the list's reference to it.
    pub(crate) fn pop(&self) -> Option<TaskRef> {
        self.remove(self.head.get()?)
    }

    /// How many tasks are live.
    pub(crate) fn len(&self) -> usize {
        self.len.get()
    }

    /// Calls `f` on every live task's header, newest first. `f` must not spawn or complete tasks.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&Header)) {
        let mut cur = self.head.get();
        while let Some(ptr) = cur {
            // SAFETY: linked tasks are alive.
            let header = unsafe { ptr.as_ref() };
            f(header);
            cur = header.links.next.get();
        }
    }
}
