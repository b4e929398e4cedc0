//! hyper 1.x on evloop: the three pieces hyper asks of a runtime.
//!
//! hyper is runtime-agnostic: it speaks HTTP over any connection that implements its
//! [`rt::Read`](hyper::rt::Read) and [`rt::Write`](hyper::rt::Write), spawns background
//! work through an [`rt::Executor`](hyper::rt::Executor), and takes its timeouts from an
//! [`rt::Timer`](hyper::rt::Timer). This crate provides each on evloop:
//!
//! | hyper asks for | evloop-hyper | built on |
//! |---|---|---|
//! | `rt::Read + rt::Write` | [`EvloopIo`]`::new(stream)` | `evloop::net::TcpStream` (any `futures_io` stream) |
//! | `rt::Executor` | [`EvloopExecutor`] | `evloop::spawn` |
//! | `rt::Timer` | [`EvloopTimer`] | `evloop::time::sleep`, on the loop's timer wheel |
//!
//! On top of them, [`Client`] is an HTTP/1.1 client with a keep-alive pool (aiohttp's
//! `ClientSession`): `Client::new().get("http://127.0.0.1:8080/").await`, https with
//! the `rustls` feature. See the [`client`] module.
//!
//! In ARCHITECTURE.md's picture it sits beside the facade: it depends on `evloop-executor`,
//! `evloop-time` and `evloop-net` only, so that the facade can re-export it as `evloop::hyper`
//! (behind the facade's `hyper` feature) without a dependency cycle. Depend on either
//! `evloop = { features = ["hyper"] }` or on `evloop-hyper` directly; the examples in
//! this crate's `examples/` (`hyper_server`, `hyper_client`) use the latter.
//!
//! # Example: an HTTP/1.1 server and a client on one loop
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use hyper::{server::conn::http1, service::service_fn, Request, Response};
//! use evloop::net::{TcpListener, TcpStream};
//! use evloop_hyper::{EvloopIo, EvloopTimer};
//!
//! async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from_static(b"Hello, World!"))))
//! }
//!
//! evloop::run(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     evloop::spawn(async move {
//!         // One task per connection, as asyncio.start_server calls its handler.
//!         while let Ok((stream, _)) = listener.accept().await {
//!             evloop::spawn(async move {
//!                 let conn = http1::Builder::new()
//!                     .timer(EvloopTimer)
//!                     .serve_connection(EvloopIo::new(stream), service_fn(hello));
//!                 let _ = conn.await;
//!             });
//!         }
//!     });
//!
//!     let stream = TcpStream::connect(addr).await?;
//!     let (mut sender, conn) = hyper::client::conn::http1::handshake(EvloopIo::new(stream))
//!         .await
//!         .unwrap();
//!     evloop::spawn(conn); // drives the connection while `sender` sends
//!     let request = Request::get("/").header("host", "example").body(Full::<Bytes>::default()).unwrap();
//!     let response = sender.send_request(request).await.unwrap();
//!     assert_eq!(response.status(), 200);
//!     let body = response.into_body().collect().await.unwrap().to_bytes();
//!     assert_eq!(body, "Hello, World!");
//!     Ok::<_, std::io::Error>(())
//! })?;
//! # Ok::<_, std::io::Error>(())
//! ```

#![warn(missing_docs)]

pub mod client;
mod executor;
mod io;
mod sleep;
mod timer;

pub use client::Client;
pub use executor::EvloopExecutor;
pub use io::EvloopIo;
pub use timer::EvloopTimer;

/// rustls, the version the client's [`Builder::tls_roots`](client::Builder::tls_roots)
/// and [`tls_config`](client::Builder::tls_config) take (`rustls` feature).
#[cfg(feature = "rustls")]
pub use futures_rustls::rustls;
