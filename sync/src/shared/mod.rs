//! `Send + Sync` primitives, for values that cross threads: a `std::thread` or a
//! [`spawn_blocking`](../../fn.spawn_blocking.html) job waking a loop task, two loops on
//! two threads, or a loop task feeding a worker thread.
//!
//! [`oneshot`], [`mpsc`], [`Mutex`] and [`Semaphore`] have the API and the guarantees of
//! their loop-local namesakes in [`evloop::sync`](crate) (FIFO waiters, nothing lost on
//! cancellation), and add blocking calls for threads that run no loop:
//! `blocking_recv`, `blocking_send`, `blocking_lock`, `blocking_acquire`. Those park the
//! thread; on a loop's thread, which that would stop for good, they panic with advice
//! instead (`.await` the async version there).
//!
//! Their state sits behind a `std::sync::Mutex` (uncontended: one atomic operation to
//! take it, one to release), and a waker is cloned only when it would wake a different
//! task than the stored one. Between tasks of one loop, prefer the loop-local versions.
//!
//! ```
//! use std::sync::Arc;
//! use evloop::sync::shared::{mpsc, Semaphore};
//!
//! // A worker thread without a loop feeds a loop task; a shared semaphore bounds the
//! // results in flight across both threads.
//! let (tx, mut rx) = mpsc::channel(4);
//! let in_flight = Arc::new(Semaphore::new(2));
//! let limit = in_flight.clone();
//! let worker = std::thread::spawn(move || {
//!     for n in 1..=5u64 {
//!         let permit = limit.blocking_acquire().unwrap();
//!         permit.forget(); // the loop task gives it back once it has handled `n`
//!         tx.blocking_send(n * n).unwrap();
//!     }
//! });
//! let total = evloop::run(async move {
//!     let mut total = 0;
//!     while let Some(square) = rx.recv().await {
//!         total += square;
//!         in_flight.add_permits(1);
//!     }
//!     total
//! });
//! worker.join().unwrap();
//! assert_eq!(total, 55);
//! ```

pub mod mpsc;
mod mutex;
pub mod oneshot;
mod park;
mod semaphore;

pub use crate::mutex::TryLockError;
pub use crate::semaphore::{AcquireError, TryAcquireError};
pub use mutex::{Lock, Mutex, MutexGuard};
pub use semaphore::{Acquire, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit};
