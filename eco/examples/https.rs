//! HTTPS on evloop with rustls: a server and a client in one loop.
//!
//!     cargo run -p evloop-eco-tests --example https [-- --serve]
//!
//! The server: a certificate for `localhost` and 127.0.0.1, signed by a certificate
//! authority made on the spot (rcgen), futures-rustls' `TlsAcceptor` on evloop's
//! `TcpStream`, hyper's HTTP/1.1 on top. The client: `evloop::hyper::Client` (the
//! `rustls` feature) trusting that authority only, fetching three times over one kept-
//! alive TLS connection. Then a client that trusts the public webpki roots instead
//! tries, and its handshake fails cleanly: the certificate's issuer is unknown to it.
//! With `--serve` it then goes on serving until Ctrl-C, for `curl --cacert` (the CA's
//! certificate is written to a file whose name it prints). The asyncio counterpart: `asyncio.start_server(..., ssl=context)` and aiohttp with an
//! `ssl.SSLContext(cafile=...)`.

#[path = "shared/tls.rs"]
mod tls;

use std::error::Error;

use evloop::hyper::Client;
use http_body_util::BodyExt;

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let authority = tls::Authority::new("evloop example CA");
    let identity = authority.issue(&["localhost", "127.0.0.1"]);
    let (addr, stats) = tls::serve_https(identity.server_config()).await?;
    let url = format!("https://localhost:{}/", addr.port());
    println!("serving {url}");

    let client = Client::builder().tls_roots(authority.roots()).build();
    for i in 1..=3 {
        let response = client.get(&url).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        println!("GET #{i}: {status} {}", String::from_utf8_lossy(&body));
    }
    println!("TLS connections accepted: {}", stats.accepted.get());

    let stranger = Client::new(); // trusts the webpki roots, not our authority
    match stranger.get(&url).await {
        Ok(response) => return Err(format!("unexpected answer: {}", response.status()).into()),
        Err(e) => println!(
            "a client that does not trust the CA: {e} (is_tls: {})",
            e.is_tls()
        ),
    }

    if std::env::args().any(|arg| arg == "--serve") {
        let ca_file = std::env::temp_dir().join("evloop-https-example-ca.pem");
        std::fs::write(&ca_file, authority.cert_pem())?;
        println!("try: curl --cacert {} {url}", ca_file.display());
        println!("serving until Ctrl-C");
        evloop::signal::ctrl_c().await?;
    }
    Ok(())
}
