//! The accept loop of `hyper_server` (and the tests): one task per connection, each
//! serving HTTP/1.1 with keep-alive through hyper.

use std::io;
use std::time::Duration;

use evloop::net::TcpListener;
use evloop_hyper::{EvloopIo, EvloopTimer};
use hyper::server::conn::http1;
use hyper::service::service_fn;

use crate::service::service;

/// Serves `listener` forever with `http` (a configured HTTP/1 builder). Out of file
/// descriptors, it waits a moment and goes on, like asyncio's `start_server`.
pub async fn serve(listener: TcpListener, http: http1::Builder) -> io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) => {
                evloop::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        stream.set_nodelay(true)?;
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

/// A builder for HTTP/1.1 with keep-alive (hyper's default) and evloop's timer, which
/// also turns on hyper's 30 s header read timeout.
pub fn http1_builder() -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(EvloopTimer);
    http
}
