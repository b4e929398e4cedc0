//! [`SignalKind`]: which signal a [`Signal`](crate::Signal) stream listens for.

use std::fmt;

use libc::c_int;

/// A Unix signal number, named by what it usually means.
///
/// ```
/// use evloop::signal::SignalKind;
///
/// assert_eq!(SignalKind::interrupt().as_raw(), libc::SIGINT);
/// assert_eq!(SignalKind::from_raw(libc::SIGTERM), SignalKind::terminate());
/// assert_eq!(format!("{:?}", SignalKind::hangup()), "SIGHUP");
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct SignalKind(c_int);

impl SignalKind {
    /// `SIGINT`: Ctrl-C in a terminal (Python turns it into `KeyboardInterrupt`).
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// assert_eq!(SignalKind::interrupt().as_raw(), libc::SIGINT);
    /// assert_eq!(SignalKind::interrupt().to_string(), "SIGINT");
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGTERM`: the polite "please exit" of `kill`, systemd and container runtimes.
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// assert_eq!(SignalKind::terminate().as_raw(), libc::SIGTERM);
    /// assert_eq!(SignalKind::terminate().to_string(), "SIGTERM");
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGHUP`: the terminal went away; daemons often take it as "reload your config".
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// assert_eq!(SignalKind::hangup().as_raw(), libc::SIGHUP);
    /// assert_eq!(SignalKind::hangup().to_string(), "SIGHUP");
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGUSR1`: no fixed meaning; the application decides.
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// assert_eq!(SignalKind::user_defined1().as_raw(), libc::SIGUSR1);
    /// assert_eq!(SignalKind::user_defined1().to_string(), "SIGUSR1");
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: no fixed meaning; the application decides.
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// assert_eq!(SignalKind::user_defined2().as_raw(), libc::SIGUSR2);
    /// assert_eq!(SignalKind::user_defined2().to_string(), "SIGUSR2");
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// Any signal by number, e.g. `libc::SIGWINCH` or a real-time signal. Whether it may
    /// be listened for is checked by [`signal`](crate::signal()).
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// let resize = SignalKind::from_raw(libc::SIGWINCH);
    /// assert_eq!(resize.to_string(), "SIGWINCH");
    /// assert_eq!(SignalKind::from_raw(libc::SIGINT), SignalKind::interrupt());
    /// assert_eq!(SignalKind::from_raw(libc::SIGRTMIN() + 1).to_string(),
    ///            format!("signal {}", libc::SIGRTMIN() + 1)); // no conventional name
    /// ```
    pub const fn from_raw(signum: c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    ///
    /// ```
    /// use evloop::signal::SignalKind;
    /// assert_eq!(SignalKind::terminate().as_raw(), 15);
    /// assert_eq!(SignalKind::from(libc::SIGHUP).as_raw(), libc::SIGHUP);
    /// ```
    pub const fn as_raw(self) -> c_int {
        self.0
    }

    /// The conventional name of the common signals (`"SIGINT"`), `None` for the rest.
    fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            libc::SIGHUP => "SIGHUP",
            libc::SIGINT => "SIGINT",
            libc::SIGQUIT => "SIGQUIT",
            libc::SIGILL => "SIGILL",
            libc::SIGTRAP => "SIGTRAP",
            libc::SIGABRT => "SIGABRT",
            libc::SIGBUS => "SIGBUS",
            libc::SIGFPE => "SIGFPE",
            libc::SIGKILL => "SIGKILL",
            libc::SIGUSR1 => "SIGUSR1",
            libc::SIGSEGV => "SIGSEGV",
            libc::SIGUSR2 => "SIGUSR2",
            libc::SIGPIPE => "SIGPIPE",
            libc::SIGALRM => "SIGALRM",
            libc::SIGTERM => "SIGTERM",
            libc::SIGCHLD => "SIGCHLD",
            libc::SIGCONT => "SIGCONT",
            libc::SIGSTOP => "SIGSTOP",
            libc::SIGTSTP => "SIGTSTP",
            libc::SIGTTIN => "SIGTTIN",
            libc::SIGTTOU => "SIGTTOU",
            libc::SIGURG => "SIGURG",
            libc::SIGXCPU => "SIGXCPU",
            libc::SIGXFSZ => "SIGXFSZ",
            libc::SIGVTALRM => "SIGVTALRM",
            libc::SIGPROF => "SIGPROF",
            libc::SIGWINCH => "SIGWINCH",
            libc::SIGIO => "SIGIO",
            libc::SIGPWR => "SIGPWR",
            libc::SIGSYS => "SIGSYS",
            _ => return None,
        })
    }
}

impl From<c_int> for SignalKind {
    fn from(signum: c_int) -> SignalKind {
        SignalKind::from_raw(signum)
    }
}

impl fmt::Debug for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "signal {}", self.0),
        }
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
