//! A server whose peers reset their connections (SO_LINGER 0) while it reads and while
//! it writes: each reset is an `io::Error` of kind `ConnectionReset` in that connection's
//! task only; nothing panics, and the same loop goes on accepting and echoing.
//!
//! (`net_errors.rs` checks the error kinds on a bare pair of sockets; this checks that a
//! server built the usual way survives them.)

use crate::common;

use common::{linger_zero, reset, run_bounded};
use std::cell::RefCell;
use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::sleep;

/// How each server connection task ended.
type Outcomes = Rc<RefCell<Vec<io::Result<usize>>>>;

/// An echo server that records, per connection, the bytes echoed or the error that
/// ended it. It echoes in 64 KiB steps and never stops accepting.
async fn recording_echo_server() -> (SocketAddr, Outcomes) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let outcomes = Outcomes::default();
    let record = outcomes.clone();
    evloop::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.expect("accept");
            let record = record.clone();
            evloop::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut echoed = 0;
                let outcome = loop {
                    match conn.read(&mut buf).await {
                        Ok(0) => break Ok(echoed),
                        Ok(n) => match conn.write_all(&buf[..n]).await {
                            Ok(()) => echoed += n,
                            Err(err) => break Err(err),
                        },
                        Err(err) => break Err(err),
                    }
                };
                record.borrow_mut().push(outcome);
            });
        }
    });
    (addr, outcomes)
}

/// Waits until `outcomes` holds `n` entries.
async fn wait_for(outcomes: &Outcomes, n: usize) {
    while outcomes.borrow().len() < n {
        sleep(Duration::from_millis(5)).await;
    }
}

/// One clean echo of `len` bytes through the server.
async fn echo_once(addr: SocketAddr, len: usize) {
    let mut client = TcpStream::connect(addr).await.unwrap();
    let msg: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let mut back = vec![0u8; len];
    client.write_all(&msg).await.unwrap();
    client.read_exact(&mut back).await.unwrap();
    assert!(back == msg, "the echo differs");
}

#[test]
fn a_reset_while_the_server_reads_ends_that_connection_only() {
    run_bounded(async {
        let (addr, outcomes) = recording_echo_server().await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"half a req").await.unwrap();
        let mut back = [0u8; 10];
        client.read_exact(&mut back).await.unwrap();
        // The server's task now waits in `read`; the reset must wake it with an error.
        sleep(Duration::from_millis(20)).await;
        reset(client);
        wait_for(&outcomes, 1).await;
        let err = outcomes.borrow_mut().remove(0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");

        // The accept loop and the loop itself carry on.
        for len in [1, 1000, 200_000] {
            echo_once(addr, len).await;
        }
    });
}

#[test]
fn a_reset_while_the_server_is_blocked_writing_ends_that_connection_only() {
    run_bounded(async {
        let (addr, outcomes) = recording_echo_server().await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        linger_zero(&client);
        // Send far more than the socket buffers hold and never read: the server's
        // `write_all` of the echo stalls on a full buffer (and so does the sender).
        let sender = evloop::spawn(async move {
            let chunk = vec![7u8; 64 * 1024];
            for _ in 0..256 {
                client.write_all(&chunk).await?;
            }
            Ok::<(), io::Error>(())
        });
        sleep(Duration::from_millis(200)).await;
        assert!(
            outcomes.borrow().is_empty() && !sender.is_finished(),
            "both sides should be blocked writing: neither reads"
        );
        // Dropping the sender's future closes the client socket: a reset.
        sender.abort();
        assert!(sender.await.unwrap_err().is_cancelled());
        wait_for(&outcomes, 1).await;
        let err = outcomes.borrow_mut().remove(0).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err}"
        );
        for len in [1, 1000, 200_000] {
            echo_once(addr, len).await;
        }
    });
}

#[test]
fn a_hundred_resets_at_random_points_leave_the_server_serving() {
    run_bounded(async {
        let (addr, outcomes) = recording_echo_server().await;
        for i in 0..100usize {
            let mut client = TcpStream::connect(addr).await.unwrap();
            client.write_all(&vec![1u8; 1 + i * 997]).await.unwrap();
            if i % 2 == 0 {
                // Sometimes mid-echo: the server may be reading or writing when it lands.
                let mut some = vec![0u8; 1 + i * 997 / 2];
                client.read_exact(&mut some).await.unwrap();
            }
            reset(client);
        }
        wait_for(&outcomes, 100).await;
        for outcome in outcomes.borrow().iter() {
            // A reset that lands after the server wrote everything and the client read it
            // may look like a clean close on some kernels; anything else is a reset.
            if let Err(err) = outcome {
                assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
                    ),
                    "{err}"
                );
            }
        }
        echo_once(addr, 100_000).await;
    });
}

#[test]
fn a_reset_wakes_a_blocked_reader_and_a_blocked_writer_of_one_socket_both() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (mut rd, mut wr) = server.into_split();
        // The reader waits for data that never comes; the writer fills the buffers.
        let reader = evloop::spawn(async move {
            let mut buf = [0u8; 16];
            rd.read(&mut buf).await
        });
        let writer = evloop::spawn(async move {
            let chunk = vec![3u8; 64 * 1024];
            loop {
                wr.write_all(&chunk).await?;
            }
            #[allow(unreachable_code)]
            Ok::<(), io::Error>(())
        });
        sleep(Duration::from_millis(200)).await;
        assert!(!reader.is_finished() && !writer.is_finished());
        // One reset; each direction has its own waker, and both must fire.
        reset(client);
        let read_err = reader.await.unwrap().unwrap_err();
        assert_eq!(read_err.kind(), ErrorKind::ConnectionReset, "{read_err}");
        let write_err = writer.await.unwrap().unwrap_err();
        assert!(
            matches!(
                write_err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{write_err}"
        );
    });
}
