//! UDP datagrams between two sockets, unconnected and connected.

use std::time::Duration;

use evloop::net::UdpSocket;
use evloop::time::timeout;

#[test]
fn datagrams_make_the_round_trip_between_two_sockets() {
    evloop::run(async {
        timeout(Duration::from_secs(10), async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());

            // b echoes three datagrams back to their sender, in its own task.
            let echo = evloop::spawn(async move {
                let mut buf = [0u8; 2048];
                for _ in 0..3 {
                    let (n, from) = b.recv_from(&mut buf).await.unwrap();
                    assert_eq!(from, a_addr);
                    b.send_to(&buf[..n], from).await.unwrap();
                }
                b
            });
            let mut buf = [0u8; 2048];
            for msg in [&b"one"[..], &[7u8; 1400][..], b""] {
                assert_eq!(a.send_to(msg, b_addr).await.unwrap(), msg.len());
                let (n, from) = a.recv_from(&mut buf).await.unwrap();
                assert_eq!(
                    (&buf[..n], from),
                    (msg, b_addr),
                    "datagram boundaries are kept"
                );
            }
            let b = echo.await.unwrap();

            // Connected: send/recv without addresses.
            a.connect(b_addr).await.unwrap();
            b.connect(a_addr).await.unwrap();
            assert_eq!(a.peer_addr().unwrap(), b_addr);
            a.send(b"connected").await.unwrap();
            let n = b.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"connected");
            b.send(b"reply").await.unwrap();
            let n = a.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"reply");
        })
        .await
        .expect("the UDP round trip took over 10 s");
    });
}

#[test]
fn a_receiver_waits_without_blocking_the_loop() {
    evloop::run(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0u8; 16];
        // Nothing was sent: the receive times out, and the loop's timer still fired.
        let waited = timeout(Duration::from_millis(50), socket.recv_from(&mut buf)).await;
        assert!(waited.is_err());
    });
}
