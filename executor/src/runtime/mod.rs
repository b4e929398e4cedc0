//! The runtime: `run`, `Runtime`, `Builder`, `spawn`.
//!
//! `core.rs` is the loop and its thread-local context, `shared.rs` what other threads can
//! reach, `registry.rs` the process-wide index of loops that task headers name theirs by,
//! `task_list.rs` the list of live tasks, `locations.rs` its numbered spawn sites,
//! `config.rs` the settings.

mod config;
pub(crate) mod core;
mod debug;
mod locations;
#[cfg(all(test, loom))]
mod loom_tests;
mod registry;
pub(crate) mod shared;
pub(crate) mod task_list;
mod timer_spin;

use std::future::Future;
use std::io;
use std::panic::Location;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use evloop_reactor::Backend;

use self::config::Config;
use self::core::Core;
use self::shared::MainWaker;
use crate::task::JoinHandle;

pub(crate) use self::core::{enqueue_if_local, schedule_remote};
pub use self::debug::SlowPoll;

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

/// Spawns a task on the loop of this thread, like `asyncio.create_task`.
///
/// The task starts at the loop's next turn and runs concurrently with the caller,
/// interleaving at `.await` points. The future need not be `Send`: it never leaves this
/// thread. Await the returned [`JoinHandle`] for its output, or drop the handle to let it
/// run detached.
///
/// ```
/// use std::rc::Rc;
/// evloop::run(async {
///     let shared = Rc::new(5); // not Send, and that is fine
///     let s = shared.clone();
///     let handle = evloop::spawn(async move { *s * 2 });
///     assert_eq!(handle.await.unwrap(), 10);
/// });
/// ```
///
/// # Panics
/// Outside a running loop; wrap the program in [`run`] or [`Runtime::block_on`].
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_named(future, Location::caller(), None)
}

/// `spawn` with an explicit location and name (for `task::Builder`).
#[track_caller]
pub(crate) fn spawn_named<F>(
    future: F,
    location: &'static Location<'static>,
    name: Option<Box<str>>,
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match core::with_current(|core| core.spawn(future, location, name)) {
        Some(handle) => handle,
        None => panic!(
            "evloop::spawn called outside of an evloop runtime: there is no loop running on \
             this thread. Start one with `evloop::run(async {{ ... }})` (or \
             `Runtime::block_on`) and spawn from inside it. From another thread, hand work to \
             a loop through a channel (`evloop::sync::shared::mpsc`) and spawn on the loop's \
             thread."
        ),
    }
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
    core: Box<Core>,
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
        let core = &*self.core;
        let _entered = core.enter();
        let _reactor = core.reactor.enter();
        let _timers = core.timers.enter();
        let _slack = core
            .config
            .low_timer_slack
            .then(evloop_reactor::TimerSlackGuard::lowest);
        let location = Location::caller();
        let debug = core.config.debug.enabled;
        let mut cx = Context::from_waker(&self.main_waker);
        let mut future = pin!(future);
        core.shared.set_main_woken();
        loop {
            if core.shared.take_main_woken() {
                let start = debug.then(Instant::now);
                let poll = future.as_mut().poll(&mut cx);
                if let Some(start) = start {
                    core.check_slow_main_poll(start, location);
                }
                if let Poll::Ready(output) = poll {
                    return output;
                }
            }
            core.turn();
        }
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
        self.core.tasks.len()
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
        self.core.blocking.threads()
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
        self.core.reactor.backend()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let core = &*self.core;
        let _reactor = core.reactor.enter();
        let _timers = core.timers.enter();
        core.shutdown();
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("alive_tasks", &self.alive_tasks())
            .finish()
    }
}

/// Settings for a [`Runtime`].
///
/// ```
/// let rt = evloop::Runtime::builder().event_interval(32).build().unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Debug, Default)]
pub struct Builder {
    /// The settings collected so far.
    config: Config,
}

impl Builder {
    /// The default settings; the same as [`Runtime::builder`].
    ///
    /// ```
    /// let rt = evloop::Builder::new().build()?;
    /// assert_eq!(rt.block_on(async { 'x' }), 'x');
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// How many ready tasks the loop polls before it looks at I/O and timers again
    /// (default 61). Lower is fairer to sockets and sleepers, higher is faster for
    /// compute-heavy task sets.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// // With a budget of 1, the loop looks at I/O and timers between any two polls.
    /// let rt = evloop::Runtime::builder().event_interval(1).build()?;
    /// let polls = Rc::new(Cell::new(0));
    /// rt.block_on(async {
    ///     let p = polls.clone();
    ///     let busy = evloop::spawn(async move {
    ///         for _ in 0..3 {
    ///             p.set(p.get() + 1);
    ///             evloop::yield_now().await;
    ///         }
    ///     });
    ///     busy.await.unwrap();
    /// });
    /// assert_eq!(polls.get(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// If `n` is zero.
    pub fn event_interval(mut self, n: u32) -> Builder {
        assert!(n > 0, "Builder::event_interval must be at least 1");
        self.config.event_interval = n;
        self
    }

    /// Whether the loop thread's kernel timer slack is lowered to 1 ns while the loop runs
    /// (default on). Linux lets a sleeping thread wake up to 50 µs late by default so it can
    /// batch wakeups; a loop whose sleeps and timeouts should be punctual does not want
    /// that. The previous slack is restored when `block_on` returns.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// // Leave the kernel's default slack alone (say, to save power on a laptop).
    /// let rt = evloop::Runtime::builder().timer_slack(false).build()?;
    /// let start = Instant::now();
    /// rt.block_on(evloop::time::sleep(Duration::from_millis(2)));
    /// assert!(start.elapsed() >= Duration::from_millis(2)); // never early, maybe a bit late
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn timer_slack(mut self, lowest: bool) -> Builder {
        self.config.low_timer_slack = lowest;
        self
    }

    /// How far before a timer's deadline the loop may end its kernel wait and spin to the
    /// deadline instead (default 100 µs; `Duration::ZERO` turns spinning off).
    ///
    /// A thread the kernel wakes at time T runs some tens of microseconds after T (more
    /// on virtual machines). The loop measures that lateness as it goes and wakes twice
    /// its average before each deadline, never more than `max` early, then spins: timers
    /// fire within a few microseconds of their deadline, never before it. The price is
    /// CPU, at most `max` per timed wait and only while the loop has nothing else to do;
    /// a loop that waits for a timer many thousand times per second and cares more about
    /// CPU than punctuality should turn it off.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = evloop::Runtime::builder().timer_spin(Duration::ZERO).build().unwrap();
    /// rt.block_on(evloop::time::sleep(Duration::from_micros(300)));
    /// ```
    pub fn timer_spin(mut self, max: Duration) -> Builder {
        self.config.timer_spin = max;
        self
    }

    /// The most threads the blocking pool may run at once (default 64); further
    /// [`spawn_blocking`](crate::spawn_blocking) jobs wait in a queue for a free thread.
    ///
    /// ```
    /// // One blocking thread: jobs run one after another, in order.
    /// let rt = evloop::Runtime::builder().max_blocking_threads(1).build()?;
    /// let (a, b) = rt.block_on(async {
    ///     let a = evloop::spawn_blocking(|| std::thread::current().id());
    ///     let b = evloop::spawn_blocking(|| std::thread::current().id());
    ///     (a.await.unwrap(), b.await.unwrap())
    /// });
    /// assert_eq!(a, b);
    /// assert_eq!(rt.blocking_threads(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// If `n` is zero.
    pub fn max_blocking_threads(mut self, n: usize) -> Builder {
        assert!(n > 0, "Builder::max_blocking_threads must be at least 1");
        self.config.pool.max_threads = n;
        self
    }

    /// How long an idle blocking-pool thread waits for work before it exits (default 10 s).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let rt = evloop::Runtime::builder()
    ///     .blocking_keep_alive(Duration::from_millis(1))
    ///     .build()?;
    /// rt.block_on(async { evloop::spawn_blocking(|| ()).await }).unwrap();
    /// // The idle thread exits soon after its keep-alive ends.
    /// let start = Instant::now();
    /// while rt.blocking_threads() > 0 && start.elapsed() < Duration::from_secs(5) {
    ///     std::thread::sleep(Duration::from_millis(1));
    /// }
    /// assert_eq!(rt.blocking_threads(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn blocking_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.config.pool.keep_alive = keep_alive;
        self
    }

    /// Turns debug mode on or off (default: on when the environment has `EVLOOP_DEBUG=1`),
    /// like asyncio's `debug=True`: every poll that holds the loop for at least the
    /// [slow-poll threshold](Builder::slow_poll_threshold) is reported with the task's
    /// name, spawn location and duration, on stderr or to [`on_slow_poll`](Builder::on_slow_poll).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// let reports = Rc::new(RefCell::new(Vec::new()));
    /// let sink = reports.clone();
    /// let rt = evloop::Runtime::builder()
    ///     .debug(true)
    ///     .slow_poll_threshold(Duration::from_millis(20))
    ///     .on_slow_poll(move |slow| sink.borrow_mut().push(slow.to_string()))
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     evloop::task::Builder::new()
    ///         .name("db-writer")
    ///         .spawn(async { std::thread::sleep(Duration::from_millis(30)) }) // blocks the loop!
    ///         .await
    ///         .unwrap();
    /// });
    /// assert!(reports.borrow()[0].starts_with("task 'db-writer' ("));
    /// ```
    pub fn debug(mut self, enabled: bool) -> Builder {
        self.config.debug.enabled = enabled;
        self
    }

    /// The slow-poll threshold of debug mode (default 100 ms), like asyncio's
    /// `loop.slow_callback_duration`. The example of [`debug`](Builder::debug) sets it.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// let slow = Rc::new(Cell::new(0));
    /// let count = slow.clone();
    /// let rt = evloop::Runtime::builder()
    ///     .debug(true)
    ///     .slow_poll_threshold(Duration::from_secs(10)) // only report really bad polls
    ///     .on_slow_poll(move |_| count.set(count.get() + 1))
    ///     .build()?;
    /// rt.block_on(async { std::thread::sleep(Duration::from_millis(5)) });
    /// assert_eq!(slow.get(), 0); // 5 ms is under the threshold
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Builder {
        self.config.debug.slow_poll_threshold = threshold;
        self
    }

    /// Sends debug mode's slow-poll reports to `hook` instead of stderr.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// let reports = Rc::new(RefCell::new(Vec::new()));
    /// let sink = reports.clone();
    /// let rt = evloop::Runtime::builder()
    ///     .debug(true)
    ///     .slow_poll_threshold(Duration::from_millis(1))
    ///     .on_slow_poll(move |slow| sink.borrow_mut().push(slow.clone()))
    ///     .build()?;
    /// rt.block_on(async { std::thread::sleep(Duration::from_millis(2)) });
    /// let reports = reports.borrow();
    /// assert_eq!(reports[0].id, 0); // 0: the future given to block_on itself
    /// assert!(reports[0].duration >= Duration::from_millis(2));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn on_slow_poll(mut self, hook: impl Fn(&SlowPoll) + 'static) -> Builder {
        self.config.debug.sink = debug::SlowPollSink::Hook(std::rc::Rc::new(hook));
        self
    }

    /// The system call the loop waits in for I/O: [`Backend::Epoll`] (the default),
    /// [`Backend::Poll`] or [`Backend::Select`], like asyncio's
    /// `SelectorEventLoop(selectors.PollSelector())`. Without this call, the
    /// `EVLOOP_BACKEND` environment variable (`epoll`, `poll` or `select`) decides, read
    /// by [`build`](Builder::build); this call wins over it.
    ///
    /// Sockets, timers and tasks behave the same on each; what changes is the cost of a
    /// wait (poll and select hand the kernel every watched fd on every wait) and, for
    /// select, the reach: it refuses sockets numbered 1024 or above
    /// ([`io::ErrorKind::InvalidInput`] from `accept`, `connect` or `bind`).
    ///
    /// ```
    /// use evloop::Backend;
    /// let rt = evloop::Runtime::builder().backend(Backend::Select).build()?;
    /// assert_eq!(rt.backend(), Backend::Select);
    /// let echoed = rt.block_on(async {
    ///     let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = evloop::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.write_all(b"ping").await?;
    ///     let mut buf = [0; 4];
    ///     server.read_exact(&mut buf).await?;
    ///     Ok::<_, std::io::Error>(buf)
    /// })?;
    /// assert_eq!(&echoed, b"ping");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn backend(mut self, backend: Backend) -> Builder {
        self.config.backend = Some(backend);
        self
    }

    /// Creates the runtime: the reactor (epoll, or the [backend](Builder::backend)
    /// chosen), its eventfd and the timer store.
    ///
    /// ```
    /// let rt = evloop::Runtime::builder().event_interval(16).build()?;
    /// assert_eq!(rt.block_on(async { 3 * 3 }), 9);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the reactor or its eventfd cannot be created; [`io::ErrorKind::InvalidInput`]
    /// naming the allowed values if no backend was chosen and `EVLOOP_BACKEND` holds
    /// anything but `epoll`, `poll` or `select`.
    pub fn build(mut self) -> io::Result<Runtime> {
        if self.config.backend.is_none() {
            self.config.backend = Backend::from_env()?;
        }
        let core = Box::new(Core::new(self.config)?);
        let main_waker = Waker::from(Arc::new(MainWaker {
            shared: core.shared.clone(),
        }));
        Ok(Runtime { core, main_waker })
    }
}
