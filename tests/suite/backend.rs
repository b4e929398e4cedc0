//! The reactor backends as a program chooses them: `Builder::backend` and
//! `Runtime::backend`. Sockets, timers and cross-thread wakes work alike on each.
//!
//! (`EVLOOP_BACKEND` is tested in `backend_env.rs`, a binary of its own: changing the
//! environment races with other tests reading it.)

use crate::common;

use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream, UdpSocket};
use evloop::time::{sleep, timeout};
use evloop::Backend;

#[test]
fn every_backend_serves_sockets_timers_and_remote_wakes() {
    assert_eq!(Backend::ALL.len(), 4);
    for &backend in Backend::ALL {
        let rt = evloop::Runtime::builder().backend(backend).build().unwrap();
        common::assert_backend(&rt, backend);
        rt.block_on(async {
            common::within(async {
                // TCP: echo through a server task, both directions, many messages.
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = evloop::spawn(async move {
                    let (mut conn, _) = listener.accept().await.unwrap();
                    let mut buf = [0u8; 256];
                    loop {
                        match conn.read(&mut buf).await.unwrap() {
                            0 => break,
                            n => conn.write_all(&buf[..n]).await.unwrap(),
                        }
                    }
                });
                let mut client = TcpStream::connect(addr).await.unwrap();
                for i in 0..100u32 {
                    let msg = i.to_le_bytes();
                    client.write_all(&msg).await.unwrap();
                    let mut got = [0u8; 4];
                    client.read_exact(&mut got).await.unwrap();
                    assert_eq!(got, msg, "{backend}: message {i}");
                }
                drop(client);
                server.await.unwrap();

                // UDP.
                let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                a.send_to(b"dgram", b.local_addr().unwrap()).await.unwrap();
                let mut buf = [0u8; 16];
                let (n, from) = b.recv_from(&mut buf).await.unwrap();
                assert_eq!((&buf[..n], from), (&b"dgram"[..], a.local_addr().unwrap()));

                // Timers: a sleep is never early, a timeout fires.
                let start = Instant::now();
                sleep(Duration::from_millis(20)).await;
                assert!(start.elapsed() >= Duration::from_millis(20), "{backend}");
                let slow = timeout(Duration::from_millis(5), sleep(Duration::from_secs(5))).await;
                assert!(slow.is_err(), "{backend}");

                // A wake from another thread ends the loop's wait.
                let job = evloop::spawn_blocking(|| {
                    std::thread::sleep(Duration::from_millis(20));
                    7
                });
                assert_eq!(job.await.unwrap(), 7, "{backend}");
            })
            .await
        });
    }
}

#[test]
fn backends_print_their_names_and_parse_them_back() {
    for &backend in Backend::ALL {
        assert_eq!(backend.to_string().parse::<Backend>().unwrap(), backend);
    }
    assert_eq!(format!("{:?}", Backend::Select), "Select");
    assert_eq!(Backend::default(), Backend::Epoll);
    let err = "iocp".parse::<Backend>().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
