//! The main future: the one given to `block_on`, which is not a task. It is polled by
//! `block_on` itself whenever its waker has set the loop's "main woken" flag. Task dumps
//! show it as task 0 ([`MainTask`]).

use std::cell::Cell;
use std::sync::Arc;
use std::task::Wake;

use super::context;
use super::remote::Remote;
use super::spawn_sites::Site;

/// The waker of the future given to `block_on`.
pub(crate) struct MainWaker {
    /// The loop that polls the main future.
    pub(crate) remote: Arc<Remote>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let here =
            context::with_current(|event_loop| Arc::ptr_eq(&event_loop.remote, &self.remote));
        if here.unwrap_or(false) {
            self.remote.set_main_woken();
        } else {
            self.remote.wake_main_remote();
        }
    }
}

/// What the loop knows of the main future while `block_on` runs it: task dumps list it
/// as task 0, the root of the await tree in most programs. (Its debug-mode record is
/// with the tasks', in `task_records.rs`.)
#[derive(Default)]
pub(crate) struct MainTask {
    /// Where `block_on` (or `run`) was called; `None` while no `block_on` runs.
    pub(crate) site: Cell<Option<Site>>,
    /// The main future is inside its `poll` right now.
    pub(crate) running: Cell<bool>,
    /// How many times it was polled.
    pub(crate) polls: Cell<u64>,
}

impl MainTask {
    /// A new `block_on`, called at `site`, starts a new main future.
    pub(crate) fn start(&self, site: Site) {
        self.site.set(Some(site));
        self.running.set(false);
        self.polls.set(0);
    }

    /// The `block_on` has returned (or unwound).
    pub(crate) fn end(&self) {
        self.site.set(None);
        self.running.set(false);
    }
}

/// Ends the main future's `block_on` when dropped, also by a panic of the main future.
pub(crate) struct MainGuard<'a>(pub(crate) &'a MainTask);

impl Drop for MainGuard<'_> {
    fn drop(&mut self) {
        self.0.end();
    }
}
