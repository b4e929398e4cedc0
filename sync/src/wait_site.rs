//! How the primitives tell task dumps what a task waits for: each wait future notes, when
//! it returns `Pending`, its kind (a lock, a receive...) and the user's call that made it
//! (`mutex.lock()`, `rx.recv()`, found through `#[track_caller]`). Outside debug mode a
//! note costs a thread-local read and a branch (`evloop_reactor::context::record_wait`).

use std::panic::Location;

use evloop_reactor::context::record_wait;
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};

/// Notes, in debug mode, that the future being polled waits: a wait of `kind` made at
/// `site` (`None` for a `poll_*` method called by hand), with `detail`.
#[inline]
pub(crate) fn note_wait(
    kind: WaitKind,
    site: Option<&'static Location<'static>>,
    detail: WaitDetail,
) {
    record_wait(|| WaitSite::new(kind, site, detail));
}
