//! The completion path of TCP streams on io_uring: what `read`, `write`, `flush`,
//! `shutdown` and dropping the stream do with its [`Conn`], and what each completion does.
//!
//! - **read**: bytes a receive brought are copied out (and its buffer given back once
//!   empty). With none, one receive is pushed (to go with the turn's `io_uring_enter`)
//!   and the reader parks. The receive names no buffer: the kernel picks one from the
//!   [`BufRing`](super::buf_ring::BufRing) when data arrives. One receive at most is in
//!   flight per stream, and only while someone reads: a stream nobody reads holds no
//!   buffer and lets the kernel's receive window push back on the peer, as on epoll.
//!   When the ring has run dry (`ENOBUFS`) the receive is made again, once from the
//!   ring (the readers of the turn give buffers back before the next enter) and then
//!   into a buffer of the stream's own, freed once read.
//! - **write**: the bytes are copied into the stream's send buffer and `Ok(n)` returned
//!   at once; the send goes with the turn's `io_uring_enter`. One send is in flight at a
//!   time (so bytes leave in order); bytes written meanwhile queue behind it. At most
//!   [`SEND_BOUND`] bytes wait unsent: beyond that `write` parks until a send completes,
//!   so a slow peer suspends the writer as a full socket buffer does on epoll. An error
//!   of a send is reported by the next write (like an error of the kernel's own
//!   background transmission).
//! - **flush** waits until every accepted byte has been handed to the kernel.
//! - **shutdown(Write)** with bytes still unsent is done after the last send completes,
//!   so the FIN never overtakes data.
//! - **drop**: a receive in flight is cancelled (`ASYNC_CANCEL`); a send in flight
//!   carries on, with whatever was queued behind it, so that bytes `write` accepted
//!   still reach the peer, as the kernel sends a closed socket's buffered bytes (unless
//!   `SO_LINGER` is 0: then it is cancelled too and the close resets, as the kernel
//!   discards its own). The `Conn` (and every buffer the kernel may touch) stays until
//!   its last completion; a send the peer never lets finish lasts until the loop ends.
//!
//! # File descriptor numbers
//!
//! A submission names its fd by number, and the kernel resolves the number when it
//! takes the submission, not when it is pushed. So before the stream's fd is closed,
//! everything pushed for it is submitted at once (one `io_uring_enter` in
//! [`Uring::conn_close`], only when something is pending), and a send that must go on
//! after the close uses a duplicate of the fd that the `Conn` owns.

#![allow(unsafe_code)]

use std::io;
use std::net::Shutdown;
use std::os::fd::RawFd;
use std::task::{Context, Poll, Waker};

use super::abi::{self, Cqe, Sqe};
use super::buf_ring;
use super::conn::{Conn, OpSlot, Received};
use super::{Route, Uring, COMPLETION_TAG, IGNORED, MAX_INDEX, SEND_TAG};
use crate::slab::Token;

/// The most bytes a stream holds accepted but unsent; `write` waits beyond it.
pub(crate) const SEND_BOUND: usize = 64 * 1024;

/// Flags of every send: no `SIGPIPE` (a closed peer gives `EPIPE`), and the whole
/// buffer (the kernel retries a short send itself).
const SEND_FLAGS: u32 = (libc::MSG_NOSIGNAL | libc::MSG_WAITALL) as u32;

impl Uring {
    /// Starts the completion path for the connected stream socket `fd`; returns its key.
    ///
    /// # Errors
    /// More than 2^30 streams at once.
    pub(crate) fn conn_open(&self, fd: RawFd) -> io::Result<Token> {
        let mut conns = self.conns.borrow_mut();
        let key = conns.insert(Conn::new(fd));
        if key & 0xffff_ffff >= MAX_INDEX {
            conns.remove(key);
            return Err(io::Error::other(
                "the io_uring backend holds at most 2^30 streams",
            ));
        }
        Ok(key)
    }

    /// Reads into `buf` (not empty): bytes already received, else a receive is pushed
    /// and the task parks.
    pub(crate) fn conn_poll_read(
        &self,
        key: Token,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut conns = self.conns.borrow_mut();
        let conn = conns.get_mut(key).expect("a live stream's Conn");
        match conn.received {
            Received::Provided { bid, start, end } => {
                let n = (end - start).min(buf.len());
                let bufs = self.bufs();
                buf[..n].copy_from_slice(bufs.borrow().bytes(bid, start, n));
                if start + n == end {
                    conn.received = Received::Nothing;
                    bufs.borrow_mut().give_back(bid);
                } else {
                    conn.received = Received::Provided {
                        bid,
                        start: start + n,
                        end,
                    };
                }
                return Poll::Ready(Ok(n));
            }
            Received::Fallback { start, end } => {
                let n = (end - start).min(buf.len());
                buf[..n].copy_from_slice(&conn.fallback[start..start + n]);
                conn.received = if start + n == end {
                    conn.fallback = Vec::new();
                    Received::Nothing
                } else {
                    Received::Fallback {
                        start: start + n,
                        end,
                    }
                };
                return Poll::Ready(Ok(n));
            }
            Received::Nothing => {}
        }
        if let Some(errno) = conn.read_error.take() {
            return Poll::Ready(Err(io::Error::from_raw_os_error(errno)));
        }
        if conn.eof {
            return Poll::Ready(Ok(0));
        }
        if !conn.recv.in_flight {
            let sqe = recv_provided(conn, key);
            conn.recv = self.pushed(&sqe);
        }
        let replaced = park(&mut conn.reader, cx);
        drop(conns);
        drop(replaced);
        Poll::Pending
    }

    /// Accepts up to [`SEND_BOUND`] unsent bytes of `buf` (not empty); parks the task
    /// while the bound is reached.
    pub(crate) fn conn_poll_write(
        &self,
        key: Token,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut conns = self.conns.borrow_mut();
        let conn = conns.get_mut(key).expect("a live stream's Conn");
        if let Some(errno) = conn.write_error.take() {
            return Poll::Ready(Err(io::Error::from_raw_os_error(errno)));
        }
        if conn.write_shut {
            return Poll::Ready(Err(io::Error::from_raw_os_error(libc::EPIPE)));
        }
        let room = SEND_BOUND.saturating_sub(conn.unsent());
        if room == 0 {
            let replaced = park(&mut conn.writer, cx);
            drop(conns);
            drop(replaced);
            return Poll::Pending;
        }
        let n = room.min(buf.len());
        if conn.send.in_flight {
            conn.queued.extend_from_slice(&buf[..n]);
        } else {
            conn.sending.clear();
            conn.sending.extend_from_slice(&buf[..n]);
            conn.sent = 0;
            let sqe = send(conn, key);
            conn.send = self.pushed(&sqe);
        }
        Poll::Ready(Ok(n))
    }

    /// `Ready` once every accepted byte was handed to the kernel (or with the error a
    /// send met).
    pub(crate) fn conn_poll_flush(&self, key: Token, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut conns = self.conns.borrow_mut();
        let conn = conns.get_mut(key).expect("a live stream's Conn");
        if let Some(errno) = conn.write_error.take() {
            return Poll::Ready(Err(io::Error::from_raw_os_error(errno)));
        }
        if !conn.send.in_flight {
            return Poll::Ready(Ok(()));
        }
        let replaced = park(&mut conn.writer, cx);
        drop(conns);
        drop(replaced);
        Poll::Pending
    }

    /// Shuts down `how`; the write direction only once the unsent bytes are sent.
    ///
    /// # Errors
    /// The OS error of `shutdown(2)` (`ENOTCONN`, say) when it is made at once.
    pub(crate) fn conn_shutdown(&self, key: Token, how: Shutdown) -> io::Result<()> {
        let mut conns = self.conns.borrow_mut();
        let conn = conns.get_mut(key).expect("a live stream's Conn");
        let write = matches!(how, Shutdown::Write | Shutdown::Both);
        conn.write_shut |= write;
        if write && conn.send.in_flight {
            conn.shutdown_pending = true;
            if how == Shutdown::Both {
                return shutdown(conn.fd, libc::SHUT_RD);
            }
            return Ok(());
        }
        shutdown(
            conn.fd,
            match how {
                Shutdown::Read => libc::SHUT_RD,
                Shutdown::Write => libc::SHUT_WR,
                Shutdown::Both => libc::SHUT_RDWR,
            },
        )
    }

    /// The stream is being dropped (its fd closes right after): cancels the receive in
    /// flight, lets the sends go on (on a duplicate fd if more must be submitted), and
    /// submits what names the fd now. The `Conn` leaves the slab with its last
    /// completion.
    pub(crate) fn conn_close(&self, key: Token) {
        let mut conns = self.conns.borrow_mut();
        let Some(conn) = conns.get_mut(key) else {
            return;
        };
        conn.dropped = true;
        let wakers = (conn.reader.take(), conn.writer.take());
        if let Received::Provided { bid, .. } = std::mem::take(&mut conn.received) {
            self.bufs().borrow_mut().give_back(bid);
        }
        let mut submit_now = false;
        if conn.recv.in_flight {
            self.push(&Sqe {
                opcode: abi::OP_ASYNC_CANCEL,
                flags: abi::IOSQE_CQE_SKIP_SUCCESS,
                addr: key | COMPLETION_TAG,
                user_data: IGNORED,
                ..Sqe::default()
            });
            submit_now = true;
        }
        if conn.send.in_flight && lingers_zero(conn.fd) {
            // The program asked for a reset on close (`SO_LINGER` 0): unsent bytes are
            // discarded, as the kernel discards its own.
            self.push(&Sqe {
                opcode: abi::OP_ASYNC_CANCEL,
                flags: abi::IOSQE_CQE_SKIP_SUCCESS,
                addr: key | COMPLETION_TAG | SEND_TAG,
                user_data: IGNORED,
                ..Sqe::default()
            });
            submit_now = true;
            conn.queued.clear();
            conn.shutdown_pending = false;
        } else if conn.send.in_flight {
            submit_now |= self.not_yet_submitted(conn.send);
            // More may have to be submitted after the close (the queued bytes, the rest
            // of a short send, the deferred shutdown): on a duplicate of the fd.
            match dup(conn.fd) {
                Ok(fd) => {
                    conn.fd = fd;
                    conn.owns_fd = true;
                }
                Err(_) => {
                    conn.queued.clear();
                    conn.shutdown_pending = false;
                }
            }
        }
        if !conn.busy() {
            conns.remove(key);
        }
        drop(conns);
        if submit_now {
            let _ = self.ring.borrow_mut().enter(false, None);
        }
        drop(wakers);
    }

    /// A connection's completion: records it and returns the task to wake.
    pub(super) fn complete(&self, cqe: &Cqe) -> Route {
        let key = cqe.user_data & !(COMPLETION_TAG | SEND_TAG);
        let buffer = (cqe.flags & abi::CQE_F_BUFFER != 0)
            .then_some((cqe.flags >> abi::CQE_BUFFER_SHIFT) as u16);
        let mut conns = self.conns.borrow_mut();
        let Some(conn) = conns.get_mut(key) else {
            drop(conns);
            self.give_back(buffer);
            return Route::Nothing;
        };
        let waker = if cqe.user_data & SEND_TAG != 0 {
            self.send_done(conn, key, cqe.res)
        } else {
            self.recv_done(conn, key, cqe, buffer)
        };
        if conn.dropped && !conn.busy() {
            if let Some(conn) = conns.remove(key) {
                close_owned(&conn);
            }
        }
        Route::Wake(waker)
    }

    /// A receive completed with `cqe` (into provided buffer `buffer`, if any).
    fn recv_done(
        &self,
        conn: &mut Conn,
        key: Token,
        cqe: &Cqe,
        buffer: Option<u16>,
    ) -> Option<Waker> {
        conn.recv.in_flight = false;
        if conn.dropped {
            self.give_back(buffer);
            return None;
        }
        match cqe.res {
            n if n > 0 => {
                conn.starved = false;
                conn.more_waiting = cqe.flags & abi::CQE_F_SOCK_NONEMPTY != 0;
                let end = n as usize;
                conn.received = match buffer {
                    Some(bid) => Received::Provided { bid, start: 0, end },
                    None => Received::Fallback { start: 0, end },
                };
            }
            0 if conn.reset => {
                self.give_back(buffer);
                conn.reset = false;
                conn.read_error = Some(libc::ECONNRESET);
            }
            0 => {
                self.give_back(buffer);
                conn.eof = true;
            }
            e if e == -libc::ENOBUFS => {
                // Every provided buffer holds data not yet read. The readers of this
                // turn give theirs back before the next `io_uring_enter`, so try the
                // ring once more; if it is dry again, readers hold on to them: receive
                // into a buffer of our own.
                let sqe = if conn.starved {
                    conn.fallback = vec![0; self.bufs().borrow().size() as usize];
                    recv_fallback(conn, key)
                } else {
                    conn.more_waiting = true;
                    recv_provided(conn, key)
                };
                conn.starved = !conn.starved;
                conn.recv = self.pushed(&sqe);
                return None;
            }
            e => {
                self.give_back(buffer);
                conn.read_error = Some(-e);
            }
        }
        conn.reader.take()
    }

    /// A send completed with `res`.
    fn send_done(&self, conn: &mut Conn, key: Token, res: i32) -> Option<Waker> {
        conn.send.in_flight = false;
        let can_submit = !conn.dropped || conn.owns_fd;
        if res < 0 {
            if !conn.dropped {
                conn.write_error = Some(-res);
            }
            // The connection cannot take more: later writes fail at once, as `send`
            // does on a reset or shut socket.
            conn.write_shut = true;
            conn.reset |= res == -libc::ECONNRESET;
            conn.sending.clear();
            conn.sent = 0;
            conn.queued.clear();
            conn.shutdown_pending = false;
        } else {
            conn.sent += res as usize;
            if conn.sent < conn.sending.len() {
                // `MSG_WAITALL` ends short only when an error stopped it, and the kernel
                // returned the count instead, consuming the error: on TCP, a reset.
                conn.reset = true;
            }
            if conn.sent < conn.sending.len() && res > 0 && can_submit {
                let sqe = send(conn, key);
                conn.send = self.pushed(&sqe);
            } else if conn.sent < conn.sending.len() {
                // Nothing sent of a non-empty buffer: the connection cannot take more.
                if !conn.dropped {
                    conn.write_error = Some(libc::EPIPE);
                }
                conn.sending.clear();
                conn.sent = 0;
                conn.queued.clear();
            } else if !conn.queued.is_empty() && can_submit {
                std::mem::swap(&mut conn.sending, &mut conn.queued);
                conn.queued.clear();
                conn.sent = 0;
                let sqe = send(conn, key);
                conn.send = self.pushed(&sqe);
            } else {
                conn.sending.clear();
                conn.sent = 0;
                conn.queued.clear();
            }
        }
        if !conn.send.in_flight && conn.shutdown_pending {
            conn.shutdown_pending = false;
            if let Err(e) = shutdown(conn.fd, libc::SHUT_WR) {
                if !conn.dropped && conn.write_error.is_none() {
                    conn.write_error = e.raw_os_error();
                }
            }
        }
        conn.writer.take()
    }

    /// Pushes `sqe` and returns the slot that records it in flight.
    fn pushed(&self, sqe: &Sqe) -> OpSlot {
        self.push(sqe);
        OpSlot {
            in_flight: true,
            pushed_at: self.ring.borrow().enters(),
        }
    }

    /// Whether the operation `op` may not have reached the kernel yet.
    fn not_yet_submitted(&self, op: OpSlot) -> bool {
        let ring = self.ring.borrow();
        op.in_flight && (op.pushed_at == ring.enters() || ring.unsubmitted() > 0)
    }

    /// The receive buffers (only streams on the completion path call this, and it is on
    /// only with them).
    fn bufs(&self) -> &std::cell::RefCell<buf_ring::BufRing> {
        self.bufs
            .as_ref()
            .expect("the completion path runs only with its buffer ring")
    }

    /// Gives a provided buffer a completion handed us back to the ring.
    fn give_back(&self, buffer: Option<u16>) {
        if let (Some(bid), Some(bufs)) = (buffer, &self.bufs) {
            bufs.borrow_mut().give_back(bid);
        }
    }

    /// Cancels every operation in flight and waits (a bounded time) for their
    /// completions, so that no buffer is freed while the kernel may use it; what does
    /// not complete in time is leaked instead. Called when the backend is dropped.
    pub(super) fn drain_in_flight(&mut self) {
        let busy = |conns: &crate::slab::Slab<Conn>| conns.iter().any(|(_, c)| c.busy());
        if busy(&self.conns.borrow()) {
            self.push(&Sqe {
                opcode: abi::OP_ASYNC_CANCEL,
                op_flags: abi::ASYNC_CANCEL_ANY | abi::ASYNC_CANCEL_ALL,
                user_data: IGNORED,
                ..Sqe::default()
            });
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
            while busy(&self.conns.borrow()) && std::time::Instant::now() < deadline {
                let Ok(cqes) = self.wait(Some(std::time::Duration::from_millis(10))) else {
                    break;
                };
                let cqes: Vec<Cqe> = cqes.clone();
                for cqe in &cqes {
                    if cqe.user_data & COMPLETION_TAG != 0 && cqe.user_data != IGNORED {
                        drop(self.complete(cqe));
                    }
                }
            }
        }
        let conns = std::mem::replace(self.conns.get_mut(), crate::slab::Slab::new());
        let mut leaked = false;
        for (_, conn) in conns.into_values() {
            close_owned(&conn);
            if conn.busy() {
                // The kernel may still read `sending` or write `fallback`.
                leaked = true;
                std::mem::forget(conn);
            }
        }
        if let Some(bufs) = &mut self.bufs {
            let ring = self.ring.borrow();
            bufs.get_mut().unregister(&ring);
            if leaked {
                // A receive still in flight may yet write into a provided buffer.
                if let Some(bufs) = self.bufs.take() {
                    std::mem::forget(bufs);
                }
            }
        }
    }
}

/// A receive of `conn` into a buffer the kernel picks from the ring. It waits for
/// readiness first unless the last receive said data was left.
fn recv_provided(conn: &Conn, key: Token) -> Sqe {
    Sqe {
        opcode: abi::OP_RECV,
        flags: abi::IOSQE_BUFFER_SELECT,
        ioprio: if conn.more_waiting {
            0
        } else {
            abi::RECVSEND_POLL_FIRST
        },
        fd: conn.fd,
        buf_group: buf_ring::GROUP,
        user_data: key | COMPLETION_TAG,
        ..Sqe::default()
    }
}

/// A receive of `conn` into its own fallback buffer.
fn recv_fallback(conn: &mut Conn, key: Token) -> Sqe {
    Sqe {
        opcode: abi::OP_RECV,
        fd: conn.fd,
        addr: conn.fallback.as_mut_ptr() as u64,
        len: conn.fallback.len() as u32,
        user_data: key | COMPLETION_TAG,
        ..Sqe::default()
    }
}

/// A send of `conn`'s unsent bytes of `sending` (the kernel reads them until the send
/// completes; `sending` is left alone until then).
fn send(conn: &Conn, key: Token) -> Sqe {
    let rest = &conn.sending[conn.sent..];
    Sqe {
        opcode: abi::OP_SEND,
        fd: conn.fd,
        addr: rest.as_ptr() as u64,
        len: rest.len() as u32,
        op_flags: SEND_FLAGS,
        user_data: key | COMPLETION_TAG | SEND_TAG,
        ..Sqe::default()
    }
}

/// Parks `cx`'s waker in `slot`, returning the one it replaces (to drop outside the
/// borrow: a waker's drop may re-enter the reactor).
fn park(slot: &mut Option<Waker>, cx: &mut Context<'_>) -> Option<Waker> {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => None,
        _ => slot.replace(cx.waker().clone()),
    }
}

/// `shutdown(2)`.
fn shutdown(fd: RawFd, how: libc::c_int) -> io::Result<()> {
    // SAFETY: shutdown takes no pointers.
    crate::sys::cvt(unsafe { libc::shutdown(fd, how) }).map(drop)
}

/// Whether `fd`'s `SO_LINGER` is on with a zero timeout (closing it resets).
fn lingers_zero(fd: RawFd) -> bool {
    let mut linger = libc::linger {
        l_onoff: 0,
        l_linger: 0,
    };
    let mut len = std::mem::size_of::<libc::linger>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `linger`, which lives across
    // the call, and updates `len`.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&mut linger as *mut libc::linger).cast(),
            &mut len,
        )
    };
    r == 0 && linger.l_onoff != 0 && linger.l_linger == 0
}

/// `fcntl(F_DUPFD_CLOEXEC)`: a second fd for the same socket.
fn dup(fd: RawFd) -> io::Result<RawFd> {
    // SAFETY: F_DUPFD_CLOEXEC takes an integer and returns a new fd (or -1).
    crate::sys::cvt(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) })
}

/// Closes the duplicate fd a dropped stream's `Conn` owns, if it does.
fn close_owned(conn: &Conn) {
    if conn.owns_fd {
        // SAFETY: the duplicate is owned by this `Conn` alone, which is leaving.
        unsafe { libc::close(conn.fd) };
    }
}
