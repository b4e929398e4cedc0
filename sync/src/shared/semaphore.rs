//! The `Send + Sync` [`Semaphore`], for tasks and threads that share a limit.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::sem_core::{self, CoreCell, SemCore, Waiter};
use crate::semaphore::{AcquireError, TryAcquireError};
use crate::shared::park;

/// A counting semaphore shared across threads: the same API and guarantees (FIFO, nothing
/// lost on cancellation) as the loop-local [`Semaphore`](crate::Semaphore), with
/// [`acquire_owned`](Semaphore::acquire_owned) on an `Arc` and
/// [`blocking_acquire`](Semaphore::blocking_acquire) for threads without a loop.
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
pub struct Semaphore {
    /// Free permits and the FIFO of waiters, under a lock.
    core: Mutex<SemCore>,
}

impl Semaphore {
    /// A semaphore with `permits` free permits.
    ///
    /// ```
    /// let sem = evloop::sync::shared::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub const fn new(permits: usize) -> Semaphore {
        Semaphore {
            core: Mutex::new(SemCore::new(permits)),
        }
    }

    /// The number of free permits.
    ///
    /// ```
    /// let sem = evloop::sync::shared::Semaphore::new(2);
    /// let permit = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// drop(permit);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.core.with(|core| core.available())
    }

    /// Adds `n` permits, serving waiters first.
    ///
    /// ```
    /// let sem = evloop::sync::shared::Semaphore::new(0);
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

    /// Waits for one permit; it is returned when the guard drops. Fails only if the
    /// semaphore is [closed](Semaphore::close).
    ///
    /// ```
    /// evloop::run(async {
    ///     let sem = evloop::sync::shared::Semaphore::new(1);
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

    /// Waits for `n` permits at once.
    ///
    /// ```
    /// evloop::run(async {
    ///     let sem = evloop::sync::shared::Semaphore::new(5);
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

    /// Blocks the calling thread until a permit is free. For threads without a loop; on a
    /// loop's thread it would stop the loop.
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
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        park::block_on(self.acquire())
    }

    /// Takes a permit if one is free and no one waits for one; never waits.
    ///
    /// ```
    /// use evloop::sync::shared::{Semaphore, TryAcquireError};
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

    /// Takes `n` permits if they are free and no one waits for permits; never waits.
    ///
    /// ```
    /// let sem = evloop::sync::shared::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err()); // not enough
    /// let both = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(both.num_permits(), 2);
    /// ```
    #[inline]
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.core.with(|core| core.try_acquire(n))?;
        Ok(SemaphorePermit { sem: self, n })
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
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
    }

    /// Waits for `n` permits owned with an `Arc` of the semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// evloop::run(async {
    ///     let sem = Arc::new(evloop::sync::shared::Semaphore::new(4));
    ///     let permits = sem.clone().acquire_many_owned(3).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 3);
    ///     evloop::spawn(async move { drop(permits) }).await.unwrap(); // moved into a task
    ///     assert_eq!(sem.available_permits(), 4);
    /// });
    /// ```
    pub fn acquire_many_owned(self: Arc<Self>, n: usize) -> AcquireOwned {
        AcquireOwned {
            sem: self,
            waiter: Waiter::new(n),
        }
    }

    /// Takes an owned permit if one is free and no one waits; never waits.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// drop(permit);
    /// assert!(sem.try_acquire_owned().is_ok());
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.core.with(|core| core.try_acquire(1))?;
        Ok(OwnedSemaphorePermit { sem: self, n: 1 })
    }

    /// Closes the semaphore: every waiting and later acquire fails. Held permits stay valid.
    ///
    /// ```
    /// evloop::run(async {
    ///     let sem = evloop::sync::shared::Semaphore::new(1);
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
    /// let sem = evloop::sync::shared::Semaphore::new(1);
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
/// use evloop::sync::shared::{Acquire, Semaphore};
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
/// use std::sync::Arc;
/// use evloop::sync::shared::{AcquireOwned, Semaphore};
/// evloop::run(async {
///     let sem = Arc::new(Semaphore::new(1));
///     let acquire: AcquireOwned = sem.clone().acquire_owned();
///     let permit = acquire.await.unwrap();
///     assert!(Arc::ptr_eq(permit.semaphore(), &sem));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct AcquireOwned {
    sem: Arc<Semaphore>,
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

/// Permits borrowed from a shared [`Semaphore`]; dropping it gives them back.
///
/// ```
/// let sem = evloop::sync::shared::Semaphore::new(1);
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
    /// let sem = evloop::sync::shared::Semaphore::new(3);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// let sem = evloop::sync::shared::Semaphore::new(2);
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

/// Permits from a shared [`Semaphore`] held through an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// let sem = Arc::new(evloop::sync::shared::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// evloop::run(async move {
///     evloop::spawn(async move { let _held = permit; }).await.unwrap();
/// });
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "dropping the permit releases it at once"]
#[derive(Debug)]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    n: usize,
}

impl OwnedSemaphorePermit {
    /// How many permits this guard holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(3));
    /// let permit = evloop::run(sem.clone().acquire_many_owned(2)).unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// The semaphore the permits came from.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }

    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(evloop::sync::shared::Semaphore::new(2));
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
