//! evloop's reactor: the loop's boundary with the operating system.
//!
//! Each turn of the loop (see `ARCHITECTURE.md` at the repository root) ends the same way:
//!
//! ```text
//! run(main) ──► loop {
//!                  take cross-thread wakes; poll ready tasks
//!                  timeout = 0 if tasks are ready, else until the next timer, else forever
//!                  reactor.wait(timeout)   ◄── this crate: epoll (or poll, select, io_uring), then wake the tasks whose fds became ready
//!                  timers.fire_due(now)
//!                }
//! ```
//!
//! [`Reactor::wait`] blocks in the kernel (`epoll_pwait2`) until a registered fd becomes
//! ready, the cross-thread [`Notifier`] fires, or the timeout passes, and calls
//! [`Waker::wake`](std::task::Waker::wake) for every direction that became ready. It
//! knows nothing of tasks: what a wake does is the executor's business. This is the part
//! of asyncio's event loop that its `selectors` module plays, and like `selectors` it
//! offers a choice of system call, the [`Backend`]: epoll (the default), poll, select or
//! io_uring. A signal never ends a wait early on any of them: after `EINTR` the wait
//! resumes with the time left.
//!
//! # io_uring: readiness for every fd, completion for TCP streams
//!
//! On [`Backend::Uring`] the wait is one `io_uring_enter` that also submits everything
//! the turn queued, with the next timer's deadline as its timeout (`IORING_ENTER_EXT_ARG`),
//! so a loop turn is one system call however many sockets it served. Registrations get
//! the same edge-style readiness as on epoll, from a multishot `POLL_ADD` armed at
//! registration (as `EPOLL_CTL_ADD` is). TCP streams go further through [`CompletionStream`]:
//! their receives and sends are io_uring operations on runtime-owned buffers (a
//! provided-buffer ring for receives, copied out by `read`; a per-stream send buffer,
//! bounded at 64 KiB unsent, that `write` copies into), so a message costs no system
//! call of its own. Buffers stay the reactor's until the kernel is done with them, so
//! dropping a future, a stream or the runtime mid-operation never leaves the kernel
//! writing into freed memory. The ring is set up with `SINGLE_ISSUER`, `DEFER_TASKRUN`
//! and `COOP_TASKRUN` where the kernel offers them; cross-thread wakes still write the
//! notifier's eventfd, which a multishot poll watches. Where the kernel refuses io_uring
//! (`ENOSYS`, `EPERM`, `kernel.io_uring_disabled`, a missing feature) the reactor runs
//! on epoll and [`Reactor::fallback_reason`] says why. The details, and every trap, are
//! in the module docs of `sys/uring/` (`mod.rs`, `stream.rs`).
//!
//! Measured (`cargo run --release -p evloop-bench -- echo --reps 3`, 64-byte echo on one
//! core, the README's io_uring section has the whole table): 0.04 system calls per
//! message at 1,000 connections and 0.03 at 10,000, against 2.0 for a raw epoll loop,
//! evloop on epoll and tokio; CPU per message within this 2-core VM's noise of the epoll
//! floor (1.15× and 1.07× in that run, 0.999× and 0.93× in an earlier one).
//!
//! # Who uses it
//!
//! - **`evloop-executor`** creates one [`Reactor`] per loop (an `Rc`, it never leaves the
//!   loop's thread), calls [`Reactor::enter`] while the loop runs, [`Reactor::wait`] each
//!   turn, and hands [`Reactor::notifier`] to its cross-thread wakers, which call
//!   [`Notifier::notify`] when the loop may be asleep.
//! - **`evloop-net`** wraps each non-blocking socket with a [`Registration`] (made with
//!   [`Registration::new`], which finds the running loop's reactor) and turns
//!   `EAGAIN` into `Poll::Pending`.
//! - **Every crate above** finds the running loop in [`context`], the runtime's one
//!   thread-local, and in debug mode notes there what its futures wait for
//!   ([`context::record_wait`], [`wait_site`]): what task dumps and `evloop-ps` show.
//!
//! # Edge-triggered, and why `clear_ready` exists
//!
//! Every fd is registered `EPOLLET` for both directions: the kernel reports a *change*
//! (an edge: data arrived, buffer space appeared) once, not the level "there is data" on
//! every wait. That keeps each wait proportional to what happened, but means the reactor
//! must remember readiness: a [`Registration`] keeps a ready flag per [`Direction`],
//! set by the event and kept until the I/O type learns otherwise. The I/O type
//! therefore reads (or writes) until the syscall says `EAGAIN`, and only then calls
//! [`Registration::clear_ready`]; the next [`Registration::poll_ready`] stores the task's
//! waker and returns `Pending` until the next edge.
//!
//! A stream socket may clear earlier, after a *short* read or write (some bytes, fewer
//! than asked): TCP returns short only when the receive queue is empty (the send buffer
//! full), so the `EAGAIN` probe would be a wasted system call per message, and data that
//! arrives after the syscall raises a new edge. [`Registration::clear_ready_after_short_io`]
//! does that, except after an edge that said urgent data (a read stops short at the
//! urgent mark, with data left), peer shutdown, hang-up or error (the next syscall
//! returns at once, and no edge will come for it): then readiness stays until an
//! `EAGAIN` proves otherwise. Clearing is safe because edges are recorded only inside
//! [`Reactor::wait`], which cannot run between a syscall and the clear that follows it
//! in the same poll.
//!
//! # Level-triggered backends, edge-style readiness
//!
//! `poll` and `select` ([`Backend::Poll`], [`Backend::Select`]) keep no interest list in
//! the kernel and report *levels*: an fd with unread data is readable on every call.
//! The reactor hands them, on each wait, only the directions a task waits on (a parked
//! waker); a readiness they report takes that waker and sets the same ready flag as an
//! edge would, so the fd leaves the next wait's list until a task waits on it again.
//! The layers above see the same edge-style readiness on every backend; the one
//! difference is that readiness nobody waits for is learned when somebody does (one
//! wait later), which the poll-then-wait pattern of the I/O types never notices. Each
//! wait costs in proportion to the fds watched, which is what epoll saves; select also
//! refuses fds numbered 1024 or above (`FD_SETSIZE`) at registration.
//!
//! Registrations live in a slab whose tokens carry a generation: an event that the
//! kernel queued for a registration that has since been dropped is ignored, never
//! delivered to whoever reuses the slot.
//!
//! # Example
//!
//! ```
//! use std::io::Write;
//! use std::os::fd::AsRawFd;
//! use std::os::unix::net::UnixStream;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use std::task::{Context, Wake, Waker};
//! use std::time::Duration;
//! use evloop_reactor::{Direction, Interest, Reactor, Registration};
//!
//! /// Counts wake-ups (an executor would schedule a task instead).
//! struct Count(AtomicUsize);
//! impl Wake for Count {
//!     fn wake(self: Arc<Self>) {
//!         self.0.fetch_add(1, Ordering::SeqCst);
//!     }
//! }
//!
//! let reactor = Reactor::new()?;
//! let (ours, mut theirs) = UnixStream::pair()?;
//! ours.set_nonblocking(true)?;
//! let reg = Registration::with_reactor(&reactor, ours.as_raw_fd(), Interest::READABLE)?;
//!
//! let count = Arc::new(Count(AtomicUsize::new(0)));
//! let waker = Waker::from(count.clone());
//! assert!(reg.poll_ready(Direction::Read, &mut Context::from_waker(&waker)).is_pending());
//!
//! theirs.write_all(b"hello")?;
//! reactor.wait(Some(Duration::from_millis(100)))?;
//! assert_eq!(count.0.load(Ordering::SeqCst), 1);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Neighbours: `evloop-executor` (drives this crate), `evloop-time` (supplies the wait's
//! timeout), `evloop-net` (registers sockets), and the `evloop` facade.

#![deny(missing_docs, unsafe_code)]
#![warn(
    missing_debug_implementations,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

mod backend;
mod completion;
pub mod context;
mod fd_table;
mod interest;
mod io_state;
mod notifier;
mod reactor;
mod registration;
mod selector;
mod slab;
mod sys;
pub mod wait_site;

pub use backend::Backend;
pub use completion::CompletionStream;
pub use context::EnterGuard;
pub use interest::{Direction, Interest};
pub use notifier::Notifier;
pub use reactor::Reactor;
pub use registration::Registration;
pub use sys::timer_slack::TimerSlackGuard;
