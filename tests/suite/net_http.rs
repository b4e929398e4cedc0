//! The `http_hello` example server: keep-alive, pipelining, `400` and `431` that close
//! only the offending connection. Also runs the request parser's unit tests
//! (`examples/http/parse.rs`).

#[allow(dead_code)]
#[path = "../../examples/http_hello.rs"]
mod http_hello;

use std::net::SocketAddr;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;

/// Reads one response: its status code and body (by `Content-Length`).
async fn read_response(stream: &mut TcpStream, pending: &mut Vec<u8>) -> (u16, Vec<u8>) {
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(pending[..end].to_vec()).unwrap();
            let status = head[9..12].parse().unwrap();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .unwrap()
                .parse()
                .unwrap();
            if pending.len() >= end + 4 + len {
                let body = pending[end + 4..end + 4 + len].to_vec();
                pending.drain(..end + 4 + len);
                return (status, body);
            }
        }
        let n = stream.read(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "EOF before a full response: {:?}",
            String::from_utf8_lossy(pending)
        );
        pending.extend_from_slice(&buf[..n]);
    }
}

/// Asserts the server closes the connection (EOF) with nothing more to say.
async fn assert_closed(stream: &mut TcpStream) {
    let mut buf = [0u8; 64];
    assert_eq!(
        stream.read(&mut buf).await.unwrap(),
        0,
        "the connection stays open"
    );
}

async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    evloop::spawn(http_hello::serve(listener));
    addr
}

fn run_bounded(test: impl std::future::Future<Output = ()>) {
    evloop::run(async {
        timeout(Duration::from_secs(10), test)
            .await
            .expect("the test took over 10 s");
    });
}

#[test]
fn keep_alive_and_pipelined_requests_are_all_answered() {
    run_bounded(async {
        let addr = start().await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut pending = Vec::new();
        for _ in 0..3 {
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let (status, body) = read_response(&mut stream, &mut pending).await;
            assert_eq!((status, &body[..]), (200, &b"Hello, world!\n"[..]));
        }
        // Pipelined: two requests in one write, and a third that asks to close.
        stream
            .write_all(
                b"GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz\
                  GET /c HTTP/1.1\r\nConnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        for _ in 0..3 {
            assert_eq!(read_response(&mut stream, &mut pending).await.0, 200);
        }
        assert!(pending.is_empty());
        assert_closed(&mut stream).await;
    });
}

#[test]
fn malformed_requests_get_400_and_the_server_goes_on() {
    run_bounded(async {
        let addr = start().await;
        let mut bad = TcpStream::connect(addr).await.unwrap();
        bad.write_all(b"THIS IS NOT HTTP\r\n\r\n").await.unwrap();
        let mut pending = Vec::new();
        assert_eq!(read_response(&mut bad, &mut pending).await.0, 400);
        assert_closed(&mut bad).await;

        let mut good = TcpStream::connect(addr).await.unwrap();
        good.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert_eq!(read_response(&mut good, &mut Vec::new()).await.0, 200);
    });
}

#[test]
fn heads_over_8_kib_get_431_and_the_server_goes_on() {
    run_bounded(async {
        let addr = start().await;
        let mut big = TcpStream::connect(addr).await.unwrap();
        let mut request = b"GET / HTTP/1.1\r\nX-Padding: ".to_vec();
        request.resize(20 * 1024, b'a');
        request.extend_from_slice(b"\r\n\r\n");
        big.write_all(&request).await.unwrap();
        assert_eq!(read_response(&mut big, &mut Vec::new()).await.0, 431);
        assert_closed(&mut big).await;

        let mut good = TcpStream::connect(addr).await.unwrap();
        good.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert_eq!(read_response(&mut good, &mut Vec::new()).await.0, 200);
    });
}
