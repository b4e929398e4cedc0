//! The dump server: in debug mode each loop answers `evloop-ps` (the workspace's `ps/`)
//! with its task dump, on a Unix socket of its own, like `python -m asyncio ps PID`
//! reads a live asyncio process.
//!
//! The socket is `$XDG_RUNTIME_DIR/evloop-PID-N.sock` (`/tmp/...` without that variable),
//! `N` the loop's index in the process, mode 0600 so that only the process's user (and
//! root) may connect; the server also checks each peer's user id. It is removed when the
//! runtime is dropped; a process that dies without dropping it leaves a stale socket,
//! which `evloop-ps` recognizes (and the next process with that id replaces).
//!
//! The loop serves between turns, never inside a task's poll: the listener and every
//! connection are registered with the loop's own reactor, whose readiness wakes a flag
//! ([`DumpServer::has_work`]) that the end of each turn checks. Every socket is
//! non-blocking and each connection resumes where it stopped (`client.rs`), so a client
//! that sends slowly, reads slowly or not at all costs the loop nothing; at most
//! [`MAX_CLIENTS`] are kept, each for at most ten seconds. While a task blocks the thread
//! the loop cannot answer: `evloop-ps` times out and says so.
//!
//! Outside debug mode there is no server, and a turn pays one `None` check for it.

mod client;
mod sys;

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Instant;

use evloop_reactor::{Direction, Interest, Reactor, Registration};

use self::client::Client;
pub(crate) use self::client::Format;
use super::EventLoop;

/// How many of a busy loop's non-blocking I/O checks may skip the dump server's sockets
/// in a row, when they are the only ones (`readiness.rs`).
pub(super) const DUMP_CHECK_INTERVAL: u32 = 64;

/// The most connections served at once; a new one beyond that closes the oldest.
const MAX_CLIENTS: usize = 8;

/// The socket a loop of this process serves on: `evloop-PID-N.sock` in
/// `$XDG_RUNTIME_DIR` (an absolute path), else in `/tmp`.
pub(crate) fn socket_path(loop_index: u16) -> PathBuf {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    dir.join(format!("evloop-{}-{loop_index}.sock", std::process::id()))
}

/// Set when the reactor found the listener or a connection ready.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A loop's dump server: its listening socket and the connections in progress.
pub(crate) struct DumpServer {
    /// The listener's registration; declared before `fd`, so it is dropped
    /// (deregistered) before the fd closes.
    listener: Registration,
    /// The listening socket.
    fd: OwnedFd,
    /// Where it listens; removed on drop.
    path: PathBuf,
    /// The loop's reactor, for the connections' registrations.
    reactor: Rc<Reactor>,
    /// Connections in progress, oldest first.
    clients: Vec<Client>,
    /// The flag the reactor's wakes set.
    woken: Arc<Woken>,
    /// The waker that sets `woken`, parked with every registration.
    waker: Waker,
    /// Non-blocking I/O checks that skipped the server's sockets since the last that did
    /// not (see [`DUMP_CHECK_INTERVAL`]).
    skipped_checks: Cell<u32>,
}

impl DumpServer {
    /// Listens for `evloop-ps` on the socket of loop `loop_index` of this process.
    ///
    /// # Errors
    /// If the socket cannot be made (its directory is missing or not writable, or its
    /// path is taken by something that is not this user's stale socket).
    pub(crate) fn start(reactor: &Rc<Reactor>, loop_index: u16) -> io::Result<DumpServer> {
        let path = socket_path(loop_index);
        let fd = sys::listen_at(&path).map_err(|err| with_path(err, &path))?;
        let listener = match Registration::with_reactor(reactor, fd.as_raw_fd(), Interest::READABLE)
        {
            Ok(listener) => listener,
            Err(err) => {
                let _ = std::fs::remove_file(&path);
                return Err(err);
            }
        };
        let woken = Arc::new(Woken::default());
        let waker = Waker::from(woken.clone());
        let server = DumpServer {
            listener,
            fd,
            path,
            reactor: reactor.clone(),
            clients: Vec::new(),
            woken,
            waker,
            skipped_checks: Cell::new(0),
        };
        // Park the waker: the first connection wakes it.
        let _ = server
            .listener
            .poll_ready(Direction::Read, &mut Context::from_waker(&server.waker));
        Ok(server)
    }

    /// Where it listens.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Did a connection arrive or become ready since the last [`serve`](Self::serve)?
    #[inline]
    pub(crate) fn has_work(&self) -> bool {
        self.woken.0.load(Ordering::Relaxed)
    }

    /// Accepts what is waiting, moves every connection along as far as it goes without
    /// blocking, and drops those done or expired. `render` makes a reply.
    pub(crate) fn serve(&mut self, render: &dyn Fn(Format) -> String) {
        self.woken.0.store(false, Ordering::Relaxed);
        self.accept_waiting();
        let now = Instant::now();
        let waker = &self.waker;
        self.clients
            .retain_mut(|client| !client.expired(now) && client.step(waker, render).is_pending());
    }

    /// Accepts connections until none waits, then parks the waker on the listener.
    fn accept_waiting(&mut self) {
        loop {
            match sys::accept(self.fd.as_raw_fd()) {
                Ok(Some(conn)) => self.admit(conn),
                Ok(None) => {
                    self.listener.clear_ready(Direction::Read);
                    let mut cx = Context::from_waker(&self.waker);
                    if self
                        .listener
                        .poll_ready(Direction::Read, &mut cx)
                        .is_pending()
                    {
                        return;
                    }
                }
                // Out of fds, or the like: try again at the next wake (the listener's
                // readiness stays set, so the next turn's serve comes back here).
                Err(_) => {
                    self.woken.0.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
    }

    /// Takes connection `conn` in, or refuses it if its peer is another user.
    fn admit(&mut self, conn: OwnedFd) {
        let me = sys::euid();
        let client = match sys::peer_uid(conn.as_raw_fd()) {
            Ok(uid) if uid == me || uid == 0 => Client::new(&self.reactor, conn),
            Ok(uid) => Client::refused(
                &self.reactor,
                conn,
                format!("error: this process's task dump is for user {me} only, not {uid}\n"),
            ),
            Err(_) => return,
        };
        if let Ok(client) = client {
            if self.clients.len() == MAX_CLIENTS {
                self.clients.remove(0);
            }
            self.clients.push(client);
        }
    }
}

impl Drop for DumpServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl EventLoop {
    /// Debug mode, at the end of a turn: serves `evloop-ps` if a connection is waiting.
    #[inline]
    pub(super) fn serve_dumps(&self) {
        if let Some(server) = &self.dump_server {
            if server.borrow().has_work() {
                self.serve_dumps_now(server);
            }
        }
    }

    /// Debug mode: should a non-blocking I/O check be made, `registered` fds being
    /// registered? Yes if some are not the dump server's (its listener and connections),
    /// else once in [`DUMP_CHECK_INTERVAL`] calls.
    #[cold]
    pub(super) fn io_beyond_dumps(&self, registered: usize) -> bool {
        let Some(server) = &self.dump_server else {
            return true;
        };
        let server = server.borrow();
        if registered > 1 + server.clients.len() {
            return true;
        }
        let skipped = server.skipped_checks.get() + 1;
        server.skipped_checks.set(skipped % DUMP_CHECK_INTERVAL);
        skipped == DUMP_CHECK_INTERVAL
    }

    /// Debug mode: is a connection waiting to be served? Work for the turn, as a ready
    /// task is: the loop ends its wait (or its spin to the next timer) for it.
    #[inline]
    pub(super) fn has_dumps_to_serve(&self) -> bool {
        self.dump_server
            .as_ref()
            .is_some_and(|server| server.borrow().has_work())
    }

    /// `serve_dumps` when there is work.
    #[cold]
    fn serve_dumps_now(&self, server: &RefCell<DumpServer>) {
        let render = |format| crate::task::dump::render(self, format);
        server.borrow_mut().serve(&render);
    }

    /// Debug mode: the dump server of a new loop, or `None` (with a line on stderr
    /// saying why) if its socket cannot be made.
    pub(super) fn start_dump_server(
        reactor: &Rc<Reactor>,
        loop_index: u16,
    ) -> Option<RefCell<DumpServer>> {
        match DumpServer::start(reactor, loop_index) {
            Ok(server) => Some(RefCell::new(server)),
            Err(err) => {
                eprintln!("evloop debug: {err}; `evloop-ps` cannot reach this loop");
                None
            }
        }
    }
}

/// `err` with the socket's path in its message.
fn with_path(err: io::Error, path: &Path) -> io::Error {
    io::Error::new(
        err.kind(),
        format!("cannot serve task dumps on {}: {err}", path.display()),
    )
}
