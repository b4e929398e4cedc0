//! The accept step the example servers share: a server survives its clients and its
//! limits.
//!
//! `TcpListener::accept` already skips connections that died in the queue
//! (`ECONNABORTED`, `EPROTO`). What is left for a server:
//!
//! - out of file descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): log,
//!   sleep [`BACKOFF`] (the connection stays queued; accepting again at once would only
//!   fail again), then accept again;
//! - any other error (`EPERM` from a firewall rule, say): it concerns one connection;
//!   log it and accept again. Exiting would let one client stop the server for all.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use evloop::net::{TcpListener, TcpStream};

/// How long to wait before accepting again when the process is out of fds or memory.
pub const BACKOFF: Duration = Duration::from_millis(10);

/// The next connection of `listener`, whatever errors come first (each is logged on
/// stderr).
pub async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(conn) => return conn,
            Err(e) if out_of_resources(&e) => {
                eprintln!("accept: {e}; accepting again in {BACKOFF:?}");
                evloop::time::sleep(BACKOFF).await;
            }
            Err(e) => {
                eprintln!("accept: {e}; accepting the next connection");
                // Let the loop's other tasks run before trying again.
                evloop::yield_now().await;
            }
        }
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
