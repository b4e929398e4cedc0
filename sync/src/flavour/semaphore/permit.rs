//! The guards that hold a semaphore's permits and give them back when dropped.

use std::fmt;

use super::{core, Semaphore};
use crate::flavour::Flavour;

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
pub struct SemaphorePermit<'a, F: Flavour> {
    /// The semaphore the permits go back to.
    sem: &'a Semaphore<F>,
    /// How many permits it holds; 0 once forgotten.
    n: usize,
}

impl<'a, F: Flavour> SemaphorePermit<'a, F> {
    /// A guard of `n` permits already taken from `sem`.
    pub(super) fn new(sem: &'a Semaphore<F>, n: usize) -> SemaphorePermit<'a, F> {
        SemaphorePermit { sem, n }
    }

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

impl<F: Flavour> Drop for SemaphorePermit<'_, F> {
    #[inline]
    fn drop(&mut self) {
        if self.n > 0 {
            core::release(self.sem, self.n);
        }
    }
}

impl<F: Flavour> fmt::Debug for SemaphorePermit<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("sem", self.sem)
            .field("n", &self.n)
            .finish()
    }
}

/// Permits from a [`Semaphore`] held through its flavour's pointer (`Rc` or `Arc`), free
/// to move into a task (or, [`Shared`](crate::flavour::Shared), to another thread).
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
pub struct OwnedSemaphorePermit<F: Flavour> {
    /// The semaphore the permits go back to.
    sem: F::Ptr<Semaphore<F>>,
    /// How many permits it holds; 0 once forgotten.
    n: usize,
}

impl<F: Flavour> OwnedSemaphorePermit<F> {
    /// A guard of `n` permits already taken from `sem`.
    pub(super) fn new(sem: F::Ptr<Semaphore<F>>, n: usize) -> OwnedSemaphorePermit<F> {
        OwnedSemaphorePermit { sem, n }
    }

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

    /// The semaphore the permits came from: its `Rc` (loop-local) or `Arc` (shared).
    ///
    /// ```
    /// use std::rc::Rc;
    /// let sem = Rc::new(evloop::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Rc::ptr_eq(permit.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &F::Ptr<Semaphore<F>> {
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

impl<F: Flavour> Drop for OwnedSemaphorePermit<F> {
    #[inline]
    fn drop(&mut self) {
        if self.n > 0 {
            core::release(&*self.sem, self.n);
        }
    }
}

impl<F: Flavour> fmt::Debug for OwnedSemaphorePermit<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("sem", &*self.sem)
            .field("n", &self.n)
            .finish()
    }
}
