//! TLS on evloop with rustls (the `ring` provider) through futures-rustls, tested with
//! certificates made in the test (rcgen) against real peers: evloop's HTTPS server and
//! `evloop::hyper::Client` with each other, with curl, and with OpenSSL's `s_server`;
//! and handshakes that must fail (a certificate for another name, an untrusted issuer,
//! plain HTTP to the TLS port) failing cleanly on both sides.

mod common;
mod temp_dir;
#[path = "../examples/shared/tls.rs"]
mod tls;

use std::error::Error as _;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::run_bounded;
use evloop::hyper::client::Error;
use evloop::hyper::rustls::{self, CertificateError};
use evloop::hyper::Client;
use evloop::time::sleep;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Response, StatusCode};
use temp_dir::TempDir;
use tls::{Authority, Stats};

/// Reads `response`'s body to its end.
async fn text(response: Response<Incoming>) -> String {
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

/// The rustls error under a client error.
fn rustls_error(err: &Error) -> &rustls::Error {
    err.source()
        .and_then(|source| source.downcast_ref::<rustls::Error>())
        .unwrap_or_else(|| panic!("not a rustls error: {err:?}"))
}

/// Waits (boundedly) until the server has counted `n` failed handshakes.
async fn failed_handshakes(stats: &Stats, n: usize) {
    for _ in 0..1000 {
        if stats.failed_handshakes.get() >= n {
            return;
        }
        sleep(Duration::from_millis(5)).await;
    }
    panic!(
        "the server counted {} failed handshakes, not {n}",
        stats.failed_handshakes.get()
    );
}

/// Is `program` on this machine?
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn the_client_fetches_over_tls_from_evloops_https_server() {
    let accepted = run_bounded(async {
        let authority = Authority::new("test CA");
        let identity = authority.issue(&["localhost", "127.0.0.1"]);
        let (addr, stats) = tls::serve_https(identity.server_config()).await.unwrap();
        let client = Client::builder().tls_roots(authority.roots()).build();
        // A DNS name (through evloop's resolver) and an IP address: both are in the
        // certificate. Three requests each, over one kept-alive TLS connection each.
        for host in ["localhost", "127.0.0.1"] {
            for _ in 0..3 {
                let url = format!("https://{host}:{}/", addr.port());
                let response = client.get(url).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(text(response).await, "Hello over TLS");
            }
        }
        let missing = client
            .get(format!("https://127.0.0.1:{}/missing", addr.port()))
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(stats.failed_handshakes.get(), 0);
        stats.accepted.get()
    });
    assert_eq!(accepted, 2, "one TLS connection per host name");
}

#[test]
fn curl_fetches_from_evloops_https_server() {
    if !have("curl") {
        println!("skipped: `curl` is not installed");
        return;
    }
    let dir = TempDir::new("tls-curl");
    let output = run_bounded(async {
        let authority = Authority::new("test CA");
        let ca_file = dir.write("ca.pem", authority.cert_pem());
        let identity = authority.issue(&["localhost"]);
        let (addr, _) = tls::serve_https(identity.server_config()).await.unwrap();
        let url = format!("https://localhost:{}/", addr.port());
        // curl blocks: it runs on the blocking pool while the loop serves it. Two URLs in
        // one run share one TLS connection (`num_connects` 1, then 0).
        evloop::spawn_blocking(move || {
            Command::new("curl")
                .args(["--silent", "--show-error", "--max-time", "10", "--cacert"])
                .arg(&ca_file)
                .args(["--write-out", " %{http_code} %{num_connects}\\n"])
                .args([&url, &url])
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    });
    assert!(output.status.success(), "curl failed: {output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "Hello over TLS 200 1\nHello over TLS 200 0\n"
    );
}

/// An `openssl s_server` process, killed when dropped.
struct SServer(Child);

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_client_handshakes_with_openssls_s_server() {
    if !have("openssl") {
        println!("skipped: `openssl` is not installed");
        return;
    }
    let dir = TempDir::new("tls-openssl");
    let authority = Authority::new("test CA");
    let identity = authority.issue(&["127.0.0.1"]);
    let cert = dir.write("cert.pem", &identity.cert_pem);
    let key = dir.write("key.pem", &identity.key_pem);
    // A port that was free a moment ago; s_server answers every request with a page
    // about the session (`-www`), over HTTP/1.0.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = SServer(
        Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let page = run_bounded(async {
        let client = Client::builder()
            .tls_roots(authority.roots())
            .connect_timeout(Duration::from_secs(5))
            .build();
        let url = format!("https://127.0.0.1:{port}/");
        // s_server needs a moment to listen: a refused connect means "not yet".
        for _ in 0..500 {
            match client.get(&url).await {
                Ok(response) => {
                    assert_eq!(response.status(), StatusCode::OK);
                    return text(response).await;
                }
                Err(e) if e.is_connect() && !e.is_tls() => sleep(Duration::from_millis(10)).await,
                Err(e) => panic!("{e:?}"),
            }
        }
        panic!("openssl s_server never listened on port {port}");
    });
    assert!(page.contains("s_server"), "{page}");
    assert!(page.contains("Cipher is"), "{page}");
}

#[test]
fn a_certificate_for_another_name_fails_the_handshake_cleanly() {
    let (err, stats) = run_bounded(async {
        let authority = Authority::new("test CA");
        let identity = authority.issue(&["other.test"]);
        let (addr, stats) = tls::serve_https(identity.server_config()).await.unwrap();
        let client = Client::builder().tls_roots(authority.roots()).build();
        let err = client
            .get(format!("https://127.0.0.1:{}/", addr.port()))
            .await
            .unwrap_err();
        failed_handshakes(&stats, 1).await;
        (err, stats)
    });
    assert!(
        err.is_tls() && err.is_connect() && !err.is_timeout(),
        "{err:?}"
    );
    assert!(
        matches!(
            rustls_error(&err),
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("TLS handshake with https://127.0.0.1:"),
        "{message}"
    );
    assert!(message.contains("not valid for name"), "{message}");
    // The server saw the client hang up mid-handshake: its accept failed too (counted
    // above), and only that connection ended.
    assert_eq!(stats.accepted.get(), 1);
    assert!(stats.last_failure.borrow().is_some());
}

#[test]
fn an_untrusted_certificate_fails_the_handshake_and_the_server_goes_on() {
    run_bounded(async {
        let authority = Authority::new("test CA");
        let identity = authority.issue(&["127.0.0.1"]);
        let (addr, stats) = tls::serve_https(identity.server_config()).await.unwrap();
        let url = format!("https://127.0.0.1:{}/", addr.port());

        // Trusts another CA only; then the default, the public webpki roots.
        let stranger = Client::builder()
            .tls_roots(Authority::new("another CA").roots())
            .build();
        for (n, client) in [stranger, Client::new()].into_iter().enumerate() {
            let err = client.get(&url).await.unwrap_err();
            assert!(err.is_tls(), "{err:?}");
            assert_eq!(
                rustls_error(&err),
                &rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
                "{err:?}"
            );
            failed_handshakes(&stats, n + 1).await;
        }

        // A client that trusts the right CA is served by the same server.
        let friend = Client::builder().tls_roots(authority.roots()).build();
        assert_eq!(
            text(friend.get(&url).await.unwrap()).await,
            "Hello over TLS"
        );
        assert_eq!(stats.accepted.get(), 3);
        assert_eq!(stats.failed_handshakes.get(), 2);
    });
}

#[test]
fn plain_http_to_the_tls_port_fails_on_both_sides_without_hanging() {
    let (err, failure) = run_bounded(async {
        let authority = Authority::new("test CA");
        let identity = authority.issue(&["127.0.0.1"]);
        let (addr, stats): (SocketAddr, _) =
            tls::serve_https(identity.server_config()).await.unwrap();
        let err = Client::new()
            .get(format!("http://{addr}/"))
            .await
            .unwrap_err();
        failed_handshakes(&stats, 1).await;
        let failure = stats.last_failure.borrow().clone().unwrap();
        (err, failure)
    });
    // The server answers the plaintext with a TLS alert and hangs up: not HTTP.
    assert!(err.is_http() && !err.is_connect(), "{err:?}");
    assert!(
        failure.contains("corrupt message") || failure.contains("InvalidMessage"),
        "{failure}"
    );
}
