//! A server survives its clients. `accept` skips connections that died in the queue
//! (`ECONNABORTED`, `EPROTO`) by itself; the example servers (`echo_server`,
//! `http_hello`) back off briefly only when out of fds, log any other accept error and go
//! on serving.
//!
//! The errors are injected at 20 % of `accept` calls through net's fault-injection seam
//! (`evloop_net::fault`: test builds only, enabled by this package's dev-dependency, not
//! part of the API). An injected error consumes no queued connection, so every client
//! must still be served.

// Each example server is a program of its own and includes `serve/accept.rs`; included
// together here, that file is loaded once per example (and once more for its BACKOFF).
#![allow(clippy::duplicate_mod)]

/// The accept step both example servers include: its back-off is what they sleep.
#[allow(dead_code)]
#[path = "../../examples/serve/accept.rs"]
mod accept;
#[allow(dead_code)]
#[path = "../../examples/echo_server.rs"]
mod echo_server;
#[allow(dead_code)]
#[path = "../../examples/http_hello.rs"]
mod http_hello;

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::run_bounded;
use evloop::net::{TcpListener, TcpStream};
use evloop_net::fault::{inject_accept_errors, injected_accept_errors};

/// The share of `accept` calls that fail, in percent.
const PERCENT: u32 = 20;
/// Clients per run, one after another.
const CLIENTS: u32 = 60;
/// What each accept error used to cost the example servers: a 100 ms sleep.
const OLD_STALL: Duration = Duration::from_millis(100);

/// Which example server to run.
#[derive(Clone, Copy, Debug)]
enum Server {
    /// `examples/echo_server.rs`.
    Echo,
    /// `examples/http_hello.rs`.
    Http,
}

/// What a run under injected faults measured.
#[derive(Debug)]
struct Run {
    /// Clients that got their full answer.
    served: u32,
    /// Accept errors injected during the run.
    injected: u64,
    /// Wall-clock time of all the clients' round trips.
    took: Duration,
}

/// One client of the echo server: sends its number, reads it back.
async fn echo_client(addr: SocketAddr, id: u32) -> bool {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(&id.to_le_bytes()).await.unwrap();
    let mut back = [0u8; 4];
    conn.read_exact(&mut back).await.unwrap();
    u32::from_le_bytes(back) == id
}

/// One client of the HTTP server: one request, the whole response, until the server
/// closes.
async fn http_client(addr: SocketAddr) -> bool {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match conn.read(&mut buf).await.unwrap() {
            0 => break,
            n => response.extend_from_slice(&buf[..n]),
        }
    }
    response.starts_with(b"HTTP/1.1 200 OK\r\n") && response.ends_with(b"Hello, world!\n")
}

/// Runs `server` with `errno` injected into 20 % of its accepts and `CLIENTS` clients
/// one after another.
fn run_under_faults(server: Server, errno: i32) -> Run {
    run_bounded(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        inject_accept_errors(errno, PERCENT);
        let task = match server {
            Server::Echo => evloop::spawn(echo_server::serve(listener)),
            Server::Http => evloop::spawn(http_hello::serve(listener)),
        };
        let start = Instant::now();
        let mut served = 0;
        for id in 0..CLIENTS {
            let ok = match server {
                Server::Echo => echo_client(addr, id).await,
                Server::Http => http_client(addr).await,
            };
            served += u32::from(ok);
        }
        let took = start.elapsed();
        assert!(!task.is_finished(), "{server:?} server stopped");
        let injected = injected_accept_errors();
        inject_accept_errors(0, 0);
        task.abort();
        let run = Run {
            served,
            injected,
            took,
        };
        println!("{server:?}, errno {errno} at {PERCENT} %: {run:?}");
        run
    })
}

#[test]
fn accept_skips_connections_aborted_in_the_queue_and_returns_every_real_one() {
    for errno in [libc::ECONNABORTED, libc::EPROTO] {
        let (ids, injected) = run_bounded(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            inject_accept_errors(errno, PERCENT);
            // All clients at once: several connections are queued behind each fault.
            let clients: Vec<_> = (0..CLIENTS)
                .map(|id| {
                    evloop::spawn(async move {
                        let mut conn = TcpStream::connect(addr).await.unwrap();
                        conn.write_all(&id.to_le_bytes()).await.unwrap();
                        conn
                    })
                })
                .collect();
            let mut ids = Vec::new();
            for _ in 0..CLIENTS {
                let (mut conn, _) = listener
                    .accept()
                    .await
                    .unwrap_or_else(|e| panic!("accept returned {e} (errno {errno} injected)"));
                let mut id = [0u8; 4];
                conn.read_exact(&mut id).await.unwrap();
                ids.push(u32::from_le_bytes(id));
            }
            let injected = injected_accept_errors();
            inject_accept_errors(0, 0);
            drop(evloop::gather_all(clients).await);
            (ids, injected)
        });
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..CLIENTS).collect::<Vec<_>>(), "errno {errno}");
        // 20 % of at least CLIENTS calls; the generator's seed is fixed.
        assert!(
            injected >= u64::from(CLIENTS) / 10,
            "errno {errno}: only {injected} faults injected"
        );
    }
}

/// Runs both example servers under `errno` faults; each served every client despite at
/// least 5 faults, and `timing` holds of its run.
fn every_client_served_under(errno: i32, timing: impl Fn(Server, &Run)) {
    for server in [Server::Echo, Server::Http] {
        let run = run_under_faults(server, errno);
        assert_eq!(run.served, CLIENTS, "{server:?}: {run:?}");
        assert!(run.injected >= 5, "{server:?}: too few faults: {run:?}");
        timing(server, &run);
    }
}

/// Before, each fault cost a 100 ms sleep: at least `injected` × 100 ms in all. Half of
/// that is a generous bound for 60 round trips on 127.0.0.1.
fn without_stalling(server: Server, run: &Run) {
    assert!(
        run.took < OLD_STALL * run.injected as u32 / 2,
        "{server:?} stalled: {run:?}"
    );
}

#[test]
fn example_servers_serve_every_client_with_aborted_connections_without_stalling() {
    every_client_served_under(libc::ECONNABORTED, without_stalling);
}

#[test]
fn example_servers_log_other_accept_errors_and_go_on_without_stalling() {
    // EPERM: what a firewall rule makes accept return. Not a resource limit: no sleep.
    every_client_served_under(libc::EPERM, without_stalling);
}

#[test]
fn example_servers_back_off_when_out_of_fds_and_then_serve_every_client() {
    every_client_served_under(libc::EMFILE, |server, run| {
        // Every EMFILE costs one back-off sleep, which is never shorter than asked.
        assert!(
            run.took >= accept::BACKOFF * run.injected as u32,
            "{server:?} did not back off: {run:?}"
        );
    });
}
