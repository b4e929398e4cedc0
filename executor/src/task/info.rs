//! `all_tasks()`: what the loop is running, like `asyncio.all_tasks()`.

use std::fmt;
use std::panic::Location;

use crate::raw::header::{flags, Header};
use crate::scheduler::context::with_current;
use crate::scheduler::live_tasks::LiveTasks;

/// Where a task is in its cycle, as [`all_tasks`] sees it.
///
/// ```
/// use evloop::task::{all_tasks, TaskState};
/// evloop::run(async {
///     let waiting = evloop::spawn(std::future::pending::<()>());
///     let state_of = |id| all_tasks().into_iter().find(|t| t.id == id).unwrap().state;
///     assert_eq!(state_of(waiting.id()), TaskState::Scheduled); // spawned, not yet polled
///     evloop::yield_now().await;
///     assert_eq!(state_of(waiting.id()), TaskState::Idle); // polled, waiting for a wake
///     let me = evloop::spawn(async move { state_of(evloop::task::all_tasks()[0].id) });
///     assert_eq!(me.await.unwrap(), TaskState::Running); // the newest task is the caller
///     waiting.abort();
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Woken and waiting in the run queue for its turn.
    Scheduled,
    /// Waiting for a wake (I/O, a timer, another task).
    Idle,
    /// Being polled right now (the task calling `all_tasks` sees itself so).
    Running,
}

impl TaskState {
    /// The state of the task of `header`.
    pub(crate) fn of(header: &Header) -> TaskState {
        if header.has(flags::RUNNING) {
            TaskState::Running
        } else if header.has(flags::QUEUED) || header.state.is_scheduled() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        }
    }

    /// The state's name in dumps: `idle`, `scheduled` or `running`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TaskState::Scheduled => "scheduled",
            TaskState::Idle => "idle",
            TaskState::Running => "running",
        }
    }
}

/// A snapshot of one live task, an entry of [`all_tasks`]; its `Display` is one line for
/// a log, like the repr of an asyncio `Task`.
///
/// ```
/// evloop::run(async {
///     let handle = evloop::task::Builder::new()
///         .name("ticker")
///         .spawn(std::future::pending::<()>());
///     evloop::yield_now().await; // let it run once
///     let info = evloop::task::all_tasks().into_iter().find(|t| t.id == handle.id()).unwrap();
///     assert_eq!(info.name.as_deref(), Some("ticker"));
///     assert_eq!(info.location.file(), file!()); // where it was spawned
///     assert_eq!(info.state, evloop::task::TaskState::Idle);
///     assert_eq!(info.polls, 1);
///     assert!(info.to_string().starts_with(&format!("task {} 'ticker' (", info.id)));
///     handle.abort();
/// });
/// ```
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
    pub(crate) fn of(header: &Header, tasks: &LiveTasks) -> TaskInfo {
        TaskInfo {
            id: header.id(),
            name: tasks.name_of(header),
            location: tasks.location_of(header),
            state: TaskState::of(header),
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
    with_current(|event_loop| {
        let tasks = &event_loop.tasks;
        let mut out = Vec::with_capacity(tasks.len());
        tasks.for_each(|h| {
            if !h.has(flags::COMPLETE) {
                out.push(TaskInfo::of(h, tasks));
            }
        });
        out.sort_unstable_by_key(|t| std::cmp::Reverse(t.id));
        out
    })
    .unwrap_or_default()
}
