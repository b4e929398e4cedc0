//! hyper on evloop end to end: the examples' HTTP/1.1 server answering a real `curl`
//! (keep-alive included) and hyper's own client on evloop, and hyper's header read timeout
//! on `EvloopTimer`. HTTP/2 (hyper's `http2` feature pulls in h2 and tokio's build) is
//! tested in `eco/tests/hyper_http2.rs`.

#[path = "../examples/shared/server.rs"]
mod server;
#[path = "../examples/shared/service.rs"]
mod service;

use std::future::Future;
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;
use evloop_hyper::EvloopIo;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Request, StatusCode};

/// Runs `test` on a fresh loop, failing if it takes longer than 30 s.
fn run_bounded<F: Future>(test: F) -> F::Output {
    evloop::run(async {
        timeout(Duration::from_secs(30), test)
            .await
            .expect("the test did not finish within 30 s")
    })
}

/// Starts the examples' server with `http` on 127.0.0.1:0 as a task of this loop.
async fn start_server(http: hyper::server::conn::http1::Builder) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    evloop::spawn(async move { server::serve(listener, http).await.unwrap() });
    addr
}

/// Connects hyper's HTTP/1 client to `addr`, its connection driven by a task.
async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(EvloopIo::new(stream))
        .await
        .unwrap();
    evloop::spawn(async move { conn.await.unwrap() });
    sender
}

/// Sends `request`, returning the status and the whole body.
async fn fetch(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> (StatusCode, Bytes) {
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

/// Is `curl` on this machine?
fn have_curl() -> bool {
    Command::new("curl").arg("--version").output().is_ok()
}

#[test]
fn the_server_answers_curl_over_one_keep_alive_connection() {
    if !have_curl() {
        println!("skipped: `curl` is not installed, so there is no external client to run");
        return;
    }
    let (stdout, echoed) = run_bounded(async {
        let addr = start_server(server::http1_builder()).await;
        // curl blocks, so it runs on the blocking pool while the loop serves it. Three
        // URLs in one run reuse one connection: `num_connects` is 1, then 0, 0.
        let urls: Vec<String> = ["/", "/", "/missing"]
            .iter()
            .map(|path| format!("http://{addr}{path}"))
            .collect();
        let gets = evloop::spawn_blocking(move || {
            Command::new("curl")
                .args(["--silent", "--show-error", "--http1.1", "--max-time", "10"])
                .args(["--write-out", " %{http_code} %{num_connects}\\n"])
                .args(&urls)
                .output()
                .unwrap()
        });
        let post = evloop::spawn_blocking(move || {
            Command::new("curl")
                .args(["--silent", "--show-error", "--max-time", "10"])
                .args(["--data-binary", "sent by curl"])
                .arg(format!("http://{addr}/echo"))
                .output()
                .unwrap()
        });
        let (gets, post) = (gets.await.unwrap(), post.await.unwrap());
        assert!(gets.status.success(), "curl failed: {gets:?}");
        assert!(post.status.success(), "curl failed: {post:?}");
        (
            String::from_utf8(gets.stdout).unwrap(),
            String::from_utf8(post.stdout).unwrap(),
        )
    });
    assert_eq!(
        stdout,
        "Hello, World! 200 1\nHello, World! 200 0\nnot found 404 0\n"
    );
    assert_eq!(echoed, "sent by curl");
}

#[test]
fn the_hyper_client_on_evloop_fetches_from_the_server() {
    run_bounded(async {
        let addr = start_server(server::http1_builder()).await;
        let mut sender = connect(addr).await;
        // Ten requests, one after another, over the same keep-alive connection.
        for _ in 0..10 {
            let request = Request::get("/")
                .header(header::HOST, addr.to_string())
                .body(Full::default())
                .unwrap();
            let (status, body) = fetch(&mut sender, request).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body, "Hello, World!");
        }
        // A 1 MiB body each way: many reads and writes through `EvloopIo`.
        let big: Bytes = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        let request = Request::post("/echo")
            .header(header::HOST, addr.to_string())
            .body(Full::new(big.clone()))
            .unwrap();
        let (status, body) = fetch(&mut sender, request).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body == big, "the echoed body differs");
    });
}

#[test]
fn many_clients_at_once_are_served_concurrently() {
    run_bounded(async {
        let addr = start_server(server::http1_builder()).await;
        let clients: Vec<_> = (0..20)
            .map(|_| {
                evloop::spawn(async move {
                    let mut sender = connect(addr).await;
                    for _ in 0..5 {
                        let request = Request::get("/")
                            .header(header::HOST, addr.to_string())
                            .body(Full::default())
                            .unwrap();
                        assert_eq!(fetch(&mut sender, request).await.1, "Hello, World!");
                    }
                })
            })
            .collect();
        for client in evloop::gather_all(clients).await {
            client.unwrap();
        }
    });
}

#[test]
fn the_server_survives_accept_errors_injected_at_20_percent() {
    use evloop_net::fault::{inject_accept_errors, injected_accept_errors};
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = evloop::spawn(server::serve(listener, server::http1_builder()));
        // A connection aborted in the queue (skipped by accept itself), a firewall's
        // EPERM (logged), the fd limit (logged, then a back-off): each at 20 % of the
        // server's accepts (net's test-only fault seam; no queued connection is lost).
        for errno in [libc::ECONNABORTED, libc::EPERM, libc::EMFILE] {
            inject_accept_errors(errno, 20);
            for _ in 0..30 {
                let mut sender = connect(addr).await;
                let request = Request::get("/")
                    .header(header::HOST, addr.to_string())
                    .body(Full::default())
                    .unwrap();
                let (status, body) = fetch(&mut sender, request).await;
                assert_eq!((status, &body[..]), (StatusCode::OK, &b"Hello, World!"[..]));
            }
            let injected = injected_accept_errors();
            assert!(
                injected >= 5,
                "errno {errno}: only {injected} faults injected"
            );
            assert!(!server.is_finished(), "errno {errno} stopped the server");
        }
        inject_accept_errors(0, 0);
        server.abort();
    });
}

#[test]
fn header_read_timeout_on_evloop_timer_closes_a_stalled_connection() {
    let waited = run_bounded(async {
        let mut http = server::http1_builder();
        http.header_read_timeout(Duration::from_millis(200));
        let addr = start_server(http).await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // Half a request line, then nothing: hyper's timer must end the connection.
        stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let start = Instant::now();
        let mut buf = [0u8; 1024];
        let mut answer = Vec::new();
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        let waited = start.elapsed();
        // hyper may answer 408 before closing; it never serves the unfinished request.
        assert!(!answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
        waited
    });
    assert!(
        waited >= Duration::from_millis(190),
        "closed after {waited:?}"
    );
    assert!(waited < Duration::from_secs(10), "closed after {waited:?}");
}
