//! The counting [`Semaphore`] of both flavours, like `asyncio.Semaphore`, and its permits.
//!
//! `mod.rs` holds the semaphore and what each flavour adds (its constructor, permits owned
//! through its pointer, blocking calls); `acquire.rs` the futures that wait for permits,
//! `permit.rs` the guards that give them back, and `core.rs` the FIFO logic under them.

mod acquire;
mod core;
mod error;
mod permit;

pub use acquire::{Acquire, AcquireOwned};
pub(crate) use core::{close as close_core, CoreCell, SemCore, Waiter};
pub use error::{AcquireError, TryAcquireError};
pub use permit::{OwnedSemaphorePermit, SemaphorePermit};

use std::cell::RefCell;
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;

use evloop_reactor::wait_site::WaitKind;

use super::{Flavour, Local, Shared};
use crate::park;

/// A counting semaphore, like `asyncio.Semaphore`: it holds a number of permits,
/// [`acquire`](Semaphore::acquire) waits until one is free, and the permit goes back when
/// the returned guard is dropped (`async with sem:` in asyncio).
///
/// Waiters are served in FIFO order, and a permit is handed straight to the oldest waiter,
/// so a late `try_acquire` never barges ahead of a queued task. Dropping an `acquire`
/// future (through [`race`](../../fn.race.html) or a timeout) removes it from the queue; if
/// permits had already been handed to it, they pass to the next waiter. Nothing is lost.
///
/// Name it by its flavour: [`evloop::sync::Semaphore`](crate::Semaphore) for the tasks of
/// one loop (`!Sync`, no atomics: share it with `&` or `Rc`), or
/// [`evloop::sync::shared::Semaphore`](crate::shared::Semaphore) across threads (share it
/// with `Arc`; threads without a loop call
/// [`blocking_acquire`](Semaphore::blocking_acquire)).
///
/// ```
/// use std::rc::Rc;
/// use std::time::Duration;
/// use evloop::sync::Semaphore;
///
/// evloop::run(async {
///     let limit = Rc::new(Semaphore::new(2)); // at most two downloads at once
///     let tasks: Vec<_> = (0..6)
///         .map(|i| {
///             let limit = limit.clone();
///             evloop::spawn(async move {
///                 let _permit = limit.acquire().await.unwrap();
///                 evloop::time::sleep(Duration::from_millis(1)).await;
///                 i
///             })
///         })
///         .collect();
///     let done: Vec<_> = evloop::gather_all(tasks).await.into_iter().map(Result::unwrap).collect();
///     assert_eq!(done, [0, 1, 2, 3, 4, 5]);
///     assert_eq!(limit.available_permits(), 2);
/// });
/// ```
pub struct Semaphore<F: Flavour> {
    /// Free permits and the FIFO of waiters, in the flavour's cell.
    core: F::Cell<SemCore>,
}

impl<F: Flavour> Semaphore<F> {
    /// A semaphore of either flavour with `permits` free permits (`new` is per flavour
    /// because it is `const`).
    pub(crate) fn from_permits(permits: usize) -> Semaphore<F> {
        Semaphore {
            core: F::cell(SemCore::new(permits)),
        }
    }

    /// The number of free permits.
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(2);
    /// let permit = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// drop(permit);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.with(|core| core.available())
    }

    /// Adds `n` permits, serving waiters first (like `n` calls of asyncio's `release()`).
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(0);
    /// assert!(sem.try_acquire().is_err());
    /// sem.add_permits(2); // asyncio: sem.release(), twice
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    ///
    /// # Panics
    /// If the count would overflow `usize`.
    #[inline]
    pub fn add_permits(&self, n: usize) {
        core::release(self, n);
    }

    /// Waits for one permit, like `await sem.acquire()`; the permit is returned when the
    /// guard drops. Fails only if the semaphore is [closed](Semaphore::close).
    ///
    /// ```
    /// evloop::run(async {
    ///     let sem = evloop::sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await.unwrap(); // `async with sem:`
    ///     assert_eq!(sem.available_permits(), 0);
    ///     drop(permit); // released
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_, F> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once. A large request at the head of the queue makes later
    /// ones wait behind it, so it is never starved.
    ///
    /// ```
    /// evloop::run(async {
    ///     let sem = evloop::sync::Semaphore::new(5);
    ///     let three = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(three.num_permits(), 3);
    ///     assert_eq!(sem.available_permits(), 2);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn acquire_many(&self, n: usize) -> Acquire<'_, F> {
        Acquire::new(self, n, WaitKind::Acquire, Location::caller())
    }

    /// Takes a permit if one is free and no task waits for one; never waits.
    ///
    /// ```
    /// use evloop::sync::{Semaphore, TryAcquireError};
    /// let sem = Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// drop(permit);
    /// sem.close();
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_, F>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and no task waits for permits; never waits.
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err()); // not enough
    /// let both = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(both.num_permits(), 2);
    /// ```
    #[inline]
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_, F>, TryAcquireError> {
        self.with(|core| core.try_acquire(n))?;
        Ok(SemaphorePermit::new(self, n))
    }

    /// Closes the semaphore: every waiting and later acquire fails with [`AcquireError`].
    /// Permits already held stay valid.
    ///
    /// ```
    /// evloop::run(async {
    ///     let sem = evloop::sync::Semaphore::new(1);
    ///     let held = sem.acquire().await.unwrap();
    ///     sem.close();
    ///     assert!(sem.acquire().await.is_err()); // AcquireError: closed
    ///     assert_eq!(held.num_permits(), 1); // permits already held stay valid
    /// });
    /// ```
    pub fn close(&self) {
        core::close(self);
    }

    /// Whether [`close`](Semaphore::close) was called.
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(1);
    /// assert!(!sem.is_closed());
    /// sem.close();
    /// assert!(sem.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.with(|core| core.is_closed())
    }

    /// Waits for `n` permits owned through the flavour's pointer (`Rc` or `Arc`).
    #[track_caller]
    fn acquire_owned_in(this: F::Ptr<Self>, n: usize) -> AcquireOwned<F> {
        AcquireOwned::new(this, n, Location::caller())
    }

    /// Takes one permit owned through the flavour's pointer if it is free; never waits.
    fn try_acquire_owned_in(
        this: F::Ptr<Self>,
    ) -> Result<OwnedSemaphorePermit<F>, TryAcquireError> {
        this.with(|core| core.try_acquire(1))?;
        Ok(OwnedSemaphorePermit::new(this, 1))
    }
}

impl<F: Flavour> CoreCell for Semaphore<F> {
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut SemCore) -> R) -> R {
        F::with(&self.core, f)
    }
}

/// The loop-local flavour, [`evloop::sync::Semaphore`](crate::Semaphore): its permits can
/// be owned through an `Rc`.
impl Semaphore<Local> {
    /// A semaphore with `permits` free permits.
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub const fn new(permits: usize) -> Semaphore<Local> {
        Semaphore {
            core: RefCell::new(SemCore::new(permits)),
        }
    }

    /// Waits for a permit that owns an `Rc` of the semaphore, so it can move into a
    /// spawned task and outlive the borrow.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use evloop::sync::Semaphore;
    ///
    /// evloop::run(async {
    ///     let sem = Rc::new(Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     let task = evloop::spawn(async move {
    ///         let _permit = permit; // held by the task, released when it ends
    ///     });
    ///     task.await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn acquire_owned(self: Rc<Self>) -> AcquireOwned<Local> {
        Self::acquire_owned_in(self, 1)
    }

    /// Waits for `n` permits owned with an `Rc` of the semaphore.
    ///
    /// ```
    /// use std::rc::Rc;
    /// evloop::run(async {
    ///     let sem = Rc::new(evloop::sync::Semaphore::new(4));
    ///     let permits = sem.clone().acquire_many_owned(3).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 3);
    ///     evloop::spawn(async move { drop(permits) }).await.unwrap(); // moved into a task
    ///     assert_eq!(sem.available_permits(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn acquire_many_owned(self: Rc<Self>, n: usize) -> AcquireOwned<Local> {
        Self::acquire_owned_in(self, n)
    }

    /// Takes an owned permit if one is free and no task waits; never waits.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let sem = Rc::new(evloop::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// drop(permit);
    /// assert!(sem.try_acquire_owned().is_ok());
    /// ```
    pub fn try_acquire_owned(
        self: Rc<Self>,
    ) -> Result<OwnedSemaphorePermit<Local>, TryAcquireError> {
        Self::try_acquire_owned_in(self)
    }
}

/// The flavour that crosses threads, [`evloop::sync::shared::Semaphore`](crate::shared::Semaphore):
/// its permits can be owned through an `Arc`, and threads without a loop can block for one.
impl Semaphore<Shared> {
    /// A semaphore with `permits` free permits; `const`, so it can be a `static`.
    ///
    /// ```
    /// use evloop::sync::shared::Semaphore;
    /// static CONNECTIONS: Semaphore = Semaphore::new(3);
    /// assert_eq!(CONNECTIONS.available_permits(), 3);
    /// ```
    pub const fn new(permits: usize) -> Semaphore<Shared> {
        Semaphore {
            core: std::sync::Mutex::new(SemCore::new(permits)),
        }
    }

    /// Blocks the calling thread until a permit is free. For threads without a loop; on a
    /// loop's thread it would stop the loop, so it panics there.
    ///
    /// ```
    /// let sem = evloop::sync::shared::Semaphore::new(1);
    /// let permit = sem.blocking_acquire().unwrap(); // a plain thread: it blocks until free
    /// assert_eq!(sem.available_permits(), 0);
    /// drop(permit);
    /// sem.close();
    /// assert!(sem.blocking_acquire().is_err());
    /// ```
    #[track_caller]
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_, Shared>, AcquireError> {
        park::block_on(self.acquire())
    }

    /// Waits for a permit that owns an `Arc` of the semaphore, free to move to a task or a
    /// thread.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(1));
    /// let permit = evloop::run(sem.clone().acquire_owned()).unwrap();
    /// std::thread::spawn(move || drop(permit)).join().unwrap(); // released on another thread
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    #[track_caller]
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned<Shared> {
        Self::acquire_owned_in(self, 1)
    }

    /// Waits for `n` permits owned with an `Arc` of the semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(4));
    /// let permits = evloop::run(sem.clone().acquire_many_owned(3)).unwrap();
    /// assert_eq!(permits.num_permits(), 3);
    /// std::thread::spawn(move || drop(permits)).join().unwrap();
    /// assert_eq!(sem.available_permits(), 4);
    /// ```
    #[track_caller]
    pub fn acquire_many_owned(self: Arc<Self>, n: usize) -> AcquireOwned<Shared> {
        Self::acquire_owned_in(self, n)
    }

    /// Takes an owned permit if one is free and no one waits; never waits.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// std::thread::spawn(move || drop(permit)).join().unwrap();
    /// assert!(sem.try_acquire_owned().is_ok());
    /// ```
    pub fn try_acquire_owned(
        self: Arc<Self>,
    ) -> Result<OwnedSemaphorePermit<Shared>, TryAcquireError> {
        Self::try_acquire_owned_in(self)
    }
}

impl<F: Flavour> fmt::Debug for Semaphore<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .finish()
    }
}
