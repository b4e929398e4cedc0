//! The async [`Mutex`] of both flavours, like `asyncio.Lock` with the data inside.
//!
//! The value sits in an `UnsafeCell` next to a one-permit [`Semaphore`]: holding the permit
//! is what gives a [`MutexGuard`] its exclusive access, as in tokio's mutex. A `RefCell` or
//! `std::sync::Mutex` around the value would only check again what the permit already
//! guarantees, and, being a projection of the flavour at the end of the struct, would stop
//! `Arc::new(Mutex::new(x))` from coercing to `Arc<Mutex<dyn Trait>>`. This file holds the
//! crate's only `unsafe`: the guard's access to the value, and the `Sync` impls that the
//! `UnsafeCell` makes explicit.
#![allow(unsafe_code)]

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::{Location, RefUnwindSafe, UnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use evloop_reactor::wait_site::WaitKind;

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
/// - [`evloop::sync::Mutex`](crate::Mutex), for the tasks of one loop: no atomics. Only
///   needed when the value must stay locked *across* an
///   `.await`: tasks of one loop never run at the same time, so a plain `RefCell` does for
///   anything between two awaits.
/// - [`evloop::sync::shared::Mutex`](crate::shared::Mutex), across threads: loop tasks
///   await `lock`, threads without a loop call [`blocking_lock`](Mutex::blocking_lock), and
///   both wait in one FIFO queue. It is never poisoned (a panic while locked leaves the
///   value as it was). The guard is `!Send`, like std's.
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
    /// One permit: whoever holds it holds the lock, and with it the only access to `value`.
    sem: Semaphore<F>,
    /// The value; reached only through the guard of the permit's holder (or `&mut self`).
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through the one `MutexGuard` alive (it holds the one
// permit, and a `Shared` semaphore hands that permit out under its own lock), or through
// `&mut self`; so threads sharing the mutex take turns, and `T: Send` lets the value be
// used from whichever thread holds the guard. Loop-local mutexes get no such impl: they
// stay `!Sync`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T, Shared> {}

// Unwind safety as each flavour had it with its cell (a `std::sync::Mutex`, a `RefCell`),
// which the `UnsafeCell` hides: a panic while locked leaves the value as it was, and the
// next holder sees it. Written out for both flavours, since one explicit impl turns the
// compiler's off for all.
impl<T: ?Sized> UnwindSafe for Mutex<T, Shared> {}
impl<T: ?Sized> RefUnwindSafe for Mutex<T, Shared> {}
impl<T: ?Sized + UnwindSafe> UnwindSafe for Mutex<T, Local> {}

impl<T, F: Flavour> Mutex<T, F> {
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
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T, F> {
        Lock {
            mutex: self,
            acquire: Acquire::new(&self.sem, 1, WaitKind::Lock, Location::caller()),
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
        self.value.get_mut()
    }

    /// The guard of the holder of `permit`, the mutex's one permit.
    #[inline]
    fn guard<'a>(&'a self, permit: SemaphorePermit<'a, F>) -> MutexGuard<'a, T, F> {
        MutexGuard {
            mutex: self,
            _permit: permit,
            _not_send: PhantomData,
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
            value: UnsafeCell::new(value),
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
            value: UnsafeCell::new(value),
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

impl<T: Default, F: Flavour> Default for Mutex<T, F> {
    fn default() -> Mutex<T, F> {
        Mutex {
            sem: Semaphore::from_permits(1),
            value: UnsafeCell::new(T::default()),
        }
    }
}

/// Shows the value when the lock is free (holding it while formatting).
impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T, Local> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
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
pub struct MutexGuard<'a, T: ?Sized, F: Flavour> {
    /// The mutex whose value the guard gives access to.
    mutex: &'a Mutex<T, F>,
    /// The mutex's one permit: the right to that access; dropping it unlocks.
    _permit: SemaphorePermit<'a, F>,
    /// Keeps the guard `!Send` (as std's is, and as it was when it held one), and `!Sync`
    /// but for the impl below.
    _not_send: PhantomData<*const ()>,
}

// SAFETY: a shared reference to the guard gives only `&T`, which other threads may hold at
// once when `T: Sync`. Loop-local guards get no such impl: they stay `!Sync`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T, Shared> {}

impl<T: ?Sized, F: Flavour> Deref for MutexGuard<'_, T, F> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the mutex's one permit, so no other guard exists and no
        // `&mut Mutex` can (the guard borrows the mutex); the `&T` lives no longer than
        // `&self`, during which `deref_mut` cannot be called.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized, F: Flavour> DerefMut for MutexGuard<'_, T, F> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, this guard is the only way to the value, and `&mut self`
        // makes this `&mut T` the only reference through it while it lives.
        unsafe { &mut *self.mutex.value.get() }
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
