//! `evloop_hyper::Client` against evloop's own hyper server (and raw TCP peers where a
//! misbehaving server is needed): requests, the keep-alive pool, timeouts and errors.

#[path = "../examples/shared/counting_server.rs"]
mod counting_server;
#[path = "../examples/shared/fetch.rs"]
mod fetch;

use std::cell::RefCell;
use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use evloop::net::TcpListener;
use evloop::time::{sleep, timeout};
use evloop_hyper::client::Error;
use evloop_hyper::Client;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper::{Request, Response, StatusCode};

/// Runs `test` on a fresh loop, failing if it takes longer than 30 s.
fn run_bounded<F: Future>(test: F) -> F::Output {
    evloop::run(async {
        timeout(Duration::from_secs(30), test)
            .await
            .expect("the test did not finish within 30 s")
    })
}

/// Reads `response`'s body to its end.
async fn text(response: Response<Incoming>) -> String {
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

/// The I/O error under a client error.
fn io_kind(err: &Error) -> Option<ErrorKind> {
    let source = std::error::Error::source(err)?;
    Some(source.downcast_ref::<std::io::Error>()?.kind())
}

/// A free port on 127.0.0.1 that nobody listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A raw HTTP/1.1 peer: answers each connection's first request with a keep-alive
/// `200 ok`, then waits `linger` and closes the connection, as a server whose idle
/// timeout is `linger` does. Returns its address and the number of connections.
async fn closing_server(linger: Duration) -> (SocketAddr, Rc<RefCell<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Rc::new(RefCell::new(0));
    let count = accepted.clone();
    evloop::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            *count.borrow_mut() += 1;
            evloop::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                conn.write_all(answer).await.unwrap();
                sleep(linger).await;
            });
        }
    });
    (addr, accepted)
}

#[test]
fn get_and_post_reach_evloops_hyper_server() {
    run_bounded(async {
        let (addr, _) = counting_server::start().await.unwrap();
        let client = Client::new();
        let response = client.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(text(response).await, "Hello, World!");

        let missing = client.get(format!("http://{addr}/missing")).await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(text(missing).await, "not found");

        // 1 MiB each way: many reads and writes through the pooled connection.
        let big: Bytes = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        let request = Request::post(format!("http://{addr}/echo"))
            .body(Full::new(big.clone()))
            .unwrap();
        let response = client.request(request).await.unwrap();
        let echoed = response.into_body().collect().await.unwrap().to_bytes();
        assert!(echoed == big, "the echoed body differs");
    });
}

#[test]
fn sequential_requests_to_one_host_reuse_one_connection() {
    let (accepted, served) = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let client = Client::new();
        let mut served = 0;
        for _ in 0..20 {
            let response = client.get(format!("http://{addr}/")).await.unwrap();
            assert_eq!(text(response).await, "Hello, World!");
            served += 1;
        }
        // A clone shares the pool.
        let clone = client.clone();
        let response = clone.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(text(response).await, "Hello, World!");
        (stats.accepted.get(), served + 1)
    });
    assert_eq!(served, 21);
    assert_eq!(
        accepted, 1,
        "21 sequential requests used {accepted} connections"
    );
}

#[test]
fn concurrent_requests_open_connections_that_the_next_round_reuses() {
    let accepted = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let client = Client::new();
        for round in 0..3 {
            let tasks: Vec<_> = (0..8)
                .map(|i| {
                    let client = client.clone();
                    evloop::spawn(async move {
                        let url = format!("http://{addr}/item/{round}-{i}");
                        text(client.get(url).await.unwrap()).await
                    })
                })
                .collect();
            let bodies = evloop::gather_all(tasks).await;
            for (i, body) in bodies.into_iter().enumerate() {
                assert_eq!(body.unwrap(), format!("item {round}-{i}"));
            }
        }
        stats.accepted.get()
    });
    // Round 1 has 8 requests in flight at once, so 8 connections; rounds 2 and 3 find
    // them all idle in the pool.
    assert_eq!(accepted, 8);
}

#[test]
fn fifty_urls_with_at_most_eight_in_flight() {
    let (results, max_in_flight, accepted) = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let urls = (1..=50)
            .map(|i| format!("http://{addr}/item/{i}"))
            .collect();
        let results = fetch::fetch_all(&Client::new(), urls, 8).await;
        (results, stats.max_in_flight.get(), stats.accepted.get())
    });
    assert_eq!(results.len(), 50);
    for (i, result) in results.into_iter().enumerate() {
        let fetched = result.unwrap();
        assert!(
            fetched.url.ends_with(&format!("/item/{}", i + 1)),
            "{}",
            fetched.url
        );
        assert_eq!(fetched.status, StatusCode::OK);
        assert_eq!(fetched.body, format!("item {}", i + 1));
    }
    assert!(
        (2..=8).contains(&max_in_flight),
        "{max_in_flight} requests in flight"
    );
    assert!(
        accepted <= 8,
        "{accepted} connections for at most 8 in flight"
    );
}

#[test]
fn a_connection_whose_body_was_dropped_unread_is_not_reused() {
    let (accepted, closed) = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let client = Client::new();
        let response = client.get(format!("http://{addr}/big")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        drop(response); // 1 MiB left unread on the connection
        let response = client.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(text(response).await, "Hello, World!");
        // hyper closes the abandoned connection: the server sees it end.
        while stats.closed.get() == 0 {
            sleep(Duration::from_millis(5)).await;
        }
        (stats.accepted.get(), stats.closed.get())
    });
    assert_eq!(accepted, 2, "the second request needed a new connection");
    assert_eq!(closed, 1, "only the abandoned connection ended");
}

#[test]
fn a_body_read_to_the_end_gives_its_connection_back() {
    let accepted = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let client = Client::new();
        for _ in 0..3 {
            let response = client.get(format!("http://{addr}/big")).await.unwrap();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body.len(), counting_server::BIG);
        }
        stats.accepted.get()
    });
    assert_eq!(accepted, 1);
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced() {
    run_bounded(async {
        // Closed at once after each answer: hyper sees the close with the answer.
        let (addr, accepted) = closing_server(Duration::ZERO).await;
        let client = Client::new();
        for i in 1..=5 {
            let response = client.get(format!("http://{addr}/")).await.unwrap();
            assert_eq!(text(response).await, "ok");
            assert_eq!(*accepted.borrow(), i);
        }
        // Closed 50 ms after the answer: the close comes while the connection is idle.
        let (addr, accepted) = closing_server(Duration::from_millis(50)).await;
        for i in 1..=3 {
            let response = client.get(format!("http://{addr}/")).await.unwrap();
            assert_eq!(text(response).await, "ok");
            sleep(Duration::from_millis(150)).await;
            assert_eq!(*accepted.borrow(), i);
        }
    });
}

#[test]
fn the_idle_timeout_closes_pooled_connections() {
    let (closed_while_idle, accepted) = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let client = Client::builder()
            .pool_idle_timeout(Some(Duration::from_millis(100)))
            .build();
        let response = client.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(text(response).await, "Hello, World!");
        // Idle for up to 125 ms, then closed by the client: the server sees it end.
        let start = Instant::now();
        while stats.closed.get() == 0 {
            sleep(Duration::from_millis(5)).await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(90),
            "{:?}",
            start.elapsed()
        );
        let closed_while_idle = stats.closed.get();
        let response = client.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(text(response).await, "Hello, World!");
        (closed_while_idle, stats.accepted.get())
    });
    assert_eq!(closed_while_idle, 1);
    assert_eq!(accepted, 2);
}

#[test]
fn no_idle_connections_kept_means_a_connection_per_request() {
    let (accepted, closed) = run_bounded(async {
        let (addr, stats) = counting_server::start().await.unwrap();
        let client = Client::builder().pool_max_idle_per_host(0).build();
        for _ in 0..3 {
            let response = client.get(format!("http://{addr}/")).await.unwrap();
            assert_eq!(text(response).await, "Hello, World!");
        }
        while stats.closed.get() < 3 {
            sleep(Duration::from_millis(5)).await;
        }
        (stats.accepted.get(), stats.closed.get())
    });
    assert_eq!((accepted, closed), (3, 3));
}

#[test]
fn a_refused_connection_is_a_connect_error_naming_the_server() {
    let err = run_bounded(async {
        let port = closed_port().await;
        Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_err()
    });
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.is_timeout() && !err.is_http() && !err.is_invalid_uri());
    assert_eq!(io_kind(&err), Some(ErrorKind::ConnectionRefused), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("connecting to http://127.0.0.1:"),
        "{message}"
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
}

#[test]
fn bad_uris_are_invalid_uri_errors_quoting_the_uri() {
    run_bounded(async {
        let client = Client::new();
        for (uri, reason) in [
            ("127.0.0.1:8080/path", "no scheme"),
            ("/relative/path", "no scheme"),
            ("ftp://127.0.0.1/file", "`ftp` is not supported"),
            ("http://bad host/", ""),
        ] {
            let err = client.get(uri).await.unwrap_err();
            assert!(err.is_invalid_uri(), "{uri}: {err:?}");
            assert!(!err.is_connect(), "{uri}: {err:?}");
            let message = err.to_string();
            assert!(message.contains(&format!("`{uri}`")), "{message}");
            assert!(message.contains(reason), "{message}");
        }
    });
}

#[test]
fn the_connect_timeout_ends_a_connect_that_gets_no_answer() {
    // A listener whose accept queue is full: the kernel drops further SYNs, so a
    // connect neither succeeds nor fails until it gives up after minutes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: `listen` on a socket this test owns; a backlog of 0 only shrinks the queue.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let addr = listener.local_addr().unwrap();
    let _queued: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)))
        .collect();
    let (err, waited) = run_bounded(async {
        let client = Client::builder()
            .connect_timeout(Duration::from_millis(200))
            .build();
        let start = Instant::now();
        let err = client.get(format!("http://{addr}/")).await.unwrap_err();
        (err, start.elapsed())
    });
    assert!(err.is_connect() && err.is_timeout(), "{err:?}");
    assert!(
        err.to_string().contains("connect timeout of 200ms"),
        "{err}"
    );
    assert!(
        waited >= Duration::from_millis(200),
        "gave up after {waited:?}"
    );
    assert!(waited < Duration::from_secs(10), "gave up after {waited:?}");
}

#[test]
fn the_request_timeout_ends_a_request_without_an_answer() {
    let (err, waited, after) = run_bounded(async {
        let (addr, _) = counting_server::start().await.unwrap();
        let client = Client::builder()
            .request_timeout(Duration::from_millis(200))
            .build();
        let start = Instant::now();
        let err = client.get(format!("http://{addr}/hang")).await.unwrap_err();
        let waited = start.elapsed();
        // The client goes on working after a timeout.
        let after = text(client.get(format!("http://{addr}/")).await.unwrap()).await;
        (err, waited, after)
    });
    assert!(err.is_timeout() && !err.is_connect(), "{err:?}");
    assert!(
        err.to_string().contains("request timeout of 200ms"),
        "{err}"
    );
    assert!(
        waited >= Duration::from_millis(200),
        "gave up after {waited:?}"
    );
    assert!(waited < Duration::from_secs(10), "gave up after {waited:?}");
    assert_eq!(after, "Hello, World!");
}

#[test]
fn a_server_that_hangs_up_without_an_answer_is_an_http_error() {
    let err = run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        evloop::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut request = [0; 1024];
            let _ = conn.read(&mut request).await;
        });
        Client::new()
            .get(format!("http://{addr}/"))
            .await
            .unwrap_err()
    });
    assert!(err.is_http() && !err.is_connect(), "{err:?}");
    let hyper_error = std::error::Error::source(&err)
        .and_then(|e| e.downcast_ref::<hyper::Error>())
        .expect("the source is hyper's error");
    assert!(hyper_error.is_incomplete_message(), "{hyper_error:?}");
}

#[test]
fn localhost_resolves_through_evloops_resolver() {
    run_bounded(async {
        let (addr, _) = counting_server::start().await.unwrap();
        let url = format!("http://localhost:{}/", addr.port());
        let response = Client::new().get(url).await.unwrap();
        assert_eq!(text(response).await, "Hello, World!");
    });
}

#[cfg(not(feature = "rustls"))]
#[test]
fn https_without_the_rustls_feature_says_which_feature_it_needs() {
    let err = run_bounded(async {
        let (addr, _) = counting_server::start().await.unwrap();
        Client::new()
            .get(format!("https://{addr}/"))
            .await
            .unwrap_err()
    });
    assert!(err.is_invalid_uri(), "{err:?}");
    assert!(err.to_string().contains("`rustls` feature"), "{err}");
}

/// A request body that is not `Send` (its chunks sit behind an `Rc`): the client takes
/// it as it is, since the request never leaves the loop's thread.
struct LocalChunks(Rc<RefCell<Vec<&'static str>>>);

impl Body for LocalChunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let mut chunks = self.0.borrow_mut();
        Poll::Ready((!chunks.is_empty()).then(|| Ok(Frame::data(Bytes::from(chunks.remove(0))))))
    }
}

#[test]
fn a_body_that_is_not_send_is_streamed() {
    let echoed = run_bounded(async {
        let (addr, _) = counting_server::start().await.unwrap();
        let chunks = Rc::new(RefCell::new(vec!["one ", "two ", "three"]));
        let request = Request::post(format!("http://{addr}/echo"))
            .body(LocalChunks(chunks.clone()))
            .unwrap();
        let response = Client::new().request(request).await.unwrap();
        assert!(chunks.borrow().is_empty(), "every chunk was sent");
        text(response).await
    });
    assert_eq!(echoed, "one two three");
}

#[test]
fn a_request_on_a_pooled_connection_closed_unseen_goes_out_on_a_new_one() {
    // The server (a thread) closes the first connection while the loop is busy, so the
    // close is in the kernel but not yet seen by hyper when the next request takes the
    // connection from the pool. hyper gives the unsent request back; the client sends
    // it on a new connection.
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (close, closing) = std::sync::mpsc::channel::<()>();
    let (closed, on_closed) = std::sync::mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        for (i, conn) in listener.incoming().take(2).enumerate() {
            let mut conn = conn.unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut request = [0; 1024];
            assert!(conn.read(&mut request).unwrap() > 0);
            conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .unwrap();
            if i == 0 {
                closing.recv().unwrap();
                drop(conn);
                closed.send(()).unwrap();
            }
        }
    });
    run_bounded(async {
        let client = Client::new();
        let first = client.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(text(first).await, "ok");
        // Blocks the loop until the FIN is sent: hyper cannot notice it meanwhile.
        close.send(()).unwrap();
        on_closed.recv().unwrap();
        // One turn of the loop: the reactor sees the close and queues the connection's
        // task behind this one, which takes the connection from the pool first.
        evloop::yield_now().await;
        let second = client.get(format!("http://{addr}/")).await.unwrap();
        assert_eq!(text(second).await, "ok");
    });
    server.join().expect("the server accepted two connections");
}
