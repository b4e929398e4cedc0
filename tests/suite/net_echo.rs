//! TCP echo round trips of 1 B, 64 KiB and 16 MiB, with the writer and the reader in
//! different tasks, and TCP backpressure reaching the writing task.

use crate::common;

use common::run_bounded;
use std::cell::Cell;
use std::future::poll_fn;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};
use evloop::time::sleep;

/// Starts an echo server on 127.0.0.1:0 (one task per connection) and returns its address.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    evloop::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            evloop::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    match conn.read(&mut buf).await.unwrap() {
                        0 => break,
                        n => conn.write_all(&buf[..n]).await.unwrap(),
                    }
                }
            });
        }
    });
    addr
}

/// A deterministic, position-dependent byte pattern (catches reordering and loss).
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1])
        .collect()
}

/// Sends `len` bytes through the echo server from one task while another reads them back.
async fn round_trip(len: usize) {
    let addr = echo_server().await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let data = Rc::new(pattern(len));
    let sent = data.clone();
    let writer = evloop::spawn(async move {
        for chunk in sent.chunks(100_000) {
            wr.write_all(chunk).await.unwrap();
        }
        wr.shutdown().unwrap();
    });
    let mut back = vec![0u8; len];
    rd.read_exact(&mut back).await.unwrap();
    assert_eq!(rd.read(&mut [0; 1]).await.unwrap(), 0, "EOF after the echo");
    writer.await.unwrap();
    assert!(
        back == *data,
        "the echo of {len} bytes differs from what was sent"
    );
}

#[test]
fn echo_one_byte() {
    run_bounded(round_trip(1));
}

#[test]
fn echo_64_kib() {
    run_bounded(round_trip(64 * 1024));
}

#[test]
fn echo_16_mib() {
    let start = Instant::now();
    run_bounded(round_trip(16 * 1024 * 1024));
    println!("16 MiB echoed in {:.2?}", start.elapsed());
}

#[test]
fn a_slow_reader_suspends_the_writer_and_memory_stays_bounded() {
    const LEN: usize = 16 * 1024 * 1024;
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();

        let written = Rc::new(Cell::new(0usize));
        let progress = written.clone();
        // Made before the writer starts, so that its 300 ms are all writing (building
        // 16 MiB in a debug build on a loaded machine can take most of them).
        let data = pattern(LEN);
        let writer = evloop::spawn(async move {
            for chunk in data.chunks(64 * 1024) {
                client.write_all(chunk).await.unwrap();
                progress.set(progress.get() + chunk.len());
            }
        });

        // The reader dawdles: the kernel's buffers fill and the writer must wait.
        sleep(Duration::from_millis(300)).await;
        let stalled_at = written.get();
        assert!(
            stalled_at < LEN / 2 && !writer.is_finished(),
            "the writer got {stalled_at} of {LEN} bytes out while nobody read"
        );
        sleep(Duration::from_millis(100)).await;
        assert_eq!(
            written.get(),
            stalled_at,
            "the writer moved on without a reader"
        );
        println!("writer suspended after {stalled_at} bytes");

        let mut back = vec![0u8; LEN];
        server.read_exact(&mut back).await.unwrap();
        writer.await.unwrap();
        assert!(back == pattern(LEN));
    });
}

#[test]
fn zero_length_reads_and_writes_return_at_once() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_server, _) = listener.accept().await.unwrap();
        // Nothing is readable, yet an empty read must not wait for data.
        assert_eq!(client.read(&mut []).await.unwrap(), 0);
        assert_eq!(client.write(&[]).await.unwrap(), 0);
        client.write_all(&[]).await.unwrap();
        client.read_exact(&mut []).await.unwrap();
    });
}

#[test]
fn futures_io_traits_work_on_the_stream_and_its_halves() {
    use futures_io::{AsyncRead, AsyncWrite};

    run_bounded(async {
        let addr = echo_server().await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let n = poll_fn(|cx| Pin::new(&mut stream).poll_write(cx, b"trait"))
            .await
            .unwrap();
        assert_eq!(n, 5);
        poll_fn(|cx| Pin::new(&mut stream).poll_flush(cx))
            .await
            .unwrap();
        let mut buf = [0u8; 5];
        let mut got = 0;
        while got < 5 {
            got += poll_fn(|cx| Pin::new(&mut stream).poll_read(cx, &mut buf[got..]))
                .await
                .unwrap();
        }
        assert_eq!(&buf, b"trait");

        let (mut rd, mut wr) = stream.into_split();
        poll_fn(|cx| Pin::new(&mut wr).poll_write(cx, b"half"))
            .await
            .unwrap();
        // poll_close is shutdown(Write): the echo server sees EOF and closes in turn.
        poll_fn(|cx| Pin::new(&mut wr).poll_close(cx))
            .await
            .unwrap();
        let mut back = Vec::new();
        loop {
            let mut chunk = [0u8; 16];
            match poll_fn(|cx| Pin::new(&mut rd).poll_read(cx, &mut chunk))
                .await
                .unwrap()
            {
                0 => break,
                n => back.extend_from_slice(&chunk[..n]),
            }
        }
        assert_eq!(back, b"half");
    });
}
