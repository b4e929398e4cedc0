//! Joins: waiting on several futures at once inside one task (`asyncio.gather`,
//! `asyncio.wait`).
//!
//! `gather.rs` holds the tuple macros, `gather_all.rs` the iterator joins built on
//! `wake_list.rs` (one waker per child, one allocation), `race.rs` the first-wins join,
//! `select.rs` the `select!` macro (the first of several futures of any types, with
//! patterns), `join_set.rs` the task group returned in completion order, `maybe_done.rs`
//! the child wrapper they share.

mod gather;
mod gather_all;
mod join_set;
pub(crate) mod maybe_done;
mod race;
pub(crate) mod select;
mod wake_list;

pub use gather_all::{gather_all, try_gather_all, GatherAll, TryGatherAll};
pub use join_set::JoinSet;
pub use race::{race, Race};
