//! [`ChildStdin`], [`ChildStdout`], [`ChildStderr`]: a child's pipes, non-blocking and
//! registered with the loop's reactor (each is an `evloop-fd` [`AsyncFd`]).

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use evloop_fd::AsyncFd;

use crate::sys;

/// One end of a pipe to or from a child: the I/O all three pipe types share.
struct Pipe {
    /// The pipe end, non-blocking and registered (as a `File`: its `read` and `write`
    /// are the pipe's).
    fd: AsyncFd<File>,
}

impl Pipe {
    /// Makes `fd` (a pipe end std's `spawn` created) non-blocking and registers it.
    fn new(fd: OwnedFd) -> io::Result<Pipe> {
        sys::set_nonblocking(fd.as_fd())?;
        Ok(Pipe {
            fd: AsyncFd::new(File::from(fd))?,
        })
    }

    /// Reads what the pipe holds into `buf`, waiting until it holds something; `Ok(0)`
    /// once the child closed its end (exited) and the pipe is empty.
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            if let Ok(result) = guard.try_io(|fd| fd.get_ref().read(buf)) {
                return Poll::Ready(result);
            }
        }
    }

    /// Writes from `buf`, waiting until the pipe has room. A child that closed its end
    /// gives `BrokenPipe` (Rust programs ignore `SIGPIPE`).
    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            let mut guard = ready!(self.fd.poll_write_ready(cx))?;
            if let Ok(result) = guard.try_io(|fd| fd.get_ref().write(buf)) {
                return Poll::Ready(result);
            }
        }
    }

    /// Reads until end of file, appending to `out`.
    pub(crate) fn poll_read_to_end(
        &self,
        cx: &mut Context<'_>,
        out: &mut Vec<u8>,
    ) -> Poll<io::Result<()>> {
        let mut chunk = [0u8; 8192];
        loop {
            match ready!(self.poll_read(cx, &mut chunk))? {
                0 => return Poll::Ready(Ok(())),
                n => out.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// Declares a pipe type: the struct, its constructor, `AsRawFd` and `Debug`.
macro_rules! pipe_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name {
            /// The registered pipe end.
            pipe: Pipe,
        }

        impl $name {
            /// Takes over a pipe end from std's `Child`.
            pub(crate) fn new(fd: impl Into<OwnedFd>) -> io::Result<$name> {
                Ok($name {
                    pipe: Pipe::new(fd.into())?,
                })
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.pipe.fd.as_raw_fd()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.as_raw_fd())
                    .finish()
            }
        }
    };
}

pipe_type! {
    /// The writing end of a child's standard input ([`Child::stdin`](crate::Child::stdin)
    /// after `stdin(Stdio::piped())`), like asyncio's `proc.stdin`. Implements
    /// `futures_io::AsyncWrite`; drop it (or `close` it) to send end of file.
    ///
    /// ```
    /// use std::process::Stdio;
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    /// use evloop::process::Command;
    ///
    /// evloop::run(async {
    ///     let mut child = Command::new("cat")
    ///         .stdin(Stdio::piped())
    ///         .stdout(Stdio::piped())
    ///         .spawn()?;
    ///     let mut stdin = child.stdin.take().unwrap();
    ///     stdin.write_all(b"meow").await?;
    ///     drop(stdin); // end of file: cat exits
    ///     let mut out = String::new();
    ///     child.stdout.take().unwrap().read_to_string(&mut out).await?;
    ///     assert_eq!(out, "meow");
    ///     assert!(child.wait().await?.success());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ChildStdin
}

pipe_type! {
    /// The reading end of a child's standard output ([`Child::stdout`](crate::Child::stdout)
    /// after `stdout(Stdio::piped())`), like asyncio's `proc.stdout`. Implements
    /// `futures_io::AsyncRead`; reads return `Ok(0)` once the child closed it (usually:
    /// exited).
    ///
    /// ```
    /// use std::process::Stdio;
    /// use futures::io::{AsyncBufReadExt, BufReader};
    /// use futures::StreamExt;
    /// use evloop::process::Command;
    ///
    /// evloop::run(async {
    ///     let mut child = Command::new("printf").arg("a\nb\n").stdout(Stdio::piped()).spawn()?;
    ///     let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
    ///         .lines()
    ///         .map(Result::unwrap)
    ///         .collect()
    ///         .await;
    ///     assert_eq!(lines, ["a", "b"]);
    ///     child.wait().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ChildStdout
}

pipe_type! {
    /// The reading end of a child's standard error ([`Child::stderr`](crate::Child::stderr)
    /// after `stderr(Stdio::piped())`), like asyncio's `proc.stderr`. Implements
    /// `futures_io::AsyncRead`.
    ///
    /// ```
    /// use std::process::Stdio;
    /// use futures::AsyncReadExt;
    /// use evloop::process::Command;
    ///
    /// evloop::run(async {
    ///     let mut child = Command::new("sh")
    ///         .args(["-c", "echo oops >&2"])
    ///         .stderr(Stdio::piped())
    ///         .spawn()?;
    ///     let mut err = String::new();
    ///     child.stderr.take().unwrap().read_to_string(&mut err).await?;
    ///     assert_eq!(err, "oops\n");
    ///     child.wait().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ChildStderr
}

impl ChildStdout {
    /// Reads until end of file into `out` (for `wait_with_output`).
    pub(crate) fn poll_read_to_end(
        &self,
        cx: &mut Context<'_>,
        out: &mut Vec<u8>,
    ) -> Poll<io::Result<()>> {
        self.pipe.poll_read_to_end(cx, out)
    }
}

impl ChildStderr {
    /// Reads until end of file into `out` (for `wait_with_output`).
    pub(crate) fn poll_read_to_end(
        &self,
        cx: &mut Context<'_>,
        out: &mut Vec<u8>,
    ) -> Poll<io::Result<()>> {
        self.pipe.poll_read_to_end(cx, out)
    }
}

impl futures_io::AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.poll_write(cx, buf)
    }

    /// Nothing to flush: every write goes to the kernel.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Nothing to do here: the pipe closes (the child reads end of file) when the
    /// `ChildStdin` is dropped.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl futures_io::AsyncRead for ChildStdout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.poll_read(cx, buf)
    }
}

impl futures_io::AsyncRead for ChildStderr {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.poll_read(cx, buf)
    }
}
