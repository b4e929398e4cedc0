//! [`Signal`]: a stream of one signal's deliveries on one loop, and [`signal`] to make
//! one.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use evloop_reactor::context::record_wait;
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
use evloop_reactor::{Direction, Interest, Registration};

use crate::kind::SignalKind;
use crate::registry::{self, Globals, Listener};
use crate::sys;

/// Starts listening for `kind` on the running loop; like asyncio's
/// `loop.add_signal_handler(sig, callback)`, but the deliveries arrive as a stream.
///
/// The first call for a signal installs evloop's handler for it, process-wide and for the
/// rest of the process: from then on the signal no longer has its default effect (a
/// `SIGTERM` no longer ends the process, even after every [`Signal`] is dropped); it only
/// wakes listeners. Every delivery after this call returns is seen by the returned
/// stream (several deliveries between two polls may count once).
///
/// ```
/// use evloop::signal::{signal, SignalKind};
///
/// evloop::run(async {
///     let mut hangups = signal(SignalKind::hangup())?;
///     evloop::signal::raise(SignalKind::hangup())?; // as `kill -HUP <pid>` would
///     hangups.recv().await; // e.g. reload the configuration here
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// - [`io::ErrorKind::InvalidInput`] for `SIGKILL` and `SIGSTOP` (they cannot be caught),
///   for `SIGSEGV`, `SIGBUS`, `SIGILL` and `SIGFPE` (faults of the thread that caused
///   them; a handler that returns re-runs the faulting instruction), and for numbers
///   outside 1–64;
/// - [`io::ErrorKind::Other`] outside a running loop (inside `evloop::run` or
///   `Runtime::block_on`);
/// - the OS error of `sigaction` (`EINVAL` for the real-time signals the C library
///   reserves), of `pipe2` or `fcntl` (`EMFILE`), or of registering with epoll.
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let site = Location::caller();
    let signum = kind.as_raw();
    registry::check(signum)?;
    let globals = Globals::get()?;
    // Each stream registers its own duplicate of the read end: an fd may be in an epoll
    // set only once, and a shared registration would keep a single waker.
    let fd = globals.read_end().try_clone()?;
    let registration = Registration::new(fd.as_raw_fd(), Interest::READABLE)?;
    // Last, so that a call that fails leaves the signal's disposition alone.
    globals.ensure_handler(signum)?;
    let (listener, seen) = globals.listen(signum);
    Ok(Signal {
        kind,
        globals,
        listener,
        seen,
        registration,
        fd,
        site,
    })
}

/// Sends `kind` to the calling thread, like Python's `signal.raise_signal`; a handler
/// installed by [`signal`] has recorded the delivery when this returns.
///
/// With no evloop handler installed the signal has its usual effect (for `SIGINT`,
/// `SIGTERM` and most others: the process ends).
///
/// ```
/// use evloop::signal::{raise, signal, SignalKind};
///
/// evloop::run(async {
///     let mut usr2 = signal(SignalKind::user_defined2())?; // installs the handler first
///     raise(SignalKind::user_defined2())?;
///     assert_eq!(usr2.recv().await, Some(()));
///     // A number that is no signal:
///     assert!(raise(SignalKind::from_raw(1000)).is_err());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// The OS error of `raise(3)` (`EINVAL` for an invalid number).
pub fn raise(kind: SignalKind) -> io::Result<()> {
    sys::raise(kind.as_raw())
}

/// The deliveries of one signal, as seen by one listener on one loop; made by
/// [`signal`].
///
/// Every `Signal` of the process sees every delivery of its signal, whichever loop or
/// thread it is on: two listeners for `SIGUSR1` both wake when one `SIGUSR1` arrives.
/// Deliveries that happen while nobody polls are remembered (at least one), not lost.
/// A `Signal` belongs to the loop that made it (it holds a registration with that
/// loop's reactor) and is `!Send`.
///
/// ```
/// use evloop::signal::{signal, SignalKind};
///
/// evloop::run(async {
///     let mut a = signal(SignalKind::user_defined1())?;
///     let mut b = signal(SignalKind::user_defined1())?;
///     evloop::signal::raise(SignalKind::user_defined1())?;
///     assert_eq!(a.recv().await, Some(()));
///     assert_eq!(b.recv().await, Some(()));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Signal {
    /// The signal listened for.
    kind: SignalKind,
    /// The process-wide registry (listeners, generations, the pipe).
    globals: &'static Globals,
    /// This stream's entry in the signal's listener list: where its waker is parked.
    listener: Arc<Listener>,
    /// The signal's generation last reported by [`recv`](Signal::recv); a larger one is
    /// a delivery this stream has not reported yet.
    seen: u64,
    /// The duplicate read end, registered with the loop's reactor. Declared before `fd`
    /// so it deregisters before the fd closes.
    registration: Registration,
    /// The duplicate of the pipe's read end that `registration` watches; closed on drop.
    fd: OwnedFd,
    /// The user's `signal` (or `ctrl_c`) call: the site of a wait in task dumps.
    site: &'static Location<'static>,
}

impl Signal {
    /// Waits for the next delivery; like `tokio::signal::unix::Signal::recv`.
    ///
    /// `Some(())` for each delivery (several between two calls may count once). `None`
    /// only if reading the signal pipe failed, which leaves the stream unable to learn of
    /// further deliveries. Cancel-safe: dropping the future loses nothing.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::signal::{raise, signal, SignalKind};
    ///
    /// evloop::run(async {
    ///     let mut usr1 = signal(SignalKind::user_defined1())?;
    ///     // Nothing delivered yet: recv waits (here, until a short timeout gives up).
    ///     let early = evloop::time::timeout(Duration::from_millis(5), usr1.recv()).await;
    ///     assert!(early.is_err());
    ///     // Two deliveries before the next recv: reported at least once.
    ///     raise(SignalKind::user_defined1())?;
    ///     raise(SignalKind::user_defined1())?;
    ///     assert_eq!(usr1.recv().await, Some(()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// In debug mode a task dump shows a task waiting here at the line that called `recv`.
    #[track_caller]
    pub fn recv(&mut self) -> impl Future<Output = Option<()>> + '_ {
        let site = Location::caller();
        poll_fn(move |cx| self.poll_recv_at(cx, site))
    }

    /// The poll form of [`recv`](Signal::recv), for hand-written futures and streams:
    /// `Ready(Some(()))` if a delivery happened since the last one reported, otherwise
    /// `Pending` with `cx`'s waker kept until the next one.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::task::Poll;
    /// use evloop::signal::{raise, signal, SignalKind};
    ///
    /// evloop::run(async {
    ///     let mut hup = signal(SignalKind::hangup())?;
    ///     assert!(poll_fn(|cx| Poll::Ready(hup.poll_recv(cx))).await.is_pending());
    ///     raise(SignalKind::hangup())?;
    ///     assert_eq!(poll_fn(|cx| hup.poll_recv(cx)).await, Some(()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// A task dump shows a task waiting here at the line that made the stream.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.poll_recv_at(cx, self.site)
    }

    /// `poll_recv`, noting in debug mode a wait made at `site`.
    fn poll_recv_at(
        &mut self,
        cx: &mut Context<'_>,
        site: &'static Location<'static>,
    ) -> Poll<Option<()>> {
        loop {
            if self.take_delivery() {
                return Poll::Ready(Some(()));
            }
            self.listener.park(cx.waker());
            // A dispatch from another loop between the check and the park would have
            // found no waker: look again now that it is parked.
            if self.take_delivery() {
                return Poll::Ready(Some(()));
            }
            // Nothing for us yet. If the pipe is readable, this loop dispatches: it
            // drains the pipe and wakes the listeners of whatever arrived.
            match self.registration.poll_ready(Direction::Read, cx) {
                Poll::Pending => {
                    let signal = WaitDetail::Signal(self.kind.as_raw());
                    record_wait(|| WaitSite::new(WaitKind::Signal, Some(site), signal));
                    return Poll::Pending;
                }
                Poll::Ready(Err(_)) => return Poll::Ready(None),
                Poll::Ready(Ok(())) => {}
            }
            if sys::drain(&self.fd).is_err() {
                return Poll::Ready(None);
            }
            self.registration.clear_ready(Direction::Read);
            self.globals.dispatch();
        }
    }

    /// The signal this stream listens for.
    ///
    /// ```
    /// use evloop::signal::{signal, SignalKind};
    ///
    /// evloop::run(async {
    ///     let term = signal(SignalKind::terminate())?;
    ///     assert_eq!(term.kind(), SignalKind::terminate());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kind(&self) -> SignalKind {
        self.kind
    }

    /// Whether a delivery happened that this stream has not reported; marks it reported.
    fn take_delivery(&mut self) -> bool {
        let generation = self.globals.generation(self.kind.as_raw());
        if generation == self.seen {
            return false;
        }
        self.seen = generation;
        true
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        self.globals.unlisten(self.kind.as_raw(), &self.listener);
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .field("registration", &self.registration)
            .finish_non_exhaustive()
    }
}
