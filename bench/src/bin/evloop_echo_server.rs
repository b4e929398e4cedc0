//! evloop's echo server for the harness's `echo` workload: the logic of
//! `examples/echo_server.rs` (one task per connection, a 4 KiB buffer, read then
//! `write_all`, `TCP_NODELAY`).
//!
//! ```text
//! cargo run --release -p evloop-bench --bin evloop_echo_server -- --port 7878
//! ```

mod common;

use evloop::net::{TcpListener, TcpStream};

/// Echoes one connection until EOF or an error.
async fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}

fn main() {
    let port = common::args("evloop_echo_server [--port N]", &[]).port;
    common::raise_fd_limit();
    evloop::run(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
        common::listen_backlog(&listener).expect("listen");
        common::announce(listener.local_addr().expect("local_addr"));
        loop {
            match listener.accept().await {
                Ok((stream, _)) => drop(evloop::spawn(echo(stream))),
                Err(e) => {
                    eprintln!("accept: {e}");
                    evloop::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
}
