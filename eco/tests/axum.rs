//! An axum `Router` served through evloop-hyper (hyper over evloop's `TcpStream`), with
//! no tokio runtime, answering real clients: curl, and `evloop::hyper::Client` (hyper's
//! client on evloop). Routing, path and query extractors, JSON, shared state, a 404
//! fallback, and a handler whose work runs on the loop's timer.

#[path = "../examples/shared/axum_app.rs"]
mod axum_app;
mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use axum_app::Hits;
use bytes::Bytes;
use common::{assert_no_tokio_runtime, run_bounded};
use evloop::hyper::Client;
use evloop::net::TcpListener;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{header, Request, Response, StatusCode};
use serde_json::{json, Value};

/// Starts the application on 127.0.0.1 (a free port) as a task of this loop.
async fn start(hits: Hits) -> SocketAddr {
    assert_no_tokio_runtime();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    evloop::spawn(axum_app::serve(listener, axum_app::app(hits)));
    addr
}

/// The status and the whole body of `response`.
async fn read(response: Response<Incoming>) -> (StatusCode, String) {
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn the_router_answers_evloops_hyper_client() {
    let hits = Hits::default();
    let counted = hits.clone();
    run_bounded(async move {
        let addr = start(hits).await;
        let client = Client::new();
        let get = |path: &str| client.get(format!("http://{addr}{path}"));

        assert_eq!(
            read(get("/").await.unwrap()).await,
            (StatusCode::OK, "Hello from axum on evloop".into())
        );
        assert_eq!(
            read(get("/users/7").await.unwrap()).await,
            (StatusCode::OK, "user 7".into())
        );
        // The path extractor refuses what does not parse.
        let (status, _) = read(get("/users/seven").await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            read(get("/search?q=event%20loop").await.unwrap()).await,
            (StatusCode::OK, "searching for event loop".into())
        );
        assert_eq!(
            read(get("/nowhere").await.unwrap()).await,
            (StatusCode::NOT_FOUND, "nothing here".into())
        );
        for n in 1..=3 {
            assert_eq!(
                read(get("/hits").await.unwrap()).await,
                (StatusCode::OK, format!("hit {n}"))
            );
        }

        let request = Request::post(format!("http://{addr}/echo"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(r#"{"name":"loop","tasks":3}"#)))
            .unwrap();
        let response = client.request(request).await.unwrap();
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK);
        let echoed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(echoed, json!({"name": "loop", "tasks": 3, "echoed": true}));

        // Not JSON: axum's extractor answers 400 without calling the handler.
        let request = Request::post(format!("http://{addr}/echo"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from("{not json")))
            .unwrap();
        let (status, _) = read(client.request(request).await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
    assert_eq!(
        counted.get(),
        3,
        "the state is shared by the router's clones"
    );
}

#[test]
fn a_handler_awaits_work_done_on_the_loop() {
    let (answers, elapsed) = run_bounded(async {
        let addr = start(Hits::default()).await;
        let client = Client::new();
        // Five at once: their 50 ms timers overlap on the one loop.
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let client = client.clone();
                evloop::spawn(async move {
                    read(client.get(format!("http://{addr}/later")).await.unwrap()).await
                })
            })
            .collect();
        let answers: Vec<_> = evloop::gather_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        (answers, start.elapsed())
    });
    for answer in answers {
        assert_eq!(
            answer,
            (
                StatusCode::OK,
                "answered after 50 ms on evloop's timer".into()
            )
        );
    }
    assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn the_router_answers_curl() {
    if Command::new("curl").arg("--version").output().is_err() {
        println!("skipped: `curl` is not installed");
        return;
    }
    let output = run_bounded(async {
        let addr = start(Hits::default()).await;
        // curl blocks: it runs on the blocking pool while the loop serves it, keeping
        // one connection for its two URLs (`num_connects` 1, then 0), then a JSON POST.
        evloop::spawn_blocking(move || {
            let gets = Command::new("curl")
                .args(["--silent", "--show-error", "--max-time", "10"])
                .args(["--write-out", " %{http_code} %{num_connects}\\n"])
                .arg(format!("http://{addr}/users/42"))
                .arg(format!("http://{addr}/missing"))
                .output()
                .unwrap();
            let post = Command::new("curl")
                .args(["--silent", "--show-error", "--max-time", "10"])
                .args(["-H", "content-type: application/json"])
                .args(["--data", r#"{"from":"curl"}"#])
                .arg(format!("http://{addr}/echo"))
                .output()
                .unwrap();
            (gets, post)
        })
        .await
        .unwrap()
    });
    let (gets, post) = output;
    assert!(gets.status.success(), "curl failed: {gets:?}");
    assert!(post.status.success(), "curl failed: {post:?}");
    assert_eq!(
        String::from_utf8(gets.stdout).unwrap(),
        "user 42 200 1\nnothing here 404 0\n"
    );
    let echoed: Value = serde_json::from_slice(&post.stdout).unwrap();
    assert_eq!(echoed, json!({"from": "curl", "echoed": true}));
}
