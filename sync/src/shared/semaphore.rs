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
    pub const fn new(permits: usize) -> Semaphore {
        Semaphore {
            core: Mutex::new(SemCore::new(permits)),
        }
    }

    /// The number of free permits.
    pub fn available_permits(&self) -> usize {
        self.core.with(|core| core.available())
    }

    /// Adds `n` permits, serving waiters first.
    ///
    /// # Panics
    /// If the count would overflow `usize`.
    #[inline]
    pub fn add_permits(&self, n: usize) {
        sem_core::release(&self.core, n);
    }

    /// Waits for one permit; it is returned when the guard drops. Fails only if the
    /// semaphore is [closed](Semaphore::close).
    #[inline]
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once.
    #[inline]
    pub fn acquire_many(&self, n: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            waiter: Waiter::new(n),
        }
    }

    /// Blocks the calling thread until a permit is free. For threads without a loop; on a
    /// loop's thread it would stop the loop.
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        park::block_on(self.acquire())
    }

    /// Takes a permit if one is free and no one waits for one; never waits.
    #[inline]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and no one waits for permits; never waits.
    #[inline]
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.core.with(|core| core.try_acquire(n))?;
        Ok(SemaphorePermit { sem: self, n })
    }

    /// Waits for a permit that owns an `Arc` of the semaphore, free to move to a task or a
    /// thread.
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
    }

    /// Waits for `n` permits owned with an `Arc` of the semaphore.
    pub fn acquire_many_owned(self: Arc<Self>, n: usize) -> AcquireOwned {
        AcquireOwned {
            sem: self,
            waiter: Waiter::new(n),
        }
    }

    /// Takes an owned permit if one is free and no one waits; never waits.
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.core.with(|core| core.try_acquire(1))?;
        Ok(OwnedSemaphorePermit { sem: self, n: 1 })
    }

    /// Closes the semaphore: every waiting and later acquire fails. Held permits stay valid.
    pub fn close(&self) {
        sem_core::close(&self.core);
    }

    /// Whether [`close`](Semaphore::close) was called.
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
#[must_use = "dropping the permit releases it at once"]
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    n: usize,
}

impl SemaphorePermit<'_> {
    /// How many permits this guard holds.
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits out of the semaphore for good.
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
#[must_use = "dropping the permit releases it at once"]
#[derive(Debug)]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    n: usize,
}

impl OwnedSemaphorePermit {
    /// How many permits this guard holds.
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }

    /// Keeps the permits out of the semaphore for good.
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
