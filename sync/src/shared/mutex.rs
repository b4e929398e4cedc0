//! The `Send + Sync` async [`Mutex`], for a value that tasks and threads share.

use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::{self, PoisonError};
use std::task::{Context, Poll};

use super::semaphore::{Acquire, Semaphore, SemaphorePermit};
use crate::mutex::TryLockError;
use crate::shared::park;

/// An async mutex shared across threads: a loop task awaits [`lock`](Mutex::lock), a
/// thread without a loop calls [`blocking_lock`](Mutex::blocking_lock); both wait in one
/// FIFO queue. The same guarantees as the loop-local [`Mutex`](crate::Mutex).
///
/// The value sits in a `std::sync::Mutex` that the holder of the one permit locks
/// uncontended; it is never poisoned in a way users see (a panic while locked leaves the
/// value as it was). The guard is `!Send`, like std's.
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
pub struct Mutex<T: ?Sized> {
    /// One permit: whoever holds it holds the lock.
    sem: Semaphore,
    /// The value; locked by the one guard alive, so never contended.
    value: sync::Mutex<T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    ///
    /// ```
    /// use evloop::sync::shared::Mutex;
    /// static HITS: Mutex<u64> = Mutex::new(0); // `Sync`, and `new` is const: fine in a static
    /// evloop::run(async { *HITS.lock().await += 1 });
    /// assert_eq!(*HITS.blocking_lock(), 1);
    /// ```
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            sem: Semaphore::new(1),
            value: sync::Mutex::new(value),
        }
    }

    /// Takes the value out, consuming the mutex.
    ///
    /// ```
    /// let m = evloop::sync::shared::Mutex::new(vec![1]);
    /// m.blocking_lock().push(2);
    /// assert_eq!(m.into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.value
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock; it is released when the guard drops.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use evloop::sync::shared::Mutex;
    /// let total = Arc::new(Mutex::new(0));
    /// let threads: Vec<_> = (0..2)
    ///     .map(|_| {
    ///         let total = total.clone();
    ///         std::thread::spawn(move || {
    ///             evloop::run(async move { *total.lock().await += 1 }) // one loop per thread
    ///         })
    ///     })
    ///     .collect();
    /// for t in threads {
    ///     t.join().unwrap();
    /// }
    /// assert_eq!(*total.blocking_lock(), 2);
    /// ```
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            acquire: self.sem.acquire(),
        }
    }

    /// Blocks the calling thread until the lock is free. For threads without a loop; on a
    /// loop's thread it would stop the loop.
    ///
    /// ```
    /// let m = evloop::sync::shared::Mutex::new(String::new());
    /// m.blocking_lock().push_str("from a plain thread"); // never call this inside a task
    /// assert_eq!(m.into_inner(), "from a plain thread");
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        park::block_on(self.lock())
    }

    /// Takes the lock if it is free and no one waits for it; never waits.
    ///
    /// ```
    /// let m = evloop::sync::shared::Mutex::new(0);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(guard);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire() {
            Ok(permit) => Ok(self.guard(permit)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// The value, through `&mut`: no lock needed.
    ///
    /// ```
    /// let mut m = evloop::sync::shared::Mutex::new(1);
    /// *m.get_mut() = 5; // `&mut`: no locking needed
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    fn guard<'a>(&'a self, permit: SemaphorePermit<'a>) -> MutexGuard<'a, T> {
        MutexGuard {
            value: self.value.lock().unwrap_or_else(PoisonError::into_inner),
            _permit: permit,
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex").finish_non_exhaustive()
    }
}

/// The future of [`Mutex::lock`].
///
/// ```
/// use evloop::sync::shared::{Lock, Mutex};
/// let m = Mutex::new('x');
/// let lock: Lock<'_, char> = m.lock();
/// assert_eq!(*evloop::run(lock), 'x');
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    acquire: Acquire<'a>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let mutex = self.mutex;
        Pin::new(&mut self.acquire).poll(cx).map(|permit| {
            let permit = permit.expect("a mutex's semaphore is never closed");
            mutex.guard(permit)
        })
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").finish_non_exhaustive()
    }
}

/// Holds the lock of a shared [`Mutex`] and derefs to its value; dropping it unlocks,
/// handing the lock to the oldest waiter.
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
#[must_use = "dropping the guard unlocks at once"]
pub struct MutexGuard<'a, T: ?Sized> {
    /// Declared first so it is unlocked before the permit is given back.
    value: sync::MutexGuard<'a, T>,
    _permit: SemaphorePermit<'a>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
