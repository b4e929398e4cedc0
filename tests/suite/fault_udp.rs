//! UDP to a port nobody listens on: the kernel's ICMP "port unreachable" comes back to a
//! connected socket as `ConnectionRefused` on its next receive (or send), instead of a
//! receive that waits forever.

use std::io::ErrorKind;
use std::time::Duration;

use evloop::net::UdpSocket;
use evloop::time::timeout;

#[test]
fn a_connected_udp_socket_hears_port_unreachable_as_connection_refused() {
    evloop::run(async {
        timeout(Duration::from_secs(10), async {
            let closed_port = {
                let gone = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                gone.local_addr().unwrap().port()
            };
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            socket.connect(("127.0.0.1", closed_port)).await.unwrap();
            socket.send(b"anyone?").await.unwrap();
            let mut buf = [0u8; 16];
            let err = socket.recv(&mut buf).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");

            // The error was consumed; the socket still works once someone listens there.
            let peer = UdpSocket::bind(("127.0.0.1", closed_port)).await.unwrap();
            socket.send(b"now?").await.unwrap();
            let (n, from) = peer.recv_from(&mut buf).await.unwrap();
            assert_eq!(
                (&buf[..n], from),
                (&b"now?"[..], socket.local_addr().unwrap())
            );
        })
        .await
        .expect("the test did not finish within 10 s (a hang?)");
    });
}
