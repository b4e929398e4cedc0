//! The [`Reactor`]: one backend (epoll, poll, select or io_uring) per loop, its registrations,
//! and the wait that turns kernel readiness into `Waker` calls.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::Backend;
use crate::context::{self, EnterGuard, LoopContext};
use crate::interest::Interest;
use crate::io_state::IoState;
use crate::notifier::Notifier;
use crate::selector::Selector;
use crate::slab::{Slab, Token, NOTIFIER_TOKEN};
use crate::sys::uring::{Route, Uring};
use crate::sys::{Event, Watch};

/// A reactor: registers file descriptors, blocks in [`wait`](Reactor::wait), and wakes
/// the wakers of the fds that became ready. It waits in epoll unless created
/// [`with_backend`](Reactor::with_backend) poll, select or io_uring.
///
/// One per loop, shared as `Rc<Reactor>`; it is neither `Send` nor `Sync` (other threads
/// reach it only through its [`Notifier`]).
///
/// ```
/// use std::io::Write;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use std::task::{Context, Poll, Wake, Waker};
/// use std::time::Duration;
/// use evloop_reactor::{Direction, Interest, Reactor, Registration};
///
/// struct Count(AtomicUsize);
/// impl Wake for Count {
///     fn wake(self: Arc<Self>) {
///         self.0.fetch_add(1, Ordering::SeqCst);
///     }
/// }
///
/// let reactor = Reactor::new()?;
/// let (ours, mut theirs) = UnixStream::pair()?;
/// ours.set_nonblocking(true)?;
/// let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE)?;
///
/// let count = Arc::new(Count(AtomicUsize::new(0)));
/// let waker = Waker::from(count.clone());
/// let mut cx = Context::from_waker(&waker);
/// assert!(reg.poll_ready(Direction::Read, &mut cx).is_pending()); // nothing to read yet
///
/// theirs.write_all(b"ping")?;
/// reactor.wait(Some(Duration::from_millis(100)))?;
/// assert_eq!(count.0.load(Ordering::SeqCst), 1); // the read waker fired
/// assert!(reg.poll_ready(Direction::Read, &mut cx).is_ready());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Reactor {
    /// The backend and its wait buffers (borrowed for a whole [`wait`](Reactor::wait),
    /// so a re-entrant wait is an error, not a corruption).
    selector: Selector,
    /// Per-registration readiness and wakers (shared with each
    /// [`Registration`](crate::Registration)), keyed by generation-checked tokens.
    slab: RefCell<Slab<Rc<IoState>>>,
    /// The eventfd other threads write to; shared with every [`Notifier`] handle.
    notifier: Arc<Notifier>,
    /// Whether the notifier fired since the last [`take_notified`](Reactor::take_notified).
    notified: Cell<bool>,
    /// Why io_uring, asked for, could not serve (epoll serves instead).
    fallback: Option<String>,
    /// Keeps the reactor on its thread (`!Send`, `!Sync`).
    _not_send: PhantomData<*const ()>,
}

impl Reactor {
    /// Creates an epoll reactor and its notifier eventfd: `with_backend(Backend::Epoll)`.
    ///
    /// # Errors
    /// The OS error of `epoll_create1`, `eventfd` or `epoll_ctl` (typically `EMFILE`
    /// when the process is out of file descriptors).
    ///
    /// ```
    /// use evloop_reactor::{Backend, Reactor};
    /// let reactor = Reactor::new()?;
    /// assert_eq!(reactor.registrations(), 0);
    /// assert_eq!(reactor.backend(), Backend::Epoll);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<Rc<Reactor>> {
        Reactor::with_backend(Backend::Epoll)
    }

    /// Creates a reactor that waits in `backend`, and its notifier eventfd.
    ///
    /// # Errors
    /// The OS error of `eventfd` or of creating the backend (`epoll_create1`,
    /// `epoll_ctl`); for [`Backend::Select`], [`io::ErrorKind::InvalidInput`] if the
    /// eventfd's number is 1024 or above (the process holds that many fds already).
    ///
    /// ```
    /// use evloop_reactor::{Backend, Reactor};
    /// let reactor = Reactor::with_backend(Backend::Poll)?;
    /// assert_eq!(reactor.backend(), Backend::Poll);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_backend(backend: Backend) -> io::Result<Rc<Reactor>> {
        let notifier = Arc::new(Notifier::new()?);
        let (selector, fallback) = Selector::new(backend, notifier.raw_fd())?;
        Ok(Rc::new(Reactor {
            selector,
            slab: RefCell::new(Slab::new()),
            notifier,
            notified: Cell::new(false),
            fallback,
            _not_send: PhantomData,
        }))
    }

    /// The backend this reactor waits in.
    ///
    /// ```
    /// use evloop_reactor::{Backend, Reactor};
    /// assert_eq!(Reactor::with_backend(Backend::Select)?.backend(), Backend::Select);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn backend(&self) -> Backend {
        self.selector.backend()
    }

    /// Why this reactor runs on epoll although it was asked for [`Backend::Uring`]: the
    /// kernel refused io_uring (`ENOSYS`, `EPERM` from `kernel.io_uring_disabled` or a
    /// seccomp filter) or lacks a feature the backend needs. `None` otherwise.
    ///
    /// ```
    /// use evloop_reactor::{Backend, Reactor};
    ///
    /// assert!(Reactor::with_backend(Backend::Epoll)?.fallback_reason().is_none());
    /// let reactor = Reactor::with_backend(Backend::Uring)?;
    /// if let Some(why) = reactor.fallback_reason() {
    ///     assert_eq!(reactor.backend(), Backend::Epoll);
    ///     eprintln!("io_uring unavailable: {why}");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn fallback_reason(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    /// What the backend runs with, for debug mode's report: the backend's name; for
    /// io_uring the setup flags the kernel granted and whether TCP streams use
    /// completion I/O; after a fallback, why io_uring could not serve.
    ///
    /// ```
    /// use evloop_reactor::{Backend, Reactor};
    ///
    /// assert_eq!(Reactor::new()?.describe(), "epoll");
    /// let text = Reactor::with_backend(Backend::Uring)?.describe();
    /// assert!(text.starts_with("io_uring with") || text.starts_with("epoll (io_uring"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn describe(&self) -> String {
        match (&self.selector, &self.fallback) {
            (Selector::Uring(uring), _) => uring.describe(),
            (_, Some(why)) => format!("epoll (io_uring unavailable: {why})"),
            (selector, None) => selector.backend().name().to_string(),
        }
    }

    /// The number of `io_uring_enter` calls this reactor made (`None` on the other
    /// backends): with io_uring, the reactor's system calls for all I/O on TCP streams
    /// and every wait. What the benchmarks divide by the messages served.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_reactor::{Backend, Reactor};
    ///
    /// let reactor = Reactor::with_backend(Backend::Uring)?;
    /// if let Some(before) = reactor.uring_enters() {
    ///     reactor.wait(Some(Duration::ZERO))?;
    ///     assert_eq!(reactor.uring_enters(), Some(before + 1));
    /// }
    /// assert_eq!(Reactor::new()?.uring_enters(), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn uring_enters(&self) -> Option<u64> {
        self.uring().map(Uring::enters)
    }

    /// The io_uring backend, if this reactor runs on it.
    #[inline]
    pub(crate) fn uring(&self) -> Option<&Uring> {
        match &self.selector {
            Selector::Uring(uring) => Some(uring),
            _ => None,
        }
    }

    /// Makes this the thread's current reactor (what [`Reactor::current`] and
    /// [`Registration::new`](crate::Registration::new) use) until the guard drops, which
    /// restores the previous one. Guards nest; drop them in reverse order.
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// use std::os::fd::AsRawFd;
    /// use evloop_reactor::{Interest, Reactor, Registration};
    ///
    /// let reactor = Reactor::new()?;
    /// let (sock, _peer) = UnixStream::pair()?;
    /// assert!(Registration::new(sock.as_raw_fd(), Interest::READABLE).is_err()); // no reactor
    /// let _entered = reactor.enter();
    /// let reg = Registration::new(sock.as_raw_fd(), Interest::READABLE)?;
    /// assert_eq!(reactor.registrations(), 1);
    /// # drop(reg);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn enter(self: &Rc<Self>) -> EnterGuard<'static> {
        LoopContext::new(Some(Rc::clone(self)), None).enter_owned()
    }

    /// The thread's current reactor (see [`enter`](Reactor::enter)), if a loop is running.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use evloop_reactor::Reactor;
    ///
    /// assert!(Reactor::current().is_none());
    /// evloop::run(async {
    ///     assert!(Reactor::current().is_some()); // the running loop's reactor
    /// });
    /// let reactor = Reactor::new()?;
    /// {
    ///     let _entered = reactor.enter();
    ///     assert!(Rc::ptr_eq(&Reactor::current().unwrap(), &reactor));
    /// }
    /// assert!(Reactor::current().is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn current() -> Option<Rc<Reactor>> {
        context::with(|cx| cx.reactor().cloned()).flatten()
    }

    /// Blocks until an fd is ready, the notifier fires, or `timeout` passes (`None` waits
    /// forever, `Some(Duration::ZERO)` only polls), then wakes the waker of every
    /// direction that became ready.
    ///
    /// Returns the number of kernel events handled (ready fds, the notifier, stale
    /// events). The wait never ends early: a signal that interrupts it (`EINTR`) does
    /// not end it, it resumes with the time left; the timeout is given to the kernel to
    /// the nanosecond (`epoll_pwait2`, `ppoll`, `pselect`) or, on kernels without
    /// `epoll_pwait2`, rounded up to whole milliseconds. With epoll at most 1024 events
    /// are handled per call; the rest wait in the kernel for the next call. No
    /// allocation happens here (poll and select reuse their buffers, which grow only to
    /// the largest number of fds watched at once).
    ///
    /// # Errors
    /// The OS error of the backend's wait other than `EINTR`, or
    /// [`io::ErrorKind::Other`] if called from inside a waker this wait is running.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use evloop_reactor::Reactor;
    ///
    /// let reactor = Reactor::new()?;
    /// assert_eq!(reactor.wait(Some(Duration::ZERO))?, 0); // only polls: nothing is ready
    /// let start = Instant::now();
    /// assert_eq!(reactor.wait(Some(Duration::from_millis(2)))?, 0); // times out...
    /// assert!(start.elapsed() >= Duration::from_millis(2)); // ...never early
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<usize> {
        match &self.selector {
            Selector::Epoll(epoll) => {
                let events = epoll.wait(timeout)?;
                self.deliver(events.iter())
            }
            Selector::Poll(poll) => {
                let mut set = poll.begin()?;
                self.watch_waiting(|watch| set.push(watch));
                set.wait(timeout)?;
                self.deliver(set.ready())
            }
            Selector::Select(select) => {
                let mut set = select.begin()?;
                self.watch_waiting(|watch| set.push(watch));
                set.wait(timeout)?;
                self.deliver(set.ready())
            }
            Selector::Uring(uring) => {
                let cqes = uring.wait(timeout)?;
                let mut handled = 0;
                for cqe in cqes.iter() {
                    handled += 1;
                    match uring.route(cqe) {
                        Route::Event(event) => self.deliver_one(event)?,
                        Route::Notifier => self.notified_now()?,
                        Route::Wake(Some(waker)) => waker.wake(),
                        Route::Wake(None) => {}
                        // A removed poll's last word, a failed removal: not an event.
                        Route::Nothing => handled -= 1,
                    }
                }
                Ok(handled)
            }
        }
    }

    /// Hands `push` every registration's [`Watch`]: what a level-triggered backend asks
    /// the kernel about (the directions tasks wait on; nothing for the others).
    fn watch_waiting(&self, mut push: impl FnMut(Watch)) {
        for (token, state) in self.slab.borrow().iter() {
            push(state.watch(token));
        }
    }

    /// Records the readiness of `events` and wakes the wakers it concerns; returns how
    /// many events there were.
    #[inline]
    fn deliver(&self, events: impl Iterator<Item = Event>) -> io::Result<usize> {
        let mut handled = 0;
        for event in events {
            handled += 1;
            if event.token == NOTIFIER_TOKEN {
                self.notified_now()?;
                continue;
            }
            self.deliver_one(event)?;
        }
        Ok(handled)
    }

    /// The notifier's eventfd was readable: drains it and remembers.
    fn notified_now(&self) -> io::Result<()> {
        self.notifier.drain()?;
        self.notified.set(true);
        Ok(())
    }

    /// Records one registration's readiness and wakes the wakers it concerns.
    #[inline]
    fn deliver_one(&self, event: Event) -> io::Result<()> {
        // Take the wakers under the borrow, wake them after it: a waker may re-enter
        // the reactor (drop a Registration, register a new one).
        let [read, write] = {
            let slab = self.slab.borrow();
            let Some(state) = slab.get(event.token) else {
                return Ok(()); // stale: its registration is gone, the slot may have a new owner
            };
            state.record(&event)
        };
        if let Some(waker) = read {
            waker.wake();
        }
        if let Some(waker) = write {
            waker.wake();
        }
        Ok(())
    }

    /// A handle that interrupts [`wait`](Reactor::wait) from any thread; every call
    /// returns the same notifier.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use evloop_reactor::Reactor;
    ///
    /// let reactor = Reactor::new()?;
    /// assert!(Arc::ptr_eq(&reactor.notifier(), &reactor.notifier()));
    /// let notifier = reactor.notifier();
    /// let waker_thread = std::thread::spawn(move || notifier.notify());
    /// while !reactor.take_notified() {
    ///     reactor.wait(Some(Duration::from_secs(5)))?; // ends when the thread notifies
    /// }
    /// # waker_thread.join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn notifier(&self) -> Arc<Notifier> {
        Arc::clone(&self.notifier)
    }

    /// Whether the notifier fired (and was drained by [`wait`](Reactor::wait)) since the
    /// last call; resets the flag.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop_reactor::Reactor;
    ///
    /// let reactor = Reactor::new()?;
    /// reactor.notifier().notify();
    /// assert!(!reactor.take_notified()); // not yet: only wait() drains the eventfd
    /// reactor.wait(Some(Duration::ZERO))?;
    /// assert!(reactor.take_notified());
    /// assert!(!reactor.take_notified()); // the flag was reset
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_notified(&self) -> bool {
        self.notified.replace(false)
    }

    /// Number of live [`Registration`](crate::Registration)s.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use evloop_reactor::{Interest, Reactor, Registration};
    ///
    /// let reactor = Reactor::new()?;
    /// let (a, b) = UnixStream::pair()?;
    /// let ra = Registration::with_reactor(&reactor, a.as_raw_fd(), Interest::BOTH)?;
    /// let rb = Registration::with_reactor(&reactor, b.as_raw_fd(), Interest::BOTH)?;
    /// assert_eq!(reactor.registrations(), 2);
    /// drop((ra, rb));
    /// assert_eq!(reactor.registrations(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn registrations(&self) -> usize {
        self.slab.borrow().len()
    }

    /// Adds `fd` to the backend for both directions; returns its token and its
    /// readiness state.
    pub(crate) fn register(
        &self,
        fd: RawFd,
        interest: Interest,
    ) -> io::Result<(Token, Rc<IoState>)> {
        let state = Rc::new(IoState::new(fd, interest));
        let token = self.slab.borrow_mut().insert(Rc::clone(&state));
        if let Err(e) = self.selector.add(fd, token) {
            let removed = self.slab.borrow_mut().remove(token);
            drop(removed);
            return Err(e);
        }
        Ok((token, state))
    }

    /// Removes `fd` from the backend (already-closed or unknown fds are fine) and frees
    /// the slot, bumping its generation so late events for it are ignored.
    pub(crate) fn deregister(&self, token: Token, fd: RawFd) {
        self.selector.delete(fd, token);
        let state = self.slab.borrow_mut().remove(token);
        // Dropped after the borrow ends: a waker's drop may re-enter the reactor.
        drop(state);
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor")
            .field("backend", &self.backend())
            .field(
                "registrations",
                &self.slab.try_borrow().map(|s| s.len()).ok(),
            )
            .field("notified", &self.notified.get())
            .finish_non_exhaustive()
    }
}
