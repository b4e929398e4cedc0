//! Opening a connection to a [`Target`]: resolve and TCP connect through `evloop::net`,
//! the TLS handshake for `https`, hyper's HTTP/1.1 handshake, and a task that drives
//! the connection from then on.

use evloop_net::TcpStream;
use futures_io::{AsyncRead, AsyncWrite};

use super::pool::Sender;
use super::target::{Scheme, Target};
use super::Error;
use crate::EvloopIo;

/// How the client makes TLS connections (nothing without the `rustls` feature).
#[cfg(feature = "rustls")]
pub(crate) type Tls = super::tls::Tls;
/// How the client makes TLS connections (nothing without the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub(crate) type Tls = ();

/// Opens a connection to `target`, ready for its first request.
///
/// A host name is resolved on the blocking pool (`evloop::net::TcpStream::connect`),
/// an IP literal on the spot.
#[cfg_attr(not(feature = "rustls"), allow(unused_variables))]
pub(crate) async fn open(target: &Target, tls: &Tls) -> Result<Sender, Error> {
    #[cfg(not(feature = "rustls"))]
    if target.scheme == Scheme::Https {
        return Err(Error::invalid_uri(
            target,
            "https:// needs the `rustls` feature (of evloop, or of evloop-hyper)",
        ));
    }
    let stream = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| Error::connect(target, e))?;
    // Requests are small and latency-bound: no Nagle delay on their last segment.
    stream
        .set_nodelay(true)
        .map_err(|e| Error::connect(target, e))?;
    #[cfg(feature = "rustls")]
    if target.scheme == Scheme::Https {
        return handshake(target, tls.connect(target, stream).await?).await;
    }
    handshake(target, stream).await
}

/// hyper's HTTP/1.1 handshake on `stream`; the connection then runs as its own task.
async fn handshake<T>(target: &Target, stream: T) -> Result<Sender, Error>
where
    T: AsyncRead + AsyncWrite + Unpin + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(EvloopIo::new(stream))
        .await
        .map_err(|e| Error::http(target, e))?;
    // Its errors reach the request that was in flight, through `sender`.
    evloop_executor::task::Builder::new()
        .name(format!("evloop-hyper connection to {target}"))
        .spawn(async move {
            let _ = connection.await;
        });
    Ok(sender)
}
