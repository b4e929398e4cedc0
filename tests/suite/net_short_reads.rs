//! A TCP read that returns fewer bytes than asked clears read readiness without the
//! `EAGAIN` probe; these tests guard the cases where a short read proves nothing and the
//! next read must not wait for an edge that never comes.

use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

/// Generous bound for reads that should complete at once.
const BOUND: Duration = Duration::from_secs(5);

/// A connected (client, server) pair on 127.0.0.1.
async fn connected() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    client.set_nodelay(true).unwrap();
    (client, server)
}

#[test]
fn data_and_fin_in_one_edge_still_read_to_eof() {
    evloop::run(async {
        let (mut client, mut server) = connected().await;
        client.write_all(b"abc").await.unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut buf = [0u8; 16];
        let n = timeout(BOUND, server.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf[..n], b"abc");
        let eof = timeout(BOUND, server.read(&mut buf)).await;
        assert_eq!(
            eof.expect("EOF after a short read must not hang").unwrap(),
            0
        );
    });
}

#[test]
fn a_short_read_stopped_at_the_urgent_mark_does_not_stall() {
    use std::os::fd::AsRawFd;
    evloop::run(async {
        let (mut client, mut server) = connected().await;
        client.write_all(b"abc").await.unwrap();
        // SAFETY: sends one byte from a live buffer on an open socket.
        let sent =
            unsafe { libc::send(client.as_raw_fd(), b"!".as_ptr().cast(), 1, libc::MSG_OOB) };
        assert_eq!(sent, 1);
        client.write_all(b"def").await.unwrap();
        // The urgent byte is out of band: the stream holds "abcdef", and a read stops at
        // the urgent mark after "abc", with "def" already there and no edge to come.
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        while got.len() < 6 {
            let n = timeout(BOUND, server.read(&mut buf))
                .await
                .expect("data after the urgent mark must be readable without a new edge")
                .unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"abcdef");
    });
}

#[test]
fn many_short_reads_and_writes_lose_nothing() {
    evloop::run(async {
        let (client, server) = connected().await;
        let (mut rd, mut wr) = client.into_split();
        let echo = evloop::spawn(async move {
            let mut server = server;
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = server.read(&mut buf).await {
                server.write_all(&buf[..n]).await.unwrap();
            }
        });
        let sender = evloop::spawn(async move {
            for i in 0..2_000u32 {
                wr.write_all(&i.to_le_bytes()).await.unwrap();
                if i % 100 == 0 {
                    evloop::yield_now().await;
                }
            }
            wr.shutdown().unwrap();
        });
        let mut got = Vec::new();
        let mut buf = [0u8; 1000];
        loop {
            let n = timeout(BOUND, rd.read(&mut buf)).await.unwrap().unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let want: Vec<u8> = (0..2_000u32).flat_map(u32::to_le_bytes).collect();
        assert_eq!(got, want);
        sender.await.unwrap();
        echo.await.unwrap();
    });
}
