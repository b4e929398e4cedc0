//! The one thing the two flavours differ in: where a primitive keeps its state. [`Local`]
//! uses `Rc` and `RefCell`, [`Shared`] uses `Arc` and `std::sync::Mutex`; everything else
//! is generic code over [`Flavour`].

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};

/// Where a primitive keeps its state: [`Local`] or [`Shared`]. Sealed: these two are all.
///
/// ```
/// use evloop::sync::flavour::{Flavour, Local};
/// fn capacity_of<F: Flavour>(sem: &evloop::sync::flavour::Semaphore<F>) -> usize {
///     sem.available_permits() // the same method on either flavour
/// }
/// assert_eq!(capacity_of::<Local>(&evloop::sync::Semaphore::new(3)), 3);
/// ```
pub trait Flavour: sealed::Sealed + fmt::Debug + Sized + 'static {
    /// What owns a channel's state for its halves, and an owned permit's semaphore:
    /// `Rc<T>` for [`Local`], `Arc<T>` for [`Shared`].
    type Ptr<T>: Deref<Target = T> + Clone + Unpin;
    /// What guards a primitive's state: `RefCell<T>` for [`Local`], `std::sync::Mutex<T>`
    /// for [`Shared`].
    type Cell<T>;

    /// Whether the receiver of an unbounded channel takes the whole buffer at once and
    /// hands it out from its own queue: worth it where entering the cell is a lock
    /// ([`Shared`]), not where it is a borrow flag ([`Local`]).
    #[doc(hidden)]
    const BATCH_RECEIVES: bool;

    /// Puts `value` behind a new pointer.
    #[doc(hidden)]
    fn ptr<T>(value: T) -> Self::Ptr<T>;

    /// Puts `value` in a new cell.
    #[doc(hidden)]
    fn cell<T>(value: T) -> Self::Cell<T>;

    /// Runs `f` on the cell's value. `f` must not enter the same cell again: callers wake
    /// tasks and drop user values only after it returns. Our own code never panics inside
    /// `f`, so a poisoned lock still holds consistent state and is entered anyway.
    #[doc(hidden)]
    fn with<T, R>(cell: &Self::Cell<T>, f: impl FnOnce(&mut T) -> R) -> R;
}

/// The loop-local flavour: `Rc` and `RefCell`, no atomics, `!Sync`. See the
/// [module docs](super).
///
/// ```
/// let sem: evloop::sync::flavour::Semaphore<evloop::sync::flavour::Local> =
///     evloop::sync::Semaphore::new(2);
/// assert_eq!(sem.available_permits(), 2);
/// ```
#[derive(Debug)]
pub enum Local {}

/// The flavour that crosses threads: `Arc` and `std::sync::Mutex`, `Send + Sync`. See the
/// [module docs](super).
///
/// ```
/// let sem: evloop::sync::flavour::Semaphore<evloop::sync::flavour::Shared> =
///     evloop::sync::shared::Semaphore::new(2);
/// std::thread::scope(|s| {
///     s.spawn(|| assert_eq!(sem.available_permits(), 2)); // `Sync`: shared with a thread
/// });
/// ```
#[derive(Debug)]
pub enum Shared {}

impl Flavour for Local {
    type Ptr<T> = Rc<T>;
    type Cell<T> = RefCell<T>;
    const BATCH_RECEIVES: bool = false;

    #[inline]
    fn ptr<T>(value: T) -> Rc<T> {
        Rc::new(value)
    }

    #[inline]
    fn cell<T>(value: T) -> RefCell<T> {
        RefCell::new(value)
    }

    #[inline]
    fn with<T, R>(cell: &RefCell<T>, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut cell.borrow_mut())
    }
}

impl Flavour for Shared {
    type Ptr<T> = Arc<T>;
    type Cell<T> = Mutex<T>;
    const BATCH_RECEIVES: bool = true;

    #[inline]
    fn ptr<T>(value: T) -> Arc<T> {
        Arc::new(value)
    }

    #[inline]
    fn cell<T>(value: T) -> Mutex<T> {
        Mutex::new(value)
    }

    #[inline]
    fn with<T, R>(cell: &Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut cell.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Keeps [`Flavour`] closed to the two flavours above.
mod sealed {
    /// Implemented by [`Local`](super::Local) and [`Shared`](super::Shared) only.
    pub trait Sealed {}
    impl Sealed for super::Local {}
    impl Sealed for super::Shared {}
}
