//! The loop-local async [`Mutex`], like `asyncio.Lock` with the data inside.

use std::cell::{RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::semaphore::{Acquire, Semaphore, SemaphorePermit};

/// An async mutex for the tasks of one loop, like `asyncio.Lock` guarding a value: a task
/// holds the [`MutexGuard`] across `.await`s and others wait in FIFO order.
///
/// Only needed when the value must stay locked *across* an `.await` (tasks of one loop never
/// run at the same time, so a plain `RefCell` does for anything between two awaits). Dropping
/// a queued [`lock`](Mutex::lock) future leaves the queue; if the lock had just been handed to
/// it, it passes to the next waiter.
///
/// It is a one-permit [`Semaphore`] beside a `RefCell`, so it needs no atomics. For tasks on
/// other threads use [`shared::Mutex`](crate::shared::Mutex).
///
/// ```
/// use std::rc::Rc;
/// use std::time::Duration;
/// use evloop::sync::Mutex;
///
/// evloop::run(async {
///     let log = Rc::new(Mutex::new(Vec::new()));
///     let writers: Vec<_> = (0..3)
///         .map(|i| {
///             let log = log.clone();
///             evloop::spawn(async move {
///                 let mut log = log.lock().await;
///                 log.push(format!("{i} begin"));
///                 evloop::time::sleep(Duration::from_millis(1)).await; // still locked
///                 log.push(format!("{i} end"));
///             })
///         })
///         .collect();
///     evloop::gather_all(writers).await;
///     let log = log.lock().await;
///     assert_eq!(*log, ["0 begin", "0 end", "1 begin", "1 end", "2 begin", "2 end"]);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    /// One permit: whoever holds it holds the lock.
    sem: Semaphore,
    /// The value; borrowed mutably by the one guard alive.
    value: RefCell<T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    ///
    /// ```
    /// use evloop::sync::Mutex;
    /// evloop::run(async {
    ///     let counter = Mutex::new(0);
    ///     *counter.lock().await += 1;
    ///     assert_eq!(*counter.lock().await, 1);
    /// });
    /// ```
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            sem: Semaphore::new(1),
            value: RefCell::new(value),
        }
    }

    /// Takes the value out, consuming the mutex.
    ///
    /// ```
    /// let names = evloop::sync::Mutex::new(vec!["a"]);
    /// evloop::run(async { names.lock().await.push("b") });
    /// assert_eq!(names.into_inner(), ["a", "b"]);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock, like `async with lock:`; it is released when the guard drops.
    ///
    /// ```
    /// use evloop::sync::Mutex;
    /// evloop::run(async {
    ///     let balance = Mutex::new(100);
    ///     {
    ///         let mut guard = balance.lock().await; // `async with lock:`
    ///         *guard -= 30;
    ///     } // unlocked here
    ///     assert_eq!(*balance.lock().await, 70);
    /// });
    /// ```
    #[inline]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            acquire: self.sem.acquire(),
        }
    }

    /// Takes the lock if it is free and no task waits for it; never waits.
    ///
    /// ```
    /// let m = evloop::sync::Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err()); // held by `guard`
    /// drop(guard);
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire() {
            Ok(permit) => Ok(self.guard(permit)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Whether a guard is alive (asyncio's `locked()`).
    ///
    /// ```
    /// let m = evloop::sync::Mutex::new(());
    /// assert!(!m.is_locked());
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.is_locked());
    /// drop(guard);
    /// assert!(!m.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.sem.available_permits() == 0
    }

    /// The value, through `&mut`: no lock needed, no task can hold one.
    ///
    /// ```
    /// let mut m = evloop::sync::Mutex::new(1);
    /// *m.get_mut() += 1; // `&mut`: no other borrow exists, so no locking
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    #[inline]
    fn guard<'a>(&'a self, permit: SemaphorePermit<'a>) -> MutexGuard<'a, T> {
        MutexGuard {
            value: self
                .value
                .try_borrow_mut()
                .expect("the mutex's permit guarantees no other guard is alive"),
            _permit: permit,
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.value.try_borrow() {
            Ok(value) => d.field("value", &&*value),
            Err(_) => d.field("value", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The future of [`Mutex::lock`].
///
/// ```
/// use evloop::sync::{Lock, Mutex};
/// let m = Mutex::new(5);
/// let lock: Lock<'_, i32> = m.lock();
/// let guard = evloop::run(lock);
/// assert_eq!(*guard, 5);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    acquire: Acquire<'a>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[inline]
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

/// Holds the lock of a [`Mutex`] and derefs to its value; dropping it unlocks, handing the
/// lock to the oldest waiter.
///
/// ```
/// use evloop::sync::{Mutex, MutexGuard};
/// let m = Mutex::new(String::from("a"));
/// let mut guard: MutexGuard<'_, String> = m.try_lock().unwrap();
/// guard.push('b'); // DerefMut to the value
/// assert_eq!(guard.len(), 2); // Deref
/// drop(guard); // unlocks
/// assert!(!m.is_locked());
/// ```
#[must_use = "dropping the guard unlocks at once"]
pub struct MutexGuard<'a, T: ?Sized> {
    /// Declared first so it is dropped before the permit is given back.
    value: RefMut<'a, T>,
    _permit: SemaphorePermit<'a>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// [`Mutex::try_lock`] found the mutex locked, or tasks waiting for it.
///
/// ```
/// let m = evloop::sync::Mutex::new(0);
/// let _held = m.try_lock().unwrap();
/// let err = m.try_lock().unwrap_err();
/// assert!(!err.to_string().is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the mutex is locked")
    }
}

impl std::error::Error for TryLockError {}
