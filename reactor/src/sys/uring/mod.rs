//! The io_uring backend: one `io_uring_enter` per loop turn submits everything the turn
//! queued and waits for completions, with the next timer's deadline as its timeout.
//!
//! # Two paths, one ring
//!
//! - **Readiness, for every registration** (the notifier's eventfd, the signal
//!   self-pipe, `AsyncFd`, pidfds, Unix sockets, UDP, listeners, a connecting TCP
//!   socket): a multishot `POLL_ADD`, edge-triggered like `EPOLLET`, whose completions
//!   carry the poll mask and the registration's token. The layers above see the same
//!   edge-style readiness as on epoll. The poll is armed at registration (pushed, and
//!   submitted with the turn's `io_uring_enter`): the kernel reports the fd's current
//!   state when it arms, as `EPOLL_CTL_ADD` does. A TCP stream that moves to the
//!   completion path removes its poll at once (in the same submission, for an accepted
//!   one), so its receives do not also raise readiness completions.
//! - **Completion, for TCP streams** (`stream.rs`): receives into buffers the runtime
//!   owns, picked by the kernel from a provided-buffer ring ([`buf_ring`]) when data
//!   arrives, and copied out by `read`; sends from a per-connection buffer `write`
//!   copies into, at most [`stream::SEND_BOUND`] bytes unsent per connection so that a
//!   slow peer still suspends the writer. Both are submitted with the turn's one
//!   `io_uring_enter`: an echo turn that serves many connections makes one system call,
//!   where epoll makes a `recv` and a `send` per message besides its wait.
//!
//! # user_data
//!
//! Every submission's `user_data` says where its completion goes: [`NOTIFIER_TOKEN`] is
//! the notifier's poll; [`IGNORED`] marks cancellations (which post nothing when they
//! succeed); a readiness token is the registration slab's token (its index below
//! 2^30), with [`REMOVE_TAG`] for its poll's removal (which posts only if it fails, and
//! is retried if the poll was busy); a completion is a connection's slab token with
//! [`COMPLETION_TAG`] set, and [`SEND_TAG`] for its send. Slab tokens carry a generation, so a completion that
//! arrives after its owner is gone resolves to nothing.
//!
//! # Unavailable io_uring
//!
//! [`Uring::new`] fails with a reason (the system call refused: `ENOSYS`, `EPERM` from
//! `kernel.io_uring_disabled` or a seccomp filter; a feature missing) and the reactor
//! falls back to epoll.

#![allow(unsafe_code)]

pub(crate) mod abi;
pub(crate) mod buf_ring;
mod conn;
mod probe;
mod ring;
pub(crate) mod stream;

use std::cell::{RefCell, RefMut};
use std::io;
use std::os::fd::RawFd;
use std::task::Waker;
use std::time::{Duration, Instant};

use self::abi::{Cqe, Sqe};
use self::buf_ring::BufRing;
use self::conn::Conn;
use self::ring::Ring;
use super::{cvt, reentrant_wait, Event};
use crate::fd_table::FdTable;
use crate::slab::{Slab, Token, NOTIFIER_TOKEN};

/// Submission ring entries: submissions beyond these in one turn cost an extra
/// `io_uring_enter` each time the ring fills.
const SQ_ENTRIES: u32 = 1024;
/// Completion ring entries (more wait in the kernel: `FEAT_NODROP`).
const CQ_ENTRIES: u32 = 8192;
/// How many completions one wait handles at most; the rest wait for the next.
const CQES_PER_WAIT: usize = 1024;
/// Provided receive buffers. They are used in ring order, so all of them get touched
/// under a steady flow: 2 MiB of resident memory per loop at most.
const RECV_BUFFERS: u16 = 128;
/// Bytes per provided receive buffer.
const RECV_BUFFER_SIZE: u32 = 16 * 1024;

/// The `user_data` of removals and cancellations: their completions (failures only,
/// with `IOSQE_CQE_SKIP_SUCCESS`) are ignored.
pub(crate) const IGNORED: u64 = u64::MAX - 1;
/// Set in the `user_data` of a connection's operations.
pub(crate) const COMPLETION_TAG: u64 = 1 << 31;
/// Set, with [`COMPLETION_TAG`], in the `user_data` of a connection's send.
pub(crate) const SEND_TAG: u64 = 1 << 30;
/// Set in the `user_data` of a poll's removal (with the registration's token), so
/// that a removal that failed can be retried.
pub(crate) const REMOVE_TAG: u64 = 1 << 30;
/// Slab indices (of registrations and connections) stay below this, so that the tags
/// never collide with an index.
const MAX_INDEX: u64 = 1 << 30;

/// The io_uring backend's state: the ring, the receive buffers, and what is armed.
#[derive(Debug)]
pub(crate) struct Uring {
    /// The instance and its mapped rings.
    ring: RefCell<Ring>,
    /// The provided receive buffers; `None` when the kernel lacks the completion path
    /// (TCP streams then use readiness, as every other fd).
    bufs: Option<RefCell<BufRing>>,
    /// Which registration owns each fd (io_uring, unlike epoll, would poll an fd twice).
    owners: RefCell<FdTable>,
    /// `armed[index]`: the poll of the registration at slab `index`, if armed.
    armed: RefCell<Vec<Option<Armed>>>,
    /// The TCP streams on the completion path.
    conns: RefCell<Slab<Conn>>,
    /// The completions of the last wait, copied out of the ring; borrowed while the
    /// reactor delivers them.
    cqes: RefCell<Vec<Cqe>>,
    /// Why the completion path is off, if it is.
    completion_off: Option<String>,
    /// The notifier's eventfd (owned by the reactor's `Notifier`), to re-arm its poll.
    notifier: RawFd,
}

/// A registration's armed poll.
#[derive(Copy, Clone, Debug)]
struct Armed {
    /// The registration's token (its poll's `user_data`).
    token: Token,
    /// The polled fd.
    fd: RawFd,
    /// Where its `POLL_ADD` went in the submission ring.
    position: u32,
    /// The ring's `io_uring_enter` count when it was pushed: while unchanged, the
    /// `POLL_ADD` can be retracted instead of removed.
    pushed_at: u64,
}

/// Where one completion goes, as [`Uring::route`] decides.
#[derive(Debug)]
pub(crate) enum Route {
    /// Readiness of a registration.
    Event(Event),
    /// The notifier's eventfd became readable.
    Notifier,
    /// A connection's operation completed: wake these tasks.
    Wake(Option<Waker>),
    /// Nothing to do (a stale or ignored completion).
    Nothing,
}

impl Uring {
    /// Sets up a ring, checks what the kernel offers, registers the receive buffers (if
    /// the completion path is there) and arms the notifier's poll.
    ///
    /// # Errors
    /// Why io_uring cannot serve as the backend, for the fallback's message.
    pub(crate) fn new(notifier: RawFd) -> Result<Uring, String> {
        let ring = Ring::setup(SQ_ENTRIES, CQ_ENTRIES).map_err(|e| match e.raw_os_error() {
            Some(libc::ENOSYS) => format!("io_uring_setup: {e} (a kernel before 5.1, or built without io_uring)"),
            Some(libc::EPERM) => format!(
                "io_uring_setup: {e} (kernel.io_uring_disabled, or a seccomp filter such as a container's)"
            ),
            _ => format!("io_uring_setup: {e}"),
        })?;
        let mut probe = probe::empty_probe();
        // SAFETY: `probe` has room for `PROBE_OPS` entries, as the count says.
        unsafe {
            ring.register(
                abi::REGISTER_PROBE,
                (&mut probe as *mut abi::Probe).cast(),
                abi::PROBE_OPS as u32,
            )
        }
        .map_err(|e| format!("IORING_REGISTER_PROBE: {e} (a kernel before 5.6)"))?;
        let ops = probe::Ops::from_probe(&probe);
        probe::check_readiness(ring.features(), &ops)?;
        let (bufs, completion_off) = match probe::check_completion(&ops).and_then(|()| {
            BufRing::new(&ring, RECV_BUFFERS, RECV_BUFFER_SIZE)
                .map_err(|e| format!("IORING_REGISTER_PBUF_RING: {e} (a kernel before 5.19)"))
        }) {
            Ok(bufs) => (Some(RefCell::new(bufs)), None),
            Err(why) => (None, Some(why)),
        };
        let uring = Uring {
            ring: RefCell::new(ring),
            bufs,
            owners: RefCell::new(FdTable::default()),
            armed: RefCell::new(Vec::new()),
            conns: RefCell::new(Slab::new()),
            cqes: RefCell::new(Vec::with_capacity(CQES_PER_WAIT)),
            completion_off,
            notifier,
        };
        uring.push(&poll_add_notifier(notifier));
        Ok(uring)
    }

    /// Whether TCP streams use the completion path here.
    pub(crate) fn completion_enabled(&self) -> bool {
        self.bufs.is_some()
    }

    /// What the kernel granted: the setup flags that matter and whether TCP streams use
    /// the completion path (or why not).
    pub(crate) fn describe(&self) -> String {
        let flags = self.ring.borrow().setup_flags();
        let names: Vec<&str> = [
            (abi::SETUP_SINGLE_ISSUER, "SINGLE_ISSUER"),
            (abi::SETUP_DEFER_TASKRUN, "DEFER_TASKRUN"),
            (abi::SETUP_COOP_TASKRUN, "COOP_TASKRUN"),
            (abi::SETUP_SUBMIT_ALL, "SUBMIT_ALL"),
        ]
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, name)| name)
        .collect();
        let streams = match &self.completion_off {
            None => "TCP streams on completion I/O".to_string(),
            Some(why) => format!("TCP streams on readiness ({why})"),
        };
        format!("io_uring with {}; {streams}", names.join(" | "))
    }

    /// `io_uring_enter` calls made so far.
    pub(crate) fn enters(&self) -> u64 {
        self.ring.borrow().enters()
    }

    /// Registers `fd` under `token` and arms its poll (submitted with the next
    /// `io_uring_enter`).
    ///
    /// # Errors
    /// `EBADF` if `fd` is not open, `EPERM` for a regular file or a directory (as
    /// `epoll_ctl` says: polling them means nothing), `EEXIST` if it is registered
    /// already.
    pub(crate) fn add(&self, fd: RawFd, token: Token) -> io::Result<()> {
        if token & 0xffff_ffff >= MAX_INDEX {
            return Err(io::Error::other(
                "the io_uring backend holds at most 2^30 registrations",
            ));
        }
        refuse_files(fd)?;
        self.owners.borrow_mut().insert(fd, token)?;
        self.arm(fd, token);
        Ok(())
    }

    /// Forgets `fd`'s registration `token`; removes its poll if armed and submits the
    /// removal at once, so that the fd, closed next by its owner, is released by the
    /// kernel now (a listener stops accepting, a peer sees the close). A removal that
    /// finds the poll busy (`EALREADY`: a wake-up of it waited for this thread to enter,
    /// which the same call then ran) is made once more, at once.
    pub(crate) fn delete(&self, fd: RawFd, token: Token) {
        self.owners.borrow_mut().remove(fd, token);
        if self.disarm(token) {
            let mut ring = self.ring.borrow_mut();
            let _ = ring.enter(false, None);
            let busy = |c: &Cqe| c.user_data == token | REMOVE_TAG && c.res == -libc::EALREADY;
            if ring.peek_any(busy) {
                drop(ring);
                self.push(&poll_remove(token));
                let _ = self.ring.borrow_mut().enter(false, None);
            }
        }
    }

    /// Arms `fd`'s multishot poll (registration `token`) unless it is armed: at
    /// registration, and again when a task waits on a registration whose poll the kernel
    /// ended (see [`readiness`](Uring::readiness)).
    pub(crate) fn arm(&self, fd: RawFd, token: Token) {
        let index = slot(token);
        let mut armed = self.armed.borrow_mut();
        if armed.len() <= index {
            armed.resize(index + 1, None);
        }
        if armed[index].map(|a| a.token) != Some(token) {
            drop(armed);
            let position = self.push(&poll_add(fd, token));
            let pushed_at = self.ring.borrow().enters();
            self.armed.borrow_mut()[index] = Some(Armed {
                token,
                fd,
                position,
                pushed_at,
            });
        }
    }

    /// Removes the poll of registration `token` if armed: retracts its `POLL_ADD` if no
    /// `io_uring_enter` took it yet, else pushes its removal (not submitted); returns
    /// whether a removal was pushed.
    pub(crate) fn disarm(&self, token: Token) -> bool {
        let armed = {
            let mut armed = self.armed.borrow_mut();
            match armed.get_mut(slot(token)) {
                Some(entry) if entry.map(|a| a.token) == Some(token) => entry.take(),
                _ => None,
            }
        };
        let Some(armed) = armed else {
            return false;
        };
        let mut ring = self.ring.borrow_mut();
        if armed.pushed_at == ring.enters() && ring.retract(armed.position) {
            return false;
        }
        drop(ring);
        self.push(&poll_remove(token));
        true
    }

    /// A removal of registration `token`'s poll failed with `-errno` `res`. `EALREADY`:
    /// a wake-up of the poll was being handled (with `DEFER_TASKRUN`, until this thread
    /// next enters), so the poll stays armed; ask again. Anything else (`ENOENT`: the
    /// poll had ended) leaves nothing to remove.
    fn removal_failed(&self, token: Token, res: i32) {
        if res == -libc::EALREADY {
            self.push(&poll_remove(token));
        }
    }

    /// Pushes `sqe`, submitting what the ring holds first if it is full; returns its
    /// position in the submission ring.
    fn push(&self, sqe: &Sqe) -> u32 {
        let mut ring = self.ring.borrow_mut();
        loop {
            if let Some(position) = ring.push(sqe) {
                return position;
            }
            // Full: submit now (the entries are taken even if the call then fails with
            // a signal; anything else would be a broken ring, which the wait reports).
            let _ = ring.enter(false, None);
        }
    }

    /// Submits everything pushed and waits until a completion is there or `timeout`
    /// passes (`None`: forever; zero: only submits and collects), then returns the
    /// completions, copied out of the ring. A signal never ends the wait early, nor does
    /// any other return of `io_uring_enter` with no completion: the wait goes on with
    /// the time left.
    ///
    /// # Errors
    /// The OS error of `io_uring_enter` other than `EINTR`, `ETIME` and the transient
    /// `EAGAIN`/`EBUSY`, or [`reentrant_wait`].
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> io::Result<RefMut<'_, Vec<Cqe>>> {
        let mut cqes = self.cqes.try_borrow_mut().map_err(|_| reentrant_wait())?;
        cqes.clear();
        let mut ring = self.ring.borrow_mut();
        if timeout == Some(Duration::ZERO) || ring.has_completions() {
            tolerate(ring.enter(false, None))?;
        } else {
            let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
            let mut left = timeout;
            loop {
                tolerate(ring.enter(true, left))?;
                if ring.has_completions() {
                    break;
                }
                if let Some(deadline) = deadline {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    left = Some(deadline - now);
                }
            }
        }
        ring.reap(&mut cqes, CQES_PER_WAIT);
        if cqes.len() < CQES_PER_WAIT && ring.overflowed() {
            // Completions that did not fit wait in the kernel: this moves them in.
            tolerate(ring.enter(false, None))?;
            let room = CQES_PER_WAIT - cqes.len();
            ring.reap(&mut cqes, room);
        }
        Ok(cqes)
    }

    /// Decides what one completion means, updating the backend's own state (a poll
    /// that ended is re-armed; a connection's operation is recorded).
    pub(crate) fn route(&self, cqe: &Cqe) -> Route {
        match cqe.user_data {
            NOTIFIER_TOKEN => {
                if cqe.flags & abi::CQE_F_MORE == 0 {
                    // The kernel ended the notifier's poll (e.g. the ring overflowed).
                    // Re-arm it: another thread may write the eventfd at any time.
                    self.push(&poll_add_notifier(self.notifier));
                }
                if cqe.res > 0 && cqe.res & i32::from(libc::POLLIN) != 0 {
                    Route::Notifier
                } else {
                    Route::Nothing
                }
            }
            IGNORED => Route::Nothing,
            data if data & COMPLETION_TAG != 0 => self.complete(cqe),
            data if data & REMOVE_TAG != 0 => {
                self.removal_failed(data & !REMOVE_TAG, cqe.res);
                Route::Nothing
            }
            token => self.readiness(token, cqe),
        }
    }

    /// A multishot poll's completion: the registration's readiness.
    fn readiness(&self, token: Token, cqe: &Cqe) -> Route {
        let Some(fd) = self.armed_fd(token) else {
            return Route::Nothing; // removed, or an earlier owner of the slot
        };
        if cqe.flags & abi::CQE_F_MORE == 0 {
            // The poll ended (the completion ring overflowed, say). Arm it again, unless
            // it failed: then its fd is broken, and the I/O call the readiness below
            // leads to reports how.
            self.armed.borrow_mut()[slot(token)] = None;
            if cqe.res >= 0 {
                self.arm(fd, token);
            }
        }
        let mask = if cqe.res < 0 {
            // The poll failed (the fd is gone, say): readable and writable, so that the
            // I/O call reports what is wrong.
            (libc::POLLERR | libc::POLLNVAL) as i32
        } else {
            cqe.res
        };
        Route::Event(super::poll::event(token, mask as libc::c_short))
    }

    /// The fd of registration `token` if its poll is armed.
    fn armed_fd(&self, token: Token) -> Option<RawFd> {
        match self.armed.borrow().get(slot(token)).copied().flatten() {
            Some(armed) if armed.token == token => Some(armed.fd),
            _ => None,
        }
    }

    /// Whether registration `token`'s poll is armed (for tests).
    #[cfg(test)]
    fn armed(&self, token: Token) -> bool {
        self.armed_fd(token).is_some()
    }
}

/// Lets the transient returns of `io_uring_enter` through as `Ok`: a signal (`EINTR`),
/// the timeout (`ETIME`), a kernel short of memory for submissions (`EAGAIN`, `EBUSY`:
/// the entries stay in the ring for the next call). The caller's loop decides whether
/// the wait is over.
fn tolerate(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EINTR | libc::ETIME | libc::EAGAIN | libc::EBUSY)
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// The removal of registration `token`'s poll; it posts a completion only if it fails.
fn poll_remove(token: Token) -> Sqe {
    Sqe {
        opcode: abi::OP_POLL_REMOVE,
        flags: abi::IOSQE_CQE_SKIP_SUCCESS,
        addr: token,
        user_data: token | REMOVE_TAG,
        ..Sqe::default()
    }
}

/// The notifier's multishot poll: readable only (reading the eventfd makes it
/// writable, which is no news).
fn poll_add_notifier(notifier: RawFd) -> Sqe {
    Sqe {
        op_flags: libc::POLLIN as u32,
        ..poll_add(notifier, NOTIFIER_TOKEN)
    }
}

/// `EBADF` unless `fd` is open, `EPERM` if it is a regular file or a directory (one
/// `fstat`, where epoll's registration is one `epoll_ctl`).
fn refuse_files(fd: RawFd) -> io::Result<()> {
    if fd < 0 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes one `struct stat` into the buffer it is given.
    cvt(unsafe { libc::fstat(fd, stat.as_mut_ptr()) })?;
    // SAFETY: fstat succeeded, so it filled the structure.
    let mode = unsafe { stat.assume_init() }.st_mode & libc::S_IFMT;
    if mode == libc::S_IFREG || mode == libc::S_IFDIR {
        return Err(io::Error::from_raw_os_error(libc::EPERM));
    }
    Ok(())
}

/// The slab index of a registration's token.
fn slot(token: Token) -> usize {
    (token & 0xffff_ffff) as usize
}

/// A multishot, edge-triggered poll of `fd` for both directions, urgent data, peer
/// shutdown, hang-up and errors, reporting under `token`. Errors and hang-ups are asked
/// for by name: a wake-up that carries only `EPOLLERR` (a UDP socket's ICMP error) is
/// filtered out by a poll that did not ask for it, where epoll always reports them.
fn poll_add(fd: RawFd, token: Token) -> Sqe {
    let events = libc::POLLIN
        | libc::POLLOUT
        | libc::POLLPRI
        | libc::POLLRDHUP
        | libc::POLLERR
        | libc::POLLHUP;
    Sqe {
        opcode: abi::OP_POLL_ADD,
        fd,
        len: abi::POLL_ADD_MULTI,
        op_flags: events as u32,
        user_data: token,
        ..Sqe::default()
    }
}

impl Drop for Uring {
    fn drop(&mut self) {
        self.drain_in_flight();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::eventfd::eventfd;
    use std::os::fd::AsRawFd;

    /// A backend with a fresh notifier (kept open by the caller), or `None` (said on
    /// stderr) where the kernel refuses io_uring.
    fn uring() -> Option<(Uring, std::os::fd::OwnedFd)> {
        let notifier = eventfd().unwrap();
        match Uring::new(notifier.as_raw_fd()) {
            Ok(uring) => Some((uring, notifier)),
            Err(why) => {
                eprintln!("skipped: io_uring unavailable: {why}");
                None
            }
        }
    }

    #[test]
    fn a_poll_is_armed_once_and_disarmed_once() {
        let Some((uring, _notifier)) = uring() else {
            return;
        };
        let fd = eventfd().unwrap();
        let pushed = uring.ring.borrow().unsubmitted();
        uring.add(fd.as_raw_fd(), 7).unwrap();
        uring.arm(fd.as_raw_fd(), 7);
        assert_eq!(
            uring.ring.borrow().unsubmitted(),
            pushed + 1,
            "one POLL_ADD"
        );
        assert!(uring.armed(7));
        assert!(
            !uring.disarm(7),
            "not yet submitted: retracted, nothing to remove"
        );
        assert!(!uring.armed(7));
        uring.arm(fd.as_raw_fd(), 7);
        uring.ring.borrow_mut().enter(false, None).unwrap();
        assert!(uring.disarm(7), "submitted: a removal is pushed");
        assert!(!uring.disarm(7), "nothing left to remove");
        assert!(!uring.armed(7));
    }

    #[test]
    fn completions_route_by_their_user_data() {
        let Some((uring, _notifier)) = uring() else {
            return;
        };
        let cqe = |user_data, res, flags| Cqe {
            user_data,
            res,
            flags,
        };
        // A poll that is not armed (removed, or an earlier owner of the slot): nothing.
        assert!(matches!(uring.route(&cqe(3, 1, 0)), Route::Nothing));
        // An armed poll's event, and the end of the poll: armed no more.
        let fd = eventfd().unwrap();
        uring.add(fd.as_raw_fd(), 3).unwrap();
        let mask = i32::from(libc::POLLIN);
        match uring.route(&cqe(3, mask, abi::CQE_F_MORE)) {
            Route::Event(event) => assert!(event.readable && !event.writable),
            other => panic!("{other:?}"),
        }
        assert!(uring.armed(3));
        let pushed = uring.ring.borrow().unsubmitted();
        assert!(matches!(uring.route(&cqe(3, mask, 0)), Route::Event(_)));
        assert!(uring.armed(3), "an ended poll is armed again");
        assert_eq!(uring.ring.borrow().unsubmitted(), pushed + 1);
        // One that failed is not (its fd is broken): the readiness leads to the error.
        match uring.route(&cqe(3, -libc::EBADF, 0)) {
            Route::Event(event) => assert!(event.readable && event.writable),
            other => panic!("{other:?}"),
        }
        assert!(!uring.armed(3));
        // The notifier: readable news only.
        assert!(matches!(
            uring.route(&cqe(NOTIFIER_TOKEN, mask, abi::CQE_F_MORE)),
            Route::Notifier
        ));
        let out = i32::from(libc::POLLOUT);
        assert!(matches!(
            uring.route(&cqe(NOTIFIER_TOKEN, out, abi::CQE_F_MORE)),
            Route::Nothing
        ));
        // A stream's completion whose stream is gone; a failed cancellation.
        assert!(matches!(
            uring.route(&cqe(COMPLETION_TAG | 5, 10, 0)),
            Route::Nothing
        ));
        assert!(matches!(uring.route(&cqe(IGNORED, -2, 0)), Route::Nothing));
    }

    #[test]
    fn files_are_refused_as_epoll_refuses_them() {
        let Some((uring, _notifier)) = uring() else {
            return;
        };
        let file = std::fs::File::open("Cargo.toml").unwrap();
        let err = uring.add(file.as_raw_fd(), 1).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
        let err = uring.add(crate::sys::closed_fd(970), 2).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    }

    #[test]
    fn the_description_names_the_flags_and_the_stream_path() {
        let Some((uring, _notifier)) = uring() else {
            return;
        };
        let text = uring.describe();
        assert!(text.starts_with("io_uring with"), "{text}");
        assert!(text.contains("TCP streams on"), "{text}");
    }
}
