//! Helpers the integration tests share (each test file that needs them says `mod common;`).
#![allow(dead_code)] // each test crate uses its own subset

use std::any::Any;
use std::future::Future;
use std::io::Write;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

/// How long a test may run before it counts as hung: generous, so that a slow run (16 MiB
/// echoed under valgrind on a loaded machine takes some 20 s) passes; a hang never ends.
const HANG: Duration = Duration::from_secs(60);

/// Runs `test` on a fresh loop, failing (instead of hanging) if it takes over [`HANG`].
pub fn run_bounded<F: Future>(test: F) -> F::Output {
    evloop::run(async {
        timeout(HANG, test)
            .await
            .expect("the test did not finish within 60 s (a hang?)")
    })
}

/// Runs `test` on a fresh loop whose clock is paused (`evloop::time::pause`): timers fire
/// in order at exact instants, in no real time. The 20 s watchdog is on that clock too, so
/// a test that waits with nothing left to happen fails at once (the loop jumps to the
/// watchdog) instead of hanging. Not for tests that wait on other threads or processes:
/// see [`watchdog`].
pub fn run_paused<F: Future>(test: F) -> F::Output {
    evloop::run(async {
        evloop::time::pause();
        timeout(Duration::from_secs(20), test)
            .await
            .expect("the test waited with nothing left to happen (a lost wake-up?)")
    })
}

/// Aborts the test process unless the returned guard is dropped within `limit` of real
/// time: the watchdog of a test whose loop clock is paused and that waits on the kernel
/// (a `timeout` there would run on the paused clock, and the loop jumps to it whenever
/// the kernel is a moment late).
#[must_use = "the watchdog stops when the guard is dropped"]
pub fn watchdog(limit: Duration, what: &'static str) -> Watchdog {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(limit) {
            // Straight to stderr: the test harness's capture would lose it in the abort.
            let _ = writeln!(
                std::io::stderr(),
                "watchdog: {what} did not finish within {limit:?}; aborting"
            );
            std::process::abort();
        }
    });
    Watchdog { _stop: stop }
}

/// Stops its [`watchdog`] when dropped.
pub struct Watchdog {
    /// Dropping it ends the watchdog thread's wait.
    _stop: std::sync::mpsc::Sender<()>,
}

/// A connected (client, server) pair on 127.0.0.1.
pub async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

/// Sets `SO_LINGER` 0 on `stream`: closing it then sends a reset instead of a FIN.
pub fn linger_zero(stream: &TcpStream) {
    stream
        .set_linger(Some(Duration::ZERO))
        .expect("setsockopt(SO_LINGER)");
}

/// Asserts that `rt` runs on `backend`, or, for `Backend::Uring` on a kernel that
/// refuses io_uring, on the epoll fallback (saying so).
pub fn assert_backend(rt: &evloop::Runtime, backend: evloop::Backend) {
    if backend == evloop::Backend::Uring && rt.backend() == evloop::Backend::Epoll {
        eprintln!("io_uring unavailable here: the runtime fell back to epoll");
    } else {
        assert_eq!(rt.backend(), backend);
    }
}

/// Closes `stream` with a reset (`SO_LINGER` 0) instead of a FIN.
pub fn reset(stream: TcpStream) {
    linger_zero(&stream);
    drop(stream);
}

/// The message of a panic payload (a literal or a formatted string).
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .expect("a panic with a message")
}

/// Polls `fut` once with the calling task's waker.
pub async fn poll_once<F: Future + Unpin>(fut: &mut F) -> std::task::Poll<F::Output> {
    std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *fut).poll(cx))).await
}

/// Awaits `fut`, failing the test instead of hanging if it takes [`HANG`] (generous, so a
/// slow run under valgrind passes; a lost wake-up never completes at all).
pub async fn within<F: Future>(fut: F) -> F::Output {
    timeout(HANG, fut)
        .await
        .expect("waited 60 s: a lost wake-up, permit or message")
}

/// Yields until `cond` holds (bounded, so a broken primitive fails instead of hanging).
pub async fn until(cond: impl Fn() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        evloop::yield_now().await;
    }
    panic!("condition never held");
}

/// `len` bytes of a recognisable pattern (0, 1, ..., 250, 0, 1, ...), built by copying
/// blocks rather than byte by byte: fast in debug builds and under valgrind.
pub fn pattern(len: usize) -> Vec<u8> {
    let block: Vec<u8> = (0..251u8).collect();
    let mut data = block.repeat(len / block.len() + 1);
    data.truncate(len);
    data
}
