//! `Send + Sync` primitives, for values that cross threads: a `std::thread` or a
//! [`spawn_blocking`](../../fn.spawn_blocking.html) job waking a loop task, two loops on
//! two threads, or a loop task feeding a worker thread.
//!
//! [`oneshot`], [`mpsc`], [`Mutex`] and [`Semaphore`] are their loop-local namesakes in
//! [`evloop::sync`](crate) in the [`Shared`] flavour: the same code,
//! so the same API and guarantees (FIFO waiters, nothing lost on cancellation), documented
//! once in [`flavour`]. They add blocking calls for threads that run no
//! loop: `blocking_recv`, `blocking_send`, `blocking_lock`, `blocking_acquire`. Those park
//! the thread; on a loop's thread, which that would stop for good, they panic with advice
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
pub mod oneshot;

use crate::flavour::{self, Shared};

pub use flavour::{AcquireError, TryAcquireError, TryLockError};

/// A counting semaphore shared across threads; its methods: [`flavour::Semaphore`]. Share
/// it with `Arc` (or a `static`: `new` is `const`); threads without a loop call
/// [`blocking_acquire`](flavour::Semaphore::blocking_acquire).
///
/// ```
/// use std::sync::Arc;
/// use evloop::sync::shared::Semaphore;
///
/// let sem = Arc::new(Semaphore::new(0));
/// let worker = std::thread::spawn({
///     let sem = sem.clone();
///     move || sem.add_permits(1) // e.g. "a resource became free"
/// });
/// evloop::run(async {
///     let _permit = sem.acquire().await.unwrap();
/// });
/// worker.join().unwrap();
/// ```
pub type Semaphore = flavour::Semaphore<Shared>;

/// The future of a shared semaphore's `acquire` and `acquire_many`.
///
/// ```
/// use evloop::sync::shared::{Acquire, Semaphore};
/// let sem = Semaphore::new(1);
/// let acquire: Acquire<'_> = sem.acquire();
/// assert_eq!(evloop::run(acquire).unwrap().num_permits(), 1);
/// ```
pub type Acquire<'a> = flavour::Acquire<'a, Shared>;

/// The future of a shared semaphore's `acquire_owned` and `acquire_many_owned`.
///
/// ```
/// use std::sync::Arc;
/// use evloop::sync::shared::{AcquireOwned, Semaphore};
/// let sem = Arc::new(Semaphore::new(1));
/// let acquire: AcquireOwned = sem.clone().acquire_owned();
/// let permit = evloop::run(acquire).unwrap();
/// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
/// ```
pub type AcquireOwned = flavour::AcquireOwned<Shared>;

/// Permits borrowed from a shared [`Semaphore`]; dropping it gives them back.
///
/// ```
/// use evloop::sync::shared::{Semaphore, SemaphorePermit};
/// let sem = Semaphore::new(2);
/// let permit: SemaphorePermit<'_> = sem.try_acquire().unwrap();
/// std::thread::scope(|s| {
///     s.spawn(move || drop(permit)); // released on another thread
/// });
/// assert_eq!(sem.available_permits(), 2);
/// ```
pub type SemaphorePermit<'a> = flavour::SemaphorePermit<'a, Shared>;

/// Permits from a shared [`Semaphore`] held through an `Arc`, free to move to any thread.
///
/// ```
/// use std::sync::Arc;
/// use evloop::sync::shared::{OwnedSemaphorePermit, Semaphore};
/// let sem = Arc::new(Semaphore::new(1));
/// let permit: OwnedSemaphorePermit = sem.clone().try_acquire_owned().unwrap();
/// std::thread::spawn(move || drop(permit)).join().unwrap();
/// assert_eq!(sem.available_permits(), 1);
/// ```
pub type OwnedSemaphorePermit = flavour::OwnedSemaphorePermit<Shared>;

/// An async mutex shared across threads; its methods: [`flavour::Mutex`]. A loop task
/// awaits `lock`, a thread without a loop calls
/// [`blocking_lock`](flavour::Mutex::blocking_lock); both wait in one FIFO queue.
///
/// ```
/// use std::sync::Arc;
/// use evloop::sync::shared::Mutex;
///
/// let hits = Arc::new(Mutex::new(0u32));
/// let thread = std::thread::spawn({
///     let hits = hits.clone();
///     move || *hits.blocking_lock() += 1
/// });
/// evloop::run(async {
///     *hits.lock().await += 1;
/// });
/// thread.join().unwrap();
/// assert_eq!(*hits.blocking_lock(), 2);
/// ```
pub type Mutex<T> = flavour::Mutex<T, Shared>;

/// The future of a shared mutex's `lock`.
///
/// ```
/// use evloop::sync::shared::{Lock, Mutex};
/// let m = Mutex::new('x');
/// let lock: Lock<'_, char> = m.lock();
/// assert_eq!(*evloop::run(lock), 'x');
/// ```
pub type Lock<'a, T> = flavour::Lock<'a, T, Shared>;

/// Holds the lock of a shared [`Mutex`] and derefs to its value; `!Send`, like std's
/// guard. Dropping it unlocks, handing the lock to the oldest waiter.
///
/// ```
/// use evloop::sync::shared::{Mutex, MutexGuard};
/// let m = Mutex::new(vec![1]);
/// let mut guard: MutexGuard<'_, Vec<i32>> = m.blocking_lock();
/// guard.push(2);
/// assert_eq!(*guard, [1, 2]);
/// drop(guard); // unlocks
/// assert!(m.try_lock().is_ok());
/// ```
pub type MutexGuard<'a, T> = flavour::MutexGuard<'a, T, Shared>;
