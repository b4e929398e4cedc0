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
//! - **Loop-local** (this module's root): [`oneshot`], [`mpsc`], [`Mutex`], [`Semaphore`],
//!   [`Event`] for tasks of one loop. They keep their state in `Cell`/`RefCell`/`Rc`, so
//!   they cost no atomic operation and no lock, and they are `!Send`/`!Sync` — which is
//!   what makes that sound: using one from another thread is a compile error, never a data
//!   race (see below).
//! - **[`shared`]**: `Send + Sync` counterparts, for a value that crosses threads —
//!   e.g. a [`spawn_blocking`](../fn.spawn_blocking.html) job or a `std::thread` sending
//!   results into a loop task. They keep their state behind a `std::sync::Mutex`, and offer
//!   blocking calls (`blocking_send`, `blocking_recv`, `blocking_lock`) for threads that
//!   are not running a loop.
//!
//! | asyncio | evloop |
//! |---|---|
//! | `asyncio.Queue(maxsize=n)`, one consumer | [`mpsc::channel`]`(n)` |
//! | `asyncio.Queue()`, one consumer | [`mpsc::unbounded_channel`]`()` |
//! | `fut = loop.create_future()`; `fut.set_result(v)`; `await fut` | [`oneshot::channel`]`()`; `tx.send(v)`; `rx.await` |
//! | `asyncio.Lock()`; `async with lock:` | [`Mutex::new`]`(value)`; `let guard = m.lock().await;` |
//! | `asyncio.Semaphore(n)`; `async with sem:` | [`Semaphore::new`]`(n)`; `let _p = sem.acquire().await?;` |
//! | `asyncio.Event()`; `set`, `clear`, `is_set`, `await wait()` | [`Event::new`]`()`; the same four |
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
//!   allocates nothing; the futures are `Unpin` and need no pinning; there is no `unsafe`.
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
#![forbid(unsafe_code)]

mod event;
pub mod mpsc;
mod mutex;
pub mod oneshot;
mod sem_core;
mod semaphore;
pub mod shared;
mod waiters;
mod waker_slot;

pub use event::{Event, Wait};
pub use mutex::{Lock, Mutex, MutexGuard, TryLockError};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TryAcquireError,
};
