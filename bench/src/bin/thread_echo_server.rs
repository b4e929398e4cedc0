//! The thread-per-client server of the harness's `server_models` workload, with no
//! runtime: one OS thread per connection, blocking `read` then `write_all`, a 4 KiB
//! buffer, `TCP_NODELAY`. The model of a classic threaded server (Python's
//! `socketserver.ThreadingTCPServer`): simple, and one stack and one kernel task per
//! client.
//!
//! ```text
//! cargo run --release -p evloop-bench --bin thread_echo_server -- --port 7882
//! ```

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// Echoes one connection until EOF or an error.
fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf) {
        if stream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

fn main() {
    let port = common::args("thread_echo_server [--port N]", &[], None).port;
    common::raise_fd_limit();
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
    common::listen_backlog(&listener).expect("listen");
    common::announce(listener.local_addr().expect("local_addr"));
    loop {
        match listener.accept() {
            // The thread's default stack (2 MiB of address space; only what it touches is
            // resident), as a threaded server gets it.
            Ok((stream, _)) => {
                if let Err(e) = thread::Builder::new().spawn(move || echo(stream)) {
                    eprintln!("spawn: {e}"); // the connection closes with the closure
                }
            }
            Err(e) => {
                eprintln!("accept: {e}");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
