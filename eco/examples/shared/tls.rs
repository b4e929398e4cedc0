//! TLS on evloop for the `https` example and the TLS tests: a certificate authority and
//! server certificates made on the spot with rcgen, rustls configurations on the `ring`
//! provider, and an HTTPS server (futures-rustls' `TlsAcceptor` on evloop's `TcpStream`,
//! which implements the futures-io traits, with hyper's HTTP/1.1 on top).
#![allow(dead_code)] // the example uses a subset; the tests use the rest

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use evloop::hyper::{EvloopIo, EvloopTimer};
use evloop::net::TcpListener;
use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use futures_rustls::rustls::{RootCertStore, ServerConfig};
use futures_rustls::TlsAcceptor;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

/// A certificate authority made for one run: it signs server certificates, and a
/// client that trusts it (and nothing else) accepts them.
pub struct Authority {
    /// The CA's self-signed certificate and its key.
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A server's certificate chain and private key.
pub struct Identity {
    /// The server's certificate (signed by the authority).
    pub chain: Vec<CertificateDer<'static>>,
    /// The certificate's private key, PKCS#8.
    pub key: PrivatePkcs8KeyDer<'static>,
    /// The certificate, PEM (for OpenSSL's `s_server -cert`).
    pub cert_pem: String,
    /// The private key, PEM (for OpenSSL's `s_server -key`).
    pub key_pem: String,
}

impl Authority {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names to check");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("ring makes an ECDSA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("a CA certificate");
        Authority { issuer }
    }

    /// The CA's certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// The CA's certificate, PEM (for `curl --cacert`).
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A root store that trusts this CA only.
    pub fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.cert_der())
            .expect("a well-formed CA certificate");
        roots
    }

    /// A server certificate for `names` (DNS names or IP addresses), signed by this CA.
    pub fn issue(&self, names: &[&str]) -> Identity {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let params = CertificateParams::new(names).expect("valid names");
        let key = KeyPair::generate().expect("ring makes an ECDSA key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("signed by the CA");
        Identity {
            chain: vec![cert.der().clone()],
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

impl Identity {
    /// A rustls server configuration presenting this identity, on `ring`, offering
    /// HTTP/1.1 by ALPN.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports rustls' default versions")
            .with_no_client_auth()
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )
            .expect("the key matches the certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// What the HTTPS server saw.
#[derive(Debug, Default)]
pub struct Stats {
    /// TCP connections accepted.
    pub accepted: Cell<usize>,
    /// TLS handshakes that failed (the server went on serving).
    pub failed_handshakes: Cell<usize>,
    /// The error of the last failed handshake.
    pub last_failure: RefCell<Option<String>>,
}

/// Starts an HTTPS server on 127.0.0.1 (a free port) as a task of this loop: each
/// connection's TLS handshake, then hyper's HTTP/1.1 (keep-alive) in a task of its own.
/// `GET /` answers `Hello over TLS`; anything else is a 404. A failed handshake is
/// counted and ends that connection only.
pub async fn serve_https(config: Arc<ServerConfig>) -> std::io::Result<(SocketAddr, Rc<Stats>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stats = Rc::new(Stats::default());
    let counts = stats.clone();
    let acceptor = TlsAcceptor::from(config);
    evloop::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counts.accepted.set(counts.accepted.get() + 1);
            let (acceptor, counts) = (acceptor.clone(), counts.clone());
            evloop::spawn(async move {
                let tls = match acceptor.accept(stream).await {
                    Ok(tls) => tls,
                    Err(e) => {
                        counts
                            .failed_handshakes
                            .set(counts.failed_handshakes.get() + 1);
                        *counts.last_failure.borrow_mut() = Some(e.to_string());
                        return;
                    }
                };
                let mut http = http1::Builder::new();
                http.timer(EvloopTimer);
                let _ = http
                    .serve_connection(EvloopIo::new(tls), service_fn(hello))
                    .await;
            });
        }
    });
    Ok((addr, stats))
}

/// The HTTPS server's service.
async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"Hello over TLS")));
    if request.uri().path() != "/" {
        *response.status_mut() = StatusCode::NOT_FOUND;
        *response.body_mut() = Full::new(Bytes::from_static(b"not found"));
    }
    Ok(response)
}
