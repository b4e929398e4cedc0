//! [`Client`]: an HTTP/1.1 client with a keep-alive pool, like aiohttp's
//! `ClientSession`, on hyper's `client::conn` API.
//!
//! ```
//! use http_body_util::BodyExt;
//! # use evloop::net::TcpListener;
//!
//! evloop::run(async {
//! #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
//! #   let addr = listener.local_addr().unwrap();
//! #   evloop::spawn(async move {
//! #       let (mut conn, _) = listener.accept().await.unwrap();
//! #       let mut request = [0; 1024];
//! #       let _ = conn.read(&mut request).await;
//! #       conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello").await.unwrap();
//! #   });
//!     let client = evloop_hyper::Client::new();
//!     let response = client.get(format!("http://{addr}/")).await?;
//!     assert_eq!(response.status(), 200);
//!     let body = response.into_body().collect().await?.to_bytes();
//!     assert_eq!(body, "hello");
//!     Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! })?;
//! # Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! ```
//!
//! # What it does
//!
//! - **One pool per client, connections per host.** Requests to the same scheme, host
//!   and port reuse an idle connection; sequential requests to one host go over one
//!   connection. Clones of a [`Client`] share the pool, so clone it into the tasks
//!   that send requests at the same time.
//! - **A connection is reused once its response was read to the end.** Drop a body
//!   unread and hyper closes that connection; hold it unread and the connection stays
//!   busy (the next request opens another). A pooled connection the server has closed
//!   is noticed, and the request goes out on a new one.
//! - **http and https.** `https` needs the `rustls` feature: rustls with its `ring`
//!   provider, trusting the webpki roots or the roots given to
//!   `Builder::tls_roots`.
//! - **Names resolve off the loop.** A host name goes to `getaddrinfo` on evloop's
//!   blocking pool (`evloop::net::TcpStream::connect`); an IP literal does not.
//! - **Errors say what failed.** [`Error`] tells a bad URI, a refused connection, a
//!   timeout, a TLS failure and an HTTP failure apart.
//!
//! # Traps
//!
//! - The client belongs to the loop that uses it: it is neither `Send` nor `Sync`, like
//!   evloop's sockets (hyper-util's pooled `Client` needs `Send` connections; this one
//!   is built for a single-threaded loop instead). Make one client per loop.
//! - The request timeout ends when the response head arrives; reading a slow body is
//!   bounded only by the caller (`evloop::time::timeout`).
//! - HTTP/1.1 only: many requests in flight to one host use as many connections (limit
//!   them, e.g. with `evloop::sync::Semaphore`, as the `fetch_many` example does).

mod body;
mod builder;
mod connect;
mod error;
mod pool;
mod target;
#[cfg(feature = "rustls")]
mod tls;
mod uri;

use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::body::{Body, Incoming};
use hyper::{Request, Response};

pub use builder::Builder;
pub use error::Error;
pub use uri::IntoUri;

use body::RequestBody;
use connect::Tls;
use pool::{Pool, Sender};
use target::Target;

/// An HTTP/1.1 client with a keep-alive connection pool: [`get`](Client::get) a URI,
/// or send any [`Request`] with [`request`](Client::request). Cloning it is cheap and
/// shares the pool. See the [module docs](self) for what it does and its traps.
///
/// ```
/// use http_body_util::{BodyExt, Full};
/// # use evloop::net::TcpListener;
///
/// evloop::run(async {
/// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// #   let addr = listener.local_addr().unwrap();
/// #   evloop::spawn(async move {
/// #       let (mut conn, _) = listener.accept().await.unwrap();
/// #       let mut request = [0; 1024];
/// #       let _ = conn.read(&mut request).await;
/// #       conn.write_all(b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n").await.unwrap();
/// #   });
///     let client = evloop_hyper::Client::new();
///     let request = hyper::Request::post(format!("http://{addr}/items"))
///         .header("content-type", "application/json")
///         .body(Full::new(bytes::Bytes::from(r#"{"name":"loop"}"#)))?;
///     let response = client.request(request).await?;
///     assert_eq!(response.status(), 201);
///     Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
/// })?;
/// # Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    /// The settings and the pool, shared by the clones.
    inner: Rc<Inner>,
}

/// What the clones of a client share.
struct Inner {
    /// The timeouts.
    config: Config,
    /// The keep-alive connections.
    pool: Pool,
    /// The TLS connector (unit without the `rustls` feature).
    tls: Tls,
}

/// A client's timeouts.
struct Config {
    /// The limit on opening a connection.
    connect_timeout: Option<Duration>,
    /// The limit on a request until its response head.
    request_timeout: Option<Duration>,
}

impl Client {
    /// A client with the defaults of [`Builder`]: no timeouts, idle connections kept
    /// 90 s, and (with `rustls`) the webpki roots for https.
    ///
    /// ```
    /// let client = evloop_hyper::Client::new();
    /// # drop(client);
    /// ```
    pub fn new() -> Client {
        Builder::default().build()
    }

    /// A [`Builder`] to set timeouts, pool limits and TLS roots.
    ///
    /// ```
    /// let client = evloop_hyper::Client::builder()
    ///     .request_timeout(std::time::Duration::from_secs(10))
    ///     .build();
    /// # drop(client);
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Sends `GET uri` and returns the response once its head has arrived; read the
    /// body from [`Response::into_body`] (e.g. with `http_body_util::BodyExt::collect`).
    ///
    /// ```
    /// # use evloop::net::TcpListener;
    /// evloop::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let addr = listener.local_addr().unwrap();
    /// #   evloop::spawn(async move {
    /// #       let (mut conn, _) = listener.accept().await.unwrap();
    /// #       let mut request = [0; 1024];
    /// #       let _ = conn.read(&mut request).await;
    /// #       conn.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await.unwrap();
    /// #   });
    ///     let client = evloop_hyper::Client::new();
    ///     let response = client.get(format!("http://{addr}/missing")).await.unwrap();
    ///     assert_eq!(response.status(), 404); // an HTTP status is not an error
    /// });
    /// ```
    ///
    /// # Errors
    /// See [`request`](Client::request).
    pub async fn get(&self, uri: impl IntoUri) -> Result<Response<Incoming>, Error> {
        let request = Request::get(uri.into_uri()?)
            .body(Empty::<Bytes>::new())
            .expect("a GET of a parsed URI is a valid request");
        self.request(request).await
    }

    /// Sends `request` and returns the response once its head has arrived. The URI
    /// must be absolute (`http://host:port/path`); the client writes it in origin form
    /// (`/path`) and adds a `Host` header unless the request has one. The body is any
    /// [`Body`] of [`Bytes`] (`Empty`, `Full`, a stream), and need not be `Send`.
    ///
    /// ```
    /// use http_body_util::Empty;
    /// # use evloop::net::TcpListener;
    /// evloop::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let addr = listener.local_addr().unwrap();
    /// #   evloop::spawn(async move {
    /// #       let (mut conn, _) = listener.accept().await.unwrap();
    /// #       let mut request = [0; 1024];
    /// #       let _ = conn.read(&mut request).await;
    /// #       conn.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await.unwrap();
    /// #   });
    ///     let request = hyper::Request::delete(format!("http://{addr}/items/7"))
    ///         .body(Empty::<bytes::Bytes>::new())
    ///         .unwrap();
    ///     let response = evloop_hyper::Client::new().request(request).await.unwrap();
    ///     assert_eq!(response.status(), 204);
    /// });
    /// ```
    ///
    /// # Errors
    /// An [`Error`]: a URI that is not absolute `http`/`https`
    /// ([`is_invalid_uri`](Error::is_invalid_uri)), a connection that could not be
    /// opened ([`is_connect`](Error::is_connect), e.g. refused), a timeout
    /// ([`is_timeout`](Error::is_timeout)), a failed TLS handshake
    /// ([`is_tls`](Error::is_tls)), or a failed HTTP exchange
    /// ([`is_http`](Error::is_http)). An HTTP error status (404, 500) is a response, not
    /// an error.
    ///
    /// # Panics
    /// Outside a running evloop loop.
    pub async fn request<B>(&self, request: Request<B>) -> Result<Response<Incoming>, Error>
    where
        B: Body<Data = Bytes> + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let target = Target::from_uri(request.uri())?;
        let mut request = request.map(body::boxed);
        target.prepare(&mut request)?;
        match self.inner.config.request_timeout {
            None => self.send(&target, request).await,
            Some(limit) => evloop_time::timeout(limit, self.send(&target, request))
                .await
                .unwrap_or_else(|_| Err(Error::request_timeout(&target, limit))),
        }
    }

    /// Sends `request` over a pooled connection to `target`, or a new one. A pooled
    /// connection that turns out closed before the request was written gives the
    /// request back, and it goes out on the next connection.
    async fn send(
        &self,
        target: &Target,
        mut request: Request<RequestBody>,
    ) -> Result<Response<Incoming>, Error> {
        loop {
            let (mut sender, pooled) = match self.inner.pool.checkout(target) {
                Some(sender) => (sender, true),
                None => (self.connect(target).await?, false),
            };
            let response = sender.try_send_request(request);
            self.inner.pool.keep(target, sender);
            match response.await {
                Ok(response) => return Ok(response),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) if pooled => request = unsent,
                    _ => return Err(Error::http(target, failed.into_error())),
                },
            }
        }
    }

    /// Opens a connection to `target` within the connect timeout.
    async fn connect(&self, target: &Target) -> Result<Sender, Error> {
        let opening = connect::open(target, &self.inner.tls);
        match self.inner.config.connect_timeout {
            None => opening.await,
            Some(limit) => evloop_time::timeout(limit, opening)
                .await
                .unwrap_or_else(|_| Err(Error::connect_timeout(target, limit))),
        }
    }
}

impl Default for Client {
    /// [`Client::new`].
    fn default() -> Client {
        Client::new()
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("connect_timeout", &self.inner.config.connect_timeout)
            .field("request_timeout", &self.inner.config.request_timeout)
            .finish_non_exhaustive()
    }
}
