//! The HTTP service of the examples, the tests and the tokio comparison server: plain
//! hyper, nothing runtime-specific, so every runtime serves exactly the same thing.
//!
//! - `GET /` answers `Hello, World!`
//! - `POST /echo` streams the request body back
//! - anything else is a 404

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::{header, Method, Request, Response, StatusCode};

/// The response body: a fixed text, or the request's own body echoed back.
pub type Body = Either<Full<Bytes>, Incoming>;

/// Answers one request.
pub async fn service(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => Response::builder()
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Either::Left(Full::new(Bytes::from_static(
                b"Hello, World!",
            ))))
            .unwrap(),
        (&Method::POST, "/echo") => Response::new(Either::Right(request.into_body())),
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Either::Left(Full::new(Bytes::from_static(b"not found"))))
            .unwrap(),
    };
    Ok(response)
}
