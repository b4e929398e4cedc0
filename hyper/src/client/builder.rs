//! [`Builder`]: a [`Client`] with timeouts, pool limits and TLS roots of one's choosing.

use std::time::Duration;

#[cfg(feature = "rustls")]
use std::sync::Arc;

use super::pool::Pool;
use super::{Client, Config, Inner};

/// Configures a [`Client`]; made by [`Client::builder`]. Each method takes the builder
/// and returns it, so the calls chain:
///
/// ```
/// use std::time::Duration;
/// let client = evloop_hyper::Client::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(30))
///     .pool_idle_timeout(Some(Duration::from_secs(60)))
///     .pool_max_idle_per_host(8)
///     .build();
/// # drop(client);
/// ```
///
/// | setting | default |
/// |---|---|
/// | [`connect_timeout`](Builder::connect_timeout) | none |
/// | [`request_timeout`](Builder::request_timeout) | none |
/// | [`pool_idle_timeout`](Builder::pool_idle_timeout) | 90 s |
/// | [`pool_max_idle_per_host`](Builder::pool_max_idle_per_host) | unlimited |
/// | TLS roots (`rustls` feature) | the Mozilla roots of `webpki-roots` |
#[derive(Clone, Debug)]
pub struct Builder {
    /// The limit on opening a connection, if any.
    connect_timeout: Option<Duration>,
    /// The limit on a request until its response head, if any.
    request_timeout: Option<Duration>,
    /// How long an idle connection is kept; `None`: until the server closes it.
    pool_idle_timeout: Option<Duration>,
    /// How many idle connections are kept per host.
    pool_max_idle_per_host: usize,
    /// The TLS configuration; `None`: the webpki roots.
    #[cfg(feature = "rustls")]
    tls: Option<Arc<futures_rustls::rustls::ClientConfig>>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            connect_timeout: None,
            request_timeout: None,
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: usize::MAX,
            #[cfg(feature = "rustls")]
            tls: None,
        }
    }
}

impl Builder {
    /// Limits how long opening a connection may take: resolving the name, the TCP
    /// connect, the TLS handshake and hyper's handshake. Past it the request fails with
    /// an error for which [`is_connect`](super::Error::is_connect) and
    /// [`is_timeout`](super::Error::is_timeout) are true.
    ///
    /// ```
    /// let client = evloop_hyper::Client::builder()
    ///     .connect_timeout(std::time::Duration::from_secs(3))
    ///     .build();
    /// # drop(client);
    /// ```
    pub fn connect_timeout(mut self, limit: Duration) -> Builder {
        self.connect_timeout = Some(limit);
        self
    }

    /// Limits how long a request may take until its response head has arrived
    /// (connecting included), like asyncio's `wait_for` around it. Reading the body is
    /// not covered: bound it with `evloop::time::timeout`.
    /// Past the limit the request fails with an error for which
    /// [`is_timeout`](super::Error::is_timeout) is true, and its connection is closed.
    ///
    /// ```
    /// let client = evloop_hyper::Client::builder()
    ///     .request_timeout(std::time::Duration::from_secs(10))
    ///     .build();
    /// # drop(client);
    /// ```
    pub fn request_timeout(mut self, limit: Duration) -> Builder {
        self.request_timeout = Some(limit);
        self
    }

    /// How long a connection may stay idle in the pool before the client closes it;
    /// `None` keeps it until the server closes it. A connection is closed between 1 and
    /// 1.25 times this long after it turned idle.
    ///
    /// ```
    /// let client = evloop_hyper::Client::builder()
    ///     .pool_idle_timeout(Some(std::time::Duration::from_secs(10)))
    ///     .build();
    /// # drop(client);
    /// ```
    pub fn pool_idle_timeout(mut self, limit: Option<Duration>) -> Builder {
        self.pool_idle_timeout = limit;
        self
    }

    /// How many idle connections to keep per host (scheme, host and port); the
    /// longest-idle ones beyond it are closed. `0` turns keep-alive off: every request
    /// opens a connection of its own.
    ///
    /// ```
    /// let no_keep_alive = evloop_hyper::Client::builder().pool_max_idle_per_host(0).build();
    /// # drop(no_keep_alive);
    /// ```
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Builder {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Trusts these root certificates for `https` instead of the webpki roots (a
    /// private certificate authority, or a test's own). The client speaks TLS 1.2 and
    /// 1.3 through rustls with its `ring` provider, and offers `http/1.1` by ALPN.
    ///
    /// ```
    /// use evloop_hyper::rustls::RootCertStore;
    /// let mut roots = RootCertStore::empty();
    /// // roots.add(my_ca_certificate)?;
    /// let client = evloop_hyper::Client::builder().tls_roots(roots).build();
    /// # drop(client);
    /// ```
    #[cfg(feature = "rustls")]
    pub fn tls_roots(mut self, roots: futures_rustls::rustls::RootCertStore) -> Builder {
        self.tls = Some(Arc::new(super::tls::config(roots)));
        self
    }

    /// Uses this rustls configuration for `https` as it is (client certificates,
    /// protocol versions, a custom verifier). The client speaks HTTP/1.1 only: leave
    /// `h2` out of its ALPN protocols.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use evloop_hyper::rustls::{crypto::ring, ClientConfig, RootCertStore};
    /// let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
    ///     .with_safe_default_protocol_versions()
    ///     .unwrap()
    ///     .with_root_certificates(RootCertStore::empty())
    ///     .with_no_client_auth();
    /// let client = evloop_hyper::Client::builder().tls_config(config).build();
    /// # drop(client);
    /// ```
    #[cfg(feature = "rustls")]
    pub fn tls_config(mut self, config: futures_rustls::rustls::ClientConfig) -> Builder {
        self.tls = Some(Arc::new(config));
        self
    }

    /// The client. Nothing is connected until its first request.
    ///
    /// ```
    /// let client = evloop_hyper::Client::builder().build();
    /// # drop(client);
    /// ```
    pub fn build(self) -> Client {
        #[cfg(feature = "rustls")]
        let tls = super::tls::Tls::new(
            self.tls
                .unwrap_or_else(|| Arc::new(super::tls::config(super::tls::webpki_roots()))),
        );
        #[cfg(not(feature = "rustls"))]
        let tls = ();
        Client {
            inner: std::rc::Rc::new(Inner {
                config: Config {
                    connect_timeout: self.connect_timeout,
                    request_timeout: self.request_timeout,
                },
                pool: Pool::new(self.pool_max_idle_per_host, self.pool_idle_timeout),
                tls,
            }),
        }
    }
}
