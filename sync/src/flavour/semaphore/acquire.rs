//! The futures that wait for a semaphore's permits.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use evloop_reactor::wait_site::WaitKind;

use super::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, Waiter};
use crate::flavour::Flavour;

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
pub struct Acquire<'a, F: Flavour> {
    /// The semaphore the permits come from.
    sem: &'a Semaphore<F>,
    /// How many permits, and the place in the queue.
    waiter: Waiter,
}

impl<'a, F: Flavour> Acquire<'a, F> {
    /// An acquire of `n` permits of `sem`, not queued until first polled; a wait of
    /// `kind` (an acquire, or a mutex's lock) made at `site`.
    pub(crate) fn new(
        sem: &'a Semaphore<F>,
        n: usize,
        kind: WaitKind,
        site: &'static Location<'static>,
    ) -> Acquire<'a, F> {
        Acquire {
            sem,
            waiter: Waiter::new(n, kind, site),
        }
    }
}

impl<'a, F: Flavour> Future for Acquire<'a, F> {
    type Output = Result<SemaphorePermit<'a, F>, AcquireError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let sem = self.sem;
        let n = self.waiter.want();
        self.waiter
            .poll(sem, cx)
            .map_ok(|()| SemaphorePermit::new(sem, n))
    }
}

impl<F: Flavour> Drop for Acquire<'_, F> {
    #[inline]
    fn drop(&mut self) {
        self.waiter.cancel(self.sem);
    }
}

impl<F: Flavour> fmt::Debug for Acquire<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("sem", self.sem)
            .field("waiter", &self.waiter)
            .finish()
    }
}

/// The future of `acquire_owned` and `acquire_many_owned`, of
/// [`evloop::sync::Semaphore`](crate::Semaphore::acquire_owned) and
/// [`evloop::sync::shared::Semaphore`](crate::shared::Semaphore::acquire_owned).
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
pub struct AcquireOwned<F: Flavour> {
    /// The semaphore the permits come from, owned through the flavour's pointer.
    sem: F::Ptr<Semaphore<F>>,
    /// How many permits, and the place in the queue.
    waiter: Waiter,
}

impl<F: Flavour> AcquireOwned<F> {
    /// An acquire of `n` permits of `sem`, not queued until first polled, made at `site`.
    pub(super) fn new(
        sem: F::Ptr<Semaphore<F>>,
        n: usize,
        site: &'static Location<'static>,
    ) -> AcquireOwned<F> {
        AcquireOwned {
            sem,
            waiter: Waiter::new(n, WaitKind::Acquire, site),
        }
    }
}

impl<F: Flavour> Future for AcquireOwned<F> {
    type Output = Result<OwnedSemaphorePermit<F>, AcquireError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let n = this.waiter.want();
        this.waiter
            .poll(&*this.sem, cx)
            .map_ok(|()| OwnedSemaphorePermit::new(this.sem.clone(), n))
    }
}

impl<F: Flavour> Drop for AcquireOwned<F> {
    #[inline]
    fn drop(&mut self) {
        self.waiter.cancel(&*self.sem);
    }
}

impl<F: Flavour> fmt::Debug for AcquireOwned<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("sem", &*self.sem)
            .field("waiter", &self.waiter)
            .finish()
    }
}
