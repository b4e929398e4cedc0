//! The loop itself: the thread-local "current loop", the local run queue, and one turn of
//! the loop as DESIGN.md draws it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::ptr::{self, NonNull};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use evloop_reactor::Reactor;
use evloop_time::{Instant, TimerStore};

use super::config::Config;
use super::debug::SlowPoll;
use super::shared::Shared;
use super::task_list::TaskList;
use super::timer_spin::TimerSpin;
use crate::blocking::pool::Pool;
use crate::task::header::{flags, Header};
use crate::task::{raw, JoinHandle, TaskRef};

thread_local! {
    /// The loop running on this thread, or null. Set only while `block_on` (or the
    /// runtime's shutdown) runs, which is what makes "one loop per thread" checkable.
    static CURRENT: Cell<*const Core> = const { Cell::new(ptr::null()) };
}

/// Everything one loop owns, on its own thread.
pub(crate) struct Core {
    /// What other threads can reach.
    pub(crate) shared: Arc<Shared>,
    /// Tasks ready to be polled, FIFO. Entries hold no reference: a task here is flagged
    /// `QUEUED`, is not complete, and so is kept alive by the live list.
    run_queue: RefCell<VecDeque<NonNull<Header>>>,
    /// Every live task (owning one reference each).
    pub(crate) tasks: TaskList,
    /// epoll and the eventfd.
    pub(crate) reactor: Rc<Reactor>,
    /// This loop's timers.
    pub(crate) timers: Rc<TimerStore>,
    /// Threads for `spawn_blocking`.
    pub(crate) blocking: Arc<Pool>,
    /// Settings from the `Builder`.
    pub(crate) config: Config,
    /// `shared`'s registry index, which this loop's task headers carry (a copy: every
    /// local wake compares it).
    index: u16,
    /// How early to end a timed wait and spin to the deadline.
    spin: TimerSpin,
    /// The next task id.
    next_id: Cell<u64>,
}

/// Runs `f` with the loop running on this thread, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    let core = CURRENT.with(Cell::get);
    if core.is_null() {
        None
    } else {
        // SAFETY: CURRENT is non-null only while an `Entered` guard for this core lives on
        // this thread, and that guard borrows the core.
        Some(f(unsafe { &*core }))
    }
}

/// Is the loop that owns `shared` running on this thread?
pub(crate) fn is_current(shared: &Arc<Shared>) -> bool {
    with_current(|core| Arc::ptr_eq(&core.shared, shared)).unwrap_or(false)
}

/// Wakes on the loop's own thread: if the task belongs to the loop running on this
/// thread, queues it locally (unless already queued or complete) and returns `true`;
/// else returns `false` and the caller goes through the injection queue.
pub(crate) fn enqueue_if_local(ptr: NonNull<Header>) -> bool {
    let core = CURRENT.with(Cell::get);
    if core.is_null() {
        return false;
    }
    // SAFETY: see `with_current`.
    let core = unsafe { &*core };
    // SAFETY: the caller (a waker or a task reference) keeps the header alive.
    let header = unsafe { ptr.as_ref() };
    if core.index != header.runtime {
        return false;
    }
    core.enqueue(ptr, header);
    true
}

/// Puts a task woken on another thread on its loop's injection queue.
///
/// # Safety
/// The caller must hold a reference to the task besides `task` (the waker's) until this
/// returns: `task` goes to the queue, where the loop may drop it at once, and the caller's
/// reference is what keeps the loop's `Shared` alive meanwhile.
pub(crate) unsafe fn schedule_remote(task: TaskRef) {
    // SAFETY: the caller's reference to the task keeps its strong count of the `Shared`,
    // and so the `Shared`, alive for this whole call.
    let shared = unsafe { Shared::by_index(task.header().runtime) };
    shared.schedule_remote(task);
}

/// Restores the previous "current loop" of this thread when dropped.
pub(crate) struct Entered<'a> {
    /// What CURRENT held before.
    prev: *const Core,
    /// Ties the guard to the core it entered.
    _core: std::marker::PhantomData<&'a Core>,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}

impl Core {
    /// A loop on a new reactor and timer store.
    pub(crate) fn new(config: Config) -> std::io::Result<Core> {
        let reactor = Reactor::new()?;
        let shared = Shared::new_registered(reactor.notifier());
        Ok(Core {
            index: shared.index(),
            shared,
            run_queue: RefCell::new(VecDeque::with_capacity(256)),
            tasks: TaskList::default(),
            reactor,
            timers: TimerStore::new(),
            blocking: Pool::new(config.pool.clone()),
            spin: TimerSpin::new(config.timer_spin),
            config,
            next_id: Cell::new(1),
        })
    }

    /// Makes this the thread's running loop.
    ///
    /// # Panics
    /// If a loop is already running on this thread (one loop per thread).
    #[track_caller]
    pub(crate) fn enter(&self) -> Entered<'_> {
        let prev = CURRENT.with(Cell::get);
        if !prev.is_null() {
            panic!(
                "evloop: cannot start a loop (evloop::run / Runtime::block_on) from inside a running \
                 evloop loop: there is one loop per thread. Inside async code, `.await` the future \
                 or `evloop::spawn` it instead."
            );
        }
        self.enter_unchecked()
    }

    /// Makes this the thread's current loop even if another is (runtime shutdown inside a task).
    pub(crate) fn enter_unchecked(&self) -> Entered<'_> {
        let prev = CURRENT.with(|c| c.replace(self as *const Core));
        Entered {
            prev,
            _core: std::marker::PhantomData,
        }
    }

    /// Creates a task, links it and queues it.
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
        name: Option<Box<str>>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let ptr = raw::allocate(future, &self.shared, id);
        // SAFETY: `allocate` created two references: one for the list, one for the handle.
        let (listed, handle) = unsafe { (TaskRef::from_raw(ptr), TaskRef::from_raw(ptr)) };
        self.tasks.push(listed, name, location);
        // `allocate` flagged it QUEUED already.
        self.run_queue.borrow_mut().push_back(ptr);
        JoinHandle::new(handle)
    }

    /// One turn of the loop: take remote wakes, poll up to a budget of ready tasks, wait
    /// for I/O (not at all if work is ready; until the next timer; or forever), fire due timers.
    pub(crate) fn turn(&self) {
        self.take_remote();
        for _ in 0..self.config.event_interval {
            let next = self.run_queue.borrow_mut().pop_front();
            match next {
                Some(task) => self.run_task(task),
                None => break,
            }
        }
        self.trim_run_queue();
        self.wait();
        if !self.timers.is_empty() {
            self.timers.fire_due(Instant::now());
        }
    }

    /// Queues a task of this loop locally, unless it is queued already or complete.
    fn enqueue(&self, ptr: NonNull<Header>, header: &Header) {
        if !header.has(flags::QUEUED | flags::COMPLETE) {
            header.set(flags::QUEUED);
            self.run_queue.borrow_mut().push_back(ptr);
        }
    }

    /// Gives back the memory of a burst: once the run queue is empty, a queue grown past
    /// `KEEP` entries (by a million spawns at once, say) shrinks back to `KEEP`.
    fn trim_run_queue(&self) {
        /// Entries the queue keeps however empty it is.
        const KEEP: usize = 4096;
        let mut queue = self.run_queue.borrow_mut();
        if queue.is_empty() && queue.capacity() > 16 * KEEP {
            queue.shrink_to(KEEP);
        }
    }

    /// Moves tasks woken from other threads onto the local run queue.
    fn take_remote(&self) {
        while let Some(task) = self.shared.pop_remote() {
            let header = task.header();
            // A complete task keeps SCHEDULED set, so that later wakes stay no-ops.
            if !header.has(flags::COMPLETE) {
                // From here on a remote wake queues the task again; what that waker's
                // thread wrote before waking is visible (acquire).
                header.state.unschedule();
                self.enqueue(task.as_ptr(), header);
            }
        }
    }

    /// Polls one task, and unlinks it if that completed it.
    fn run_task(&self, ptr: NonNull<Header>) {
        // SAFETY: a queued task is listed: the list's reference keeps it alive until it
        // is unlinked below, after its last use here.
        let header = unsafe { ptr.as_ref() };
        header.clear(flags::QUEUED);
        if self.config.debug.enabled {
            let start = std::time::Instant::now();
            // SAFETY: the task is live (above).
            unsafe { (header.vtable.poll)(ptr) };
            self.check_slow_poll(start, header);
        } else {
            // SAFETY: the task is live (above).
            unsafe { (header.vtable.poll)(ptr) };
        }
        // A task that woke itself during the poll that completed it is queued again:
        // the queue holds no reference, so it stays listed (alive) until that entry is
        // popped, finds it complete, and unlinks it then.
        if header.has(flags::COMPLETE) && !header.has(flags::QUEUED) {
            drop(self.tasks.remove(ptr));
        }
    }

    /// Debug mode: reports the poll of `header` that began at `start` if it was slow.
    fn check_slow_poll(&self, start: std::time::Instant, header: &Header) {
        let duration = start.elapsed();
        if duration >= self.config.debug.slow_poll_threshold {
            self.config.debug.sink.report(&SlowPoll {
                id: header.id(),
                name: self.tasks.name_of(header),
                location: self.tasks.location_of(header),
                duration,
            });
        }
    }

    /// Debug mode: reports a slow poll of the main future.
    pub(crate) fn check_slow_main_poll(
        &self,
        start: std::time::Instant,
        location: &'static Location<'static>,
    ) {
        let duration = start.elapsed();
        if duration >= self.config.debug.slow_poll_threshold {
            self.config.debug.sink.report(&SlowPoll {
                id: 0,
                name: None,
                location,
                duration,
            });
        }
    }

    /// Is a task ready to run, here or injected from another thread?
    fn has_ready_work(&self) -> bool {
        !self.run_queue.borrow().is_empty() || self.shared.has_remote_work()
    }

    /// Blocks in the reactor for as long as nothing else is due: not at all if a task is
    /// ready, forever if no timer is armed, else until the next timer's deadline, ending
    /// the kernel wait a learned margin early and spinning the rest (`timer_spin.rs`).
    fn wait(&self) {
        if self.has_ready_work() {
            self.poll_io_now();
            return;
        }
        let Some(deadline) = self.timers.next_deadline() else {
            self.sleep(None);
            return;
        };
        if self.timers.is_paused() {
            self.wait_paused(deadline);
            return;
        }
        let now = Instant::now();
        if deadline <= now {
            self.poll_io_now();
            return;
        }
        let margin = self.spin.margin();
        if deadline - now > margin {
            let wake_at = deadline - margin;
            self.sleep(Some(wake_at - now));
            let woke = Instant::now();
            if woke >= wake_at {
                self.spin.record(woke - wake_at);
            }
            if self.has_ready_work() {
                return;
            }
        }
        self.spin_until(deadline);
    }

    /// `wait` with the clock paused (`evloop::time::pause`): where the loop would sleep until
    /// `deadline`, it checks I/O without blocking and, if nothing became ready, moves the
    /// clock to `deadline` instead (`turn` then fires that timer). While a `spawn_blocking`
    /// job runs, the clock stays and the loop waits for it, a millisecond at a time (the
    /// job's completion wakes the loop; the timeout covers an aborted job's, which does not).
    fn wait_paused(&self, deadline: Instant) {
        self.poll_io_now();
        if self.has_ready_work() {
            return;
        }
        if self.blocking.in_flight() > 0 {
            self.sleep(Some(Duration::from_millis(1)));
            return;
        }
        self.timers.auto_advance(deadline);
    }

    /// Checks for I/O without blocking. With no fd registered, only the eventfd could be
    /// ready, and what it signals (remote wakes) is checked directly: skip the syscall.
    fn poll_io_now(&self) {
        if self.reactor.registrations() > 0 {
            self.reactor_wait(Some(Duration::ZERO));
        }
    }

    /// Waits in the kernel for I/O, a remote wake, or `timeout`.
    fn sleep(&self, timeout: Option<Duration>) {
        if self.shared.prepare_sleep() {
            self.reactor_wait(timeout);
            self.shared.end_sleep();
        }
    }

    /// Busy-waits until `deadline`, checking for I/O every few microseconds, and returns
    /// early if a task becomes ready.
    fn spin_until(&self, deadline: Instant) {
        /// Clock reads between two I/O checks (a clock read costs some tens of ns).
        const READS_PER_IO_CHECK: u32 = 64;
        let mut reads = 0;
        while Instant::now() < deadline {
            reads += 1;
            if reads == READS_PER_IO_CHECK {
                reads = 0;
                self.poll_io_now();
            }
            if self.has_ready_work() {
                return;
            }
            std::hint::spin_loop();
        }
    }

    /// `Reactor::wait`, whose only possible errors are bugs.
    fn reactor_wait(&self, timeout: Option<Duration>) {
        if let Err(err) = self.reactor.wait(timeout) {
            panic!("evloop: epoll_wait failed: {err}");
        }
    }

    /// Drops every remaining task's future on this thread and shuts the injection queue.
    pub(crate) fn shutdown(&self) {
        let _entered = self.enter_unchecked();
        // Futures dropped here may spawn or wake: keep going until nothing is left.
        loop {
            // Keep each cancelled task's list reference until the run queue, which may
            // still point at it, is cleared.
            let mut cancelled = Vec::new();
            while let Some(task) = self.tasks.pop() {
                // SAFETY: `task` holds a reference for the call.
                unsafe { (task.header().vtable.cancel)(task.as_ptr()) };
                cancelled.push(task);
            }
            self.run_queue.borrow_mut().clear();
            let done = cancelled.is_empty() && self.tasks.len() == 0;
            drop(cancelled);
            if done {
                break;
            }
        }
        self.shared.close();
        self.blocking.shutdown();
    }
}
