//! [`UCred`]: who is at the other end of a Unix socket.

/// The credentials of a Unix socket's peer, from
/// [`UnixStream::peer_cred`](crate::UnixStream::peer_cred): its user, group and process
/// ids as of when it connected.
///
/// ```
/// use evloop_net::UnixStream;
///
/// evloop_executor::run(async {
///     let (a, _b) = UnixStream::pair()?;
///     let cred = a.peer_cred()?;
///     // SAFETY: getuid and getgid cannot fail and touch no memory.
///     let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
///     assert_eq!((cred.uid(), cred.gid()), (uid, gid));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UCred {
    /// The peer's effective user id.
    uid: u32,
    /// The peer's effective group id.
    gid: u32,
    /// The peer's process id; `None` if the kernel could not say (a process in another
    /// pid namespace is reported as 0).
    pid: Option<i32>,
}

impl UCred {
    /// Takes what `SO_PEERCRED` returned.
    pub(crate) fn from_raw(cred: libc::ucred) -> UCred {
        UCred {
            uid: cred.uid,
            gid: cred.gid,
            pid: (cred.pid != 0).then_some(cred.pid),
        }
    }

    /// The peer's effective user id.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let (a, _b) = evloop_net::UnixStream::pair().unwrap();
    ///     // SAFETY: getuid cannot fail and touches no memory.
    ///     assert_eq!(a.peer_cred().unwrap().uid(), unsafe { libc::getuid() });
    /// });
    /// ```
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The peer's effective group id.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let (a, _b) = evloop_net::UnixStream::pair().unwrap();
    ///     // SAFETY: getgid cannot fail and touches no memory.
    ///     assert_eq!(a.peer_cred().unwrap().gid(), unsafe { libc::getgid() });
    /// });
    /// ```
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The peer's process id, if the kernel could tell it (a peer in another pid
    /// namespace has none here).
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let (a, _b) = evloop_net::UnixStream::pair().unwrap();
    ///     assert_eq!(a.peer_cred().unwrap().pid(), Some(std::process::id() as i32));
    /// });
    /// ```
    pub fn pid(&self) -> Option<i32> {
        self.pid
    }
}
