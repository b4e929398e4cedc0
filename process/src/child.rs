//! [`Child`]: a running child process, its pipes, and its exit awaited on the loop.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::panic::Location;
use std::process::{ExitStatus, Output};
use std::task::{Context, Poll};

use evloop_reactor::context::record_wait;
use evloop_reactor::wait_site::{WaitDetail, WaitKind, WaitSite};

use crate::exit_watch::{reap, ExitWatch};
use crate::pipes::{ChildStderr, ChildStdin, ChildStdout};
use crate::reaper::{self, Orphan};
use crate::sys;

/// A child process spawned by [`Command::spawn`](crate::Command::spawn), like the
/// `Process` object of asyncio's `create_subprocess_exec`.
///
/// Await its exit with [`wait`](Child::wait) (`proc.wait()`), talk to it through the
/// public [`stdin`](Child::stdin), [`stdout`](Child::stdout) and
/// [`stderr`](Child::stderr) pipes (present when set to `Stdio::piped()`), or collect
/// everything with [`wait_with_output`](Child::wait_with_output) (`proc.communicate()`).
///
/// Dropping a `Child` does not kill the process (unless
/// [`kill_on_drop`](crate::Command::kill_on_drop) was set): it runs on, and a background
/// thread reaps it when it exits, so it never stays a zombie.
///
/// ```
/// use evloop::process::Command;
///
/// evloop::run(async {
///     let mut child = Command::new("sh").args(["-c", "exit 3"]).spawn()?;
///     let pid = child.id().unwrap();
///     let status = child.wait().await?;
///     assert_eq!(status.code(), Some(3));
///     assert_eq!(child.id(), None); // reaped: the pid is no longer ours
///     # let _ = pid;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Child {
    /// The child's standard input, if it was set to `Stdio::piped()`; take it to write.
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, if it was set to `Stdio::piped()`; take it to read.
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, if it was set to `Stdio::piped()`; take it to read.
    pub stderr: Option<ChildStderr>,
    /// The process id.
    pid: u32,
    /// Running (with how its exit is watched) or exited (with its status).
    state: State,
    /// Whether dropping the `Child` while the process runs sends it `SIGKILL`.
    kill_on_drop: bool,
}

/// Whether the child has been reaped.
#[derive(Debug)]
enum State {
    /// Running (or exited but not yet reaped).
    Running(ExitWatch),
    /// Reaped, with this status.
    Exited(ExitStatus),
}

impl Child {
    /// Wraps a child std's `spawn` just started, watching its exit through `watch`.
    pub(crate) fn new(
        mut std: std::process::Child,
        watch: ExitWatch,
        kill_on_drop: bool,
    ) -> io::Result<Child> {
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            pid: std.id(),
            state: State::Running(watch),
            kill_on_drop: true, // until the pipes are set up: an error must not leak it
        };
        child.stdin = std.stdin.take().map(ChildStdin::new).transpose()?;
        child.stdout = std.stdout.take().map(ChildStdout::new).transpose()?;
        child.stderr = std.stderr.take().map(ChildStderr::new).transpose()?;
        child.kill_on_drop = kill_on_drop;
        Ok(child)
    }

    /// The process id, while the child is not reaped (`None` after [`wait`](Self::wait)
    /// or [`try_wait`](Self::try_wait) returned its status: the pid may belong to another
    /// process by then).
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut child = Command::new("true").spawn()?;
    ///     assert!(child.id().is_some());
    ///     child.wait().await?;
    ///     assert!(child.id().is_none());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn id(&self) -> Option<u32> {
        match self.state {
            State::Running(_) => Some(self.pid),
            State::Exited(_) => None,
        }
    }

    /// Waits for the child to exit and returns its status, like asyncio's
    /// `await proc.wait()`. The task sleeps; the loop runs on.
    ///
    /// [`stdin`](Self::stdin) is closed first (if still held), so a child that reads
    /// until end of file can finish. Once the status is known it is kept: later calls
    /// return it at once, and a call cancelled midway (dropped in a `timeout`) loses
    /// nothing.
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    /// use evloop::process::Command;
    ///
    /// evloop::run(async {
    ///     let mut child = Command::new("sh").args(["-c", "kill -TERM $$"]).spawn()?;
    ///     let status = child.wait().await?;
    ///     assert_eq!(status.signal(), Some(libc::SIGTERM));
    ///     assert_eq!(status.code(), None);
    ///     assert_eq!(child.wait().await?, status); // kept
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// Watching the exit failed (in practice: someone else in this process reaped the
    /// child, e.g. with `waitpid(-1)`).
    ///
    /// In debug mode a task dump shows a task waiting here at the line that called `wait`.
    #[track_caller]
    pub fn wait(&mut self) -> impl Future<Output = io::Result<ExitStatus>> + '_ {
        self.wait_at(Some(Location::caller()))
    }

    /// `wait`, noting in debug mode a wait made at `site` (`None` for evloop's own
    /// callers, whose line would tell the user nothing).
    pub(crate) async fn wait_at(
        &mut self,
        site: Option<&'static Location<'static>>,
    ) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        poll_fn(|cx| self.poll_wait_at(cx, site)).await
    }

    /// Polls for the child's exit: the poll form of [`wait`](Self::wait) (which also
    /// closes `stdin`; this does not).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut child = Command::new("true").spawn()?;
    ///     let status = poll_fn(|cx| child.poll_wait(cx)).await?;
    ///     assert!(status.success());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`wait`](Self::wait).
    pub fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        self.poll_wait_at(cx, None)
    }

    /// `poll_wait`, noting in debug mode a wait made at `site`.
    fn poll_wait_at(
        &mut self,
        cx: &mut Context<'_>,
        site: Option<&'static Location<'static>>,
    ) -> Poll<io::Result<ExitStatus>> {
        let pid = self.pid;
        let poll = self.poll_exit(cx);
        if poll.is_pending() {
            record_wait(|| WaitSite::new(WaitKind::ChildExit, site, WaitDetail::Process(pid)));
        }
        poll
    }

    /// Polls the exit watch, once the child exited keeping its status.
    fn poll_exit(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        match &mut self.state {
            State::Exited(status) => Poll::Ready(Ok(*status)),
            State::Running(watch) => {
                let status = std::task::ready!(watch.poll_exit(self.pid, cx))?;
                self.state = State::Exited(status);
                Poll::Ready(Ok(status))
            }
        }
    }

    /// The status if the child has exited (reaping it), `None` if it still runs; never
    /// waits. Like Python's `Popen.poll()`.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut child = Command::new("sleep").arg("5").kill_on_drop(true).spawn()?;
    ///     assert_eq!(child.try_wait()?, None); // still sleeping
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`wait`](Self::wait).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let State::Exited(status) = self.state {
            return Ok(Some(status));
        }
        let status = reap(self.pid)?;
        if let Some(status) = status {
            self.state = State::Exited(status);
        }
        Ok(status)
    }

    /// Sends `SIGKILL` and returns at once, like asyncio's `proc.kill()`; the child is
    /// reaped by a later [`wait`](Self::wait) (or in the background if the `Child` is
    /// dropped). Killing a child that already exited does nothing.
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut child = Command::new("sleep").arg("60").spawn()?;
    ///     child.start_kill()?;
    ///     assert_eq!(child.wait().await?.signal(), Some(libc::SIGKILL));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `kill(2)`.
    pub fn start_kill(&mut self) -> io::Result<()> {
        match self.state {
            State::Exited(_) => Ok(()),
            State::Running(_) => sys::kill(self.pid, libc::SIGKILL),
        }
    }

    /// Kills the child (`SIGKILL`) and waits until it is reaped; returns once it is gone.
    ///
    /// ```
    /// use evloop::process::Command;
    /// evloop::run(async {
    ///     let mut child = Command::new("sleep").arg("60").spawn()?;
    ///     child.kill().await?;
    ///     assert!(child.id().is_none()); // reaped
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `kill(2)`, or as for [`wait`](Self::wait).
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait_at(None).await.map(drop)
    }

    /// Closes `stdin`, reads `stdout` and `stderr` to their end while waiting for the
    /// exit, and returns all three, like asyncio's `await proc.communicate()`. Reading
    /// both pipes at once is what keeps a chatty child from blocking on a full pipe.
    /// Pipes not set to `Stdio::piped()` give empty output.
    ///
    /// ```
    /// use std::process::Stdio;
    /// use evloop::process::Command;
    ///
    /// evloop::run(async {
    ///     let child = Command::new("sh")
    ///         .args(["-c", "echo out; echo err >&2; exit 1"])
    ///         .stdout(Stdio::piped())
    ///         .stderr(Stdio::piped())
    ///         .spawn()?;
    ///     let output = child.wait_with_output().await?;
    ///     assert_eq!(output.stdout, b"out\n");
    ///     assert_eq!(output.stderr, b"err\n");
    ///     assert_eq!(output.status.code(), Some(1));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// A read error of either pipe, or as for [`wait`](Self::wait).
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let stdout_pipe = self.stdout.take();
        let stderr_pipe = self.stderr.take();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let (mut out_done, mut err_done) = (stdout_pipe.is_none(), stderr_pipe.is_none());
        let mut status = None;
        poll_fn(|cx| {
            if let (false, Some(pipe)) = (out_done, &stdout_pipe) {
                out_done = pipe.poll_read_to_end(cx, &mut stdout)?.is_ready();
            }
            if let (false, Some(pipe)) = (err_done, &stderr_pipe) {
                err_done = pipe.poll_read_to_end(cx, &mut stderr)?.is_ready();
            }
            if status.is_none() {
                if let Poll::Ready(exit) = self.poll_wait(cx)? {
                    status = Some(exit);
                }
            }
            match status {
                Some(_) if out_done && err_done => Poll::Ready(Ok::<(), io::Error>(())),
                _ => Poll::Pending,
            }
        })
        .await?;
        Ok(Output {
            status: status.expect("the loop above ends only with a status"),
            stdout,
            stderr,
        })
    }
}

impl Drop for Child {
    /// A child still running is killed first if `kill_on_drop` was set, then handed to
    /// the background reaper (unless it has exited already and is reaped on the spot).
    fn drop(&mut self) {
        let State::Running(watch) = &mut self.state else {
            return;
        };
        if self.kill_on_drop {
            // It may have exited meanwhile; then there is nothing to kill.
            let _ = sys::kill(self.pid, libc::SIGKILL);
        }
        if !matches!(reap(self.pid), Ok(None)) {
            return; // reaped now, or not ours to reap
        }
        // The lazily made SIGCHLD watch costs nothing: a placeholder to take the real one.
        let watch = std::mem::replace(watch, ExitWatch::Sigchld(None));
        reaper::adopt(Orphan {
            pid: self.pid,
            pidfd: watch.into_pidfd(),
        });
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.pid)
            .field("state", &self.state)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish()
    }
}
