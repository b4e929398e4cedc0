//! tokio's echo server for the harness's `echo` workload: the logic of
//! `examples/echo_server.rs` (one task per connection, a 4 KiB buffer, read then
//! `write_all`, `TCP_NODELAY`) on the current_thread runtime, with `tokio::spawn`, or
//! with `LocalSet::spawn_local` given `--local`. With `--workers N`: on the multi_thread
//! runtime with N worker threads instead, with `tokio::spawn` (the `#[tokio::main]`
//! shape: the accept loop runs in `block_on` on the main thread, the connections on the
//! workers).
//!
//! ```text
//! cargo run --release -p evloop-bench --bin tokio_echo_server -- --port 7879 [--local]
//! cargo run --release -p evloop-bench --bin tokio_echo_server -- --port 7879 --workers 2
//! ```

mod common;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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

/// Accepts forever, handing each connection to `spawn`.
async fn serve(port: u16, spawn: fn(TcpStream)) {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    common::listen_backlog(&listener).expect("listen");
    common::announce(listener.local_addr().expect("local_addr"));
    loop {
        match listener.accept().await {
            Ok((stream, _)) => spawn(stream),
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

fn main() {
    let args = common::args(
        "tokio_echo_server [--port N] [--local | --workers N]",
        &["--local"],
        Some("--workers"),
    );
    let (port, local) = (args.port, !args.switches.is_empty());
    common::raise_fd_limit();
    if let Some(workers) = args.count {
        if local {
            eprintln!("tokio_echo_server: --local and --workers exclude each other");
            std::process::exit(2);
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(serve(port, |s| drop(tokio::spawn(echo(s)))));
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if local {
        tokio::task::LocalSet::new().block_on(
            &rt,
            serve(port, |s| drop(tokio::task::spawn_local(echo(s)))),
        );
    } else {
        rt.block_on(serve(port, |s| drop(tokio::spawn(echo(s)))));
    }
}
