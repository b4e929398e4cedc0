//! The accept loop of `hyper_server` (and the tests): one task per connection, each
//! serving HTTP/1.1 with keep-alive through hyper.

use std::io;
use std::time::Duration;

use evloop::net::TcpListener;
use evloop_hyper::{EvloopIo, EvloopTimer};
use hyper::server::conn::http1;
use hyper::service::service_fn;

use crate::service::service;

/// How long to wait before accepting again when the process is out of fds or memory.
pub const BACKOFF: Duration = Duration::from_millis(10);

/// Serves `listener` forever with `http` (a configured HTTP/1 builder), one task per
/// connection. A server survives its clients: `accept` itself skips connections that
/// died in the queue (`ECONNABORTED`); out of file descriptors or memory (`EMFILE`,
/// `ENFILE`, `ENOBUFS`, `ENOMEM`) it logs, waits [`BACKOFF`] and goes on; any other error
/// concerns one connection: it is logged, and serving goes on.
pub async fn serve(listener: TcpListener, http: http1::Builder) -> io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) if out_of_resources(&e) => {
                eprintln!("accept: {e}; accepting again in {BACKOFF:?}");
                evloop::time::sleep(BACKOFF).await;
                continue;
            }
            Err(e) => {
                eprintln!("accept: {e}; accepting the next connection");
                evloop::yield_now().await;
                continue;
            }
        };
        if let Err(e) = stream.set_nodelay(true) {
            eprintln!("TCP_NODELAY: {e}; serving the connection without it");
        }
        let conn = http.serve_connection(EvloopIo::new(stream), service_fn(service));
        evloop::spawn(async move {
            if let Err(e) = conn.await {
                if !e.is_incomplete_message() {
                    eprintln!("connection error: {e}");
                }
            }
        });
    }
}

/// Whether `e` says the process is out of file descriptors or memory: waiting helps,
/// retrying at once does not.
pub fn out_of_resources(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// A builder for HTTP/1.1 with keep-alive (hyper's default) and evloop's timer, which
/// also turns on hyper's 30 s header read timeout.
pub fn http1_builder() -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(EvloopTimer);
    http
}
