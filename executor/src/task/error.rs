//! `JoinError`: why a task produced no value.

use std::any::Any;
use std::fmt;

/// Why awaiting a `JoinHandle` gave no value: the task was cancelled (`abort`, or the
/// runtime shut down) or it panicked. Like asyncio's `CancelledError` and a task's
/// stored exception.
///
/// ```
/// let err = evloop::run(async {
///     evloop::spawn(async { panic!("boom") }).await.unwrap_err()
/// });
/// assert!(err.is_panic());
/// assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"boom"));
/// ```
pub struct JoinError {
    /// The task's id (see `task::all_tasks`).
    id: u64,
    /// What happened.
    repr: Repr,
}

/// The two ways a task can end without a value.
enum Repr {
    /// Aborted, or dropped at runtime shutdown.
    Cancelled,
    /// The future panicked; the payload as `catch_unwind` gave it.
    Panic(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    /// The task was cancelled.
    pub(crate) fn cancelled(id: u64) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    /// The task panicked with `payload`.
    pub(crate) fn panic(id: u64, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(payload),
        }
    }

    /// `true` if the task was aborted or dropped at shutdown: asyncio's `CancelledError`.
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     let err = handle.await.unwrap_err();
    ///     assert!(err.is_cancelled());
    ///     assert!(!err.is_panic());
    /// });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// `true` if the task panicked: asyncio's `task.exception()` is not `None`.
    ///
    /// ```
    /// evloop::run(async {
    ///     let err = evloop::spawn(async { panic!("bad input") }).await.unwrap_err();
    ///     assert!(err.is_panic());
    ///     assert!(!err.is_cancelled());
    /// });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The id of the task that failed.
    ///
    /// ```
    /// evloop::run(async {
    ///     let handle = evloop::spawn(std::future::pending::<()>());
    ///     let id = handle.id();
    ///     handle.abort();
    ///     assert_eq!(handle.await.unwrap_err().id(), id);
    /// });
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The panic payload, to inspect or to resume with `std::panic::resume_unwind`.
    ///
    /// ```
    /// evloop::run(async {
    ///     // Any `Send` value can be a panic payload, not only a message.
    ///     let err = evloop::spawn(async { std::panic::panic_any(42u32) }).await.unwrap_err();
    ///     let payload = err.into_panic();
    ///     assert_eq!(payload.downcast_ref::<u32>(), Some(&42));
    /// });
    /// ```
    ///
    /// # Panics
    /// If the task was cancelled rather than panicked; see `try_into_panic`.
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancelled task; check `is_panic()` first")
    }

    /// The panic payload, or the error back if the task was cancelled.
    ///
    /// ```
    /// evloop::run(async {
    ///     let cancelled = evloop::spawn(std::future::pending::<()>());
    ///     cancelled.abort();
    ///     let err = cancelled.await.unwrap_err();
    ///     let err = err.try_into_panic().unwrap_err(); // no payload: the error comes back
    ///     assert!(err.is_cancelled());
    ///
    ///     let panicked = evloop::spawn(async { panic!("oops") }).await.unwrap_err();
    ///     let payload = panicked.try_into_panic().unwrap();
    ///     assert_eq!(payload.downcast_ref::<&str>(), Some(&"oops"));
    /// });
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload),
            Repr::Cancelled => Err(self),
        }
    }
}

/// The panic message, when the payload is a string.
fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            Repr::Panic(payload) => match panic_message(payload.as_ref()) {
                Some(msg) => write!(f, "task {} panicked with message {msg:?}", self.id),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled({})", self.id),
            Repr::Panic(payload) => match panic_message(payload.as_ref()) {
                Some(msg) => write!(f, "JoinError::Panic({}, {msg:?})", self.id),
                None => write!(f, "JoinError::Panic({}, ..)", self.id),
            },
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}
