//! Tasks: the unit the loop schedules, like asyncio's `Task`; named spawns with
//! [`Builder`], and introspection: [`all_tasks`] lists them, [`dump()`] also tells, in
//! debug mode, what each one waits for ([`WaitSite`]) and who awaits whom.
//!
//! ```
//! evloop::run(async {
//!     let worker = evloop::task::Builder::new().name("worker").spawn(async { 1 });
//!     assert!(evloop::task::all_tasks().iter().any(|t| t.name.as_deref() == Some("worker")));
//!     assert_eq!(worker.await.unwrap(), 1);
//! });
//! ```
//!
//! Inside the crate this module is what a user holds of a task: `join_handle.rs` and
//! `error.rs` what `spawn` hands back, `remote_handle.rs` what `Handle::spawn` does, `builder.rs` named spawns, `info.rs` `all_tasks()`, `dump/` `dump()`.
//! The task itself (its allocation, state word and waker) is `crate::raw`.

mod builder;
pub(crate) mod dump;
mod error;
mod info;
mod join_handle;
pub(crate) mod remote_handle;

pub use crate::join::JoinSet;
pub use crate::scheduler::debug::SlowPoll;
pub use builder::Builder;
pub use dump::{dump, DumpedTask, Table, TaskDump};
pub use error::JoinError;
pub use evloop_reactor::wait_site::{Endpoint, WaitDetail, WaitKind, WaitSite};
pub use info::{all_tasks, TaskInfo, TaskState};
pub use join_handle::JoinHandle;
pub use remote_handle::RemoteHandle;
