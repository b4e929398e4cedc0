//! Every primitive of this crate written once, over the one thing its two flavours differ
//! in: where it keeps its state.
//!
//! [`Semaphore`], [`Mutex`], [`oneshot`] and [`mpsc`] take a [`Flavour`] parameter:
//!
//! - [`Local`]: state in `RefCell`s behind `Rc`s. No atomic operation, no lock; the types
//!   are `!Sync` (and `!Send` where they hold an `Rc`), so they serve the tasks of one loop.
//!   You name them through [`evloop::sync`](crate): `evloop::sync::Semaphore` is
//!   `Semaphore<Local>`.
//! - [`Shared`]: state in `std::sync::Mutex`es behind `Arc`s, so the types are
//!   `Send + Sync` (when the values they carry are), and they add `blocking_*` calls for
//!   threads without a loop. You name them through [`evloop::sync::shared`](crate::shared):
//!   `evloop::sync::shared::Semaphore` is `Semaphore<Shared>`.
//!
//! Both flavours run the same code, so they behave the same (FIFO waiters, nothing lost
//! on cancellation) and this module is where their methods are documented. You rarely
//! write the parameter yourself: use the names of `evloop::sync` and
//! `evloop::sync::shared`, which fix it.
//!
//! ```
//! use evloop::sync::flavour::{self, Local, Shared};
//!
//! let local: flavour::Semaphore<Local> = evloop::sync::Semaphore::new(1);
//! let shared: flavour::Semaphore<Shared> = evloop::sync::shared::Semaphore::new(1);
//! assert_eq!(local.available_permits(), shared.available_permits());
//! ```

mod cells;
pub mod mpsc;
mod mutex;
pub mod oneshot;
mod semaphore;

pub use mutex::{Lock, Mutex, MutexGuard, TryLockError};
pub(crate) use semaphore::{close_core, CoreCell, SemCore, Waiter};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TryAcquireError,
};

pub use cells::{Flavour, Local, Shared};
