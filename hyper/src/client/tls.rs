//! [`Tls`]: the client's side of the TLS handshake, with rustls (its `ring` crypto
//! provider) through `futures-rustls`, which works on the `futures-io` traits evloop's
//! `TcpStream` implements.

use std::sync::Arc;

use evloop_net::TcpStream;
use futures_rustls::client::TlsStream;
use futures_rustls::rustls::pki_types::ServerName;
use futures_rustls::rustls::{self, ClientConfig, RootCertStore};
use futures_rustls::TlsConnector;

use super::target::Target;
use super::Error;

/// Makes TLS connections with one rustls configuration.
pub(crate) struct Tls {
    /// futures-rustls' connector around the configuration.
    connector: TlsConnector,
}

impl Tls {
    /// A connector with `config`.
    pub(crate) fn new(config: Arc<ClientConfig>) -> Tls {
        Tls {
            connector: TlsConnector::from(config),
        }
    }

    /// Runs the handshake over `stream` with the server `target` names; the
    /// certificate must be trusted by the configuration's roots and name that host.
    pub(crate) async fn connect(
        &self,
        target: &Target,
        stream: TcpStream,
    ) -> Result<TlsStream<TcpStream>, Error> {
        let name =
            ServerName::try_from(target.host.clone()).map_err(|e| Error::invalid_uri(target, e))?;
        self.connector.connect(name, stream).await.map_err(|e| {
            match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                // A certificate or protocol failure: rustls' own error says which.
                Some(tls) => Error::tls(target, tls.clone()),
                // The connection failed under the handshake (reset, closed).
                None => Error::tls(target, e),
            }
        })
    }
}

/// A configuration for HTTP/1.1 over TLS that trusts `roots`, on the `ring` provider.
pub(crate) fn config(roots: RootCertStore) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls' default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// The Mozilla root certificates of the `webpki-roots` crate: the default trust.
pub(crate) fn webpki_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}
