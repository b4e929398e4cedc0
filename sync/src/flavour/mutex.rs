//! The async [`Mutex`] of both flavours, like `asyncio.Lock` with the data inside.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Acquire, Flavour, Local, Semaphore, SemaphorePermit, Shared};
use crate::park;

/// An async mutex, like `asyncio.Lock` guarding a value: a task holds the [`MutexGuard`]
/// across `.await`s and others wait in FIFO order.
///
/// Dropping a queued [`lock`](Mutex::lock) future leaves the queue; if the lock had just
/// been handed to it, it passes to the next waiter. It is a one-permit [`Semaphore`]
/// beside the value's cell.
///
/// Name it by its flavour:
/// - [`evloop::sync::Mutex`](crate::Mutex), for the tasks of one loop: the value sits in a
///   `RefCell`, no atomics. Only needed when the value must stay locked *across* an
///   `.await`: tasks of one loop never run at the same time, so a plain `RefCell` does for
///   anything between two awaits.
/// - [`evloop::sync::shared::Mutex`](crate::shared::Mutex), across threads: loop tasks
///   await `lock`, threads without a loop call [`blocking_lock`](Mutex::blocking_lock), and
///   both wait in one FIFO queue. The value sits in a `std::sync::Mutex` that the holder of
///   the one permit locks uncontended; it is never poisoned in a way users see (a panic
///   while locked leaves the value as it was). The guard is `!Send`, like std's.
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
pub struct Mutex<T: ?Sized, F: Flavour> {
    /// One permit: whoever holds it holds the lock.
    sem: Semaphore<F>,
    /// The value; borrowed mutably by the one guard alive, so never contended.
    value: F::ValueCell<T>,
}

/// (The bound holds for both flavours: it says that a cell of a sized value is sized.)
impl<T, F: Flavour> Mutex<T, F>
where
    F::ValueCell<T>: Sized,
{
    /// Takes the value out, consuming the mutex.
    ///
    /// ```
    /// let names = evloop::sync::Mutex::new(vec!["a"]);
    /// evloop::run(async { names.lock().await.push("b") });
    /// assert_eq!(names.into_inner(), ["a", "b"]);
    /// ```
    pub fn into_inner(self) -> T {
        F::into_inner(self.value)
    }
}

impl<T: ?Sized, F: Flavour> Mutex<T, F> {
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
    pub fn lock(&self) -> Lock<'_, T, F> {
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
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T, F>, TryLockError> {
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
        F::get_mut(&mut self.value)
    }

    /// The guard of the holder of `permit`, the mutex's one permit.
    #[inline]
    fn guard<'a>(&'a self, permit: SemaphorePermit<'a, F>) -> MutexGuard<'a, T, F> {
        MutexGuard {
            value: F::lock(&self.value),
            _permit: permit,
        }
    }
}

/// The loop-local flavour, [`evloop::sync::Mutex`](crate::Mutex).
impl<T> Mutex<T, Local> {
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
    pub const fn new(value: T) -> Mutex<T, Local> {
        Mutex {
            sem: Semaphore::<Local>::new(1),
            value: RefCell::new(value),
        }
    }
}

/// The flavour that crosses threads, [`evloop::sync::shared::Mutex`](crate::shared::Mutex).
impl<T> Mutex<T, Shared> {
    /// An unlocked mutex holding `value`; `const`, so it can be a `static`.
    ///
    /// ```
    /// use evloop::sync::shared::Mutex;
    /// static HITS: Mutex<u64> = Mutex::new(0); // `Sync`, and `new` is const: fine in a static
    /// evloop::run(async { *HITS.lock().await += 1 });
    /// assert_eq!(*HITS.blocking_lock(), 1);
    /// ```
    pub const fn new(value: T) -> Mutex<T, Shared> {
        Mutex {
            sem: Semaphore::<Shared>::new(1),
            value: std::sync::Mutex::new(value),
        }
    }
}

impl<T: ?Sized> Mutex<T, Shared> {
    /// Blocks the calling thread until the lock is free. For threads without a loop; on a
    /// loop's thread it would stop the loop, so it panics there.
    ///
    /// ```
    /// let m = evloop::sync::shared::Mutex::new(String::new());
    /// m.blocking_lock().push_str("from a plain thread"); // never call this inside a task
    /// assert_eq!(m.into_inner(), "from a plain thread");
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T, Shared> {
        park::block_on(self.lock())
    }
}

impl<T: Default, F: Flavour> Default for Mutex<T, F>
where
    F::ValueCell<T>: Sized,
{
    fn default() -> Mutex<T, F> {
        Mutex {
            sem: Semaphore::from_permits(1),
            value: F::value_cell(T::default()),
        }
    }
}

/// Shows the value when no guard holds it.
impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T, Local> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.value.try_borrow() {
            Ok(value) => d.field("value", &&*value),
            Err(_) => d.field("value", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shows no value: reading it would race with its holder on another thread.
impl<T: ?Sized> fmt::Debug for Mutex<T, Shared> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex").finish_non_exhaustive()
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
pub struct Lock<'a, T: ?Sized, F: Flavour> {
    /// The mutex to lock.
    mutex: &'a Mutex<T, F>,
    /// Waits for the mutex's one permit.
    acquire: Acquire<'a, F>,
}

impl<'a, T: ?Sized, F: Flavour> Future for Lock<'a, T, F> {
    type Output = MutexGuard<'a, T, F>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T, F>> {
        let mutex = self.mutex;
        Pin::new(&mut self.acquire).poll(cx).map(|permit| {
            let permit = permit.expect("a mutex's semaphore is never closed");
            mutex.guard(permit)
        })
    }
}

impl<T: ?Sized, F: Flavour> fmt::Debug for Lock<'_, T, F> {
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
pub struct MutexGuard<'a, T: ?Sized + 'a, F: Flavour> {
    /// Declared first so it is released before the permit is given back.
    value: F::Guard<'a, T>,
    /// The mutex's one permit; dropping it unlocks.
    _permit: SemaphorePermit<'a, F>,
}

impl<T: ?Sized, F: Flavour> Deref for MutexGuard<'_, T, F> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized, F: Flavour> DerefMut for MutexGuard<'_, T, F> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: ?Sized + fmt::Debug, F: Flavour> fmt::Debug for MutexGuard<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display, F: Flavour> fmt::Display for MutexGuard<'_, T, F> {
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
