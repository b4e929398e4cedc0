//! Half-close in the direction `net_errors.rs` does not cover: the server (the accepting
//! side) shuts down its writing half, the client reads to EOF and still writes back; and
//! a write half of a split stream shuts down while its read half keeps reading.

use crate::common;

use common::{pair, run_bounded};
use std::net::Shutdown;

use evloop::net::TcpStream;

/// Reads until EOF.
async fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 7];
    loop {
        match stream.read(&mut buf).await.unwrap() {
            0 => return all,
            n => all.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn the_server_half_closes_and_the_client_reads_eof_then_still_writes_back() {
    run_bounded(async {
        let (mut client, mut server) = pair().await;
        server.write_all(b"greeting, then silence").await.unwrap();
        server.shutdown(Shutdown::Write).unwrap();

        assert_eq!(read_to_end(&mut client).await, b"greeting, then silence");
        let mut buf = [0u8; 4];
        assert_eq!(client.read(&mut buf).await.unwrap(), 0, "EOF stays EOF");

        // The other direction is still open, for as much as we like.
        let big = vec![5u8; 1024 * 1024];
        let writer = evloop::spawn(async move {
            client.write_all(b"reply").await.unwrap();
            client.write_all(&big).await.unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            client
        });
        let got = read_to_end(&mut server).await;
        assert_eq!(&got[..5], b"reply");
        assert_eq!(got.len(), 5 + 1024 * 1024);
        drop(writer.await.unwrap());
    });
}

#[test]
fn both_sides_half_close_and_both_see_eof() {
    run_bounded(async {
        let (mut client, mut server) = pair().await;
        client.write_all(b"c").await.unwrap();
        server.write_all(b"s").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        server.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_end(&mut client).await, b"s");
        assert_eq!(read_to_end(&mut server).await, b"c");
    });
}

#[test]
fn a_write_half_shuts_down_while_its_read_half_keeps_reading() {
    run_bounded(async {
        let (client, mut server) = pair().await;
        let (mut rd, mut wr) = client.into_split();
        wr.write_all(b"request").await.unwrap();
        wr.shutdown().unwrap();
        assert_eq!(read_to_end(&mut server).await, b"request");

        server.write_all(b"response").await.unwrap();
        drop(server);
        let mut got = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            match rd.read(&mut buf).await.unwrap() {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(got, b"response");
        // The write half is still a valid handle; writing through it is an error.
        assert!(wr.write_all(b"x").await.is_err());
    });
}

#[test]
fn shutting_down_reading_makes_our_reads_see_eof_at_once() {
    run_bounded(async {
        let (mut client, mut server) = pair().await;
        client.shutdown(Shutdown::Read).unwrap();
        let mut buf = [0u8; 8];
        // Nothing was sent, yet the read returns EOF instead of waiting.
        assert_eq!(client.read(&mut buf).await.unwrap(), 0);
        // Writing is unaffected.
        client.write_all(b"still here").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_end(&mut server).await, b"still here");
    });
}
