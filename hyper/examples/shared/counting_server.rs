//! An HTTP/1.1 server on evloop that counts what its clients do: the connections it
//! accepted and saw closed, and the most requests it had in flight at once. The
//! `fetch_many` example and the client tests read these counts.
//!
//! - `GET /` answers `Hello, World!`
//! - `GET /item/N` answers `item N` after 5 ms (a slow backend, so requests overlap)
//! - `GET /big` answers 1 MiB
//! - `POST /echo` streams the request body back
//! - `GET /hang` never answers
//! - anything else is a 404

use std::cell::Cell;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use evloop::net::TcpListener;
use evloop_hyper::{EvloopIo, EvloopTimer};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};

/// The size of `GET /big`'s body.
pub const BIG: usize = 1 << 20;

/// What the server saw.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: Cell<usize>,
    /// Connections that ended (the client closed them, or hyper did).
    pub closed: Cell<usize>,
    /// Requests being answered now.
    pub in_flight: Cell<usize>,
    /// The most requests answered at once.
    pub max_in_flight: Cell<usize>,
}

/// Starts the server on 127.0.0.1 (a free port) as a task of this loop.
pub async fn start() -> std::io::Result<(SocketAddr, Rc<Stats>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stats = Rc::new(Stats::default());
    let counts = stats.clone();
    evloop::spawn(async move {
        let mut http = http1::Builder::new();
        http.timer(EvloopTimer);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of fds (or a connection that failed in the queue): the
                    // tests then fail on their counts, so say why.
                    eprintln!("accept: {e}");
                    evloop::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            counts.accepted.set(counts.accepted.get() + 1);
            let (stats, service_stats) = (counts.clone(), counts.clone());
            let service = service_fn(move |request| answer(request, service_stats.clone()));
            let conn = http.serve_connection(EvloopIo::new(stream), service);
            evloop::spawn(async move {
                let _ = conn.await;
                stats.closed.set(stats.closed.get() + 1);
            });
        }
    });
    Ok((addr, stats))
}

/// The response body: a fixed one, or the request's body echoed.
type Body = Either<Full<Bytes>, Incoming>;

/// Answers one request, counting it in flight meanwhile.
async fn answer(
    request: Request<Incoming>,
    stats: Rc<Stats>,
) -> Result<Response<Body>, Infallible> {
    stats.in_flight.set(stats.in_flight.get() + 1);
    stats
        .max_in_flight
        .set(stats.max_in_flight.get().max(stats.in_flight.get()));
    let path = request.uri().path().to_owned();
    let fixed = |status: StatusCode, body: Bytes| {
        let mut response = Response::new(Either::Left(Full::new(body)));
        *response.status_mut() = status;
        response
    };
    let response = match (request.method(), path.as_str()) {
        (&Method::GET, "/") => fixed(StatusCode::OK, Bytes::from_static(b"Hello, World!")),
        (&Method::GET, "/big") => fixed(StatusCode::OK, Bytes::from(vec![b'x'; BIG])),
        (&Method::POST, "/echo") => Response::new(Either::Right(request.into_body())),
        (&Method::GET, "/hang") => std::future::pending().await,
        (&Method::GET, item) if item.starts_with("/item/") => {
            evloop::time::sleep(Duration::from_millis(5)).await;
            fixed(StatusCode::OK, Bytes::from(format!("item {}", &item[6..])))
        }
        _ => fixed(StatusCode::NOT_FOUND, Bytes::from_static(b"not found")),
    };
    stats.in_flight.set(stats.in_flight.get() - 1);
    Ok(response)
}
