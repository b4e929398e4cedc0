//! [`Error`]: why a [`Client`](super::Client) request failed, in terms a caller can act
//! on (a bad URI, a server that cannot be reached, a timeout, a failed TLS handshake, an
//! HTTP error).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use super::target::Target;

/// A boxed error that may cross threads, as hyper and rustls produce.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// The error of [`Client::request`](super::Client::request) and
/// [`Client::get`](super::Client::get).
///
/// Ask it what went wrong with the `is_*` methods; its message names the URI or the
/// server and the cause, and [`source`](StdError::source) is the underlying error (an
/// [`std::io::Error`] for a refused connection, a `rustls::Error` for a certificate, a
/// [`hyper::Error`] for the HTTP exchange).
///
/// | method | true for |
/// |---|---|
/// | [`is_invalid_uri`](Error::is_invalid_uri) | a URI that is not absolute `http://` or `https://`, or cannot be parsed |
/// | [`is_connect`](Error::is_connect) | every failure to open the connection: resolving, TCP (refused, unreachable), the TLS handshake, the connect timeout |
/// | [`is_tls`](Error::is_tls) | a failed TLS handshake (untrusted certificate, wrong name) |
/// | [`is_timeout`](Error::is_timeout) | the connect timeout or the request timeout |
/// | [`is_http`](Error::is_http) | an error of the HTTP exchange on an open connection (the server closed it, sent garbage) |
///
/// ```
/// evloop::run(async {
///     let client = evloop_hyper::Client::new();
///     let err = client.get("127.0.0.1:8080/no-scheme").await.unwrap_err();
///     assert!(err.is_invalid_uri());
///     assert!(err.to_string().contains("no scheme"), "{err}");
/// });
/// ```
pub struct Error {
    /// What failed.
    kind: Kind,
    /// The URI or server concerned, as the message shows it.
    subject: String,
    /// The underlying error, if any.
    source: Option<BoxError>,
}

/// The classes of failure [`Error`] distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The URI cannot be used.
    InvalidUri,
    /// Resolving or TCP connecting failed.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// Opening the connection took longer than the connect timeout.
    ConnectTimeout(Duration),
    /// The response head did not arrive within the request timeout.
    RequestTimeout(Duration),
    /// hyper reported an error on an open connection.
    Http,
}

impl Error {
    /// `uri` cannot be used, for `reason`.
    pub(crate) fn invalid_uri(uri: impl fmt::Display, reason: impl Into<BoxError>) -> Error {
        Error {
            kind: Kind::InvalidUri,
            subject: format!("`{uri}`"),
            source: Some(reason.into()),
        }
    }

    /// Connecting to `target` failed with `cause`.
    pub(crate) fn connect(target: &Target, cause: impl Into<BoxError>) -> Error {
        Error::new(Kind::Connect, target, cause.into())
    }

    /// The TLS handshake with `target` failed with `cause`.
    #[cfg(feature = "rustls")]
    pub(crate) fn tls(target: &Target, cause: impl Into<BoxError>) -> Error {
        Error::new(Kind::Tls, target, cause.into())
    }

    /// Connecting to `target` took longer than `limit`.
    pub(crate) fn connect_timeout(target: &Target, limit: Duration) -> Error {
        Error {
            kind: Kind::ConnectTimeout(limit),
            subject: target.to_string(),
            source: None,
        }
    }

    /// `target` sent no response head within `limit`.
    pub(crate) fn request_timeout(target: &Target, limit: Duration) -> Error {
        Error {
            kind: Kind::RequestTimeout(limit),
            subject: target.to_string(),
            source: None,
        }
    }

    /// hyper failed on the connection to `target`.
    pub(crate) fn http(target: &Target, cause: hyper::Error) -> Error {
        Error::new(Kind::Http, target, Box::new(cause))
    }

    /// An error of `kind` about `target`.
    fn new(kind: Kind, target: &Target, source: BoxError) -> Error {
        Error {
            kind,
            subject: target.to_string(),
            source: Some(source),
        }
    }

    /// The URI is not an absolute `http://` or `https://` URI (or names a scheme this
    /// build cannot serve: `https` needs the `rustls` feature).
    ///
    /// ```
    /// evloop::run(async {
    ///     let err = evloop_hyper::Client::new().get("ftp://127.0.0.1/").await.unwrap_err();
    ///     assert!(err.is_invalid_uri() && !err.is_connect());
    /// });
    /// ```
    pub fn is_invalid_uri(&self) -> bool {
        self.kind == Kind::InvalidUri
    }

    /// The connection could not be opened: the name did not resolve, the server refused
    /// or could not be reached, the TLS handshake failed, or the connect timeout passed.
    /// The request was not sent, so it is safe to retry.
    ///
    /// ```
    /// evloop::run(async {
    ///     // Bind and drop a listener to find a port nobody listens on.
    ///     let port = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
    ///         .local_addr().unwrap().port();
    ///     let err = evloop_hyper::Client::new()
    ///         .get(format!("http://127.0.0.1:{port}/"))
    ///         .await
    ///         .unwrap_err();
    ///     assert!(err.is_connect());
    ///     let io = std::error::Error::source(&err).unwrap().downcast_ref::<std::io::Error>();
    ///     assert_eq!(io.unwrap().kind(), std::io::ErrorKind::ConnectionRefused);
    /// });
    /// ```
    pub fn is_connect(&self) -> bool {
        matches!(
            self.kind,
            Kind::Connect | Kind::Tls | Kind::ConnectTimeout(_)
        )
    }

    /// The TLS handshake failed: the server's certificate is not trusted, does not name
    /// the host, or the two sides share no protocol version or cipher.
    /// [`source`](StdError::source) is rustls' error.
    ///
    /// ```
    /// # #[cfg(not(feature = "rustls"))] fn main() {}
    /// # #[cfg(feature = "rustls")] fn main() {
    /// # evloop::run(async {
    /// // A plain-HTTP server spoken to with https://: the handshake fails.
    /// let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// evloop::spawn(async move {
    ///     let (mut conn, _) = listener.accept().await.unwrap();
    ///     conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await.unwrap();
    /// });
    /// let err = evloop_hyper::Client::new().get(format!("https://{addr}/")).await.unwrap_err();
    /// assert!(err.is_tls() && err.is_connect(), "{err}");
    /// # });
    /// # }
    /// ```
    pub fn is_tls(&self) -> bool {
        self.kind == Kind::Tls
    }

    /// A timeout passed: the connect timeout ([`is_connect`](Error::is_connect) is true
    /// as well) or the request timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// evloop::run(async {
    ///     // A server that accepts and never answers.
    ///     let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     let client = evloop_hyper::Client::builder()
    ///         .request_timeout(Duration::from_millis(50))
    ///         .build();
    ///     let err = client.get(format!("http://{addr}/")).await.unwrap_err();
    ///     assert!(err.is_timeout() && !err.is_connect());
    ///     assert!(err.to_string().contains("50ms"), "{err}");
    ///     drop(listener);
    /// });
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, Kind::ConnectTimeout(_) | Kind::RequestTimeout(_))
    }

    /// The HTTP exchange failed on an open connection: the server closed it before its
    /// response was complete, or sent something that is not HTTP/1.1.
    /// [`source`](StdError::source) is the [`hyper::Error`].
    ///
    /// ```
    /// evloop::run(async {
    ///     // A server that reads the request and hangs up without an answer.
    ///     let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     evloop::spawn(async move {
    ///         let (mut conn, _) = listener.accept().await.unwrap();
    ///         let mut request = [0; 1024];
    ///         let _ = conn.read(&mut request).await;
    ///     });
    ///     let err = evloop_hyper::Client::new().get(format!("http://{addr}/")).await.unwrap_err();
    ///     assert!(err.is_http() && !err.is_connect(), "{err}");
    /// });
    /// ```
    pub fn is_http(&self) -> bool {
        self.kind == Kind::Http
    }
}

impl fmt::Display for Error {
    /// The failure, the URI or server, and the cause: `connecting to
    /// http://127.0.0.1:9: Connection refused (os error 111)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = &self.subject;
        match self.kind {
            Kind::InvalidUri => write!(f, "invalid URI {subject}")?,
            Kind::Connect => write!(f, "connecting to {subject}")?,
            Kind::Tls => write!(f, "TLS handshake with {subject}")?,
            Kind::ConnectTimeout(limit) => write!(
                f,
                "connecting to {subject}: no connection within the connect timeout of {limit:?}"
            )?,
            Kind::RequestTimeout(limit) => write!(
                f,
                "request to {subject}: no response within the request timeout of {limit:?}"
            )?,
            Kind::Http => write!(f, "HTTP exchange with {subject}")?,
        }
        match &self.source {
            Some(source) => write!(f, ": {source}"),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("subject", &self.subject)
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
