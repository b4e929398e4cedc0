//! The executor of evloop: tasks, the run queue, the loop that drives them, and joins.
//!
//! In DESIGN.md's picture this crate *is* the loop: `Runtime::block_on` takes wakes from
//! other threads, polls up to a budget of ready tasks, asks the timer store
//! ([`evloop_time`]) for the next deadline, blocks in the reactor ([`evloop_reactor`])
//! until then, and fires due timers, over and over until the main future is done.
//!
//! Users reach all of this through the `evloop` facade: `evloop::run`, `evloop::spawn`,
//! `evloop::gather!`. The layout: `runtime/` (the loop, `Runtime`, `Builder`, `spawn`),
//! `task/` (the task allocation, its state word, wakers, `JoinHandle`, `JoinError`),
//! `join/` (`gather!`, `gather_all`, `try_gather!`, `try_gather_all`, `race`, `select!`).

#![warn(missing_docs)]

mod blocking;
mod join;
mod loom;
mod runtime;
pub mod task;
mod yield_now;

pub use blocking::spawn_blocking;
pub use join::{gather_all, race, try_gather_all, GatherAll, JoinSet, Race, TryGatherAll};
pub use runtime::{run, spawn, Builder, Runtime};
pub use task::{JoinError, JoinHandle};
pub use yield_now::yield_now;

/// Items the exported macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::join::maybe_done::MaybeDone;
    pub use crate::join::select::select_start;
}
