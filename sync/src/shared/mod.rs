//! `Send + Sync` primitives, for values that cross threads: a `std::thread` or a
//! [`spawn_blocking`](../../fn.spawn_blocking.html) job waking a loop task, two loops on
//! two threads, or a loop task feeding a worker thread.
//!
//! [`oneshot`], [`mpsc`], [`Mutex`] and [`Semaphore`] have the API and the guarantees of
//! their loop-local namesakes in [`evloop::sync`](crate) (FIFO waiters, nothing lost on
//! cancellation), and add blocking calls for threads that run no loop:
//! `blocking_recv`, `blocking_send`, `blocking_lock`, `blocking_acquire`. Those park the
//! thread; never call them on a loop's thread, which would stop every task of the loop.
//!
//! Their state sits behind a `std::sync::Mutex` (uncontended: one atomic operation to
//! take it, one to release), and a waker is cloned only when it would wake a different
//! task than the stored one. Between tasks of one loop, prefer the loop-local versions.

pub mod mpsc;
mod mutex;
pub mod oneshot;
mod park;
mod semaphore;

pub use crate::mutex::TryLockError;
pub use crate::semaphore::{AcquireError, TryAcquireError};
pub use mutex::{Lock, Mutex, MutexGuard};
pub use semaphore::{Acquire, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit};
