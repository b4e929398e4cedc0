//! evloop's subprocesses: [`Command`] spawns a [`Child`] whose pipes and exit are awaited
//! on the loop, like asyncio's `create_subprocess_exec` and its `Process`.
//!
//! A child process is one more source of events for the loop. Its pipes
//! ([`ChildStdin`], [`ChildStdout`], [`ChildStderr`]) are made non-blocking and
//! registered with the reactor through `evloop-fd`'s `AsyncFd`, like sockets; its exit
//! is a readiness edge too: a *pidfd* (Linux 5.3+) becomes readable when the child
//! exits, and the reactor wakes the task in [`Child::wait`]. On kernels without pidfds,
//! `SIGCHLD` (through `evloop-signal`) wakes the waiters instead. Users reach the crate
//! as `evloop::process`.
//!
//! ```
//! use std::process::Stdio;
//! use futures::io::{AsyncBufReadExt, BufReader};
//! use futures::StreamExt;
//! use evloop::process::Command;
//!
//! evloop::run(async {
//!     // asyncio: proc = await create_subprocess_exec("sh", "-c", ..., stdout=PIPE)
//!     let mut child = Command::new("sh")
//!         .args(["-c", "for i in 1 2 3; do echo line $i; done"])
//!         .stdout(Stdio::piped())
//!         .spawn()?;
//!     // async for line in proc.stdout: read while the child runs
//!     let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
//!     let mut seen = Vec::new();
//!     while let Some(line) = lines.next().await {
//!         seen.push(line?);
//!     }
//!     // await proc.wait()
//!     let status = child.wait().await?;
//!     assert_eq!(seen, ["line 1", "line 2", "line 3"]);
//!     assert_eq!(status.code(), Some(0));
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Traps
//!
//! - **Zombies.** A child that exits stays in the process table until its parent reaps
//!   it. [`Child::wait`] reaps; a [`Child`] dropped before its process exits is handed
//!   to a background thread that reaps it when it does ([`Command::kill_on_drop`] kills
//!   it first). Do not call `waitpid(-1)` yourself, or set `SIGCHLD` to `SIG_IGN`: that
//!   steals the statuses evloop waits for.
//! - **Full pipes.** A child that writes more than a pipe holds (64 KiB) blocks until
//!   someone reads. Read `stdout` and `stderr` while waiting
//!   ([`Child::wait_with_output`] does), and write `stdin` concurrently with reading.
//! - **Spawning blocks briefly**: the fork/exec itself runs on the loop's thread (it
//!   reports a failed exec synchronously, as std does); nothing after it does.
//! - **One loop.** A [`Child`] belongs to the loop that spawned it (its pidfd and pipes
//!   are registered there): await it inside that same `evloop::run`.
//! - **`SIGCHLD`**: only on kernels without pidfds, evloop installs a `SIGCHLD` handler
//!   for the rest of the process (see `evloop-signal`).
//!
//! Neighbours: `evloop-reactor` (watches the pidfd), `evloop-fd` (the pipes),
//! `evloop-signal` (the `SIGCHLD` fallback), and the `evloop` facade.

#![deny(missing_docs, unsafe_code)]
#![warn(
    missing_debug_implementations,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

mod child;
mod command;
mod exit_watch;
mod pipes;
mod reaper;
mod sys;

pub use child::Child;
pub use command::Command;
pub use pipes::{ChildStderr, ChildStdin, ChildStdout};
pub use std::process::{ExitStatus, Output, Stdio};
