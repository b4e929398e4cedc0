//! TCP streams on the io_uring backend (`Backend::Uring`), where reads and writes are
//! operations the kernel completes later: what happens to an operation in flight when
//! the peer resets, when the task that started it is dropped, when the stream or the
//! whole runtime goes, when more streams hold unread data than the runtime has receive
//! buffers, and what a dropped accept leaves (accepts stay readiness I/O, an `accept4`
//! made while the future is polled: no fd is ever accepted for a future that is gone).
//! Each test builds its runtime with `Backend::Uring`; on a kernel that refuses
//! io_uring it says so and runs on the epoll fallback.
//!
//! (The rest of the suite runs on io_uring too: `EVLOOP_BACKEND=uring cargo test --test
//! '*'`, a line of `.ci/run`.)

use crate::common;

use std::cell::Cell;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};
use evloop::time::{sleep, timeout};
use evloop::{Backend, Runtime};

/// A runtime on io_uring (or its epoll fallback, said on stderr).
fn uring_runtime() -> Runtime {
    let rt = Runtime::builder().backend(Backend::Uring).build().unwrap();
    common::assert_backend(&rt, Backend::Uring);
    rt
}

/// Runs `test` on an io_uring runtime, failing instead of hanging after 60 s.
fn run_on_uring<F: std::future::Future>(test: F) -> F::Output {
    uring_runtime().block_on(common::within(test))
}

/// A connected pair: a client and the server's accepted stream.
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

/// A std listener whose one connection is served on a thread by `serve`.
fn std_peer<T: Send + 'static>(
    serve: impl FnOnce(std::net::TcpStream) -> T + Send + 'static,
) -> (SocketAddr, std::thread::JoinHandle<T>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        serve(conn)
    });
    (addr, thread)
}

#[test]
fn a_reset_fails_the_receive_and_the_send_in_flight_and_the_loop_goes_on() {
    run_on_uring(async {
        let (client, server) = pair().await;
        let (mut rd, mut wr) = server.into_split();
        // A receive in flight (nothing comes) and a send in flight with bytes queued
        // behind it (the client never reads).
        let reader = evloop::spawn(async move { rd.read(&mut [0u8; 64]).await });
        let writer = evloop::spawn(async move {
            let chunk = vec![1u8; 64 * 1024];
            loop {
                wr.write_all(&chunk).await?;
            }
            #[allow(unreachable_code)]
            Ok::<(), std::io::Error>(())
        });
        sleep(Duration::from_millis(100)).await;
        assert!(!reader.is_finished() && !writer.is_finished());
        common::reset(client);
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
        // The same loop serves a new connection.
        let (mut a, mut b) = pair().await;
        a.write_all(b"after").await.unwrap();
        let mut buf = [0u8; 5];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"after");
    });
}

#[test]
fn a_read_dropped_mid_receive_loses_no_bytes() {
    run_on_uring(async {
        let (mut client, mut server) = pair().await;
        let mut buf = [0u8; 16];
        // The read's future is dropped with its receive in flight.
        let gave_up = timeout(Duration::from_millis(20), server.read(&mut buf)).await;
        assert!(gave_up.is_err(), "nothing was sent yet");
        client.write_all(b"still here").await.unwrap();
        // The receive completes into a buffer the stream owns; the next read gets it.
        let n = server.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"still here");
    });
}

#[test]
fn a_writer_task_dropped_mid_send_still_delivers_what_it_wrote() {
    const CHUNK: usize = 64 * 1024;
    // The peer reads nothing until told, then everything to EOF.
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let (addr, peer) = std_peer(move |mut conn| {
        wait.recv().unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        got
    });
    let accepted = run_on_uring(async move {
        let accepted = Rc::new(Cell::new(0usize));
        let counted = accepted.clone();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let writer = evloop::spawn(async move {
            let chunk: Vec<u8> = (0..CHUNK).map(|i| (i % 251) as u8).collect();
            loop {
                let n = stream.write(&chunk[counted.get() % CHUNK..]).await.unwrap();
                counted.set(counted.get() + n);
            }
        });
        // Let the socket buffers fill and the writer block with a send in flight.
        let start = Instant::now();
        let mut last = 0;
        loop {
            sleep(Duration::from_millis(50)).await;
            let now = accepted.get();
            if now == last && now > 0 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "never blocked");
            last = now;
        }
        // Dropping the task drops the stream with bytes it accepted still unsent.
        writer.abort();
        let _ = writer.await;
        go.send(()).unwrap();
        // The loop keeps running while the sends finish.
        sleep(Duration::from_millis(300)).await;
        accepted.get()
    });
    let got = peer.join().unwrap();
    assert_eq!(got.len(), accepted, "every byte write() accepted arrived");
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, &b)| b == (i % CHUNK % 251) as u8));
}

#[test]
fn a_stream_dropped_with_a_receive_in_flight_closes_at_once() {
    let (addr, peer) = std_peer(|mut conn| {
        let start = Instant::now();
        let n = conn.read(&mut [0u8; 8]).unwrap();
        (n, start.elapsed())
    });
    run_on_uring(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let reader = evloop::spawn(async move { stream.read(&mut [0u8; 8]).await });
        sleep(Duration::from_millis(50)).await;
        reader.abort(); // drops the stream, its receive cancelled
        assert!(reader.await.unwrap_err().is_cancelled());
        // The loop sleeps, waiting in the kernel: the close must not wait for a turn.
        sleep(Duration::from_millis(500)).await;
    });
    let (n, waited) = peer.join().unwrap();
    assert_eq!(n, 0, "the peer sees the end of the stream");
    assert!(
        waited < Duration::from_millis(450),
        "EOF came after {waited:?}"
    );
}

#[test]
fn a_runtime_dropped_with_operations_in_flight_ends_cleanly() {
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let (addr, peer) = std_peer(move |mut conn| {
        wait.recv().unwrap();
        let mut sink = Vec::new();
        let _ = conn.read_to_end(&mut sink);
        sink.len()
    });
    let rt = uring_runtime();
    rt.block_on(async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut rd, mut wr) = stream.into_split();
        drop(evloop::spawn(async move { rd.read(&mut [0u8; 8]).await }));
        drop(evloop::spawn(async move {
            let chunk = vec![9u8; 64 * 1024];
            loop {
                if wr.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        }));
        sleep(Duration::from_millis(100)).await;
    });
    // The tasks, their streams and every buffer the kernel holds go with the runtime.
    drop(rt);
    go.send(()).unwrap();
    assert!(peer.join().unwrap() > 0);
}

#[test]
fn more_streams_with_unread_data_than_receive_buffers_all_deliver() {
    // Twice as many streams as the backend's 128 receive buffers, each receiving before
    // anybody reads: the ring runs dry and receives fall back to buffers of their own.
    const STREAMS: usize = 256;
    run_on_uring(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut clients = Vec::new();
        let mut servers = Vec::new();
        for _ in 0..STREAMS {
            clients.push(TcpStream::connect(addr).await.unwrap());
            servers.push(listener.accept().await.unwrap().0);
        }
        // Every server stream arms a receive, then gives up (its future dropped).
        for server in &mut servers {
            let _ = timeout(Duration::from_millis(1), server.read(&mut [0u8; 1])).await;
        }
        for (i, client) in clients.iter_mut().enumerate() {
            client
                .write_all(format!("stream {i:03}").as_bytes())
                .await
                .unwrap();
        }
        sleep(Duration::from_millis(100)).await;
        for (i, server) in servers.iter_mut().enumerate() {
            let mut buf = [0u8; 10];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, format!("stream {i:03}").as_bytes());
        }
    });
}

#[test]
fn flush_waits_for_the_kernel_and_shutdown_follows_the_data() {
    let (addr, peer) = std_peer(|mut conn| {
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        conn.write_all(b"bye").unwrap();
        got
    });
    run_on_uring(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let data = vec![5u8; 1 << 20];
        stream.write_all(&data).await.unwrap();
        stream.flush().await.unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        let mut buf = [0u8; 16];
        loop {
            match stream.read(&mut buf).await.unwrap() {
                0 => break,
                n => reply.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(reply, b"bye");
    });
    assert_eq!(peer.join().unwrap(), vec![5u8; 1 << 20]);
}

#[test]
fn an_accept_dropped_before_its_connection_leaves_no_fd_behind() {
    run_on_uring(async {
        // A dropped accept, then a connection: the next accept gets it, whole.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let gave_up = timeout(Duration::from_millis(20), listener.accept()).await;
        assert!(gave_up.is_err(), "nobody connected yet");
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"first").await.unwrap();
        sleep(Duration::from_millis(50)).await;
        let (mut server, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"first", "the connection was not lost");

        // A dropped accept, a connection, then the listener closes: nothing in this
        // process holds the connection's fd, so the kernel resets it and the client
        // hears so (an fd accepted for the dropped future and kept would leave the
        // client waiting forever).
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let gave_up = timeout(Duration::from_millis(20), listener.accept()).await;
        assert!(gave_up.is_err(), "nobody connected yet");
        let mut client = TcpStream::connect(addr).await.unwrap();
        sleep(Duration::from_millis(50)).await;
        drop(listener);
        let heard = timeout(Duration::from_secs(10), client.read(&mut buf))
            .await
            .expect("the client hears of the close");
        match heard {
            Ok(n) => assert_eq!(n, 0, "no byte was sent"),
            Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
        }
    });
}
