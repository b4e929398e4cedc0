//! The blocking pool: threads that run closures the loop must not run itself.
//!
//! Threads start on demand, up to a bound; a job that finds every thread busy waits in a
//! FIFO queue. A thread idle for longer than the keep-alive exits, so an idle program
//! holds no pool threads. Each runtime has its own pool.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// A job: a closure that reports its own result.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Pool settings, from the `Builder`.
#[derive(Clone, Debug)]
pub(crate) struct PoolConfig {
    /// At most this many threads at once.
    pub(crate) max_threads: usize,
    /// A thread idle this long exits.
    pub(crate) keep_alive: Duration,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig {
            max_threads: 64,
            keep_alive: Duration::from_secs(10),
        }
    }
}

/// The state behind the pool's lock.
#[derive(Default)]
struct State {
    /// Jobs waiting for a thread, oldest first.
    queue: VecDeque<Job>,
    /// Threads alive (busy or idle).
    threads: usize,
    /// Threads waiting for a job.
    idle: usize,
    /// Wake-ups sent to idle threads that no thread has taken yet (at most `idle`).
    /// Each one is a thread already promised to a queued job: `execute` only counts
    /// `idle - notified` threads as free, so a burst of jobs starts new threads instead
    /// of queueing behind one idle thread that has not woken up yet.
    notified: usize,
    /// The runtime is gone: idle threads exit, queued jobs still run.
    shutdown: bool,
}

/// A runtime's blocking pool, shared with its threads.
pub(crate) struct Pool {
    /// Jobs and thread counts.
    state: Mutex<State>,
    /// Signalled when a job is queued or the pool shuts down.
    work: Condvar,
    /// Jobs queued or running: while any is, a loop with paused time does not jump its
    /// clock ahead (the job's result may be what its timers race against).
    in_flight: AtomicUsize,
    /// Bound and keep-alive.
    config: PoolConfig,
}

impl Pool {
    /// An empty pool: no thread starts before the first job.
    pub(crate) fn new(config: PoolConfig) -> Arc<Pool> {
        Arc::new(Pool {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            in_flight: AtomicUsize::new(0),
            config,
        })
    }

    /// Queues `job`, starting a thread if none is idle and the bound allows.
    pub(crate) fn execute(self: &Arc<Self>, job: Job) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let mut state = self.lock();
        state.queue.push_back(job);
        if state.idle > state.notified {
            state.notified += 1;
            self.work.notify_one();
            return;
        }
        if state.threads < self.config.max_threads {
            state.threads += 1;
            drop(state);
            let pool = self.clone();
            let spawned = std::thread::Builder::new()
                .name("evloop-blocking".into())
                .spawn(move || pool.worker());
            if let Err(err) = spawned {
                // The job stays queued for an existing thread; with none, say why nothing runs.
                let mut state = self.lock();
                state.threads -= 1;
                if state.threads == 0 {
                    panic!("evloop: could not start a blocking-pool thread: {err}");
                }
            }
        }
    }

    /// Jobs queued or running now.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Number of pool threads alive now.
    pub(crate) fn threads(&self) -> usize {
        self.lock().threads
    }

    /// Lets idle threads exit; queued jobs still run.
    pub(crate) fn shutdown(&self) {
        self.lock().shutdown = true;
        self.work.notify_all();
    }

    /// The pool's lock; a panicking job never holds it, so poison is harmless.
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A pool thread: run jobs until idle for the keep-alive (or shut down and idle).
    fn worker(self: Arc<Self>) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                // A job catches its own panics (see `spawn_blocking`).
                job();
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                state = self.lock();
                continue;
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            let (next, timeout) = self
                .work
                .wait_timeout(state, self.config.keep_alive)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            state.idle -= 1;
            // Whichever way this thread woke (notified, spuriously, timed out), it looks
            // at the queue next, so it uses up one pending wake-up.
            state.notified = state.notified.saturating_sub(1);
            if timeout.timed_out() && state.queue.is_empty() {
                break;
            }
        }
        state.threads -= 1;
    }
}
