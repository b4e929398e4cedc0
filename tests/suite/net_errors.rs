//! The unhappy paths: refused connects, resets mid-stream, half-close, broken pipes, bad
//! addresses, and host names resolved off the loop.

use crate::common;

use common::{pair, reset, run_bounded};
use std::future::Future;
use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream, UdpSocket};
use evloop::time::{sleep, timeout};

#[test]
fn connecting_to_a_closed_port_is_connection_refused() {
    run_bounded(async {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn a_peer_reset_mid_stream_is_an_error_for_the_reader_not_a_hang() {
    run_bounded(async {
        let (mut client, mut server) = pair().await;
        client.write_all(b"partial request").await.unwrap();
        let mut buf = [0u8; 15];
        server.read_exact(&mut buf).await.unwrap();
        // The server waits for more; the client resets instead.
        let reader = evloop::spawn(async move {
            let mut rest = [0u8; 64];
            server.read(&mut rest).await
        });
        sleep(Duration::from_millis(20)).await;
        reset(client);
        let err = reader.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    });
}

#[test]
fn a_peer_reset_mid_stream_is_an_error_for_the_writer_not_a_hang_or_sigpipe() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        // The server streams far more than the buffers hold; the client resets.
        let writer = evloop::spawn(async move {
            let chunk = vec![1u8; 64 * 1024];
            loop {
                server.write_all(&chunk).await?;
            }
            #[allow(unreachable_code)]
            Ok::<(), std::io::Error>(())
        });
        sleep(Duration::from_millis(50)).await;
        reset(client);
        let err = writer.await.unwrap().unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err}"
        );
        // Still alive: no SIGPIPE killed the process.
    });
}

#[test]
fn writing_after_the_peer_closed_is_broken_pipe_not_sigpipe() {
    run_bounded(async {
        let (mut client, server) = pair().await;
        drop(server);
        sleep(Duration::from_millis(20)).await;
        // The first write may still succeed (it provokes the reset); later ones fail.
        let mut result = Ok(());
        for _ in 0..10 {
            result = client.write_all(b"anyone there?").await;
            if result.is_err() {
                break;
            }
            sleep(Duration::from_millis(10)).await;
        }
        let err = result.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
            ),
            "{err}"
        );
    });
}

#[test]
fn half_close_lets_the_peer_read_to_eof_and_still_write_back() {
    run_bounded(async {
        let (mut client, mut server) = pair().await;
        client.write_all(b"question").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();

        let mut got = Vec::new();
        let mut buf = [0u8; 4];
        loop {
            match server.read(&mut buf).await.unwrap() {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(got, b"question");
        assert_eq!(server.read(&mut buf).await.unwrap(), 0, "EOF stays EOF");

        server.write_all(b"answer").await.unwrap();
        drop(server);
        let mut answer = Vec::new();
        loop {
            match client.read(&mut buf).await.unwrap() {
                0 => break,
                n => answer.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(answer, b"answer");
    });
}

#[test]
fn dropping_a_stream_closes_it_once_and_the_peer_sees_eof() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        let (rd, wr) = client.into_split();
        drop(rd);
        let mut buf = [0u8; 1];
        // One half alive: the connection is still open.
        assert!(timeout(Duration::from_millis(50), server.read(&mut buf))
            .await
            .is_err());
        drop(wr);
        assert_eq!(server.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn an_unparseable_address_is_invalid_input_naming_it() {
    run_bounded(async {
        for bad in [
            "not an address",
            "127.0.0.1",
            "127.0.0.1:99999",
            "[::1:80",
            "",
        ] {
            let err = TcpStream::connect(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}: {err}");
            assert!(err.to_string().contains(bad), "{bad:?}: {err}");
            let err = TcpListener::bind(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}: {err}");
            let err = UdpSocket::bind(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}: {err}");
        }
    });
}

#[test]
fn localhost_resolves_off_the_loop_and_connects() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accept = evloop::spawn(async move { listener.accept().await.map(|(_, peer)| peer) });
        // "localhost" may come back as ::1 first (refused here) and then 127.0.0.1: every
        // address is tried in turn.
        let client = TcpStream::connect(format!("localhost:{port}"))
            .await
            .unwrap();
        assert_eq!(client.peer_addr().unwrap().port(), port);
        assert_eq!(accept.await.unwrap().unwrap(), client.local_addr().unwrap());

        let client = TcpStream::connect(("localhost", port)).await;
        // The listener is gone with the accept task: refused, but resolved fine.
        assert_eq!(client.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn sockets_need_a_running_loop() {
    // Outside `run` there is no reactor: an error that says what to do, not a panic.
    let err = std::thread::spawn(|| {
        let mut fut = std::pin::pin!(TcpListener::bind("127.0.0.1:0"));
        let waker = std::task::Waker::from(std::sync::Arc::new(NoWake));
        match fut
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker))
        {
            std::task::Poll::Ready(result) => result.unwrap_err(),
            std::task::Poll::Pending => panic!("binding a literal address never waits"),
        }
    })
    .join()
    .unwrap();
    assert!(err.to_string().contains("evloop::run"), "{err}");
}

/// A waker that does nothing (the future above never waits).
struct NoWake;

impl std::task::Wake for NoWake {
    fn wake(self: std::sync::Arc<Self>) {}
}
