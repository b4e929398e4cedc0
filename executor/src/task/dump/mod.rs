//! `dump()`: every live task of the loop and, in debug mode, what each one waits for,
//! like `python -m asyncio ps` and `pstree` (which show the same of a live asyncio
//! process; `evloop-ps` does it for an evloop process).
//!
//! A dump is a snapshot ([`TaskDump`]) built from the live-task table and, in debug mode,
//! each task's record (`scheduler/task_records.rs`): the sites its futures noted when its
//! last poll returned `Pending`. It prints three ways: `tree.rs` (its `Display`, the
//! await tree), `table.rs` (one line a task), `json.rs` (for tools).

mod json;
mod table;
mod tree;

use std::panic::Location;
use std::time::{Duration, Instant};

use evloop_reactor::wait_site::{HumanDuration, WaitDetail, WaitKind, WaitSite};

pub use table::Table;

use super::info::{TaskInfo, TaskState};
use crate::raw::header::flags;
use crate::scheduler::context::with_current;
use crate::scheduler::dump_server::Format;
use crate::scheduler::poll_clock::PollClock;
use crate::scheduler::task_records::Whose;
use crate::scheduler::EventLoop;

/// Every live task of this thread's loop, with what each waits for in debug mode: the
/// question "what is my program waiting on?" answered from inside it (`evloop-ps PID`
/// answers it from outside, for a process in debug mode). An empty dump outside a loop.
///
/// The future given to `block_on` (or `run`) is listed as task 0, the "main future".
/// Without debug mode every task is listed with its id, name, spawn site, state and poll
/// count; debug mode (`EVLOOP_DEBUG=1` or [`Builder::debug`](crate::Builder::debug))
/// adds who spawned it, its time in polls, the time since its last poll and its wait
/// sites, and with them the await tree that the dump's `Display` draws.
///
/// ```
/// use std::time::Duration;
/// let rt = evloop::Runtime::builder().debug(true).build()?;
/// rt.block_on(async {
///     let sleeper = evloop::task::Builder::new()
///         .name("sleeper")
///         .spawn(evloop::time::sleep(Duration::from_secs(60)));
///     evloop::yield_now().await; // let it start sleeping
///     let dump = evloop::task::dump();
///     let task = dump.task(sleeper.id()).unwrap();
///     assert_eq!(task.waits[0].kind, evloop::task::WaitKind::Sleep);
///     assert!(dump.to_string().contains("task 1 'sleeper'"));
///     sleeper.abort();
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn dump() -> TaskDump {
    with_current(take).unwrap_or_else(|| TaskDump {
        pid: std::process::id(),
        loop_index: 0,
        debug: false,
        taken_at: Instant::now(),
        poll_time_resolution: Duration::ZERO,
        tasks: Vec::new(),
    })
}

/// A snapshot of the tasks of one loop, from [`dump()`] (or `evloop-ps`).
///
/// Its `Display` is the await tree: a task awaited by another through its handle stands
/// under its awaiter, indented, as in `asyncio pstree`; tasks waiting for each other
/// in a cycle are printed as one, never followed forever. [`table`](TaskDump::table)
/// prints one line a task, [`to_json`](TaskDump::to_json) the same for tools.
///
/// ```
/// evloop::run(async {
///     let worker = evloop::spawn(std::future::pending::<()>());
///     evloop::yield_now().await;
///     let dump = evloop::task::dump();
///     assert!(!dump.debug); // no debug mode: tasks are listed, not what they wait for
///     assert_eq!(dump.tasks.len(), 2); // the main future (task 0) and the worker
///     assert!(dump.to_json().contains("\"state\":\"idle\""));
///     worker.abort();
/// });
/// ```
#[derive(Clone, Debug)]
pub struct TaskDump {
    /// The process's id.
    pub pid: u32,
    /// The loop's index in the process (the `N` of its dump socket `evloop-PID-N.sock`).
    pub loop_index: u16,
    /// Whether the loop runs in debug mode; without it, tasks carry no wait sites,
    /// spawners or poll times.
    pub debug: bool,
    /// When the dump was taken, on the loop's clock: what a wait site's deadline compares
    /// with ([`WaitSite::time_left`]).
    pub taken_at: Instant,
    /// Debug mode: the resolution of the tasks' poll times; zero when polls are timed
    /// with the precise clock, one tick of the kernel's clock when they are timed in
    /// ticks (see [`DumpedTask::poll_time`]).
    pub poll_time_resolution: Duration,
    /// The main future (task 0, while a `block_on` runs), then every live task by id.
    pub tasks: Vec<DumpedTask>,
}

/// One task of a [`TaskDump`].
///
/// ```
/// evloop::run(async {
///     let dump = evloop::task::dump();
///     let main = &dump.tasks[0];
///     assert_eq!((main.id, main.state), (0, evloop::task::TaskState::Running));
///     assert_eq!(main.location.file(), file!()); // where `run` was called
/// });
/// ```
#[derive(Clone, Debug)]
pub struct DumpedTask {
    /// Its id (0 for the main future), as `JoinHandle::id` gives it.
    pub id: u64,
    /// Its name, if it was given one ([`Builder::name`](super::Builder::name)).
    pub name: Option<String>,
    /// Where it was spawned (for the main future: where `block_on` or `run` was called).
    pub location: &'static Location<'static>,
    /// Debug mode: the task whose poll spawned it (0: the main future); `None` outside
    /// debug mode or when no task did (a spawn from another thread).
    pub spawned_by: Option<u64>,
    /// Scheduled, idle or running.
    pub state: TaskState,
    /// How many times it was polled.
    pub polls: u64,
    /// Debug mode: its time in polls (counted in the kernel's ticks for coarse slow-poll
    /// thresholds, see [`SlowPoll::duration`](super::SlowPoll::duration): then the
    /// figure is right on average over many polls, not for each).
    pub poll_time: Option<Duration>,
    /// Debug mode: how long ago its last poll ended; `None` before its first poll.
    pub since_last_poll: Option<Duration>,
    /// Debug mode, for an idle task: what it waits for, as evloop's futures noted when
    /// its last poll returned `Pending`. Empty for a running or scheduled task (its wait
    /// is over), and for a task waiting only on futures evloop does not own (an "unknown
    /// future": look at the task's code at its spawn site).
    pub waits: Vec<WaitSite>,
}

impl TaskDump {
    /// The task with id `id`, if it is in the dump.
    ///
    /// ```
    /// evloop::run(async {
    ///     assert!(evloop::task::dump().task(0).is_some()); // the main future
    ///     assert!(evloop::task::dump().task(12345).is_none());
    /// });
    /// ```
    pub fn task(&self, id: u64) -> Option<&DumpedTask> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The tasks `task` awaits through their handles, as ids of tasks of this loop.
    fn awaits<'a>(&self, task: &'a DumpedTask) -> impl Iterator<Item = u64> + 'a {
        let here = self.loop_index;
        task.waits.iter().filter_map(move |site| match site.detail {
            WaitDetail::Task { id, loop_index }
                if site.kind == WaitKind::Join && loop_index == here =>
            {
                Some(id)
            }
            _ => None,
        })
    }
}

impl DumpedTask {
    /// Waits on something evloop cannot see: idle in debug mode, polled, with no wait
    /// site noted.
    fn waits_unknown(&self, debug: bool) -> bool {
        debug && self.state == TaskState::Idle && self.polls > 0 && self.waits.is_empty()
    }

    /// Its poll time as dumps print it: `120 µs`, or in tick-clock mode (a nonzero
    /// `resolution`) `< 4 ms` or `~12 ms`; `-` outside debug mode.
    fn busy(&self, resolution: Duration) -> String {
        match self.poll_time {
            None => "-".into(),
            Some(busy) if resolution.is_zero() => HumanDuration(busy).to_string(),
            Some(busy) if busy < resolution => format!("< {}", HumanDuration(resolution)),
            Some(busy) => format!("~{}", HumanDuration(busy)),
        }
    }

    /// `task 3 'name'`, or `main future` for task 0.
    fn title(&self) -> Title<'_> {
        Title(self)
    }
}

/// How a dump names a task: `task 3 'worker'`, `task 4`, `main future`.
struct Title<'a>(&'a DumpedTask);

impl std::fmt::Display for Title<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0.id, &self.0.name) {
            (0, _) => f.write_str("main future"),
            (id, Some(name)) => write!(f, "task {id} '{name}'"),
            (id, None) => write!(f, "task {id}"),
        }
    }
}

/// The dump of `event_loop`, on its thread.
pub(crate) fn take(event_loop: &EventLoop) -> TaskDump {
    let debug = event_loop.config.debug.enabled;
    let now = PollClock::precise().now();
    let ago = |last: u64| (last > 0).then(|| Duration::from_nanos(now.saturating_sub(last)));
    let mut tasks = Vec::with_capacity(event_loop.tasks.len() + 1);
    let main = &event_loop.main;
    if let Some(location) = main.site.get() {
        let state = if main.running.get() {
            TaskState::Running
        } else if event_loop.remote.is_main_woken() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        };
        let figures = debug
            .then(|| event_loop.records.figures(Whose::Main))
            .flatten();
        tasks.push(DumpedTask {
            id: 0,
            name: None,
            location,
            spawned_by: None,
            state,
            polls: main.polls.get(),
            poll_time: figures.as_ref().map(|f| Duration::from_nanos(f.busy)),
            since_last_poll: figures.as_ref().and_then(|f| ago(f.last_poll)),
            waits: waits_if_idle(state, || event_loop.records.waits(Whose::Main)),
        });
    }
    let table = &event_loop.tasks;
    table.for_each(|header| {
        if header.has(flags::COMPLETE) {
            return;
        }
        let info = TaskInfo::of(header, table);
        let mut task = DumpedTask {
            id: info.id,
            name: info.name,
            location: info.location,
            spawned_by: None,
            state: info.state,
            polls: info.polls,
            poll_time: None,
            since_last_poll: None,
            waits: Vec::new(),
        };
        let whose = Whose::Task(header);
        if let Some(figures) = event_loop.records.figures(whose) {
            task.spawned_by = figures.spawned_by;
            task.poll_time = Some(Duration::from_nanos(figures.busy));
            task.since_last_poll = ago(figures.last_poll);
            task.waits = waits_if_idle(task.state, || event_loop.records.waits(whose));
        }
        tasks.push(task);
    });
    tasks.sort_unstable_by_key(|t| t.id);
    TaskDump {
        pid: std::process::id(),
        loop_index: event_loop.index(),
        debug,
        taken_at: evloop_time::Instant::now().into_std(),
        poll_time_resolution: event_loop.poll_clock().slack(),
        tasks,
    }
}

/// The dump of `event_loop` printed as `format`: the dump server's reply.
pub(crate) fn render(event_loop: &EventLoop, format: Format) -> String {
    let dump = take(event_loop);
    match format {
        Format::Tree => dump.to_string(),
        Format::Table => dump.table().to_string(),
        Format::Json => dump.to_json() + "\n",
    }
}

/// A task's wait sites as a dump shows them: only while it is idle.
fn waits_if_idle(state: TaskState, waits: impl FnOnce() -> Vec<WaitSite>) -> Vec<WaitSite> {
    if state == TaskState::Idle {
        waits()
    } else {
        Vec::new()
    }
}
