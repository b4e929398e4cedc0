//! The executor of evloop: tasks, the run queue, the loop that drives them, and joins.
//!
//! In ARCHITECTURE.md's picture this crate *is* the loop: `Runtime::block_on` takes wakes from
//! other threads, polls up to a budget of ready tasks, asks the timer store
//! ([`evloop_time`]) for the next deadline, blocks in the reactor ([`evloop_reactor`])
//! until then, and fires due timers, over and over until the main future is done.
//!
//! Users reach all of this through the `evloop` facade: `evloop::run`, `evloop::spawn`,
//! `evloop::gather!`. The layout, from the bottom up (each module depends only on those
//! above it in this list):
//!
//! - `raw/`: a task (its allocation, state word, waker); it needs from its loop only
//!   what the `Schedule` trait says;
//! - `scheduler/`: the loop, one file per stage of a turn (wake, run queue, poll, park,
//!   readiness, timers), and the part of it other threads reach;
//! - `runtime/`: what users hold, `run`, `Runtime`, `Builder`, `spawn`;
//! - `task/`: `JoinHandle`, `JoinError`, `task::Builder`, `all_tasks`;
//! - `join/`: `gather!`, `gather_all`, `try_gather!`, `try_gather_all`, `race`, `select!`,
//!   `JoinSet`;
//! - `blocking/`: `spawn_blocking` and its thread pool.
//!
//! `ARCHITECTURE.md` at the repository's root walks a wake through these files.

#![warn(
    missing_docs,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

mod blocking;
mod join;
mod loom;
mod raw;
mod ref_waker;
mod runtime;
mod scheduler;
pub mod task;
mod yield_now;

pub use blocking::spawn_blocking;
pub use join::{gather_all, race, try_gather_all, GatherAll, JoinSet, Race, TryGatherAll};
pub use runtime::{run, run_per_core, spawn, Builder, Handle, Runtime};
pub use task::{JoinError, JoinHandle, RemoteHandle};
pub use yield_now::yield_now;

/// Items the exported macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::join::maybe_done::MaybeDone;
    pub use crate::join::select::select_start;
}
