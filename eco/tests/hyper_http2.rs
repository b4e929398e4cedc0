//! HTTP/2 on evloop: hyper's `http2` server and client, each stream of the connection a
//! task spawned through `EvloopExecutor`. Here, not in `evloop-hyper`'s own tests, because
//! hyper's `http2` feature brings h2 (and tokio's build) into the build.

#[path = "../../hyper/examples/shared/service.rs"]
mod service;

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use evloop::hyper::{EvloopExecutor, EvloopIo, EvloopTimer};
use evloop::net::{TcpListener, TcpStream};
use evloop::time::timeout;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};

/// Runs `test` on a fresh loop, failing if it takes longer than 30 s.
fn run_bounded<F: Future>(test: F) -> F::Output {
    evloop::run(async {
        timeout(Duration::from_secs(30), test)
            .await
            .expect("the test did not finish within 30 s")
    })
}

#[test]
fn http2_streams_run_as_tasks_through_evloop_executor() {
    run_bounded(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        evloop::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http2::Builder::new(EvloopExecutor)
                .timer(EvloopTimer)
                .serve_connection(
                    EvloopIo::new(stream),
                    hyper::service::service_fn(service::service),
                )
                .await
                .unwrap();
        });

        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) = hyper::client::conn::http2::Builder::new(EvloopExecutor)
            .timer(EvloopTimer)
            .handshake::<_, Full<Bytes>>(EvloopIo::new(stream))
            .await
            .unwrap();
        evloop::spawn(conn);
        // Sixteen requests in flight at once on one connection: sixteen HTTP/2 streams.
        let requests: Vec<_> = (0..16)
            .map(|i| {
                let mut sender = sender.clone();
                evloop::spawn(async move {
                    let request = Request::post(format!("http://{addr}/echo"))
                        .body(Full::new(Bytes::from(format!("stream {i}"))))
                        .unwrap();
                    let response = sender.send_request(request).await.unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                    response.into_body().collect().await.unwrap().to_bytes()
                })
            })
            .collect();
        let bodies = evloop::gather_all(requests).await;
        for (i, body) in bodies.into_iter().enumerate() {
            assert_eq!(body.unwrap(), format!("stream {i}"));
        }
    });
}
