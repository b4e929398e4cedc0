//! The floor of the harness's `echo` workload: an echo server with no runtime at all.
//!
//! One thread, level-triggered epoll, non-blocking sockets, and a fixed 4 KiB buffer per
//! connection. Each readiness event costs one `recv` and one `send`: the least a
//! readiness-based server can do per message (no `EAGAIN` probe, no task, no waker).
//! When a `send` is short (the peer reads slower than it writes), the rest waits in the
//! connection's buffer and the fd is watched for `EPOLLOUT` instead of `EPOLLIN` until it
//! is flushed: the same backpressure the runtimes' `write_all` gives.
//!
//! With `--threads N`: N such threads, each with its own epoll and its own
//! `SO_REUSEPORT` listener on the one port (the kernel spreads the connections), sharing
//! nothing: the floor of a thread-per-core server.
//!
//! ```text
//! cargo run --release -p evloop-bench --bin epoll_echo_server -- --port 7881 [--threads N]
//! ```

mod common;
mod rawnet;

use std::io;
use std::net::TcpListener;
use std::ops::Range;
use std::os::fd::{AsRawFd, OwnedFd};

/// The token of the listening socket (connections use their fd).
const LISTENER: u64 = u64::MAX;

/// One connection: its socket and its fixed buffer.
struct Conn {
    /// The socket (closed on drop, which also removes it from epoll).
    fd: OwnedFd,
    /// Bytes read and not yet echoed live in `buf[pending]`.
    buf: [u8; 4096],
    /// The part of `buf` still to send; empty while waiting for input.
    pending: Range<usize>,
}

impl Conn {
    /// Handles a readiness event; `Ok(false)` when the connection is finished.
    fn on_event(&mut self, ep: &rawnet::Epoll) -> io::Result<bool> {
        if self.pending.is_empty() {
            match rawnet::recv(self.fd.as_raw_fd(), &mut self.buf) {
                Ok(0) => return Ok(false),
                Ok(n) => self.pending = 0..n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
                Err(e) => return Err(e),
            }
            self.flush(ep, false)
        } else {
            self.flush(ep, true)
        }
    }

    /// Sends `buf[pending]`; on a full send buffer keeps the rest and watches `EPOLLOUT`
    /// (`watching_out`: already watching it).
    fn flush(&mut self, ep: &rawnet::Epoll, watching_out: bool) -> io::Result<bool> {
        let fd = self.fd.as_raw_fd();
        while !self.pending.is_empty() {
            match rawnet::send(fd, &self.buf[self.pending.clone()]) {
                Ok(n) => self.pending.start += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !watching_out {
                        ep.modify(fd, rawnet::OUT, fd as u64)?;
                    }
                    return Ok(true);
                }
                Err(e) => return Err(e),
            }
        }
        if watching_out {
            ep.modify(fd, rawnet::IN, fd as u64)?;
        }
        Ok(true)
    }
}

fn main() -> io::Result<()> {
    let args = common::args(
        "epoll_echo_server [--port N] [--threads N]",
        &[],
        Some("--threads"),
    );
    common::raise_fd_limit();
    let Some(threads) = args.count else {
        let listener = TcpListener::bind(("127.0.0.1", args.port))?;
        listener.set_nonblocking(true)?;
        common::listen_backlog(&listener)?;
        common::announce(listener.local_addr()?);
        return serve(&listener);
    };
    // Every listener is bound (on the first one's port) before the address is announced,
    // so that the kernel spreads even the first connections over all of them.
    let first = rawnet::reuseport_listener(args.port, 4096)?;
    let addr = first.local_addr()?;
    let mut listeners = vec![first];
    for _ in 1..threads {
        listeners.push(rawnet::reuseport_listener(addr.port(), 4096)?);
    }
    common::announce(addr);
    let workers: Vec<_> = listeners
        .into_iter()
        .map(|listener| std::thread::spawn(move || serve(&listener)))
        .collect();
    for worker in workers {
        worker.join().expect("a server thread panicked")?;
    }
    Ok(())
}

/// Serves the connections of `listener` on this thread, with its own epoll, forever.
fn serve(listener: &TcpListener) -> io::Result<()> {
    let ep = rawnet::Epoll::new()?;
    ep.add(listener.as_raw_fd(), rawnet::IN, LISTENER)?;
    // Indexed by fd.
    let mut conns: Vec<Option<Box<Conn>>> = Vec::new();
    let mut events = rawnet::events(1024);
    loop {
        let n = ep.wait(&mut events, -1)?;
        for ev in &events[..n] {
            let (_, token) = rawnet::split(ev);
            if token == LISTENER {
                accept_all(listener, &ep, &mut conns)?;
                continue;
            }
            let slot = &mut conns[token as usize];
            if let Some(conn) = slot {
                if !matches!(conn.on_event(&ep), Ok(true)) {
                    *slot = None; // closes the socket
                }
            }
        }
    }
}

/// Accepts every queued connection.
fn accept_all(
    listener: &TcpListener,
    ep: &rawnet::Epoll,
    conns: &mut Vec<Option<Box<Conn>>>,
) -> io::Result<()> {
    loop {
        let fd = match rawnet::accept(listener.as_raw_fd()) {
            Ok(fd) => fd,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };
        rawnet::set_nodelay(fd.as_raw_fd())?;
        let raw = fd.as_raw_fd();
        ep.add(raw, rawnet::IN, raw as u64)?;
        let i = raw as usize;
        if conns.len() <= i {
            conns.resize_with(i + 1, || None);
        }
        conns[i] = Some(Box::new(Conn {
            fd,
            buf: [0; 4096],
            pending: 0..0,
        }));
    }
}
