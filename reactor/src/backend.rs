//! [`Backend`]: which readiness system call a [`Reactor`](crate::Reactor) waits in.

use std::fmt;
use std::io;
use std::str::FromStr;

/// The operating-system interface a reactor waits in: `epoll` (the default), `poll`,
/// `select` or io_uring (`uring`). asyncio offers the same choice through `selectors` (`EpollSelector`,
/// `PollSelector`, `SelectSelector`, passed to `SelectorEventLoop(selector)`).
///
/// All of them present the same edge-style readiness to the layers above (see the
/// [crate docs](crate)), so sockets, timers and tasks behave alike on each. They differ
/// in cost and reach:
///
/// | backend | per wait, the kernel looks at | fds | timeout |
/// |---|---|---|---|
/// | [`Epoll`](Backend::Epoll) | the ready fds only (the interest list stays in the kernel) | any | ns (`epoll_pwait2`) |
/// | [`Poll`](Backend::Poll) | every fd somebody waits on, handed over on each call | any | ns (`ppoll`) |
/// | [`Select`](Backend::Select) | every fd below the highest one waited on, three bitmaps copied each call | below 1024 (`FD_SETSIZE`) | ns (`pselect`) |
/// | [`Uring`](Backend::Uring) | the completions posted (readiness of polled fds, finished receives and sends) | any | ns (`io_uring_enter`'s timespec) |
///
/// Choose one with `evloop::Builder::backend` or the `EVLOOP_BACKEND` environment variable
/// (`epoll`, `poll`, `select` or `uring`; the builder wins), and ask a runtime which one
/// it runs with `evloop::Runtime::backend`. `poll` and `select` exist to measure what
/// epoll saves, and for portability tests. `uring` takes TCP streams past epoll's floor
/// of a system call per receive and per send; where the kernel refuses io_uring
/// (`ENOSYS`, `EPERM`, `kernel.io_uring_disabled`, a missing feature) a reactor asked
/// for it runs on epoll and says why ([`Reactor::fallback_reason`](crate::Reactor::fallback_reason)).
///
/// ```
/// use evloop_reactor::{Backend, Reactor};
///
/// for &backend in Backend::ALL {
///     let reactor = Reactor::with_backend(backend)?;
///     match reactor.fallback_reason() {
///         None => assert_eq!(reactor.backend(), backend),
///         Some(why) => {
///             assert_eq!((backend, reactor.backend()), (Backend::Uring, Backend::Epoll));
///             println!("io_uring unavailable: {why}");
///         }
///     }
/// }
/// assert_eq!("poll".parse::<Backend>()?, Backend::Poll);
/// assert_eq!(Backend::default(), Backend::Epoll);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// The enum is `#[non_exhaustive]`: more backends may join it, so a `match` on it needs
/// a wildcard arm.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// `epoll`: edge-triggered registrations kept in the kernel; a wait costs in
    /// proportion to the fds that are ready, not to those registered. The default.
    #[default]
    Epoll,
    /// `poll` (`ppoll`): level-triggered; each wait hands the kernel one `pollfd` per fd
    /// somebody waits on, and the kernel checks every one of them.
    Poll,
    /// `select` (`pselect`): level-triggered; each wait copies three 1024-bit fd sets to
    /// and from the kernel, which scans them up to the highest fd. Refuses fds numbered
    /// 1024 (`FD_SETSIZE`) or above, with [`io::ErrorKind::InvalidInput`].
    Select,
    /// io_uring (Linux 5.19 and later for everything; 5.17 for readiness alone): one
    /// `io_uring_enter` per loop turn submits the turn's work and waits for completions.
    /// Every registration gets edge-style readiness from a multishot poll; TCP streams
    /// receive into runtime-owned buffers and send from them, with no system call of
    /// their own (see `evloop_reactor`'s `sys/uring` module docs). Falls back to epoll
    /// where the kernel refuses it.
    Uring,
}

impl Backend {
    /// The environment variable that picks the backend of runtimes whose builder did not:
    /// `EVLOOP_BACKEND`.
    ///
    /// ```
    /// assert_eq!(evloop_reactor::Backend::ENV_VAR, "EVLOOP_BACKEND");
    /// ```
    pub const ENV_VAR: &'static str = "EVLOOP_BACKEND";

    /// Every backend, the default first.
    ///
    /// ```
    /// use evloop_reactor::Backend;
    /// let names: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
    /// assert_eq!(names, ["epoll", "poll", "select", "uring"]);
    /// ```
    pub const ALL: &'static [Backend] = &[
        Backend::Epoll,
        Backend::Poll,
        Backend::Select,
        Backend::Uring,
    ];

    /// The backend's name as `EVLOOP_BACKEND` spells it (also what `Display` prints).
    ///
    /// ```
    /// use evloop_reactor::Backend;
    /// assert_eq!(Backend::Select.name(), "select");
    /// assert_eq!(Backend::Poll.to_string(), "poll");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Epoll => "epoll",
            Backend::Poll => "poll",
            Backend::Select => "select",
            Backend::Uring => "uring",
        }
    }

    /// The backend `EVLOOP_BACKEND` names: `Ok(None)` when it is unset or empty.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] naming the allowed values, when the variable holds
    /// anything else (or is not Unicode).
    ///
    /// ```
    /// use evloop_reactor::Backend;
    /// match Backend::from_env() {
    ///     Ok(Some(backend)) => println!("EVLOOP_BACKEND chose {backend}"),
    ///     Ok(None) => println!("unset: runtimes use {}", Backend::default()),
    ///     Err(e) => println!("{e}"),
    /// }
    /// ```
    pub fn from_env() -> io::Result<Option<Backend>> {
        match std::env::var(Self::ENV_VAR) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => value.parse().map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(value)) => Err(unknown(&value.to_string_lossy())),
        }
    }
}

/// The error for a backend name that is none of [`Backend::ALL`].
fn unknown(value: &str) -> io::Error {
    let allowed: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{}={value:?} is not an evloop backend: use one of {} (unset, it means {})",
            Backend::ENV_VAR,
            allowed.join(", "),
            Backend::default()
        ),
    )
}

impl FromStr for Backend {
    type Err = io::Error;

    /// Parses `epoll`, `poll`, `select` or `uring` (exactly these, lower case).
    ///
    /// ```
    /// use evloop_reactor::Backend;
    /// assert_eq!("select".parse::<Backend>()?, Backend::Select);
    /// let err = "kqueue".parse::<Backend>().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// assert!(err.to_string().contains("epoll, poll, select"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn from_str(s: &str) -> io::Result<Backend> {
        Backend::ALL
            .iter()
            .copied()
            .find(|b| b.name() == s)
            .ok_or_else(|| unknown(s))
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &b in Backend::ALL {
            assert_eq!(b.name().parse::<Backend>().unwrap(), b);
            assert_eq!(b.to_string(), b.name());
        }
    }

    #[test]
    fn unknown_names_are_refused_with_the_allowed_values() {
        for bad in ["", "EPOLL", " poll", "kqueue", "io_uring"] {
            let err = bad.parse::<Backend>().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            let text = err.to_string();
            assert!(text.contains("EVLOOP_BACKEND"), "{text}");
            assert!(text.contains("epoll, poll, select"), "{text}");
            assert!(text.contains(&format!("{bad:?}")), "{text}");
        }
    }
}
