//! The loop-local [`Semaphore`], like `asyncio.Semaphore`, and its permits.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::sem_core::{self, CoreCell, SemCore, Waiter};

/// A counting semaphore for the tasks of one loop, like `asyncio.Semaphore`: it holds a
/// number of permits, [`acquire`](Semaphore::acquire) waits until one is free, and the
/// permit goes back when the returned guard is dropped (`async with sem:` in asyncio).
///
/// Waiters are served in FIFO order, and a permit is handed straight to the oldest waiter,
/// so a late `try_acquire` never barges ahead of a queued task. Dropping an `acquire`
/// future (through [`race`](../fn.race.html) or a timeout) removes it from the queue; if
/// permits had already been handed to it, they pass to the next waiter. Nothing is lost.
///
/// It is `!Sync` and needs no atomics: share it between tasks with `&` or `Rc`. For tasks
/// on other threads use [`shared::Semaphore`](crate::shared::Semaphore).
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
pub struct Semaphore {
    /// Free permits and the FIFO of waiters.
    core: RefCell<SemCore>,
}

impl Semaphore {
    /// A semaphore with `permits` free permits.
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub const fn new(permits: usize) -> Semaphore {
        Semaphore {
            core: RefCell::new(SemCore::new(permits)),
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
        self.core.with(|core| core.available())
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
        sem_core::release(&self.core, n);
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
    pub fn acquire(&self) -> Acquire<'_> {
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
    pub fn acquire_many(&self, n: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            waiter: Waiter::new(n),
        }
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
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
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
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.core.with(|core| core.try_acquire(n))?;
        Ok(SemaphorePermit { sem: self, n })
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
    pub fn acquire_owned(self: Rc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
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
    pub fn acquire_many_owned(self: Rc<Self>, n: usize) -> AcquireOwned {
        AcquireOwned {
            sem: self,
            waiter: Waiter::new(n),
        }
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
    pub fn try_acquire_owned(self: Rc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.core.with(|core| core.try_acquire(1))?;
        Ok(OwnedSemaphorePermit { sem: self, n: 1 })
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
        sem_core::close(&self.core);
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
        self.core.with(|core| core.is_closed())
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .finish()
    }
}

/// The future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
///
/// ```
/// use std::time::Duration;
/// use evloop::sync::{Acquire, Semaphore};
/// evloop::run(async {
///     let sem = Semaphore::new(0);
///     let acquire: Acquire<'_> = sem.acquire();
///     // Dropped by the timeout while queued: it leaves the queue, nothing is lost.
///     assert!(evloop::time::timeout(Duration::from_millis(1), acquire).await.is_err());
///     sem.add_permits(1);
///     assert!(sem.try_acquire().is_ok());
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    waiter: Waiter,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let sem = self.sem;
        let n = self.waiter.want();
        self.waiter
            .poll(&sem.core, cx)
            .map_ok(|()| SemaphorePermit { sem, n })
    }
}

impl Drop for Acquire<'_> {
    #[inline]
    fn drop(&mut self) {
        self.waiter.cancel(&self.sem.core);
    }
}

/// The future of [`Semaphore::acquire_owned`] and [`Semaphore::acquire_many_owned`].
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
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct AcquireOwned {
    sem: Rc<Semaphore>,
    waiter: Waiter,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let n = this.waiter.want();
        this.waiter
            .poll(&this.sem.core, cx)
            .map_ok(|()| OwnedSemaphorePermit {
                sem: this.sem.clone(),
                n,
            })
    }
}

impl Drop for AcquireOwned {
    #[inline]
    fn drop(&mut self) {
        self.waiter.cancel(&self.sem.core);
    }
}

/// Permits borrowed from a [`Semaphore`]; dropping it gives them back.
///
/// ```
/// let sem = evloop::sync::Semaphore::new(1);
/// {
///     let _permit = sem.try_acquire().unwrap();
///     assert_eq!(sem.available_permits(), 0);
/// } // dropped: the permit goes back
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "dropping the permit releases it at once"]
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    n: usize,
}

impl SemaphorePermit<'_> {
    /// How many permits this guard holds.
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(3);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits out of the semaphore for good (its capacity shrinks by them).
    ///
    /// ```
    /// let sem = evloop::sync::Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1); // one permit fewer, for good
    /// ```
    pub fn forget(mut self) {
        self.n = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.n > 0 {
            sem_core::release(&self.sem.core, self.n);
        }
    }
}

/// Permits from a [`Semaphore`] held through an `Rc`, free to move into a task.
///
/// ```
/// use std::rc::Rc;
/// let sem = Rc::new(evloop::sync::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// evloop::run(async move {
///     evloop::spawn(async move { let _held = permit; }).await.unwrap();
/// });
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "dropping the permit releases it at once"]
#[derive(Debug)]
pub struct OwnedSemaphorePermit {
    sem: Rc<Semaphore>,
    n: usize,
}

impl OwnedSemaphorePermit {
    /// How many permits this guard holds.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let sem = Rc::new(evloop::sync::Semaphore::new(3));
    /// let permit = evloop::run(sem.clone().acquire_many_owned(2)).unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// The semaphore the permits came from.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let sem = Rc::new(evloop::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Rc::ptr_eq(permit.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &Rc<Semaphore> {
        &self.sem
    }

    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let sem = Rc::new(evloop::sync::Semaphore::new(2));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.n = 0;
    }
}

impl Drop for OwnedSemaphorePermit {
    #[inline]
    fn drop(&mut self) {
        if self.n > 0 {
            sem_core::release(&self.sem.core, self.n);
        }
    }
}

/// The semaphore was [closed](Semaphore::close) before the permits were granted.
///
/// ```
/// evloop::run(async {
///     let sem = evloop::sync::Semaphore::new(0);
///     sem.close();
///     let err: evloop::sync::AcquireError = sem.acquire().await.unwrap_err();
///     assert!(!err.to_string().is_empty());
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcquireError(pub(crate) ());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the semaphore is closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why [`Semaphore::try_acquire`] returned no permit.
///
/// ```
/// use evloop::sync::{Semaphore, TryAcquireError};
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore is closed.
    Closed,
    /// Not enough permits are free, or tasks are already waiting for them.
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryAcquireError::Closed => "the semaphore is closed",
            TryAcquireError::NoPermits => "no permits available",
        })
    }
}

impl std::error::Error for TryAcquireError {}
