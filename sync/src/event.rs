//! The loop-local [`Event`], like `asyncio.Event`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use evloop_reactor::wait_site::{WaitDetail, WaitKind};

use crate::wait_site::note_wait;
use crate::waiters::{Key, Status, WaitQueue};

/// A flag tasks can wait on, like `asyncio.Event`: [`set`](Event::set) wakes every
/// waiting task, [`clear`](Event::clear) resets it, [`wait`](Event::wait) returns at once
/// while it is set.
///
/// A task woken by `set` returns from `wait` even if the event is cleared again before it
/// runs, as in asyncio. Waiters are woken in the order they began waiting. Loop-local:
/// `!Sync`, no atomics.
///
/// ```
/// use std::rc::Rc;
/// use evloop::sync::Event;
///
/// evloop::run(async {
///     let ready = Rc::new(Event::new());
///     let waiter = evloop::spawn({
///         let ready = ready.clone();
///         async move {
///             ready.wait().await;
///             "went"
///         }
///     });
///     evloop::yield_now().await;
///     assert!(!waiter.is_finished());
///     ready.set();
///     assert_eq!(waiter.await.unwrap(), "went");
/// });
/// ```
pub struct Event {
    state: RefCell<State>,
}

struct State {
    /// The flag.
    set: bool,
    /// Tasks waiting for the flag, oldest first.
    waiters: WaitQueue,
}

impl Event {
    /// A new, clear event.
    ///
    /// ```
    /// use evloop::sync::Event;
    /// let ready = Event::new();
    /// assert!(!ready.is_set());
    /// ```
    pub const fn new() -> Event {
        Event {
            state: RefCell::new(State {
                set: false,
                waiters: WaitQueue::new(),
            }),
        }
    }

    /// Sets the flag and wakes every waiting task.
    ///
    /// ```
    /// use evloop::sync::Event;
    /// evloop::run(async {
    ///     let started = Event::new();
    ///     let (waited, ()) = evloop::gather!(
    ///         async { started.wait().await; "woken" },
    ///         async { started.set() },
    ///     )
    ///     .await;
    ///     assert_eq!(waited, "woken");
    ///     assert!(started.is_set());
    /// });
    /// ```
    #[inline]
    pub fn set(&self) {
        self.state.borrow_mut().set = true;
        loop {
            let waker = self.state.borrow_mut().waiters.pop_front(Status::Granted);
            match waker {
                Some(waker) => waker.wake(),
                None => break,
            }
        }
    }

    /// Clears the flag; later `wait`s block until the next `set`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::sync::Event;
    /// evloop::run(async {
    ///     let door = Event::new();
    ///     door.set();
    ///     door.wait().await; // set: returns at once
    ///     door.clear();
    ///     let waited = evloop::time::timeout(Duration::from_millis(2), door.wait()).await;
    ///     assert!(waited.is_err()); // cleared: waits for the next set
    /// });
    /// ```
    #[inline]
    pub fn clear(&self) {
        self.state.borrow_mut().set = false;
    }

    /// Whether the flag is set.
    ///
    /// ```
    /// let flag = evloop::sync::Event::new();
    /// assert!(!flag.is_set());
    /// flag.set();
    /// assert!(flag.is_set());
    /// ```
    #[inline]
    pub fn is_set(&self) -> bool {
        self.state.borrow().set
    }

    /// Waits until the flag is set; returns at once if it is.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use evloop::sync::Event;
    /// evloop::run(async {
    ///     let go = Rc::new(Event::new());
    ///     let runners: Vec<_> = (0..3)
    ///         .map(|i| {
    ///             let go = go.clone();
    ///             evloop::spawn(async move { go.wait().await; i })
    ///         })
    ///         .collect();
    ///     evloop::yield_now().await; // all three are waiting now
    ///     go.set(); // wakes every one of them
    ///     let done: Vec<_> = evloop::gather_all(runners).await.into_iter().map(Result::unwrap).collect();
    ///     assert_eq!(done, [0, 1, 2]);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            event: self,
            key: None,
            site: Location::caller(),
        }
    }
}

impl Default for Event {
    fn default() -> Event {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}

/// The future of [`Event::wait`].
///
/// ```
/// let event = evloop::sync::Event::new();
/// event.set();
/// let wait: evloop::sync::Wait<'_> = event.wait();
/// evloop::run(wait); // already set: completes on the first poll
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a> {
    event: &'a Event,
    /// Our queue slot while waiting.
    key: Option<Key>,
    /// The user's `wait()` call: the wait's site in task dumps.
    site: &'static Location<'static>,
}

impl Future for Wait<'_> {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut state = this.event.state.borrow_mut();
        match &this.key {
            None if state.set => return Poll::Ready(()),
            None => this.key = Some(state.waiters.push(1, cx.waker())),
            Some(key) if state.waiters.status(key) == Status::Waiting => {
                state.waiters.set_waker(key, cx.waker());
            }
            Some(_) => {
                let key = this.key.take().expect("matched Some above");
                state.waiters.remove(key);
                return Poll::Ready(());
            }
        }
        note_wait(WaitKind::EventWait, Some(this.site), WaitDetail::None);
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            // A wake-up from `set` goes to every waiter, so there is nothing to pass on.
            self.event.state.borrow_mut().waiters.remove(key);
        }
    }
}

impl fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("queued", &self.key.is_some())
            .finish()
    }
}
