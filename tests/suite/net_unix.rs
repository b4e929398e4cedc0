//! Unix sockets through the facade: an echo server, `pair`, halves, peer credentials,
//! stale and busy socket paths, the abstract namespace, datagrams. Local paths only.

use crate::common;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::path::PathBuf;

use common::{pattern, run_bounded};
use evloop::net::{unix, UnixDatagram, UnixListener, UnixStream};
use futures::{AsyncReadExt, AsyncWriteExt};

/// A fresh socket path in the temp directory, unique to this process and `name`, with
/// nothing at it yet; removed again when dropped.
struct TempSocket(PathBuf);

impl TempSocket {
    fn new(name: &str) -> TempSocket {
        let path = std::env::temp_dir().join(format!("evloop-{name}-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempSocket(path)
    }
}

impl Drop for TempSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn an_echo_server_serves_several_clients_on_a_socket_file() {
    run_bounded(async {
        let path = TempSocket::new("echo");
        let listener = UnixListener::bind(&path.0).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
        let server = evloop::spawn(async move {
            for _ in 0..3 {
                let (mut conn, peer) = listener.accept().await.unwrap();
                assert!(peer.is_unnamed());
                evloop::spawn(async move {
                    let mut buf = [0; 1024];
                    loop {
                        match conn.read(&mut buf).await.unwrap() {
                            0 => break,
                            n => conn.write_all(&buf[..n]).await.unwrap(),
                        }
                    }
                });
            }
        });
        let clients: Vec<_> = (0..3)
            .map(|i| {
                let path = path.0.clone();
                evloop::spawn(async move {
                    let mut stream = UnixStream::connect(&path).await.unwrap();
                    let msg = format!("hello from client {i}").repeat(100);
                    stream.write_all(msg.as_bytes()).await.unwrap();
                    stream.shutdown(Shutdown::Write).unwrap();
                    let mut back = Vec::new();
                    let mut buf = [0; 512];
                    loop {
                        match stream.read(&mut buf).await.unwrap() {
                            0 => break,
                            n => back.extend_from_slice(&buf[..n]),
                        }
                    }
                    assert_eq!(back, msg.as_bytes());
                })
            })
            .collect();
        for client in evloop::gather_all(clients).await {
            client.unwrap();
        }
        server.await.unwrap();
    });
}

#[test]
fn a_pair_talks_both_ways_and_sees_eof() {
    run_bounded(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        a.write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        b.write_all(b"pong").await.unwrap();
        a.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
        assert!(a.local_addr().unwrap().is_unnamed());
        assert!(a.peer_addr().unwrap().is_unnamed());
        drop(b);
        assert_eq!(a.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn a_megabyte_through_a_pair_with_backpressure() {
    run_bounded(async {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut rd, _keep) = b.into_split();
        let (_keep_rd, mut wr): (unix::OwnedReadHalf, unix::OwnedWriteHalf) = a.into_split();
        let sent = pattern(1 << 20);
        let writer = async {
            wr.write_all(&sent).await.unwrap();
            wr.shutdown().unwrap();
        };
        let reader = async {
            let mut got = Vec::new();
            AsyncReadExt::read_to_end(&mut rd, &mut got).await.unwrap();
            got
        };
        let ((), got) = evloop::gather!(writer, reader).await;
        assert!(got == sent, "the bytes differ");
    });
}

#[test]
fn peer_cred_names_our_own_process_on_both_ends() {
    run_bounded(async {
        let name = format!("\0evloop-cred-{}", std::process::id());
        let listener = UnixListener::bind(&name).unwrap();
        let client = UnixStream::connect(&name).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        // SAFETY: getuid and getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        for cred in [client.peer_cred().unwrap(), server.peer_cred().unwrap()] {
            assert_eq!(cred.pid(), Some(std::process::id() as i32));
            assert_eq!((cred.uid(), cred.gid()), (uid, gid));
        }
    });
}

#[test]
fn a_stale_socket_file_is_refused_with_advice_and_can_be_removed() {
    run_bounded(async {
        let path = TempSocket::new("stale");
        drop(UnixListener::bind(&path.0).unwrap()); // the server "exits": the file stays
        assert!(path.0.exists());

        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        let text = err.to_string();
        assert!(
            text.contains(&*path.0.to_string_lossy()) && text.contains("stale"),
            "{text}"
        );

        let err = UnixListener::bind(&path.0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        let text = err.to_string();
        assert!(text.contains(&*path.0.to_string_lossy()), "{text}");
        assert!(
            text.contains("no server listens") && text.contains("remove"),
            "{text}"
        );

        std::fs::remove_file(&path.0).unwrap();
        let listener = UnixListener::bind(&path.0).unwrap();
        let _client = UnixStream::connect(&path.0).await.unwrap();
        listener.accept().await.unwrap();
    });
}

#[test]
fn a_path_a_server_listens_on_is_in_use_and_says_so() {
    run_bounded(async {
        let path = TempSocket::new("busy");
        let _live = UnixListener::bind(&path.0).unwrap();
        let err = UnixListener::bind(&path.0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains("another server listens"), "{err}");

        let not_socket = TempSocket::new("plain-file");
        std::fs::write(&not_socket.0, b"not a socket").unwrap();
        let err = UnixListener::bind(&not_socket.0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains("not a socket"), "{err}");
    });
}

#[test]
fn connecting_to_nothing_is_not_found_and_names_the_path() {
    run_bounded(async {
        let path = TempSocket::new("nobody");
        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(
            err.to_string().contains(&*path.0.to_string_lossy()),
            "{err}"
        );
        let long = "x".repeat(200);
        let err = UnixStream::connect(&long).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn abstract_names_work_and_leave_nothing_on_disk() {
    run_bounded(async {
        let name = format!("\0evloop-abstract-{}", std::process::id());
        let listener = UnixListener::bind(&name).unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
        assert_eq!(addr.as_pathname(), None);
        let mut client = UnixStream::connect(&name).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"abstract").await.unwrap();
        let mut buf = [0; 8];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abstract");
        assert_eq!(client.peer_addr().unwrap(), addr);
        // The same name twice is in use, like a path.
        let err = UnixListener::bind(&name).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn datagrams_keep_their_boundaries_and_senders() {
    run_bounded(async {
        let server_path = TempSocket::new("dgram-server");
        let client_path = TempSocket::new("dgram-client");
        let server = UnixDatagram::bind(&server_path.0).unwrap();
        let client = UnixDatagram::bind(&client_path.0).unwrap();
        for msg in [&b"one"[..], b"", b"three"] {
            assert_eq!(
                client.send_to(msg, &server_path.0).await.unwrap(),
                msg.len()
            );
        }
        let mut buf = [0; 16];
        for want in [&b"one"[..], b"", b"three"] {
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], want);
            assert_eq!(from.as_pathname(), Some(client_path.0.as_path()));
        }
        client.connect(&server_path.0).unwrap();
        client.send(b"connected").await.unwrap();
        let n = server.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"connected");
        assert_eq!(
            client.peer_addr().unwrap().as_pathname(),
            Some(server_path.0.as_path())
        );
    });
}

#[test]
fn futures_io_adapters_work_on_unix_streams() {
    run_bounded(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        AsyncWriteExt::write_all(&mut a, b"line one\nline two\n")
            .await
            .unwrap();
        AsyncWriteExt::close(&mut a).await.unwrap(); // shuts down the write side
        let mut text = String::new();
        let mut reader = futures::io::BufReader::new(b);
        AsyncReadExt::read_to_string(&mut reader, &mut text)
            .await
            .unwrap();
        assert_eq!(text, "line one\nline two\n");
    });
}
