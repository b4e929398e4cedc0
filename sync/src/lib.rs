//! evloop's sync primitives: channels, locks and flags for tasks to hand work and values to
//! each other, like asyncio's `Queue`, `Lock`, `Semaphore`, `Event` and `Future`.
//!
//! # Its place in the loop
//!
//! These primitives know nothing of the loop: a task that must wait stores its
//! [`Waker`](std::task::Waker) in the primitive and returns `Pending`; the task that
//! sends, unlocks, releases or sets wakes it, and the executor (`evloop-executor`) polls it
//! again on its next turn. Users reach them through the `evloop` facade, as
//! `evloop::sync`.
//!
//! # Two flavours
//!
//! - **Loop-local** (this module's root): [`oneshot`], [`mpsc`], [`broadcast`], [`watch`],
//!   [`Mutex`], [`Semaphore`], [`Event`] for tasks of one loop. They keep their state in
//!   `RefCell`/`Rc`, so they cost no atomic operation and no lock, and they are
//!   `!Send`/`!Sync` — which is what makes that sound: using one from another thread is a
//!   compile error, never a data race (see below).
//! - **[`shared`]**: `Send + Sync` counterparts, for a value that crosses threads —
//!   e.g. a [`spawn_blocking`](../fn.spawn_blocking.html) job or a `std::thread` sending
//!   results into a loop task. They keep their state behind a `std::sync::Mutex`, and offer
//!   blocking calls (`blocking_send`, `blocking_recv`, `blocking_lock`) for threads that
//!   are not running a loop.
//!
//! The two flavours differ only in those cells: each primitive is written once, generic
//! over its [`flavour`], and `evloop::sync::Semaphore` and `evloop::sync::shared::Semaphore`
//! name `flavour::Semaphore<Local>` and `flavour::Semaphore<Shared>`. Their methods are
//! documented there, once for both.
//!
//! # Where things are
//!
//! `flavour/` holds the primitives both flavours share (`cells.rs` is the whole difference
//! between them); `mpsc.rs`, `oneshot.rs` and `shared/` only name them. `broadcast/`,
//! `watch/` and `event.rs` are loop-local only. Every wait goes through one of two places:
//! `waiters.rs`, the FIFO of waiting futures the semaphore, event, broadcast and watch
//! queue in, or `waker_slot.rs`, the single waiter of a channel's receiving side.
//!
//! | asyncio | evloop |
//! |---|---|
//! | `asyncio.Queue(maxsize=n)`, one consumer | [`mpsc::channel`]`(n)` |
//! | `asyncio.Queue()`, one consumer | [`mpsc::unbounded_channel`]`()` |
//! | `fut = loop.create_future()`; `fut.set_result(v)`; `await fut` | [`oneshot::channel`]`()`; `tx.send(v)`; `rx.await` |
//! | `asyncio.Lock()`; `async with lock:` | [`Mutex::new`]`(value)`; `let guard = m.lock().await;` |
//! | `asyncio.Semaphore(n)`; `async with sem:` | [`Semaphore::new`]`(n)`; `let _p = sem.acquire().await?;` |
//! | `asyncio.Event()`; `set`, `clear`, `is_set`, `await wait()` | [`Event::new`]`()`; the same four |
//! | one `asyncio.Queue` per subscriber, `put_nowait` to each | [`broadcast::channel`]`(n)`; `tx.send(v)`; `rx.recv().await` |
//! | an `Event` that carries a value: `await event.wait()`, read it, `clear()` | [`watch::channel`]`(v)`; `rx.changed().await`; `rx.borrow()` |
//!
//! # Guarantees
//!
//! - **FIFO.** Tasks waiting on a primitive are served in the order they began waiting:
//!   lock holders, permit takers, senders waiting for room. A `try_*` call never barges
//!   ahead of a queued waiter.
//! - **Cancellation loses nothing.** Every future here may be dropped at any `.await`
//!   (by [`race`](../fn.race.html), [`timeout`](../time/fn.timeout.html) or an aborted
//!   task). A dropped waiter leaves its queue; if the lock, permits or buffer slot had
//!   already been handed to it, they pass on to the next waiter. A dropped `recv` loses no
//!   message; a dropped `send` means the message was not sent.
//! - **No allocation per operation.** Waiters live in a slab inside the primitive that is
//!   reused, so once it has grown to the peak number of simultaneous waiters, waiting
//!   allocates nothing; the futures are `Unpin` and need no pinning. The crate denies
//!   `unsafe` but in one file, `flavour/mutex.rs`: a [`MutexGuard`]'s access to the value
//!   its permit makes exclusive.
//!
//! # Loop-local means `!Send`, checked by the compiler
//!
//! Moving a loop-local sender to another thread does not compile:
//!
//! ```compile_fail
//! let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel::<u32>();
//! std::thread::spawn(move || tx.send(1).unwrap()); // error: `Rc<..>` cannot be sent between threads
//! ```
//!
//! The [`shared`] channel is the one to use there:
//!
//! ```
//! let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel::<u32>();
//! let worker = std::thread::spawn(move || tx.send(1).unwrap());
//! let got = evloop::run(async move { rx.recv().await });
//! assert_eq!(got, Some(1));
//! worker.join().unwrap();
//! ```

#![warn(missing_docs)]
#![deny(
    unsafe_code,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

pub mod broadcast;
mod event;
pub mod flavour;
pub mod mpsc;
pub mod oneshot;
mod park;
mod send_error;
pub mod shared;
mod wait_site;
mod waiters;
mod waker_slot;
pub mod watch;

pub use event::{Event, Wait};
pub use flavour::{AcquireError, TryAcquireError, TryLockError};

use flavour::Local;

/// A counting semaphore for the tasks of one loop, like `asyncio.Semaphore`; its methods:
/// [`flavour::Semaphore`]. `!Sync` and free of atomics: share it with `&` or `Rc`. For
/// tasks on other threads use [`shared::Semaphore`].
///
/// ```
/// use std::rc::Rc;
/// use evloop::sync::Semaphore;
///
/// evloop::run(async {
///     let sem = Rc::new(Semaphore::new(1));
///     let permit = sem.acquire().await.unwrap(); // `async with sem:`
///     let waiter = evloop::spawn({
///         let sem = sem.clone();
///         async move { sem.acquire().await.map(|p| p.num_permits()) }
///     });
///     evloop::yield_now().await;
///     drop(permit); // handed straight to the waiting task
///     assert_eq!(waiter.await.unwrap(), Ok(1));
/// });
/// ```
pub type Semaphore = flavour::Semaphore<Local>;

/// The future of a loop-local semaphore's `acquire` and `acquire_many`.
///
/// ```
/// use evloop::sync::{Acquire, Semaphore};
/// let sem = Semaphore::new(1);
/// let acquire: Acquire<'_> = sem.acquire();
/// assert_eq!(evloop::run(acquire).unwrap().num_permits(), 1);
/// ```
pub type Acquire<'a> = flavour::Acquire<'a, Local>;

/// The future of a loop-local semaphore's `acquire_owned` and `acquire_many_owned`.
///
/// ```
/// use std::rc::Rc;
/// use evloop::sync::{AcquireOwned, Semaphore};
/// evloop::run(async {
///     let sem = Rc::new(Semaphore::new(1));
///     let acquire: AcquireOwned = sem.clone().acquire_owned();
///     let permit = acquire.await.unwrap();
///     assert!(Rc::ptr_eq(permit.semaphore(), &sem));
/// });
/// ```
pub type AcquireOwned = flavour::AcquireOwned<Local>;

/// Permits borrowed from a loop-local [`Semaphore`]; dropping it gives them back.
///
/// ```
/// use evloop::sync::{Semaphore, SemaphorePermit};
/// let sem = Semaphore::new(1);
/// let permit: SemaphorePermit<'_> = sem.try_acquire().unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 1);
/// ```
pub type SemaphorePermit<'a> = flavour::SemaphorePermit<'a, Local>;

/// Permits from a loop-local [`Semaphore`] held through an `Rc`, free to move into a task.
///
/// ```
/// use std::rc::Rc;
/// use evloop::sync::{OwnedSemaphorePermit, Semaphore};
/// let sem = Rc::new(Semaphore::new(1));
/// let permit: OwnedSemaphorePermit = sem.clone().try_acquire_owned().unwrap();
/// evloop::run(async move {
///     evloop::spawn(async move { let _held = permit; }).await.unwrap();
/// });
/// assert_eq!(sem.available_permits(), 1);
/// ```
pub type OwnedSemaphorePermit = flavour::OwnedSemaphorePermit<Local>;

/// An async mutex for the tasks of one loop, like `asyncio.Lock` guarding a value; its
/// methods: [`flavour::Mutex`]. A `RefCell` beside a one-permit semaphore: no atomics.
/// For tasks on other threads use [`shared::Mutex`].
///
/// ```
/// use evloop::sync::Mutex;
/// evloop::run(async {
///     let total = Mutex::new(0);
///     evloop::gather!(
///         async { *total.lock().await += 1 },
///         async { *total.lock().await += 2 },
///     )
///     .await;
///     assert_eq!(total.into_inner(), 3);
/// });
/// ```
pub type Mutex<T> = flavour::Mutex<T, Local>;

/// The future of a loop-local mutex's `lock`.
///
/// ```
/// use evloop::sync::{Lock, Mutex};
/// let m = Mutex::new(5);
/// let lock: Lock<'_, i32> = m.lock();
/// assert_eq!(*evloop::run(lock), 5);
/// ```
pub type Lock<'a, T> = flavour::Lock<'a, T, Local>;

/// Holds the lock of a loop-local [`Mutex`] and derefs to its value; dropping it unlocks,
/// handing the lock to the oldest waiter.
///
/// ```
/// use evloop::sync::{Mutex, MutexGuard};
/// let m = Mutex::new(String::from("a"));
/// let mut guard: MutexGuard<'_, String> = m.try_lock().unwrap();
/// guard.push('b');
/// drop(guard); // unlocks
/// assert_eq!(m.into_inner(), "ab");
/// ```
pub type MutexGuard<'a, T> = flavour::MutexGuard<'a, T, Local>;
