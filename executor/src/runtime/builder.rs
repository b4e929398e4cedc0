//! `Builder`: the settings of a runtime, asyncio's `new_event_loop()` with options.

use std::io;
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

use evloop_reactor::Backend;

use super::Runtime;
use crate::scheduler::config::Config;
use crate::scheduler::debug::{SlowPoll, SlowPollSink};
use crate::scheduler::main_future::MainWaker;
use crate::scheduler::EventLoop;

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

    /// Pins the thread that builds the runtime (and so runs its loop: a `Runtime` never
    /// leaves its thread) to CPU `cpu`, for programs that start one loop per core
    /// themselves; [`run_per_core`](crate::run_per_core) does it for each of its loops.
    /// Keeping a loop on one CPU keeps its memory in that CPU's caches.
    ///
    /// ```
    /// let cpu = 0; // CPU 0 exists on every machine (unless a container forbids it)
    /// let pinned = std::thread::spawn(move || {
    ///     let rt = evloop::Runtime::builder().pin_to_cpu(cpu).build()?;
    ///     Ok::<_, std::io::Error>(rt.block_on(async { "runs on CPU 0" }))
    /// });
    /// # let _ =
    /// pinned.join().unwrap();
    /// ```
    ///
    /// [`build`](Builder::build) fails with `InvalidInput`, naming the CPUs allowed, if
    /// this process may not run on `cpu`.
    pub fn pin_to_cpu(mut self, cpu: usize) -> Builder {
        self.config.pin_to_cpu = Some(cpu);
        self
    }

    /// Turns debug mode on or off (default: on when the environment has `EVLOOP_DEBUG=1`),
    /// like asyncio's `debug=True`:
    ///
    /// - every poll that holds the loop for at least the
    ///   [slow-poll threshold](Builder::slow_poll_threshold) is reported with the task's
    ///   name, spawn location, duration and what it waited for before, on stderr or to
    ///   [`on_slow_poll`](Builder::on_slow_poll);
    /// - each task's record keeps who spawned it, its time in polls, and what it waits for
    ///   (the kind of wait and the line of your code that made it), which
    ///   [`task::dump()`](crate::task::dump()) shows as the await tree;
    /// - the loop serves that dump on a Unix socket ([`Runtime::dump_socket`]) to
    ///   `evloop-ps PID`, which reads it from outside the process.
    ///
    /// Its cost: a few ns a poll (one read of the kernel's tick clock, a record update), a
    /// few more a wait (noting its site); outside debug mode a wait pays a thread-local
    /// read and a branch (`cargo run --release -p evloop-bench -- debug_cost` measures
    /// both sides).
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
    /// A threshold of twenty ticks of the kernel's clock or more (80 ms with the usual
    /// 4 ms ticks) has polls timed on that tick clock, a few ns a read; a finer one on the
    /// precise clock, some tens of ns a read (see [`SlowPoll::duration`]).
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
        self.config.debug.sink = SlowPollSink::Hook(std::rc::Rc::new(hook));
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
    /// anything but `epoll`, `poll` or `select`; `InvalidInput` if the
    /// [CPU to pin to](Builder::pin_to_cpu) is not one this process may run on.
    pub fn build(mut self) -> io::Result<Runtime> {
        if self.config.backend.is_none() {
            self.config.backend = Backend::from_env()?;
        }
        if let Some(cpu) = self.config.pin_to_cpu {
            super::cpus::pin_current_thread(cpu)?;
        }
        let event_loop = Box::new(EventLoop::new(self.config)?);
        let main_waker = Waker::from(Arc::new(MainWaker {
            remote: event_loop.remote.clone(),
        }));
        Ok(Runtime {
            event_loop,
            main_waker,
        })
    }
}
