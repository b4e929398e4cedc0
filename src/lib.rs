//! # evloop: an asyncio-style event loop for Rust
//!
//! One thread, one loop, many cooperative tasks: evloop runs `async` code the way
//! Python's asyncio runs coroutines. An epoll reactor waits for sockets, a timer wheel
//! for deadlines, and a single-threaded executor polls the tasks that became ready.
//! This crate is the facade: everything a program needs is re-exported here, from the
//! crates behind it (listed at the end).
//!
//! ```
//! use std::time::Duration;
//! use evloop::time::Instant;
//!
//! async fn do_something(i: u64) -> u64 {
//!     evloop::time::sleep(Duration::from_millis(10 * i)).await;
//!     i
//! }
//!
//! let (done, took) = evloop::run(async {
//!     // A test's clock: the loop's time stands still and jumps from timer to timer, so
//!     // the timings below are exact, however busy the machine (see `time::pause`).
//!     evloop::time::pause();
//!     let start = Instant::now();
//!     let tasks: Vec<_> = (1..=3).map(|i| evloop::spawn(do_something(i))).collect();
//!     (evloop::gather_all(tasks).await, start.elapsed())
//! });
//! assert_eq!(done.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1, 2, 3]);
//! // The sleeps overlap: the total is the longest one (30 ms), not the sum (60 ms).
//! assert_eq!(took, Duration::from_millis(30));
//! ```
//!
//! # The model
//!
//! ## One loop per thread
//!
//! [`run`] (asyncio's `asyncio.run`) makes the calling thread a loop until the future it
//! was given is done; [`#[evloop::main]`](macro@main) does the same for `async fn main`.
//! [`Runtime`] is the loop as a value, for a program that wants to keep it between
//! [`block_on`](Runtime::block_on) calls or configure it with a [`Builder`]. A thread
//! runs at most one loop at a time: inside a task, `.await` instead of calling `run`
//! again. Several threads may each run their own loop, as several asyncio event loops
//! in several threads would; tasks, sockets and timers belong to the loop that created
//! them and never move (they need not be, and mostly are not, `Send`).
//!
//! ```
//! let answers: Vec<u32> = (0..2)
//!     .map(|i| std::thread::spawn(move || evloop::run(async move { i + 40 })))
//!     .map(|thread| thread.join().unwrap())
//!     .collect();
//! assert_eq!(answers, [40, 41]); // two threads, two independent loops
//! ```
//!
//! ## Cooperative tasks
//!
//! [`spawn`] (asyncio's `create_task`) starts a task: a future the loop polls alongside
//! the others. A task runs until it awaits something that is not ready yet, then hands
//! the thread back; it is never interrupted in between. So tasks of one loop share
//! state with plain `Rc<RefCell<_>>` or `Cell`, without locks, as long as no borrow is
//! held across an `.await`. Cancelling a task ([`JoinHandle::abort`], asyncio's
//! `task.cancel()`) drops it at the `.await` where it waits.
//!
//! ```
//! use std::{cell::RefCell, rc::Rc};
//!
//! let log = Rc::new(RefCell::new(Vec::new()));
//! evloop::run({
//!     let log = log.clone();
//!     async move {
//!         let tasks: Vec<_> = ["a", "b"]
//!             .into_iter()
//!             .map(|name| {
//!                 let log = log.clone();
//!                 evloop::spawn(async move {
//!                     for step in 0..2 {
//!                         log.borrow_mut().push(format!("{name}{step}"));
//!                         evloop::yield_now().await; // let the other task run
//!                     }
//!                 })
//!             })
//!             .collect();
//!         evloop::gather_all(tasks).await;
//!     }
//! });
//! assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]); // interleaved at each .await
//! ```
//!
//! ## Never block the loop
//!
//! Everything runs on one thread. A task that calls `std::thread::sleep`, does blocking
//! file or network I/O, or computes for long stops every other task, timer and socket of
//! the loop until it returns. Await evloop's own futures instead ([`time::sleep`],
//! [`net`]), and move blocking calls to a thread of the blocking pool with
//! [`spawn_blocking`] (asyncio's `to_thread`). Debug mode (`EVLOOP_DEBUG=1`,
//! [`Builder::debug`], or `#[evloop::main(debug = true)]`, asyncio's `debug=True`)
//! names every task that held the loop for longer than a threshold.
//!
//! ## What is my program waiting on?
//!
//! In debug mode every future evloop owns notes, when it waits, what for and at which
//! line of your code: a sleep and its time left, a socket and its peer, a lock, a
//! channel, a task awaited through its handle. [`task::dump()`] lists every task with
//! those wait sites and draws the await tree (a task under the task that awaits it, as
//! `asyncio pstree` does); from outside the process, `evloop-ps PID` (the workspace's
//! `ps/`, `cargo run -p evloop-ps -- PID [--tree|--json]`) prints the same for each of
//! its loops, as `python -m asyncio ps PID` does for asyncio.
//!
//! ```
//! use std::time::Duration;
//! let rt = evloop::Runtime::builder().debug(true).build()?;
//! rt.block_on(async {
//!     let worker = evloop::task::Builder::new().name("worker").spawn(async {
//!         evloop::time::sleep(Duration::from_secs(30)).await; // the line the dump names
//!     });
//!     evloop::yield_now().await;
//!     let tree = evloop::task::dump().to_string();
//!     assert!(tree.contains("task 1 'worker' ("));
//!     assert!(tree.contains(&format!("└── sleep at {}:", file!())));
//!     worker.abort();
//! });
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ```
//! use std::time::Duration;
//! evloop::run(async {
//!     // A blocking call, on the pool: the loop keeps serving timers meanwhile.
//!     let checksum = evloop::spawn_blocking(|| {
//!         std::thread::sleep(Duration::from_millis(30)); // stands for a blocking read
//!         (1..=100u32).sum::<u32>()
//!     });
//!     let ticks = evloop::spawn(async {
//!         for _ in 0..3 {
//!             evloop::time::sleep(Duration::from_millis(5)).await;
//!         }
//!     });
//!     ticks.await.unwrap(); // done while the blocking call still runs
//!     assert_eq!(checksum.await.unwrap(), 5050);
//! });
//! ```
//!
//! ## More than one core
//!
//! One loop uses one core. A program that wants more runs more loops, one per thread, as
//! asyncio does ("thread : loop = 1 : 0..1"); tasks never move between loops.
//! [`run_per_core`] starts one pinned loop per CPU and returns each loop's output; with
//! `SO_REUSEPORT` ([`net::TcpSocket::set_reuseport`]) every loop binds its own listener on
//! the same port and the kernel spreads the connections. Other threads reach a loop
//! through its [`Handle`]: [`Handle::spawn`] hands it a `Send` future (asyncio's
//! `run_coroutine_threadsafe`), [`Handle::spawn_with`] a `Send` closure that builds the
//! future on the loop (for work that sleeps or does I/O there: evloop's timers, sockets and
//! loop-local `sync` types are not `Send`), [`Handle::call_soon`] a closure to run there
//! (`call_soon_threadsafe`). Each returns a [`RemoteHandle`] that any loop can await and a
//! plain thread can [`join`](RemoteHandle::join) (`concurrent.futures.Future.result()`).
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//!
//! // Two loops; each asks the other for a value through its handle, and stays up until
//! // both have their answer (a loop that ends cancels the tasks handed to it).
//! let handles = Arc::new(Mutex::new(vec![None, None]));
//! let answered = Arc::new(AtomicUsize::new(0));
//! let sums = evloop::run_per_core(2, move |index| {
//!     let (handles, answered) = (handles.clone(), answered.clone());
//!     async move {
//!         handles.lock().unwrap()[index] = Some(evloop::Handle::current());
//!         let other = loop {
//!             if let Some(h) = handles.lock().unwrap()[1 - index].clone() {
//!                 break h;
//!             }
//!             evloop::time::sleep(Duration::from_millis(1)).await;
//!         };
//!         let theirs = other.spawn(async move { 10 * (1 - index) }).await.unwrap();
//!         answered.fetch_add(1, Ordering::SeqCst);
//!         while answered.load(Ordering::SeqCst) < 2 {
//!             evloop::time::sleep(Duration::from_millis(1)).await;
//!         }
//!         index + theirs
//!     }
//! });
//! assert_eq!(sums, [10, 1]);
//! ```
//!
//! # asyncio → evloop
//!
//! | asyncio | evloop |
//! |---|---|
//! | `asyncio.run(main())` | [`run`]`(main())`, or [`#[evloop::main]`](macro@main) on `async fn main` |
//! | `asyncio.run(main(), debug=True)` | `#[evloop::main(debug = true)]`, [`Builder::debug`] |
//! | `asyncio.create_task(coro)` | [`spawn`]`(fut)` → [`JoinHandle`] |
//! | `await task` | `handle.await` → `Result<T, `[`JoinError`]`>` |
//! | `task.cancel()` | [`JoinHandle::abort`] |
//! | `await asyncio.gather(a, b)` | [`gather!`]`(a, b).await` |
//! | `await asyncio.gather(*aws)` | [`gather_all`]`(iter).await` |
//! | `asyncio.wait(aws, return_when=FIRST_COMPLETED)` | [`race`]`(a, b).await` |
//! | the same on awaitables of different types, in a loop | [`select!`]`{ v = a => ..., Some(m) = rx.recv() => ... }` |
//! | `await asyncio.sleep(0)` | [`yield_now`]`().await` |
//! | `await asyncio.sleep(s)` | [`time::sleep`]`(d).await` |
//! | `await asyncio.wait_for(aw, s)` | [`time::timeout`]`(d, fut).await` |
//! | `await asyncio.to_thread(f)` | [`spawn_blocking`]`(f).await` |
//! | `asyncio.run_coroutine_threadsafe(coro, loop)` | [`Handle::spawn`]`(fut)`, [`Handle::spawn_with`]`(\|\| fut)` → [`RemoteHandle`] |
//! | `loop.call_soon_threadsafe(f)` | [`Handle::call_soon`]`(f)` |
//! | `concurrent.futures.Future.result()` | [`RemoteHandle::join`] |
//! | `asyncio.all_tasks()` | [`task::all_tasks`]`()` |
//! | `python -m asyncio ps PID`, `pstree PID` | `evloop-ps PID`, `evloop-ps PID --tree` (debug mode); in the program, [`task::dump()`] |
//! | `await asyncio.open_connection(host, port)` | [`net::TcpStream::connect`]`((host, port)).await` |
//! | `await reader.readline()`, `writer.write()` + `drain()` | [`io::BufReader`] + [`io::AsyncBufReadExt::read_line`], [`io::AsyncWriteExt::write_all`] |
//! | `await asyncio.start_server(cb, host, port)` | [`net::TcpListener::bind`] and an `accept` loop that spawns a task per connection |
//! | `loop.time()` | [`time::Instant::now`] |
//! | `asyncio.TaskGroup` + `as_completed` | [`JoinSet`]: `spawn`, `join_next().await` |
//! | `loop.add_signal_handler(SIGINT, ...)` | [`signal::ctrl_c`]`().await`, [`signal::signal`]`(kind)` |
//! | `asyncio.Queue`, `Lock`, `Semaphore`, `Event` | [`sync::mpsc`], [`sync::Mutex`], [`sync::Semaphore`], [`sync::Event`] |
//! | one `Queue` per subscriber; an `Event` carrying a value | [`sync::broadcast`], [`sync::watch`] |
//! | `await asyncio.open_unix_connection(path)` | [`net::UnixStream::connect`]`(path).await` |
//! | `await asyncio.start_unix_server(cb, path)` | [`net::UnixListener::bind`] and an `accept` loop |
//! | `await asyncio.create_subprocess_exec(...)` | [`process::Command`]`::new(prog).args(..).spawn()` → [`process::Child`] |
//! | `loop.add_reader(fd, cb)` / `add_writer` | [`io::AsyncFd`]: `readable().await` / `writable().await` |
//! | `await asyncio.to_thread(...)` for files | [`fs::read`], [`fs::write`], [`fs::File`] (on the blocking pool) |
//!
//! # The ecosystem runs here
//!
//! Runtime-agnostic crates work unchanged on evloop: `futures` (`join!`, `select!`,
//! streams, channels, `futures::io` on [`net::TcpStream`], which implements
//! `futures_io::AsyncRead` and `AsyncWrite`), `async-channel`, `async-lock`,
//! `event-listener`. hyper 1.x runs on evloop through the adapters of the `hyper`
//! feature (`evloop::hyper`, which is the `evloop-hyper` crate), which also brings an
//! HTTP client, `evloop::hyper::Client`. [`io`] re-exports `futures-util`'s buffered
//! readers and writers and line reading.
//!
//! Crates built on tokio's I/O traits (tokio-util's codecs, tokio-rustls, tokio-postgres'
//! `connect_raw`) run on evloop with the `tokio-io` feature: [`net::TcpStream`] and its
//! halves then implement `tokio::io::AsyncRead` and `AsyncWrite` as well, with no tokio
//! runtime. Code that calls `tokio::spawn` or uses tokio's timers still needs tokio's
//! runtime: on evloop alone it panics with `there is no reactor running, must be called
//! from the context of a Tokio 1.x runtime`. The README's "Crates on evloop" table lists
//! which crates run and how.
//!
//! ```
//! use futures::{SinkExt, StreamExt};
//!
//! let total = evloop::run(async {
//!     let (tx, rx) = futures::channel::mpsc::channel::<u32>(4);
//!     let producers: Vec<_> = (0..3)
//!         .map(|p| {
//!             let mut tx = tx.clone();
//!             evloop::spawn(async move {
//!                 for i in 0..10 {
//!                     tx.send(p * 100 + i).await.unwrap();
//!                 }
//!             })
//!         })
//!         .collect();
//!     drop(tx);
//!     let (sum, _) = futures::join!(rx.fold(0, |a, n| async move { a + n }), evloop::gather_all(producers));
//!     sum
//! });
//! assert_eq!(total, 3 * 45 + 10 * (0 + 100 + 200));
//! ```
//!
//! # The crates behind the facade
//!
//! `evloop-executor` (tasks, the loop, joins, the blocking pool), `evloop-reactor`
//! (epoll, poll or select: [`Backend`]), `evloop-time` (the timer wheel), `evloop-net`
//! (sockets), `evloop-macros` (`#[evloop::main]`, `#[evloop::test]`), `evloop-signal`
//! (Unix signals), `evloop-sync` (channels and locks), `evloop-fd` (`AsyncFd`),
//! `evloop-process` (child processes), `evloop-fs` (files on the blocking pool) and, with
//! the `hyper` feature, `evloop-hyper`.

pub use evloop_executor::{
    gather, gather_all, race, run, run_per_core, select, spawn, spawn_blocking, try_gather,
    try_gather_all, yield_now, Builder, GatherAll, Handle, JoinError, JoinHandle, JoinSet, Race,
    RemoteHandle, Runtime, TryGatherAll,
};

pub use evloop_executor::task;

pub use evloop_reactor::Backend;

pub use evloop_macros::{main, test};

pub mod io;

/// Timers, like asyncio's `sleep` and `wait_for`: [`sleep`](time::sleep),
/// [`sleep_until`](time::sleep_until), [`timeout`](time::timeout) and
/// [`interval`](time::interval), on the loop's clock ([`Instant`](time::Instant)), which
/// tests may [`pause`](time::pause) and [`advance`](time::advance).
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
        advance, interval, interval_at, pause, resume, sleep, sleep_until, timeout, timeout_at,
        Elapsed, Instant, Interval, MissedTickBehavior, Sleep, Timeout,
    };
}

/// Sync primitives for tasks: [`oneshot`](sync::oneshot) and [`mpsc`](sync::mpsc)
/// channels, [`Mutex`](sync::Mutex), [`Semaphore`](sync::Semaphore) and
/// [`Event`](sync::Event), like asyncio's `Future`, `Queue`, `Lock`, `Semaphore` and
/// `Event`, plus [`broadcast`](sync::broadcast) (every receiver gets every message) and
/// [`watch`](sync::watch) (the latest value, `changed().await`). The root ones are
/// loop-local (no atomics, `!Send`); [`sync::shared`] holds `Send` versions for values that
/// cross threads.
///
/// ```
/// use evloop::sync::{mpsc, Event};
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::channel(1);
///     let go = Event::new();
///     let consumer = async {
///         go.wait().await;
///         rx.recv().await
///     };
///     let producer = async {
///         tx.send("hello").await.unwrap();
///         go.set();
///     };
///     let (got, ()) = evloop::gather!(consumer, producer).await;
///     assert_eq!(got, Some("hello"));
/// });
/// ```
pub mod sync {
    pub use evloop_sync::*;
}

/// Unix signals on the loop, like asyncio's `loop.add_signal_handler`:
/// [`ctrl_c`](signal::ctrl_c) waits for one Ctrl-C, [`signal`](signal::signal()) streams
/// the deliveries of any catchable signal.
///
/// ```no_run
/// evloop::run(async {
///     let server = evloop::spawn(async { /* serve until told to stop */ });
///     evloop::signal::ctrl_c().await?;
///     println!("Ctrl-C: shutting down");
///     server.abort();
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub mod signal {
    pub use evloop_signal::*;
}

/// hyper 1.x on evloop: [`EvloopIo`](hyper::EvloopIo) (hyper's `rt::Read`/`rt::Write`
/// for a [`TcpStream`](net::TcpStream)), [`EvloopExecutor`](hyper::EvloopExecutor),
/// [`EvloopTimer`](hyper::EvloopTimer), and [`Client`](hyper::Client), an HTTP/1.1
/// client with a keep-alive pool (https with the `rustls` feature). Needs the `hyper`
/// feature; the same items are the `evloop-hyper` crate.
#[cfg(feature = "hyper")]
pub use evloop_hyper as hyper;

/// TCP, UDP and Unix sockets on the loop's reactor: [`TcpListener`](net::TcpListener),
/// [`TcpStream`](net::TcpStream), [`UdpSocket`](net::UdpSocket),
/// [`UnixListener`](net::UnixListener), [`UnixStream`](net::UnixStream),
/// [`UnixDatagram`](net::UnixDatagram), like asyncio's `start_server`,
/// `open_connection`, `start_unix_server`, `open_unix_connection` and datagram
/// endpoints.
///
/// ```
/// use evloop::net::{TcpListener, TcpStream};
///
/// evloop::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     // The server: one task per connection, as start_server calls its callback.
///     evloop::spawn(async move {
///         while let Ok((mut conn, _peer)) = listener.accept().await {
///             evloop::spawn(async move {
///                 let mut name = [0; 4];
///                 conn.read_exact(&mut name).await?;
///                 conn.write_all(b"hi ").await?;
///                 conn.write_all(&name).await
///             });
///         }
///     });
///     let mut client = TcpStream::connect(addr).await?;
///     client.write_all(b"loop").await?;
///     let mut reply = [0; 7];
///     client.read_exact(&mut reply).await?;
///     assert_eq!(&reply, b"hi loop");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub mod net {
    pub use evloop_net::*;
}

/// Child processes on the loop, like asyncio's `create_subprocess_exec`:
/// [`Command`](process::Command) spawns a [`Child`](process::Child) whose pipes and
/// exit are awaited without blocking. The `evloop-process` crate.
///
/// ```
/// evloop::run(async {
///     let output = evloop::process::Command::new("echo").arg("hi").output().await?;
///     assert_eq!(output.stdout, b"hi\n");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub mod process {
    pub use evloop_process::*;
}

/// Files, on the blocking pool: [`read`](fs::read), [`write`](fs::write),
/// [`metadata`](fs::metadata), ... and an async [`File`](fs::File), like tokio's `fs`
/// (asyncio has no async files: its advice is `to_thread`, which these do for you).
/// The `evloop-fs` crate.
///
/// ```
/// evloop::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-facade-fs-{}", std::process::id()));
///     evloop::fs::write(&path, "data").await?;
///     assert_eq!(evloop::fs::read(&path).await?, b"data");
///     evloop::fs::remove_file(&path).await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub mod fs {
    pub use evloop_fs::*;
}
