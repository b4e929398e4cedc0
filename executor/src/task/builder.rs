//! `task::Builder`: spawn a task with a name.

use std::future::Future;
use std::panic::Location;

use super::JoinHandle;

/// Spawns a task with options, like `asyncio.create_task(coro, name="db-writer")`.
///
/// The name shows in [`all_tasks`](super::all_tasks), in slow-poll reports of debug mode,
/// and in nothing that costs time on the hot path.
///
/// ```
/// evloop::run(async {
///     let handle = evloop::task::Builder::new()
///         .name("db-writer")
///         .spawn(async { "written" });
///     assert_eq!(handle.await.unwrap(), "written");
/// });
/// ```
#[derive(Debug, Default)]
pub struct Builder {
    /// The task's name, if given.
    name: Option<Box<str>>,
}

impl Builder {
    /// A builder with no options set: [`spawn`](Builder::spawn) then does what
    /// [`evloop::spawn`](crate::spawn) does.
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::task::Builder::new().spawn(async { 5 });
    ///     assert_eq!(handle.await.unwrap(), 5);
    /// });
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task, like `create_task`'s `name=` argument (asyncio's `Task.get_name()`
    /// is [`TaskInfo::name`](super::TaskInfo::name) here).
    ///
    /// ```
    /// evloop::run(async {
    ///     let job = evloop::task::Builder::new()
    ///         .name(format!("job-{}", 7))
    ///         .spawn(std::future::pending::<()>());
    ///     let info = evloop::task::all_tasks().into_iter().find(|t| t.id == job.id()).unwrap();
    ///     assert_eq!(info.name.as_deref(), Some("job-7"));
    ///     job.abort();
    /// });
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(name.into().into_boxed_str());
        self
    }

    /// Spawns the task on this thread's loop, exactly like [`spawn`](crate::spawn).
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::task::Builder::new()
    ///         .name("adder")
    ///         .spawn(async { 1 + 2 });
    ///     assert_eq!(handle.await.unwrap(), 3);
    /// });
    /// ```
    ///
    /// # Panics
    /// Outside a running loop.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        crate::runtime::spawn_named(future, Location::caller(), self.name)
    }
}
