//! smol's echo server for the harness's `echo` workload: the logic of
//! `examples/echo_server.rs` (one task per connection, a 4 KiB buffer, read then
//! `write_all`, `TCP_NODELAY`) on a `LocalExecutor` driven by `smol::block_on`
//! (async-io's reactor).
//!
//! ```text
//! cargo run --release -p evloop-bench --bin smol_echo_server -- --port 7880
//! ```

mod common;

use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Async, LocalExecutor};
use std::net::{TcpListener, TcpStream};

/// Echoes one connection until EOF or an error.
async fn echo(mut stream: Async<TcpStream>) {
    let _ = stream.get_ref().set_nodelay(true);
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}

fn main() {
    let port = common::args("smol_echo_server [--port N]", &[], None).port;
    common::raise_fd_limit();
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(async {
        let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], port)).expect("bind");
        common::listen_backlog(listener.get_ref()).expect("listen");
        common::announce(listener.get_ref().local_addr().expect("local_addr"));
        loop {
            match listener.accept().await {
                Ok((stream, _)) => ex.spawn(echo(stream)).detach(),
                Err(e) => {
                    eprintln!("accept: {e}");
                    smol::Timer::after(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    }));
}
