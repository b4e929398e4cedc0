//! The scheduler: the loop itself, one file per stage of a turn.
//!
//! ```text
//!  waker.wake() ─► wake.rs ──► run_queue.rs ──► poll.rs ──► (task waits again)
//!   (other thread) └► inject.rs ─┘ (intake)          │
//!                                                    ▼
//!             timers.rs ◄── readiness.rs ◄──────── park.rs
//!          (fire due timers)   (reactor wait:       (how long to block;
//!                               wake ready fds)      sleep handshake, spin)
//! ```
//!
//! One turn ([`EventLoop::turn`]): take the wakes other threads injected (`wake.rs`),
//! poll up to a budget of ready tasks (`poll.rs`), block until there is something to do
//! (`park.rs`, which waits in the reactor, `readiness.rs`), then fire the timers that are
//! due (`timers.rs`). `Runtime::block_on` turns the loop until its main future is done
//! (`main_future.rs` is that future's waker).
//!
//! Around the turn: `context.rs` is the thread-local "current loop", `remote.rs` the part
//! of a loop other threads reach (the injection queue and the sleep handshake),
//! `loop_ids.rs` the process-wide ids by which task headers name their loop,
//! `live_tasks.rs` the table of live tasks and `spawn_sites.rs` their numbered spawn
//! sites, `spin.rs` the learned timer spin, `config.rs` the settings, `shutdown.rs` what
//! dropping the runtime does. Debug mode: `debug.rs` (slow-poll reports),
//! `poll_clock.rs` (what polls are timed with), `task_records.rs` (what each task waited
//! for, for task dumps).

pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod debug;
pub(crate) mod dump_server;
mod inject;
pub(crate) mod live_tasks;
#[cfg(all(test, loom))]
mod loom_tests;
mod loop_ids;
pub(crate) mod main_future;
mod park;
mod poll;
pub(crate) mod poll_clock;
mod readiness;
pub(crate) mod remote;
mod run_queue;
mod shutdown;
mod spawn_sites;
mod spin;
pub(crate) mod task_records;
mod timers;
pub(crate) mod wake;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;

use evloop_reactor::context::LoopContext;
use evloop_reactor::Reactor;
use evloop_time::TimerStore;

use self::config::Config;
use self::dump_server::DumpServer;
use self::live_tasks::LiveTasks;
use self::main_future::MainTask;
use self::poll_clock::PollClock;
use self::remote::{NewTask, Remote};
use self::run_queue::RunQueue;
use self::spin::TimerSpin;
use self::task_records::TaskRecords;
use self::wake::LoopScheduler;
use crate::blocking::pool::Pool;
use crate::raw::cell::{self, Start};
use crate::raw::TaskRef;

/// Everything one loop owns, on its own thread.
pub(crate) struct EventLoop {
    /// What other threads can reach.
    pub(crate) remote: Arc<Remote>,
    /// Tasks ready to be polled.
    run_queue: RunQueue,
    /// Every live task (owning one reference each).
    pub(crate) tasks: LiveTasks,
    /// Debug mode: a record per live task, in step with `tasks` (empty outside debug mode).
    pub(crate) records: TaskRecords,
    /// The reactor (epoll, or the backend chosen) and the eventfd.
    pub(crate) reactor: Rc<Reactor>,
    /// This loop's timers.
    pub(crate) timers: Rc<TimerStore>,
    /// The reactor and the timers, as the rest of the runtime finds them while this loop
    /// runs (`context.rs`).
    context: LoopContext,
    /// Threads for `spawn_blocking`.
    pub(crate) blocking: Arc<Pool>,
    /// Settings from the `Builder`.
    pub(crate) config: Config,
    /// `remote`'s id, which this loop's task headers carry (a copy: every local wake
    /// compares it).
    id: u16,
    /// How early to end a timed wait and spin to the deadline.
    spin: TimerSpin,
    /// The next task id.
    next_id: Cell<u64>,
    /// The future given to the running `block_on`, as task dumps show it.
    pub(crate) main: MainTask,
    /// Debug mode: the id of the task being polled (0: the main future), or
    /// `NOT_POLLING`; what a spawn records as its parent.
    polling: Cell<u64>,
    /// Debug mode: the clock polls are timed with.
    poll_clock: PollClock,
    /// Debug mode: where `evloop-ps` asks for this loop's task dump (`None` outside debug
    /// mode, or if its socket could not be made).
    dump_server: Option<RefCell<DumpServer>>,
}

/// `EventLoop::polling` between polls.
const NOT_POLLING: u64 = u64::MAX;

impl EventLoop {
    /// A loop on a new reactor and timer store.
    pub(crate) fn new(config: Config) -> std::io::Result<EventLoop> {
        let reactor = Reactor::with_backend(config.backend.unwrap_or_default())?;
        if config.debug.enabled && config.backend == Some(evloop_reactor::Backend::Uring) {
            eprintln!("evloop debug: backend: {}", reactor.describe());
        }
        let remote = Remote::new_registered(reactor.notifier());
        let timers = TimerStore::new();
        let debug = config.debug.enabled;
        let mut context = LoopContext::new(Some(reactor.clone()), Some(timers.clone()));
        if debug {
            context = context.collecting_wait_sites();
        }
        let dump_server = debug
            .then(|| EventLoop::start_dump_server(&reactor, remote.id()))
            .flatten();
        Ok(EventLoop {
            id: remote.id(),
            remote,
            run_queue: RunQueue::new(),
            tasks: LiveTasks::default(),
            records: TaskRecords::default(),
            reactor,
            timers,
            context,
            blocking: Pool::new(config.pool.clone()),
            spin: TimerSpin::new(config.timer_spin),
            poll_clock: PollClock::for_threshold(config.debug.slow_poll_threshold),
            config,
            next_id: Cell::new(1),
            main: MainTask::default(),
            polling: Cell::new(NOT_POLLING),
            dump_server,
        })
    }

    /// One turn of the loop: take remote wakes, poll up to a budget of ready tasks, wait
    /// for I/O (not at all if work is ready; until the next timer; or forever), fire due
    /// timers.
    pub(crate) fn turn(&self) {
        self.intake();
        self.run_ready_tasks();
        self.park();
        self.fire_due_timers();
        self.serve_dumps();
    }

    /// Creates a task, lists it and queues it; returns the reference for its `JoinHandle`.
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
        name: Option<Box<str>>,
    ) -> TaskRef
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let ptr = cell::allocate::<F, LoopScheduler>(future, self.remote.hold(), id, Start::Local);
        // SAFETY: `allocate` created two references: one for the table, one for the handle.
        let (listed, handle) = unsafe { (TaskRef::from_raw(ptr), TaskRef::from_raw(ptr)) };
        self.list(listed, name, location);
        // `allocate` flagged it QUEUED already.
        self.run_queue.push(ptr);
        handle
    }

    /// Lists a task in the live-task table, taking over the reference `task` owns (and in
    /// debug mode gives it a record, naming the task whose poll spawned it).
    #[inline]
    pub(crate) fn list(
        &self,
        task: TaskRef,
        name: Option<Box<str>>,
        site: &'static Location<'static>,
    ) {
        self.tasks.push(task, name, site);
        if self.config.debug.enabled {
            self.records.push(self.spawner());
        }
    }

    /// Takes a task off the live-task table if it is listed (with its record, in debug
    /// mode), returning the table's reference to it.
    pub(crate) fn unlist(
        &self,
        ptr: std::ptr::NonNull<crate::raw::header::Header>,
    ) -> Option<TaskRef> {
        if !self.config.debug.enabled {
            return self.tasks.remove(ptr);
        }
        // SAFETY: the caller holds a reference or the table does; the header is alive.
        let slot = unsafe { ptr.as_ref() }.slot.get() as usize;
        let task = self.tasks.remove(ptr)?;
        self.records.remove(slot);
        Some(task)
    }

    /// Debug mode: the task whose poll is running (0: the main future), which a task
    /// spawned now records as its parent; `None` between polls and outside debug mode.
    pub(crate) fn spawner(&self) -> Option<u64> {
        match self.polling.get() {
            NOT_POLLING => None,
            id => Some(id),
        }
    }

    /// Debug mode: the socket `evloop-ps` reaches this loop on, if it serves one.
    pub(crate) fn dump_socket(&self) -> Option<std::path::PathBuf> {
        let server = self.dump_server.as_ref()?;
        Some(server.borrow().path().to_path_buf())
    }

    /// Debug mode: the clock polls are timed with.
    pub(crate) fn poll_clock(&self) -> PollClock {
        self.poll_clock
    }

    /// The index of this loop in the process (the one its task headers and sockets name).
    pub(crate) fn index(&self) -> u16 {
        self.id
    }

    /// Spawns a task with no `JoinHandle` (a remote task, which reports through its own
    /// future) under the given id.
    pub(crate) fn spawn_detached<F>(&self, future: F, location: &'static Location<'static>, id: u64)
    where
        F: Future<Output = ()> + 'static,
    {
        let ptr =
            cell::allocate::<F, LoopScheduler>(future, self.remote.hold(), id, Start::Injected);
        self.adopt(NewTask {
            // SAFETY: `allocate` made one reference, which this takes over.
            task: Some(unsafe { TaskRef::from_raw(ptr) }),
            location,
        });
    }
}
