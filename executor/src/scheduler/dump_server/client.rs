//! One connection to the dump server: read a request line, write the reply, close. Each
//! step goes as far as the socket allows without blocking and resumes when the reactor
//! says the socket is ready again, so a slow or silent client costs the loop nothing.
//!
//! The protocol: the client sends one line, `dump tree`, `dump table` or `dump json`;
//! the server answers with that rendering of the loop's [`TaskDump`](crate::task::TaskDump)
//! and closes the connection. Anything else is answered with a line starting `error: `.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use evloop_reactor::{Direction, Interest, Reactor, Registration};

use super::sys;

/// The longest request line.
const MAX_REQUEST: usize = 64;

/// How long a client may take to send its request and read the reply.
const DEADLINE: Duration = Duration::from_secs(10);

/// How a dump is asked to be printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The await tree (`TaskDump`'s `Display`).
    Tree,
    /// One line a task (`TaskDump::table`).
    Table,
    /// JSON (`TaskDump::to_json`).
    Json,
}

/// A request (its first line counts) as a [`Format`], or the reply that refuses it.
pub(crate) fn parse(request: &[u8]) -> Result<Format, String> {
    let line = request.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match line {
        b"dump tree" => Ok(Format::Tree),
        b"dump table" => Ok(Format::Table),
        b"dump json" => Ok(Format::Json),
        other => Err(format!(
            "error: unknown request {:?}: send `dump tree`, `dump table` or `dump json` and a newline\n",
            String::from_utf8_lossy(other)
        )),
    }
}

/// Where a connection is.
enum Stage {
    /// Reading the request line, so far.
    Request(Vec<u8>),
    /// Writing the reply; `usize` bytes of it are sent.
    Reply(Vec<u8>, usize),
}

/// One connection.
pub(super) struct Client {
    /// Its registration with the loop's reactor, whose wakes reach the server's waker.
    /// Declared before `fd`, so it is dropped (deregistered) before the fd closes.
    reg: Registration,
    /// The connection.
    fd: OwnedFd,
    /// How far it got.
    stage: Stage,
    /// When it connected: it is dropped once [`DEADLINE`] has passed.
    since: Instant,
}

impl Client {
    /// A client on connection `fd`, registered with `reactor`.
    pub(super) fn new(reactor: &Rc<Reactor>, fd: OwnedFd) -> io::Result<Client> {
        let reg = Registration::with_reactor(reactor, fd.as_raw_fd(), Interest::BOTH)?;
        Ok(Client {
            reg,
            fd,
            stage: Stage::Request(Vec::new()),
            since: Instant::now(),
        })
    }

    /// A client refused before it asked anything: `reply` is all it gets.
    pub(super) fn refused(reactor: &Rc<Reactor>, fd: OwnedFd, reply: String) -> io::Result<Client> {
        let mut client = Client::new(reactor, fd)?;
        client.stage = Stage::Reply(reply.into_bytes(), 0);
        Ok(client)
    }

    /// Is it past its deadline?
    pub(super) fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.since) > DEADLINE
    }

    /// Goes as far as the socket allows: reads the request, asks `render` for the reply,
    /// writes it. `Ready` once the connection is done with (replied to, or failed), else
    /// `Pending` with `waker` parked for the next readiness.
    pub(super) fn step(&mut self, waker: &Waker, render: &dyn Fn(Format) -> String) -> Poll<()> {
        let mut cx = Context::from_waker(waker);
        loop {
            let fd = self.fd.as_raw_fd();
            match &mut self.stage {
                Stage::Request(request) => {
                    let mut buf = [0u8; MAX_REQUEST];
                    let room = MAX_REQUEST - request.len();
                    match sys::read(fd, &mut buf[..room]) {
                        Ok(Some(n)) => {
                            request.extend_from_slice(&buf[..n]);
                            let complete =
                                n == 0 || request.contains(&b'\n') || request.len() == MAX_REQUEST;
                            if complete {
                                let reply = parse(request).map_or_else(|refusal| refusal, render);
                                self.stage = Stage::Reply(reply.into_bytes(), 0);
                            }
                        }
                        Ok(None) => {
                            if self.wait(Direction::Read, &mut cx).is_pending() {
                                return Poll::Pending;
                            }
                        }
                        Err(_) => return Poll::Ready(()),
                    }
                }
                Stage::Reply(reply, sent) => {
                    if *sent == reply.len() {
                        return Poll::Ready(());
                    }
                    match sys::write(fd, &reply[*sent..]) {
                        Ok(Some(n)) => *sent += n,
                        Ok(None) => {
                            if self.wait(Direction::Write, &mut cx).is_pending() {
                                return Poll::Pending;
                            }
                        }
                        Err(_) => return Poll::Ready(()),
                    }
                }
            }
        }
    }

    /// After `EAGAIN`: forgets `dir` readiness and parks the waker for the next edge.
    /// `Ready` if an edge came in between (go on at once).
    fn wait(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<()> {
        self.reg.clear_ready(dir);
        self.reg.poll_ready(dir, cx).map(drop)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn requests_are_one_of_three_lines_and_anything_else_is_refused() {
        assert_eq!(parse(b"dump tree\n"), Ok(Format::Tree));
        assert_eq!(parse(b"dump table\r\n"), Ok(Format::Table));
        assert_eq!(parse(b"dump json"), Ok(Format::Json));
        let refusal = parse(b"\xffGET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap_err();
        assert!(
            refusal.starts_with("error: unknown request \"\u{fffd}GET / HTTP/1.1\""),
            "{refusal}"
        );
        assert!(refusal.ends_with('\n'));
    }
}
