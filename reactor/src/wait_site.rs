//! What a task waits for: the [`WaitSite`] each of evloop's futures notes, in debug mode,
//! when it returns `Pending`, and that a task dump (`evloop::task::dump()`, `evloop-ps`)
//! shows for every waiting task.
//!
//! A site says what kind of wait it is ([`WaitKind`]: a sleep, a socket read, a channel
//! receive, a `JoinHandle` awaited...), where in the user's code the future was made (the
//! `sleep(..)` or `rx.recv()` call, found through `#[track_caller]`), and one detail
//! ([`WaitDetail`]: the deadline, the peer's address, the awaited task's id...). Sites are
//! plain values: making one allocates nothing (a Unix socket's path is shared, an
//! `Arc<str>` made once per socket), so noting one on every `Pending` costs little even
//! in a busy server.
//!
//! The futures note their sites through [`context::record_wait`](crate::context::record_wait),
//! which does nothing (one thread-local read and a branch) unless the running loop is in
//! debug mode.
//!
//! ```
//! use std::panic::Location;
//! use std::time::{Duration, Instant};
//! use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
//!
//! let now = Instant::now();
//! let site = WaitSite::new(
//!     WaitKind::Sleep,
//!     Some(Location::caller()),
//!     WaitDetail::Deadline(now + Duration::from_millis(1500)),
//! );
//! assert_eq!(site.time_left(now), Some(Duration::from_millis(1500)));
//! let text = site.describe(now).to_string();
//! assert!(text.starts_with("sleep at "), "{text}");
//! assert!(text.ends_with(", 1.500 s left"), "{text}");
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One thing a task waits for, as a future of evloop noted it when it returned `Pending`.
///
/// ```
/// use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
/// let site = WaitSite::new(WaitKind::Join, None, WaitDetail::Task { id: 7, loop_index: 0 });
/// assert_eq!(site.to_string(), "join of task 7");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitSite {
    /// What kind of wait.
    pub kind: WaitKind,
    /// The user's call that made the future (the `sleep(..)`, `mutex.lock()` or
    /// `rx.recv()` line), or `None` where evloop cannot know it: a socket's I/O, a
    /// `JoinHandle` awaited, a `poll_*` method called by hand.
    pub location: Option<&'static Location<'static>>,
    /// The particulars: a deadline, an address, a task id.
    pub detail: WaitDetail,
}

/// What kind of wait a [`WaitSite`] is; its `Display` is the name dumps print.
///
/// ```
/// assert_eq!(evloop_reactor::wait_site::WaitKind::Lock.to_string(), "mutex lock");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitKind {
    /// `time::sleep`, `sleep_until`.
    Sleep,
    /// The deadline of `time::timeout`, `timeout_at` (the future it bounds notes its own).
    Timeout,
    /// An `Interval`'s next tick.
    IntervalTick,
    /// A listener's `accept`.
    Accept,
    /// A stream socket's connect.
    Connect,
    /// A stream socket's read.
    Read,
    /// A stream socket's write (the send buffer is full).
    Write,
    /// A datagram socket's receive.
    Receive,
    /// A datagram socket's send.
    Send,
    /// An `mpsc` channel's receive.
    ChannelReceive,
    /// A bounded `mpsc` channel's send (the buffer is full).
    ChannelSend,
    /// A `Mutex`'s lock.
    Lock,
    /// A `Semaphore`'s acquire.
    Acquire,
    /// An `Event`'s wait.
    EventWait,
    /// A `oneshot` receiver, awaited.
    OneshotReceive,
    /// `oneshot::Sender::closed`.
    OneshotClosed,
    /// A `broadcast` receive.
    BroadcastReceive,
    /// A `watch` receiver's `changed`.
    WatchChanged,
    /// A `JoinHandle` or `RemoteHandle` awaited: the detail names the task.
    Join,
    /// A `spawn_blocking` job running on the pool; the location is the `spawn_blocking` call.
    BlockingJob,
    /// A Unix signal's delivery.
    Signal,
    /// An `AsyncFd`'s readability.
    FdReadable,
    /// An `AsyncFd`'s writability.
    FdWritable,
    /// A child process's exit.
    ChildExit,
}

/// The particulars of a [`WaitSite`].
///
/// ```
/// use evloop_reactor::wait_site::{Endpoint, WaitDetail};
/// let peer = WaitDetail::Socket { fd: 7, addr: Some(Endpoint::Inet("127.0.0.1:80".parse().unwrap())) };
/// assert_eq!(peer.to_string(), "127.0.0.1:80");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitDetail {
    /// Nothing more to say.
    None,
    /// The instant the wait ends at the latest, on the loop's clock (a paused loop's
    /// clock for paused time: compare it with that clock's `now`).
    Deadline(Instant),
    /// A socket: for a stream, its peer; for a listener or an unconnected datagram
    /// socket, its local address; `None` if the kernel had none to give (a connect in
    /// progress, an unnamed Unix socket).
    Socket {
        /// The socket's file descriptor.
        fd: RawFd,
        /// The address that tells it apart.
        addr: Option<Endpoint>,
    },
    /// A task, by id and loop (a `RemoteHandle` may await a task of another loop).
    Task {
        /// The task's id, as `JoinHandle::id` gives it.
        id: u64,
        /// The index of the task's loop in the process (the `N` of `evloop-PID-N.sock`).
        loop_index: u16,
    },
    /// How many permits an acquire asks for.
    Permits(usize),
    /// A signal number.
    Signal(i32),
    /// A file descriptor.
    Fd(RawFd),
    /// A child process's id.
    Process(u32),
}

/// A socket's address, as [`WaitDetail::Socket`] gives it.
///
/// ```
/// use evloop_reactor::wait_site::Endpoint;
/// assert_eq!(Endpoint::Unix("/run/app.sock".into()).to_string(), "/run/app.sock");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// An IP address and port.
    Inet(SocketAddr),
    /// A Unix socket's path (or `@name` for an abstract one).
    Unix(Arc<str>),
}

impl WaitSite {
    /// A site of `kind`, made at `location`, with `detail`.
    ///
    /// ```
    /// use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
    /// let site = WaitSite::new(WaitKind::EventWait, None, WaitDetail::None);
    /// assert_eq!(site.kind, WaitKind::EventWait);
    /// ```
    pub fn new(
        kind: WaitKind,
        location: Option<&'static Location<'static>>,
        detail: WaitDetail,
    ) -> WaitSite {
        WaitSite {
            kind,
            location,
            detail,
        }
    }

    /// How long until the deadline, seen at `now`, for a site with one (zero once it
    /// passed); `None` for a site without a deadline.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
    /// let now = Instant::now();
    /// let site = WaitSite::new(WaitKind::Timeout, None, WaitDetail::Deadline(now + Duration::from_secs(2)));
    /// assert_eq!(site.time_left(now), Some(Duration::from_secs(2)));
    /// assert_eq!(site.time_left(now + Duration::from_secs(3)), Some(Duration::ZERO));
    /// ```
    pub fn time_left(&self, now: Instant) -> Option<Duration> {
        match self.detail {
            WaitDetail::Deadline(deadline) => Some(deadline.saturating_duration_since(now)),
            _ => None,
        }
    }

    /// The site's one-line description with a deadline's time left counted from `now`
    /// (the `Display` of a site counts from `std::time::Instant::now()`).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
    /// let now = Instant::now();
    /// let site = WaitSite::new(WaitKind::Sleep, None, WaitDetail::Deadline(now + Duration::from_millis(20)));
    /// assert_eq!(site.describe(now).to_string(), "sleep, 20 ms left");
    /// ```
    pub fn describe(&self, now: Instant) -> Describe<'_> {
        Describe {
            site: self,
            now: Some(now),
        }
    }

    /// The site's one-line description without time left (for a wait that is over).
    ///
    /// ```
    /// use std::time::Instant;
    /// use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};
    /// let site = WaitSite::new(WaitKind::Sleep, None, WaitDetail::Deadline(Instant::now()));
    /// assert_eq!(site.summary().to_string(), "sleep");
    /// ```
    pub fn summary(&self) -> Describe<'_> {
        Describe {
            site: self,
            now: None,
        }
    }
}

/// A [`WaitSite`]'s one-line description, with or without time left; made by
/// [`WaitSite::describe`] and [`WaitSite::summary`].
#[derive(Debug)]
pub struct Describe<'a> {
    /// The site.
    site: &'a WaitSite,
    /// What a deadline's time left is counted from; `None` to leave it out.
    now: Option<Instant>,
}

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let site = self.site;
        write!(f, "{}", site.kind)?;
        match &site.detail {
            WaitDetail::None | WaitDetail::Deadline(_) => {}
            WaitDetail::Task { id, .. } => write!(f, " of task {id}")?,
            WaitDetail::Socket { .. } => match site.kind {
                WaitKind::Accept | WaitKind::Receive => write!(f, " on {}", site.detail)?,
                _ => write!(f, " from {}", site.detail)?,
            },
            WaitDetail::Permits(n) => write!(f, " of {n} permit{}", plural(*n))?,
            WaitDetail::Signal(signal) => write!(f, " {signal}")?,
            WaitDetail::Fd(fd) => write!(f, " on fd {fd}")?,
            WaitDetail::Process(pid) => write!(f, " of pid {pid}")?,
        }
        if let Some(location) = site.location {
            write!(f, " at {location}")?;
        }
        if let Some(left) = self.now.and_then(|now| site.time_left(now)) {
            write!(f, ", {} left", HumanDuration(left))?;
        }
        Ok(())
    }
}

/// `"s"` unless `n` is one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl fmt::Display for WaitSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(Instant::now()).fmt(f)
    }
}

impl fmt::Display for WaitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl WaitKind {
    /// The kind's name, as dumps print it (also its `Display`, and its JSON value).
    ///
    /// ```
    /// assert_eq!(evloop_reactor::wait_site::WaitKind::ChannelReceive.name(), "channel receive");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            WaitKind::Sleep => "sleep",
            WaitKind::Timeout => "timeout",
            WaitKind::IntervalTick => "interval tick",
            WaitKind::Accept => "accept",
            WaitKind::Connect => "connect",
            WaitKind::Read => "read",
            WaitKind::Write => "write",
            WaitKind::Receive => "receive",
            WaitKind::Send => "send",
            WaitKind::ChannelReceive => "channel receive",
            WaitKind::ChannelSend => "channel send",
            WaitKind::Lock => "mutex lock",
            WaitKind::Acquire => "semaphore acquire",
            WaitKind::EventWait => "event wait",
            WaitKind::OneshotReceive => "oneshot receive",
            WaitKind::OneshotClosed => "oneshot closed",
            WaitKind::BroadcastReceive => "broadcast receive",
            WaitKind::WatchChanged => "watch changed",
            WaitKind::Join => "join",
            WaitKind::BlockingJob => "blocking job",
            WaitKind::Signal => "signal",
            WaitKind::FdReadable => "fd readable",
            WaitKind::FdWritable => "fd writable",
            WaitKind::ChildExit => "child exit",
        }
    }
}

impl fmt::Display for WaitDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitDetail::None => Ok(()),
            WaitDetail::Deadline(deadline) => write!(
                f,
                "{} left",
                HumanDuration(deadline.saturating_duration_since(Instant::now()))
            ),
            WaitDetail::Socket { fd, addr } => match addr {
                Some(addr) => write!(f, "{addr}"),
                None => write!(f, "fd {fd}"),
            },
            WaitDetail::Task { id, .. } => write!(f, "task {id}"),
            WaitDetail::Permits(n) => write!(f, "{n} permit{}", plural(*n)),
            WaitDetail::Signal(signal) => write!(f, "signal {signal}"),
            WaitDetail::Fd(fd) => write!(f, "fd {fd}"),
            WaitDetail::Process(pid) => write!(f, "pid {pid}"),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Inet(addr) => addr.fmt(f),
            Endpoint::Unix(path) => f.write_str(path),
        }
    }
}

/// A duration as dumps print it: `850 µs`, `12 ms`, `1.500 s`, `3 min 20 s`.
///
/// ```
/// use std::time::Duration;
/// use evloop_reactor::wait_site::HumanDuration;
/// assert_eq!(HumanDuration(Duration::from_micros(850)).to_string(), "850 µs");
/// assert_eq!(HumanDuration(Duration::from_millis(12)).to_string(), "12 ms");
/// assert_eq!(HumanDuration(Duration::from_millis(1500)).to_string(), "1.500 s");
/// assert_eq!(HumanDuration(Duration::from_secs(200)).to_string(), "3 min 20 s");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HumanDuration(pub Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d < Duration::from_millis(1) {
            write!(f, "{} µs", d.as_micros())
        } else if d < Duration::from_secs(1) {
            write!(f, "{} ms", d.as_millis())
        } else if d < Duration::from_secs(60) {
            write!(f, "{}.{:03} s", d.as_secs(), d.subsec_millis())
        } else {
            write!(f, "{} min {} s", d.as_secs() / 60, d.as_secs() % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_detail_reads_naturally_after_its_kind() {
        let now = Instant::now();
        let at = |kind, detail| WaitSite::new(kind, None, detail).describe(now).to_string();
        let inet = Endpoint::Inet("10.0.0.1:5432".parse().unwrap());
        let socket = |addr| WaitDetail::Socket { fd: 9, addr };
        assert_eq!(
            at(WaitKind::Read, socket(Some(inet.clone()))),
            "read from 10.0.0.1:5432"
        );
        assert_eq!(
            at(WaitKind::Accept, socket(Some(inet))),
            "accept on 10.0.0.1:5432"
        );
        assert_eq!(at(WaitKind::Connect, socket(None)), "connect from fd 9");
        assert_eq!(
            at(WaitKind::Acquire, WaitDetail::Permits(3)),
            "semaphore acquire of 3 permits"
        );
        assert_eq!(at(WaitKind::Signal, WaitDetail::Signal(2)), "signal 2");
        assert_eq!(
            at(WaitKind::ChildExit, WaitDetail::Process(42)),
            "child exit of pid 42"
        );
        assert_eq!(
            at(
                WaitKind::Timeout,
                WaitDetail::Deadline(now - Duration::from_secs(1))
            ),
            "timeout, 0 µs left"
        );
    }
}
