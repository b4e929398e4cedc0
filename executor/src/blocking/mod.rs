//! `spawn_blocking`: run blocking code on a thread pool and await its result, like
//! `asyncio.to_thread` / `loop.run_in_executor`.

pub(crate) mod pool;

use std::future::Future;
use std::panic::{self, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use evloop_reactor::context::record_wait;
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};

use crate::scheduler::context::with_current;
use crate::task::JoinHandle;

/// Runs `f` on the runtime's blocking pool and returns a handle to await its result.
///
/// The loop thread must never block: a `std::fs` read, a CPU-heavy hash or a blocking
/// library call inside a task stops every other task. Hand it here instead. The pool
/// starts threads on demand (64 at most by default, see
/// [`Builder::max_blocking_threads`](crate::Builder::max_blocking_threads)); idle ones exit
/// after 10 s. A panic in `f` comes back as a [`JoinError`](crate::JoinError) whose
/// `is_panic()` is true. Aborting the handle does not stop `f` (a thread cannot be
/// interrupted); its result is dropped.
///
/// ```
/// evloop::run(async {
///     let sum = evloop::spawn_blocking(|| (1..=1000u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 500_500);
/// });
/// ```
///
/// # Panics
/// Outside a running loop.
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Slot::<T> {
        inner: Mutex::new(SlotState {
            result: None,
            waker: None,
        }),
    });
    let job_slot = slot.clone();
    let job = Box::new(move || {
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        job_slot.complete(result);
    });
    let location = Location::caller();
    let pool = with_current(|event_loop| event_loop.blocking.clone()).unwrap_or_else(|| {
        panic!(
            "evloop::spawn_blocking called outside of an evloop runtime: start one with \
             `evloop::run(async {{ ... }})` and call it from inside"
        )
    });
    pool.execute(job);
    crate::runtime::spawn_named(BlockingResult { slot, location }, location, None)
}

/// Where a pool thread leaves the result for the task awaiting it.
struct Slot<T> {
    /// The result and the waiting task's waker.
    inner: Mutex<SlotState<T>>,
}

/// The contents of a `Slot`.
struct SlotState<T> {
    /// `f`'s return value or panic payload, once it finished.
    result: Option<std::thread::Result<T>>,
    /// The waker of the task awaiting the result.
    waker: Option<Waker>,
}

impl<T> Slot<T> {
    /// Stores the result and wakes the awaiting task (through the cross-thread wake path).
    fn complete(&self, result: std::thread::Result<T>) {
        let waker = {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            inner.result = Some(result);
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The future of the task that waits for a blocking job.
struct BlockingResult<T> {
    /// Shared with the pool thread.
    slot: Arc<Slot<T>>,
    /// Where `spawn_blocking` was called: the job's wait site.
    location: &'static Location<'static>,
}

impl<T> Future for BlockingResult<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut inner = self
            .slot
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match inner.result.take() {
            Some(Ok(value)) => Poll::Ready(value),
            // Re-raised inside the task, so the task's JoinHandle reports the panic.
            Some(Err(payload)) => panic::resume_unwind(payload),
            None => {
                match &inner.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => inner.waker = Some(cx.waker().clone()),
                }
                let location = self.location;
                record_wait(|| {
                    WaitSite::new(WaitKind::BlockingJob, Some(location), WaitDetail::None)
                });
                Poll::Pending
            }
        }
    }
}
