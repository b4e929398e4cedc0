//! The runtime, as users hold it: [`run`] and [`Runtime`] (`mod.rs`), the [`Builder`] of
//! its settings (`builder.rs`), and [`spawn`] (`spawn.rs`). The loop they drive is
//! `crate::scheduler`.

mod builder;
mod cpus;
mod handle;
mod per_core;
mod spawn;

use std::future::Future;
use std::io;
use std::panic::Location;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use evloop_reactor::Backend;

use crate::scheduler::EventLoop;

pub use self::builder::Builder;
pub use self::handle::Handle;
pub use self::per_core::run_per_core;
pub use self::spawn::spawn;
pub(crate) use self::spawn::spawn_named;

/// Runs a future to completion on a new loop on this thread, then drops every task still
/// alive: the counterpart of `asyncio.run`.
///
/// ```
/// let answer = evloop::run(async {
///     let a = evloop::spawn(async { 40 });
///     a.await.unwrap() + 2
/// });
/// assert_eq!(answer, 42);
/// ```
///
/// # Panics
/// If the loop cannot be created (no epoll or eventfd, or `EVLOOP_BACKEND` names no
/// backend: the message says which values it takes), if a loop already runs on this
/// thread, or if `future` panics (the panic propagates, as an exception from
/// `asyncio.run`'s coroutine does).
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    let runtime = match Runtime::new() {
        Ok(rt) => rt,
        Err(err) => panic!("evloop::run: could not create the event loop: {err}"),
    };
    runtime.block_on(future)
}

/// An event loop: an epoll reactor, a timer store and a run queue, driven by
/// [`block_on`](Runtime::block_on) on the thread that owns it.
///
/// `Runtime` is `!Send`; it and all of its tasks live on one thread. Tasks spawned in one
/// `block_on` call stay alive for the next; dropping the runtime drops every remaining
/// task's future, on this thread.
///
/// ```
/// let rt = evloop::Runtime::new().unwrap();
/// let handle = rt.block_on(async { Some(evloop::spawn(async { "later" })) }).unwrap();
/// assert_eq!(rt.block_on(handle).unwrap(), "later");
/// ```
pub struct Runtime {
    /// The loop; boxed so its address, published in a thread-local while it runs, is stable.
    event_loop: Box<EventLoop>,
    /// The waker of `block_on`'s future, made once.
    main_waker: Waker,
}

impl Runtime {
    /// A runtime with the default settings: the loop `asyncio.new_event_loop()` makes.
    ///
    /// ```
    /// let rt = evloop::Runtime::new()?;
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the epoll instance or its eventfd cannot be created (out of fds, for instance),
    /// or `EVLOOP_BACKEND` is set to something other than `epoll`, `poll` or `select`
    /// ([`io::ErrorKind::InvalidInput`]; see [`Builder::backend`]).
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// A [`Builder`] for a runtime with custom settings; the same as [`Builder::new`].
    ///
    /// ```
    /// let rt = evloop::Runtime::builder().max_blocking_threads(4).build()?;
    /// assert_eq!(rt.block_on(async { 2 + 2 }), 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `future` to completion on this thread, driving every task of this runtime
    /// while it waits. Returns the future's output: `loop.run_until_complete` in asyncio.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = evloop::Runtime::new()?;
    /// let total = rt.block_on(async {
    ///     let a = evloop::spawn(async { 1 });
    ///     evloop::time::sleep(Duration::from_millis(1)).await;
    ///     a.await.unwrap() + 1
    /// });
    /// assert_eq!(total, 2);
    /// // The runtime can be used again: a second block_on on the same loop.
    /// assert_eq!(rt.block_on(async { total * 10 }), 20);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// If a loop is already running on this thread (for instance when called from inside
    /// a task: use `.await` there), or if `future` panics.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let event_loop = &*self.event_loop;
        let _entered = event_loop.enter();
        let _slack = event_loop
            .config
            .low_timer_slack
            .then(evloop_reactor::TimerSlackGuard::lowest);
        let location = Location::caller();
        let debug = event_loop.config.debug.enabled;
        let mut cx = Context::from_waker(&self.main_waker);
        let mut future = pin!(future);
        event_loop.remote.set_main_woken();
        loop {
            if event_loop.remote.take_main_woken() {
                let start = debug.then(Instant::now);
                let poll = future.as_mut().poll(&mut cx);
                if let Some(start) = start {
                    event_loop.check_slow_main_poll(start, location);
                }
                if let Poll::Ready(output) = poll {
                    return output;
                }
            }
            event_loop.turn();
        }
    }

    /// A [`Handle`] to this runtime's loop, for other threads: they spawn tasks on it and
    /// run closures there while this thread drives it with `block_on`.
    ///
    /// ```
    /// let rt = evloop::Runtime::new()?;
    /// let handle = rt.handle();
    /// let task = handle.spawn(async { 2 + 2 });
    /// assert_eq!(rt.block_on(task).unwrap(), 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.event_loop.remote.clone())
    }

    /// How many tasks are alive (spawned and not yet finished) on this runtime.
    ///
    /// ```
    /// let rt = evloop::Runtime::new()?;
    /// let idle = rt.block_on(async { evloop::spawn(std::future::pending::<()>()) });
    /// assert_eq!(rt.alive_tasks(), 1);
    /// idle.abort();
    /// rt.block_on(idle).unwrap_err();
    /// assert_eq!(rt.alive_tasks(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn alive_tasks(&self) -> usize {
        self.event_loop.tasks.len()
    }

    /// How many blocking-pool threads are alive (busy or idle) right now.
    ///
    /// ```
    /// let rt = evloop::Runtime::new()?;
    /// assert_eq!(rt.blocking_threads(), 0); // the pool starts threads on demand
    /// rt.block_on(async { evloop::spawn_blocking(|| ()).await }).unwrap();
    /// assert_eq!(rt.blocking_threads(), 1); // and keeps them a while for the next job
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn blocking_threads(&self) -> usize {
        self.event_loop.blocking.threads()
    }
    /// The backend this runtime's reactor waits in (see [`Builder::backend`]).
    ///
    /// ```
    /// use evloop::Backend;
    /// let rt = evloop::Runtime::builder().backend(Backend::Poll).build()?;
    /// assert_eq!(rt.backend(), Backend::Poll);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn backend(&self) -> Backend {
        self.event_loop.reactor.backend()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.event_loop.shutdown();
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("alive_tasks", &self.alive_tasks())
            .finish()
    }
}
