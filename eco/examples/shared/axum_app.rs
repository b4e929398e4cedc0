//! An axum application served on evloop: the `axum` example's and the axum tests'.
//!
//! axum's `Router` is a tower `Service` of `http::Request`s; hyper serves any such
//! service over a connection, and evloop-hyper's `EvloopIo` makes evloop's `TcpStream`
//! a hyper connection. axum's `tokio` feature (only `axum::serve`, on tokio's sockets)
//! is left off: nothing here needs a tokio runtime.
//!
//! The trap: axum wants `Send` handler futures, and evloop's own futures (timers,
//! sockets, loop-local channels) are not `Send`. A handler that needs the loop spawns a
//! task for that work and awaits its answer through a `Send` channel
//! (`evloop::sync::shared::oneshot`), as `GET /later` does.
#![allow(dead_code)] // the example uses a subset; the tests use the rest

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use evloop::hyper::{EvloopIo, EvloopTimer};
use evloop::net::TcpListener;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use serde_json::{json, Value};
use tower::ServiceExt;

/// The application's state: how many requests `GET /hits` has counted.
#[derive(Clone, Default)]
pub struct Hits(Arc<AtomicU64>);

impl Hits {
    /// The count so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The routes:
///
/// - `GET /` answers `Hello from axum on evloop`
/// - `GET /users/{id}` answers `user {id}` (a path parameter; not a number: 400)
/// - `GET /search?q=...` answers `searching for ...` (a query string)
/// - `POST /echo` takes a JSON object and answers it with `"echoed": true` added
/// - `GET /hits` counts in the shared state and answers the count
/// - `GET /later` answers after 50 ms of evloop's timer, through a task of the loop
/// - anything else is a 404 `nothing here`
pub fn app(hits: Hits) -> Router {
    Router::new()
        .route("/", get(|| async { "Hello from axum on evloop" }))
        .route(
            "/users/{id}",
            get(|Path(id): Path<u32>| async move { format!("user {id}") }),
        )
        .route("/search", get(search))
        .route("/echo", post(echo))
        .route("/hits", get(count_hit))
        .route("/later", get(later))
        .fallback(|| async { (StatusCode::NOT_FOUND, "nothing here") })
        .with_state(hits)
}

/// `GET /search?q=...`.
async fn search(Query(params): Query<HashMap<String, String>>) -> String {
    format!(
        "searching for {}",
        params.get("q").map_or("nothing", String::as_str)
    )
}

/// `POST /echo`.
async fn echo(Json(mut body): Json<Value>) -> Result<Json<Value>, (StatusCode, &'static str)> {
    let object = body
        .as_object_mut()
        .ok_or((StatusCode::UNPROCESSABLE_ENTITY, "send a JSON object"))?;
    object.insert("echoed".into(), json!(true));
    Ok(Json(body))
}

/// `GET /hits`.
async fn count_hit(State(hits): State<Hits>) -> String {
    let n = hits.0.fetch_add(1, Ordering::Relaxed) + 1;
    format!("hit {n}")
}

/// `GET /later`: the loop-local work (a timer) runs in an evloop task; the handler
/// awaits only the `Send` receiver of its answer.
async fn later() -> Result<&'static str, StatusCode> {
    let (answer, answered) = evloop::sync::shared::oneshot::channel();
    evloop::spawn(async move {
        evloop::time::sleep(Duration::from_millis(50)).await;
        let _ = answer.send("answered after 50 ms on evloop's timer");
    });
    answered
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

/// Serves `router` on `listener` forever: a task per connection, HTTP/1.1 with
/// keep-alive through hyper on `EvloopIo`, each request handed to a clone of the router.
/// Out of file descriptors or memory, it waits 10 ms before accepting again; any other
/// accept error concerns one connection, and is logged.
pub async fn serve(listener: TcpListener, router: Router) {
    let mut http = http1::Builder::new();
    http.timer(EvloopTimer);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if out_of_resources(&e) => {
                eprintln!("accept: {e}; accepting again in 10 ms");
                evloop::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(e) => {
                eprintln!("accept: {e}; accepting the next connection");
                evloop::yield_now().await;
                continue;
            }
        };
        let router = router.clone();
        // `Router` is always ready, and never fails (its error type is `Infallible`).
        let service = service_fn(move |request: Request<Incoming>| router.clone().oneshot(request));
        let conn = http.serve_connection(EvloopIo::new(stream), service);
        evloop::spawn(async move {
            if let Err(e) = conn.await {
                if !e.is_incomplete_message() {
                    eprintln!("connection error: {e}");
                }
            }
        });
    }
}

/// Whether `e` says the process is out of file descriptors or memory: waiting helps,
/// retrying at once does not.
fn out_of_resources(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}
