//! `all_tasks()`: what the loop is running, like `asyncio.all_tasks()`.

use std::fmt;
use std::panic::Location;

use super::header::{flags, Header};
use crate::runtime::core::with_current;

/// Where a task is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Woken and waiting in the run queue for its turn.
    Scheduled,
    /// Waiting for a wake (I/O, a timer, another task).
    Idle,
    /// Being polled right now (the task calling `all_tasks` sees itself so).
    Running,
}

/// A snapshot of one live task.
#[derive(Clone, Debug)]
pub struct TaskInfo {
    /// Unique within its loop; the same as `JoinHandle::id`.
    pub id: u64,
    /// The name given with [`Builder::name`](super::Builder::name).
    pub name: Option<String>,
    /// Where the task was spawned.
    pub location: &'static Location<'static>,
    /// Scheduled, idle or running.
    pub state: TaskState,
    /// How many times it has been polled.
    pub polls: u64,
}

impl TaskInfo {
    /// The snapshot of `header`.
    fn of(header: &Header, name: Option<String>) -> TaskInfo {
        let state = if header.has(flags::RUNNING) {
            TaskState::Running
        } else if header.has(flags::QUEUED) || header.state.is_scheduled() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        };
        TaskInfo {
            id: header.id(),
            name,
            location: header.location,
            state,
            polls: header.polls(),
        }
    }
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "task {} '{name}'", self.id)?,
            None => write!(f, "task {}", self.id)?,
        }
        write!(
            f,
            " ({}) {:?}, polled {} times",
            self.location, self.state, self.polls
        )
    }
}

/// Every live task of this thread's loop (spawned, not yet finished), newest first:
/// asyncio's `all_tasks()`. Empty outside a loop.
///
/// ```
/// evloop::run(async {
///     let _idle = evloop::task::Builder::new()
///         .name("sleeper")
///         .spawn(std::future::pending::<()>());
///     evloop::yield_now().await;
///     let tasks = evloop::task::all_tasks();
///     assert_eq!(tasks[0].name.as_deref(), Some("sleeper"));
///     assert_eq!(tasks[0].state, evloop::task::TaskState::Idle);
/// });
/// ```
pub fn all_tasks() -> Vec<TaskInfo> {
    with_current(|core| {
        let mut out = Vec::with_capacity(core.tasks.len());
        core.tasks.for_each(|h| {
            if !h.has(flags::COMPLETE) {
                out.push(TaskInfo::of(h, core.tasks.name_of(h)));
            }
        });
        out.sort_unstable_by_key(|t| std::cmp::Reverse(t.id));
        out
    })
    .unwrap_or_default()
}
