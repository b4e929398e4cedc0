//! A peer that vanishes while we write 16 MiB: the write fails with `BrokenPipe` or
//! `ConnectionReset` and the process lives.
//!
//! Rust programs start with `SIGPIPE` ignored, which would hide a socket write that can
//! raise it. This binary puts the default action (terminate) back before each test, so
//! the tests pass only because evloop writes with `MSG_NOSIGNAL`.

use std::future::Future;
use std::io::{self, ErrorKind, Read};
use std::net::Shutdown;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

/// Restores the default `SIGPIPE` action: a write that raises it kills the process.
fn default_sigpipe() {
    // SAFETY: `signal` with `SIG_DFL` installs no handler code; it only resets the action.
    let prev = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    assert_ne!(prev, libc::SIG_ERR);
}

/// Runs `test` on a fresh loop, with `SIGPIPE` fatal, failing after 10 s.
fn run_bounded<F: Future>(test: F) -> F::Output {
    default_sigpipe();
    evloop::run(async {
        timeout(Duration::from_secs(10), test)
            .await
            .expect("the test did not finish within 10 s (a hang?)")
    })
}

/// 16 MiB to write.
fn sixteen_mib() -> Vec<u8> {
    vec![0x5a; 16 * 1024 * 1024]
}

/// A peer on its own thread (plain blocking std sockets) that accepts one connection,
/// reads `take` bytes, and vanishes: it closes with data still unread, so the kernel
/// resets the connection.
async fn vanishing_peer(take: usize) -> (TcpStream, std::thread::JoinHandle<usize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; take];
        conn.read_exact(&mut buf).unwrap();
        take
    });
    (TcpStream::connect(addr).await.unwrap(), peer)
}

/// Asserts that `result` is the error of writing to a vanished peer.
fn assert_peer_gone(result: io::Result<()>) {
    let err = result.expect_err("writing 16 MiB to a vanished peer succeeded");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
        ),
        "{err}"
    );
}

#[test]
fn a_peer_that_vanishes_mid_write_all_of_16_mib_is_an_error() {
    run_bounded(async {
        let (mut stream, peer) = vanishing_peer(1024 * 1024).await;
        let data = sixteen_mib();
        assert_peer_gone(stream.write_all(&data).await);
        assert_eq!(peer.join().unwrap(), 1024 * 1024);
        // Later writes fail too, without a signal; reads see the end.
        assert!(stream.write_all(b"more").await.is_err());
        let mut buf = [0u8; 16];
        match stream.read(&mut buf).await {
            Ok(0) => {}
            Ok(n) => panic!("read {n} bytes from a vanished peer"),
            Err(err) => assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}"),
        }
    });
}

#[test]
fn a_peer_that_vanishes_before_reading_anything_is_an_error() {
    run_bounded(async {
        let (mut stream, peer) = vanishing_peer(0).await;
        peer.join().unwrap();
        let data = sixteen_mib();
        assert_peer_gone(stream.write_all(&data).await);
    });
}

#[test]
fn the_write_half_of_a_split_stream_sees_the_error_too() {
    run_bounded(async {
        let (stream, peer) = vanishing_peer(256 * 1024).await;
        let (_read, mut write) = stream.into_split();
        let data = sixteen_mib();
        assert_peer_gone(write.write_all(&data).await);
        peer.join().unwrap();
    });
}

#[test]
fn writing_after_our_own_shutdown_is_broken_pipe_not_a_signal() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_server, _) = listener.accept().await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let err = client.write_all(b"too late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
    });
}
