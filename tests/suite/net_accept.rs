//! Many clients racing to connect while the server accepts: none is lost.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

#[test]
fn a_hundred_clients_racing_to_connect_are_all_accepted() {
    const CLIENTS: u32 = 100;
    let start = Instant::now();
    evloop::run(async {
        timeout(Duration::from_secs(10), async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // The server accepts in its own task, reading each client's id.
            let server = evloop::spawn(async move {
                let mut ids = BTreeSet::new();
                let mut readers = Vec::new();
                for _ in 0..CLIENTS {
                    let (mut conn, peer) = listener.accept().await.unwrap();
                    assert!(peer.ip().is_loopback());
                    readers.push(evloop::spawn(async move {
                        let mut id = [0u8; 4];
                        conn.read_exact(&mut id).await.unwrap();
                        conn.write_all(b"ok").await.unwrap();
                        u32::from_le_bytes(id)
                    }));
                }
                for reader in evloop::gather_all(readers).await {
                    ids.insert(reader.unwrap());
                }
                ids
            });
            let clients = (0..CLIENTS).map(|id| {
                evloop::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    stream.write_all(&id.to_le_bytes()).await.unwrap();
                    let mut ok = [0u8; 2];
                    stream.read_exact(&mut ok).await.unwrap();
                    assert_eq!(&ok, b"ok");
                })
            });
            for client in evloop::gather_all(clients.collect::<Vec<_>>()).await {
                client.unwrap();
            }
            let ids = server.await.unwrap();
            assert_eq!(ids, (0..CLIENTS).collect::<BTreeSet<_>>());
        })
        .await
        .expect("accepting 100 clients took over 10 s");
    });
    println!("100 racing clients accepted in {:.2?}", start.elapsed());
}
