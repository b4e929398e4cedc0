//! # evloop: an asyncio-style event loop for Rust
//!
//! One thread, one loop, many cooperative tasks: evloop runs `async` code the way
//! Python's asyncio runs coroutines. An epoll reactor waits for sockets, a timer wheel
//! for deadlines, and a single-threaded executor polls the tasks that became ready.
//! Tasks interleave only at `.await`, so they need no locks and need not be `Send`.
//!
//! | asyncio | evloop |
//! |---|---|
//! | `asyncio.run(main())` | [`run`]`(main())` |
//! | `asyncio.create_task(coro)` | [`spawn`]`(fut)` → [`JoinHandle`] |
//! | `await asyncio.gather(a, b)` | [`gather!`]`(a, b).await` |
//! | `await asyncio.gather(*aws)` | [`gather_all`]`(iter).await` |
//! | `await asyncio.sleep(0)` | [`yield_now`]`().await` |
//! | `await asyncio.sleep(s)` | [`time::sleep`]`(d).await` |
//! | `await asyncio.wait_for(aw, s)` | [`time::timeout`]`(d, fut).await` |
//! | `task.cancel()` | [`JoinHandle::abort`] |
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! async fn do_something(i: u64) -> u64 {
//!     evloop::time::sleep(Duration::from_millis(10 * i)).await;
//!     i
//! }
//!
//! let start = Instant::now();
//! let done = evloop::run(async {
//!     let tasks: Vec<_> = (1..=3).map(|i| evloop::spawn(do_something(i))).collect();
//!     evloop::gather_all(tasks).await
//! });
//! assert_eq!(done.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1, 2, 3]);
//! // The sleeps overlap: the total is the longest one (30 ms), not the sum (60 ms).
//! assert!(start.elapsed() < Duration::from_millis(55));
//! ```
//!
//! ## The one rule: never block the loop
//! Everything runs on one thread. A task that calls `std::thread::sleep`, does blocking
//! file or network I/O, or computes for long stops every other task, timer and socket of
//! the loop until it returns. Await evloop's own futures instead.
//!
//! The crates behind the facade: `evloop-executor` (tasks and the loop),
//! `evloop-reactor` (epoll), `evloop-time` (timers).

pub use evloop_executor::{
    gather, gather_all, race, run, spawn, spawn_blocking, try_gather, try_gather_all, yield_now,
    Builder, GatherAll, JoinError, JoinHandle, Race, Runtime, TryGatherAll,
};

pub use evloop_executor::task;

pub use evloop_macros::{main, test};

/// Timers, like asyncio's `sleep` and `wait_for`: [`sleep`](time::sleep),
/// [`sleep_until`](time::sleep_until), [`timeout`](time::timeout) and
/// [`interval`](time::interval).
///
/// ```
/// use std::time::Duration;
/// use evloop::time::{sleep, timeout};
/// evloop::run(async {
///     let slow = timeout(Duration::from_millis(10), sleep(Duration::from_secs(5))).await;
///     assert!(slow.is_err());
///     let fast = timeout(Duration::from_secs(5), async { 7 }).await;
///     assert_eq!(fast, Ok(7));
/// });
/// ```
pub mod time {
    pub use evloop_time::{
        interval, interval_at, sleep, sleep_until, timeout, timeout_at, Elapsed, Instant, Interval,
        MissedTickBehavior, Sleep, Timeout,
    };
}

/// hyper 1.x on evloop: [`EvloopIo`](hyper::EvloopIo) (hyper's `rt::Read`/`rt::Write`
/// for a [`TcpStream`](net::TcpStream)), [`EvloopExecutor`](hyper::EvloopExecutor) and
/// [`EvloopTimer`](hyper::EvloopTimer). Needs the `hyper` feature; the same items are the
/// `evloop-hyper` crate.
#[cfg(feature = "hyper")]
pub use evloop_hyper as hyper;

/// TCP and UDP sockets on the loop's reactor: [`TcpListener`](net::TcpListener),
/// [`TcpStream`](net::TcpStream), [`UdpSocket`](net::UdpSocket).
pub mod net {
    pub use evloop_net::*;
}
