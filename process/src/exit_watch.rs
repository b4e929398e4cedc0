//! [`ExitWatch`]: how the loop learns that a child exited, without blocking.
//!
//! - **pidfd** (Linux 5.3+): `pidfd_open` gives an fd that becomes readable when the
//!   child exits. It is registered with the loop's reactor like a socket, so the exit is
//!   one more readiness edge: no signal handler, no polling, no thread.
//! - **SIGCHLD** (older kernels, or a seccomp filter that forbids `pidfd_open`): the
//!   `evloop-signal` crate turns each `SIGCHLD` into a wake-up of a [`Signal`] stream;
//!   after each one, `waitpid(pid, WNOHANG)` says whether it was this child.
//!
//! Either way the status is collected with `waitpid(pid, WNOHANG)`, which never blocks.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::ExitStatus;
use std::task::{ready, Context, Poll};

use evloop_reactor::context::without_wait_sites;
use evloop_reactor::{Direction, Interest, Registration};
use evloop_signal::{signal, Signal, SignalKind};

use crate::sys;

/// What a running child's exit is watched through.
#[derive(Debug)]
pub(crate) enum ExitWatch {
    /// A pidfd registered with the loop's reactor.
    Pidfd {
        /// The pidfd's registration; declared first, so it is removed from epoll before
        /// the pidfd closes.
        reg: Registration,
        /// The pidfd itself.
        fd: OwnedFd,
    },
    /// `SIGCHLD` deliveries; the stream is made on the first poll.
    Sigchld(Option<Signal>),
}

impl ExitWatch {
    /// A pidfd watch for `pid` if the kernel gives one, else the `SIGCHLD` fallback.
    ///
    /// # Errors
    /// Registering the pidfd failed (e.g. no loop runs on this thread).
    pub(crate) fn new(pid: u32) -> io::Result<ExitWatch> {
        match sys::pidfd_open(pid) {
            Ok(fd) => ExitWatch::pidfd(fd),
            Err(_) => Ok(ExitWatch::Sigchld(None)),
        }
    }

    /// A watch through `fd`, a pidfd.
    pub(crate) fn pidfd(fd: OwnedFd) -> io::Result<ExitWatch> {
        let reg = Registration::new(fd.as_raw_fd(), Interest::READABLE)?;
        Ok(ExitWatch::Pidfd { reg, fd })
    }

    /// `Ready` with the status once `pid` has exited and been reaped; `Pending` (the
    /// task's waker kept) until then.
    pub(crate) fn poll_exit(
        &mut self,
        pid: u32,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<ExitStatus>> {
        match self {
            ExitWatch::Pidfd { reg, .. } => loop {
                ready!(reg.poll_ready(Direction::Read, cx))?;
                match reap(pid)? {
                    Some(status) => return Poll::Ready(Ok(status)),
                    None => reg.clear_ready(Direction::Read),
                }
            },
            ExitWatch::Sigchld(stream) => {
                let stream = match stream {
                    Some(stream) => stream,
                    // Listen before looking, so an exit in between still wakes us.
                    None => stream.insert(signal(SignalKind::from_raw(libc::SIGCHLD))?),
                };
                loop {
                    if let Some(status) = reap(pid)? {
                        return Poll::Ready(Ok(status));
                    }
                    // The child's wait notes its own site (a child exit), not this one's.
                    if ready!(without_wait_sites(|| stream.poll_recv(cx))).is_none() {
                        return Poll::Ready(Err(io::Error::other(
                            "the SIGCHLD stream failed; the child's exit cannot be watched",
                        )));
                    }
                }
            }
        }
    }

    /// The pidfd, for the background reaper, if this watch has one.
    pub(crate) fn into_pidfd(self) -> Option<OwnedFd> {
        match self {
            ExitWatch::Pidfd { reg, fd } => {
                drop(reg);
                Some(fd)
            }
            ExitWatch::Sigchld(_) => None,
        }
    }
}

/// [`sys::try_reap`], with an error that says what `ECHILD` means here.
pub(crate) fn reap(pid: u32) -> io::Result<Option<ExitStatus>> {
    sys::try_reap(pid).map_err(|e| {
        if e.raw_os_error() == Some(libc::ECHILD) {
            io::Error::new(
                e.kind(),
                format!(
                    "child process {pid} was reaped by someone else (a `waitpid(-1)` or \
                     SIGCHLD set to SIG_IGN elsewhere in this process): its exit status is lost"
                ),
            )
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    //! The `SIGCHLD` fallback, which this machine's kernel (with pidfds) never picks on
    //! its own: forced here.

    use std::time::{Duration, Instant};

    use evloop::time::timeout;

    use super::*;
    use crate::child::Child;

    /// The parent of `pid` while it exists (running or a zombie), from `/proc`.
    fn parent_of(pid: u32) -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) S ppid ...": the last ')' ends comm, whatever it holds.
        let after = &stat[stat.rfind(')')? + 2..];
        after.split(' ').nth(1)?.parse().ok()
    }

    /// A child running `script` under `sh`, watched through `SIGCHLD`.
    fn sigchld_child(script: &str) -> Child {
        let std = std::process::Command::new("sh")
            .args(["-c", script])
            .spawn()
            .expect("spawn sh");
        Child::new(std, ExitWatch::Sigchld(None), false).expect("wrap the child")
    }

    #[test]
    fn the_sigchld_fallback_sees_each_of_several_concurrent_exits() {
        evloop::run(async {
            let waits: Vec<_> = (0..5)
                .map(|i| {
                    let mut child = sigchld_child(&format!("sleep 0.0{i}; exit {i}"));
                    evloop::spawn(async move { (i, child.wait().await.unwrap()) })
                })
                .collect();
            let all = timeout(Duration::from_secs(20), evloop::gather_all(waits))
                .await
                .expect("a SIGCHLD waiter was never woken");
            for result in all {
                let (i, status) = result.unwrap();
                assert_eq!(status.code(), Some(i));
            }
        });
    }

    #[test]
    fn a_child_waited_for_through_sigchld_shows_as_a_child_exit_not_a_signal() {
        let rt = evloop::Runtime::builder().debug(true).build().unwrap();
        rt.block_on(async {
            let mut child = sigchld_child("sleep 60");
            let pid = child.id().unwrap();
            let waiter = evloop::spawn(async move {
                let status = child.wait().await;
                drop(child);
                status
            });
            evloop::yield_now().await;
            evloop::yield_now().await;
            let dump = evloop::task::dump();
            let waits = &dump.task(waiter.id()).unwrap().waits;
            let kinds: Vec<_> = waits.iter().map(|w| w.kind).collect();
            assert_eq!(kinds, [evloop::task::WaitKind::ChildExit], "{waits:?}");
            assert_eq!(waits[0].detail, evloop::task::WaitDetail::Process(pid));
            let killed = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
            let status = timeout(Duration::from_secs(20), waiter)
                .await
                .unwrap()
                .unwrap();
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.unwrap().signal(), Some(libc::SIGKILL));
        });
    }

    #[test]
    fn a_dropped_child_without_a_pidfd_is_reaped_by_the_polling_reaper() {
        let pid = evloop::run(async {
            let child = sigchld_child("sleep 0.05");
            child.id().unwrap()
        });
        let start = Instant::now();
        while parent_of(pid) == Some(std::process::id()) {
            assert!(start.elapsed() < Duration::from_secs(20), "never reaped");
            std::thread::sleep(Duration::from_millis(10));
        }
        // Reaped by the background thread, not by us: the status is gone.
        let err = sys::try_reap(pid).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ECHILD));
    }
}
