//! `run_per_core`: one loop per CPU, each on its own pinned thread (thread-per-core).

use std::any::Any;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use super::{cpus, Builder};
use crate::join::race;

/// Runs `f(index)` on `n` loops at once, each on its own thread pinned to its own CPU, and
/// returns their outputs in index order: the "one loop per core" way to use every core,
/// as a Python program runs one asyncio loop per process or thread.
///
/// `n == 0` means one loop per CPU this process may run on (`sched_getaffinity`, so a
/// container's or `taskset`'s limit is respected). Loop `i` is pinned to the `i`-th of
/// those CPUs (wrapping around if `n` is larger). Tasks never move between loops; the
/// loops share nothing unless `f` gives them something to share (an `Arc`, a
/// [`Handle`](crate::Handle), a `sync::shared` channel). A server usually binds one
/// listener per loop on the same port with `SO_REUSEPORT` (`evloop::net::TcpSocket`), so
/// the kernel spreads connections across the loops.
///
/// Pinning keeps each loop's caches warm on cores that are the loops' own. Where other
/// busy threads share the cores (the clients on a small machine, a database), a pinned
/// loop waits for them when the scheduler would have moved it: start the loops on threads
/// of your own then, with a [`Runtime`](crate::Runtime) each (the README's "echo across
/// cores" measures both).
///
/// ```
/// let ids = evloop::run_per_core(2, |index| async move {
///     evloop::yield_now().await;
///     index * 10
/// });
/// assert_eq!(ids, [0, 10]);
/// ```
///
/// # Panics
/// If a loop's future panics, every other loop is stopped (its future is dropped at its
/// next turn), and the panic propagates to the caller with the loop's index in its message.
/// Also if a thread or a loop cannot be created.
#[track_caller]
pub fn run_per_core<F, Fut, T>(n: usize, f: F) -> Vec<T>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
    T: Send + 'static,
{
    let cpus = cpus::available()
        .unwrap_or_else(|err| panic!("evloop::run_per_core: cannot read the CPU set: {err}"));
    let n = if n == 0 { cpus.len() } else { n };
    let f = Arc::new(f);
    let stop = Arc::new(Stop::default());
    let threads: Vec<_> = (0..n)
        .map(|index| {
            let (f, stop) = (f.clone(), stop.clone());
            let cpu = cpus[index % cpus.len()];
            std::thread::Builder::new()
                .name(format!("evloop-loop-{index}"))
                .spawn(move || run_one(index, cpu, &*f, &stop))
                .unwrap_or_else(|err| {
                    panic!("evloop::run_per_core: cannot start the thread of loop {index}: {err}")
                })
        })
        .collect();
    let mut outputs = Vec::with_capacity(n);
    let mut failure: Option<(usize, Box<dyn Any + Send>)> = None;
    for (index, thread) in threads.into_iter().enumerate() {
        match thread.join() {
            Ok(Ok(Some(output))) => outputs.push(output),
            // Stopped because another loop panicked: that one is reported below.
            Ok(Ok(None)) => {}
            Ok(Err(payload)) | Err(payload) => {
                failure.get_or_insert((index, payload));
            }
        }
    }
    if let Some((index, payload)) = failure {
        panic!(
            "evloop::run_per_core: loop {index} panicked: {}",
            panic_text(payload.as_ref())
        );
    }
    outputs
}

/// One loop's thread: pin, build, run until `f(index)` is done or another loop failed.
/// `Ok(None)` when stopped, `Err` with the panic of this loop's future.
fn run_one<F, Fut, T>(
    index: usize,
    cpu: usize,
    f: &F,
    stop: &Stop,
) -> Result<Option<T>, Box<dyn Any + Send>>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T>,
{
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let runtime = Builder::new()
            .pin_to_cpu(cpu)
            .build()
            .unwrap_or_else(|err| {
                panic!("cannot create the loop on CPU {cpu}: {err}");
            });
        runtime.block_on(async {
            let work = async { Some(f(index).await) };
            race(work, stop.wait(index)).await
        })
    }));
    if outcome.is_err() {
        stop.stop_all();
    }
    outcome
}

/// Tells every loop of a `run_per_core` to stop, once one of them has panicked.
#[derive(Default)]
struct Stop {
    /// Set when the first loop failed.
    stopped: AtomicBool,
    /// The waker of each loop's [`StopWait`], by index.
    wakers: Mutex<Vec<Option<Waker>>>,
}

impl Stop {
    /// Stops every loop: their `wait` futures complete.
    fn stop_all(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let wakers =
            std::mem::take(&mut *self.wakers.lock().unwrap_or_else(PoisonError::into_inner));
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
    }

    /// Completes, with `None`, when the loops are told to stop.
    fn wait<T>(&self, index: usize) -> StopWait<'_, T> {
        StopWait {
            stop: self,
            index,
            _output: std::marker::PhantomData,
        }
    }
}

/// Loop `index`'s side of [`Stop`].
struct StopWait<'a, T> {
    /// The shared flag and wakers.
    stop: &'a Stop,
    /// Which loop waits.
    index: usize,
    /// The output type of the race it is in.
    _output: std::marker::PhantomData<fn() -> T>,
}

impl<T> Future for StopWait<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut wakers = self
            .stop
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock `stop_all` takes after setting the flag: a stop is never
        // missed between the check and the waker's registration.
        if self.stop.stopped.load(Ordering::SeqCst) {
            return Poll::Ready(None);
        }
        if wakers.len() <= self.index {
            wakers.resize(self.index + 1, None);
        }
        wakers[self.index] = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// The message of a panic payload (`&str` or `String`), or a placeholder.
fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a panic payload that is not a string)")
}
